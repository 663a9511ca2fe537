package ports

import (
	"context"
	"time"
)

// Nominee is a person a user names to exercise their rights after their
// death or incapacity (DPDP Act 2023 §14). Removing one keeps the row: the
// history shows who was nominated when.
type Nominee struct {
	ID           string
	UserID       string
	Name         string
	Email        string
	Relationship string
	AddedAt      time.Time
	RemovedAt    time.Time // zero while the nomination stands
}

// NomineeStore keeps nominations, append-only.
type NomineeStore interface {
	// AddNominee stores n. ErrConflict when its ID exists.
	AddNominee(ctx context.Context, n Nominee) error
	// RemoveNominee atomically sets RemovedAt = at on the user's standing
	// nominee id and returns it. ErrNotFound for an unknown ID, another
	// user's nominee or one already removed.
	RemoveNominee(ctx context.Context, userID, id string, at time.Time) (Nominee, error)
	// Nominees lists every nomination of the user, removed ones included,
	// oldest first (empty when none).
	Nominees(ctx context.Context, userID string) ([]Nominee, error)
}
