package memory

import (
	"context"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// nomineeTable holds nominations in the order they were made.
type nomineeTable = rowTable[ports.Nominee]

// AddNominee stores n. ErrConflict when its ID exists.
func (s *Store) AddNominee(ctx context.Context, n ports.Nominee) error {
	n.AddedAt, n.RemovedAt = stamp(n.AddedAt), time.Time{}
	return s.nominees.insert(ctx, "add nominee", n, func(o ports.Nominee) bool { return o.ID == n.ID })
}

// RemoveNominee marks the user's standing nominee removed at at.
// ErrNotFound for an unknown, another user's or a removed nominee.
func (s *Store) RemoveNominee(ctx context.Context, userID, id string, at time.Time) (ports.Nominee, error) {
	return s.nominees.update(ctx, "remove nominee", func(n ports.Nominee) bool {
		return n.ID == id && n.UserID == userID && n.RemovedAt.IsZero()
	}, func(n *ports.Nominee) error {
		n.RemovedAt = stamp(at)
		return nil
	})
}

// Nominees lists the user's nominations, removed ones included, oldest first.
func (s *Store) Nominees(ctx context.Context, userID string) ([]ports.Nominee, error) {
	return s.nominees.list(ctx, func(n ports.Nominee) bool { return n.UserID == userID },
		func(n ports.Nominee) time.Time { return n.AddedAt }, false)
}
