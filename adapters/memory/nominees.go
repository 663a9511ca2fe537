package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// nomineeTable holds nominations in the order they were made.
type nomineeTable struct {
	mu   sync.Mutex
	rows []ports.Nominee
}

// AddNominee stores n. ErrConflict when its ID exists.
func (s *Store) AddNominee(ctx context.Context, n ports.Nominee) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n.AddedAt, n.RemovedAt = stamp(n.AddedAt), time.Time{}
	nt := &s.nominees
	nt.mu.Lock()
	defer nt.mu.Unlock()
	if slices.ContainsFunc(nt.rows, func(o ports.Nominee) bool { return o.ID == n.ID }) {
		return fmt.Errorf("memory: add nominee: %w", ports.ErrConflict)
	}
	nt.rows = append(nt.rows, n)
	return nil
}

// RemoveNominee marks the user's standing nominee removed at at.
// ErrNotFound for an unknown, another user's or a removed nominee.
func (s *Store) RemoveNominee(ctx context.Context, userID, id string, at time.Time) (ports.Nominee, error) {
	if err := ctx.Err(); err != nil {
		return ports.Nominee{}, err
	}
	nt := &s.nominees
	nt.mu.Lock()
	defer nt.mu.Unlock()
	i := slices.IndexFunc(nt.rows, func(n ports.Nominee) bool {
		return n.ID == id && n.UserID == userID && n.RemovedAt.IsZero()
	})
	if i < 0 {
		return ports.Nominee{}, fmt.Errorf("memory: remove nominee: %w", ports.ErrNotFound)
	}
	nt.rows[i].RemovedAt = stamp(at)
	return nt.rows[i], nil
}

// Nominees lists the user's nominations, removed ones included, oldest first.
func (s *Store) Nominees(ctx context.Context, userID string) ([]ports.Nominee, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	nt := &s.nominees
	nt.mu.Lock()
	defer nt.mu.Unlock()
	return listed(nt.rows, func(n ports.Nominee) bool { return n.UserID == userID },
		func(n ports.Nominee) time.Time { return n.AddedAt }, false), nil
}
