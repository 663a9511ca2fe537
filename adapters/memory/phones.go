package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

var (
	_ ports.PhoneDirectory = (*Store)(nil)
	_ ports.PhoneRegistry  = (*Store)(nil)
)

// UserByPhone finds a user by E.164 number, compared exactly. ErrNotFound
// when none; the empty number matches no one.
func (s *Store) UserByPhone(ctx context.Context, phone string) (ports.User, error) {
	return s.findUser(ctx, func(a *accountTable) (string, bool) {
		if phone == "" {
			return "", false
		}
		id, ok := a.byPhone[phone]
		return id, ok
	})
}

// MarkPhoneVerified records the verified number; idempotent. ErrNotFound
// for an unknown user.
func (s *Store) MarkPhoneVerified(ctx context.Context, userID string, _ time.Time) error {
	return s.updateUser(ctx, userID, func(u *ports.User) { u.PhoneVerified = true })
}

// ChangePhone replaces the user's number with a verified one. ErrConflict
// when another user has it, ErrNotFound for an unknown user.
func (s *Store) ChangePhone(ctx context.Context, userID, phone string, _ time.Time) (ports.User, error) {
	return s.changeIdentity(ctx, userID, func(a *accountTable, u *ports.User) error {
		if owner, taken := a.byPhone[phone]; taken && owner != userID {
			return fmt.Errorf("memory: change phone: %w", ports.ErrConflict)
		}
		if u.Phone != "" {
			delete(a.byPhone, u.Phone)
		}
		a.byPhone[phone] = userID
		u.Phone, u.PhoneVerified = phone, true
		return nil
	})
}
