package ports

import "context"

// AccountHolds is what a sign-in checks about an account as it opens a
// session: a child's guardianship (a pending one keeps the account out) and
// the newest erasure request (an open one is cancelled by the sign-in).
type AccountHolds struct {
	// Guardianship is the user's, as GuardianStore.Guardianship returns it;
	// nil when the user has none.
	Guardianship *Guardianship
	// Erasure is the user's newest erasure request, the first that
	// ErasureStore.ErasureRequests lists; nil when there is none.
	Erasure *ErasureRecord
}

// AccountHoldsReader reads both holds of an account in one round trip. A
// backend that is both the GuardianStore and the ErasureStore core uses may
// provide it beside them; core then reads it where a session opens, instead
// of one read per store.
type AccountHoldsReader interface {
	// AccountHolds returns the user's holds; both nil for an unknown user.
	AccountHolds(ctx context.Context, userID string) (AccountHolds, error)
}
