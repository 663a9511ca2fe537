package ports

import "context"

// Storage is every storage port that one backend provides at once, so an app
// hands core one value (memory.Store and postgres.Store are each a Storage).
// A backend that also keeps users (managed mode) implements UserRegistry too;
// core finds that by a type check.
type Storage interface {
	UserDirectory
	CredentialStore
	LockoutStore
	SessionRepo
	DeviceTrust
	OneTimeTokenRepo
	ConsentLedger
	AbuseGuard
	EventLog
	EventPseudonymiser
	ErasureStore
	GrievanceStore
	NomineeStore
	ActivityStore
}

// Transactor groups calls of one backend's storage ports into one
// transaction, so that a flow's reads and writes commit together: once,
// instead of once per call. A backend may provide it beside Storage; core
// uses it where a flow's calls belong together (a sign-in's checks and the
// admission of its attempt; the end of the attempt and the new session).
type Transactor interface {
	// InTransaction runs fn with a context under which every call of this
	// backend's storage ports joins one transaction: committed when fn
	// returns nil; rolled back, none of the calls' writes kept, when fn
	// returns an error or panics, or when the commit fails. fn's error is
	// returned as it is. Calls made with another context, calls of other
	// backends, and calls made with fn's context after InTransaction has
	// returned (work fn left running in the background) run on their own, as
	// without a transaction. A call nested in fn's context joins the outer
	// transaction. A call that fails inside may leave the transaction unable
	// to take more calls (PostgreSQL aborts it): fn should return the first
	// error. fn must not make calls in parallel with its context. The
	// port's atomic rules hold inside as outside; the transaction is bounded
	// in time as one call is.
	InTransaction(ctx context.Context, fn func(ctx context.Context) error) error
}
