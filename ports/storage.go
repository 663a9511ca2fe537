package ports

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
