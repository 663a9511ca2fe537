package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// cloneGuardianship copies g so that callers never share its Proposed slice.
func cloneGuardianship(g ports.Guardianship) ports.Guardianship {
	g.Proposed = slices.Clone(g.Proposed)
	return g
}

// Guardianship returns the child's guardianship; ErrNotFound when none.
func (s *Store) Guardianship(ctx context.Context, childID string) (ports.Guardianship, error) {
	if err := ctx.Err(); err != nil {
		return ports.Guardianship{}, err
	}
	a := &s.accounts
	a.mu.RLock()
	defer a.mu.RUnlock()
	g, ok := a.guardians[childID]
	if !ok {
		return ports.Guardianship{}, fmt.Errorf("memory: guardianship: %w", ports.ErrNotFound)
	}
	return cloneGuardianship(g), nil
}

// ConfirmGuardianship confirms a pending guardianship and appends the
// child's consents under the accounts lock, then the consents lock (the lock
// order of CreateUser).
func (s *Store) ConfirmGuardianship(ctx context.Context, childID string, c ports.GuardianConfirmation) (ports.Guardianship, error) {
	a := &s.accounts
	if err := a.lock(ctx); err != nil {
		return ports.Guardianship{}, err
	}
	defer a.mu.Unlock()
	g, ok := a.guardians[childID]
	if !ok {
		return ports.Guardianship{}, fmt.Errorf("memory: confirm guardianship: %w", ports.ErrNotFound)
	}
	if !g.Pending() {
		return ports.Guardianship{}, fmt.Errorf("memory: confirm guardianship: already confirmed: %w", ports.ErrConflict)
	}
	g.ConfirmedAt, g.Method, g.GuardianID, g.Reference = stamp(c.At), c.Method, c.GuardianID, c.Reference
	a.guardians[childID] = g
	if len(c.Consents.Rows) > 0 {
		s.consents.mu.Lock()
		s.consents.appendLocked(childID, c.Consents)
		s.consents.mu.Unlock()
	}
	return cloneGuardianship(g), nil
}

// GuardianChildren returns the guardianships guardianID confirmed, oldest first.
func (s *Store) GuardianChildren(ctx context.Context, guardianID string) ([]ports.Guardianship, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a := &s.accounts
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := []ports.Guardianship{}
	for _, g := range a.guardians {
		if g.GuardianID == guardianID && guardianID != "" {
			out = append(out, cloneGuardianship(g))
		}
	}
	slices.SortFunc(out, func(x, y ports.Guardianship) int {
		if c := x.ConfirmedAt.Compare(y.ConfirmedAt); c != 0 {
			return c
		}
		return cmp.Compare(x.ChildID, y.ChildID)
	})
	return out, nil
}

// DeletePendingChildren erases the pending children requested before
// requestedBefore: their account first (under its lock), then their tokens
// and events, each table under its own lock.
func (s *Store) DeletePendingChildren(ctx context.Context, requestedBefore time.Time) ([]string, error) {
	a := &s.accounts
	if err := a.lock(ctx); err != nil {
		return nil, err
	}
	erased := []string{}
	for id, g := range a.guardians {
		if !g.Pending() || !g.RequestedAt.Before(requestedBefore) {
			continue
		}
		a.unindexLocked(a.users[id])
		delete(a.users, id)
		delete(a.creds, id)
		delete(a.guardians, id)
		erased = append(erased, id)
	}
	a.mu.Unlock()
	slices.Sort(erased)
	s.tokens.mu.Lock()
	for _, id := range erased {
		for _, row := range s.tokens.bySubject[id] {
			delete(s.tokens.byID, row.ID)
			delete(s.tokens.byHash, row.Hash)
		}
		delete(s.tokens.bySubject, id)
	}
	s.tokens.mu.Unlock()
	s.events.mu.Lock()
	for _, id := range erased {
		delete(s.events.byUser, id)
	}
	s.events.mu.Unlock()
	return erased, nil
}

// DiscardGuardianship deletes the child's guardianship, if any.
func (s *Store) DiscardGuardianship(ctx context.Context, childID string) error {
	a := &s.accounts
	return a.do(ctx, func() { delete(a.guardians, childID) })
}
