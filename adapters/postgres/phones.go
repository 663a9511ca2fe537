package postgres

import (
	"context"
	"database/sql"
	"errors"
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

// The release statements lock the account row (FOR UPDATE re-reads it
// after a concurrent MarkPhoneVerified or MarkEmailVerified commits), so an
// identifier is released only while it is still unverified, once.
const (
	releaseUnprovenPhoneSQL = `WITH a AS (
	SELECT user_id FROM ba_accounts
	WHERE user_id = (SELECT id FROM ba_users WHERE phone = ? AND email <> '')
	  AND phone_verified_at IS NULL AND email_verified_at IS NOT NULL
	FOR UPDATE)
UPDATE ba_users AS u SET phone = NULL FROM a
WHERE u.id = a.user_id AND u.phone = ?
RETURNING u.id`
	releaseUnprovenEmailSQL = `WITH a AS (
	SELECT user_id FROM ba_accounts
	WHERE user_id = (SELECT id FROM ba_users WHERE lower(email) = lower(?) AND email <> '' AND phone IS NOT NULL)
	  AND email_verified_at IS NULL AND phone_verified_at IS NOT NULL
	FOR UPDATE)
UPDATE ba_users AS u SET email = '' FROM a
WHERE u.id = a.user_id AND lower(u.email) = lower(?) AND u.email <> ''
RETURNING u.id`
)

// ReleaseUnprovenPhone takes an unverified number off an account whose
// email is verified, in one statement. ErrNotFound when no account holds
// phone that way.
func (s *Store) ReleaseUnprovenPhone(ctx context.Context, phone string) (string, error) {
	return s.releaseUnproven(ctx, "release unproven phone", releaseUnprovenPhoneSQL, phone)
}

// ReleaseUnprovenEmail takes an unverified email off an account whose number
// is verified, in one statement. ErrNotFound when no account holds email
// that way.
func (s *Store) ReleaseUnprovenEmail(ctx context.Context, email string) (string, error) {
	return s.releaseUnproven(ctx, "release unproven email", releaseUnprovenEmailSQL, email)
}

func (s *Store) releaseUnproven(ctx context.Context, op, query, identifier string) (string, error) {
	if identifier == "" {
		return "", notFound(op)
	}
	ctx, cancel := s.call(ctx)
	defer cancel()
	var id string
	err := s.conn(ctx).NewRaw(query, identifier, identifier).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound(op)
	}
	if err != nil {
		return "", fail(ctx, op, err)
	}
	return id, nil
}
