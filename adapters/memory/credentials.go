package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Credentials returns the user's hashes. ErrNotFound when nothing was ever
// stored for the user. The user need not exist in this Store (external mode).
func (s *Store) Credentials(ctx context.Context, userID string) (ports.Credentials, error) {
	if err := ctx.Err(); err != nil {
		return ports.Credentials{}, err
	}
	a := &s.accounts
	a.mu.RLock()
	defer a.mu.RUnlock()
	c, ok := a.creds[userID]
	if !ok {
		return ports.Credentials{}, fmt.Errorf("memory: credentials: %w", ports.ErrNotFound)
	}
	return c, nil
}

// SetPasswordHash creates or replaces the password hash.
func (s *Store) SetPasswordHash(ctx context.Context, userID, hash string, at time.Time) error {
	return s.upsertCredentials(ctx, userID, func(c *ports.Credentials) {
		c.PasswordHash, c.PasswordChangedAt = hash, stamp(at)
	})
}

// SetPINHash creates or replaces the PIN hash.
func (s *Store) SetPINHash(ctx context.Context, userID, hash string, at time.Time) error {
	return s.upsertCredentials(ctx, userID, func(c *ports.Credentials) {
		c.PINHash, c.PINChangedAt = hash, stamp(at)
	})
}

func (s *Store) upsertCredentials(ctx context.Context, userID string, change func(*ports.Credentials)) error {
	a := &s.accounts
	if err := a.lock(ctx); err != nil {
		return err
	}
	defer a.mu.Unlock()
	c := a.creds[userID]
	c.UserID = userID
	change(&c)
	a.creds[userID] = c
	return nil
}
