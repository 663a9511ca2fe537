package postgres

import (
	"context"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

var (
	_ ports.PhoneDirectory = (*Store)(nil)
	_ ports.PhoneRegistry  = (*Store)(nil)
)

// UserByPhone finds a managed user by E.164 number (served by the unique
// index on phone). ErrNotFound when none matches; "" matches no one.
func (s *Store) UserByPhone(ctx context.Context, phone string) (ports.User, error) {
	if phone == "" {
		return ports.User{}, notFound("user by phone")
	}
	return s.findUser(ctx, "user by phone", "u.phone = ?", phone)
}

// MarkPhoneVerified records the first verification time of the number;
// repeating it keeps that time. ErrNotFound for an unknown user.
func (s *Store) MarkPhoneVerified(ctx context.Context, userID string, at time.Time) error {
	const op = "mark phone verified"
	ctx, cancel := s.call(ctx)
	defer cancel()
	res, err := s.conn(ctx).NewUpdate().Model((*accountRow)(nil)).
		Set("phone_verified_at = coalesce(phone_verified_at, ?)", utc(at)).
		Where("user_id = ?", userID).
		Exec(ctx)
	return s.expectRow(ctx, op, res, err)
}

// ChangePhone replaces the number and marks it verified at at, in one
// transaction; the unique index on phone refuses a taken one (ErrConflict).
// ErrNotFound for an unknown user.
func (s *Store) ChangePhone(ctx context.Context, userID, phone string, at time.Time) (ports.User, error) {
	return s.changeContact(ctx, "change phone", userID, "phone", phone, at)
}
