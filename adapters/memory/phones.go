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

// ReleaseUnprovenPhone takes an unverified number off an account whose
// email is verified, under the accounts lock. ErrNotFound when no account
// holds phone that way.
func (s *Store) ReleaseUnprovenPhone(ctx context.Context, phone string) (string, error) {
	return s.releaseUnproven(ctx, func(a *accountTable) (string, bool) {
		id, ok := a.byPhone[phone]
		u := a.users[id]
		return id, ok && phone != "" && !u.PhoneVerified && u.Email != "" && u.EmailVerified
	}, func(a *accountTable, u *ports.User) {
		delete(a.byPhone, u.Phone)
		u.Phone = ""
	})
}

// ReleaseUnprovenEmail takes an unverified email off an account whose number
// is verified, under the accounts lock. ErrNotFound when no account holds
// email that way.
func (s *Store) ReleaseUnprovenEmail(ctx context.Context, email string) (string, error) {
	return s.releaseUnproven(ctx, func(a *accountTable) (string, bool) {
		id, ok := a.byEmail[emailKey(email)]
		u := a.users[id]
		return id, ok && email != "" && !u.EmailVerified && u.Phone != "" && u.PhoneVerified
	}, func(a *accountTable, u *ports.User) {
		delete(a.byEmail, emailKey(u.Email))
		u.Email = ""
	})
}

func (s *Store) releaseUnproven(ctx context.Context, find func(*accountTable) (string, bool), release func(*accountTable, *ports.User)) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	a := &s.accounts
	a.mu.Lock()
	defer a.mu.Unlock()
	id, ok := find(a)
	if !ok {
		return "", fmt.Errorf("memory: release unproven identifier: %w", ports.ErrNotFound)
	}
	u := a.users[id]
	release(a, &u)
	a.users[id] = u
	return id, nil
}
