package postgres

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
)

// credentialRow holds the secrets of one user, keyed by the opaque user ID.
type credentialRow struct {
	bun.BaseModel `bun:"table:ba_credentials"`

	UserID            string    `bun:"user_id,pk"`
	PasswordHash      string    `bun:"password_hash"`
	PINHash           string    `bun:"pin_hash"`
	PasswordChangedAt time.Time `bun:"password_changed_at,nullzero"`
	PINChangedAt      time.Time `bun:"pin_changed_at,nullzero"`
}

// Credentials returns the user's hashes. ErrNotFound when nothing was ever
// stored for the user.
func (s *Store) Credentials(ctx context.Context, userID string) (ports.Credentials, error) {
	var row credentialRow
	if err := s.get(ctx, "credentials", &row, "user_id = ?", userID); err != nil {
		return ports.Credentials{}, err
	}
	return ports.Credentials{
		UserID:            row.UserID,
		PasswordHash:      row.PasswordHash,
		PINHash:           row.PINHash,
		PasswordChangedAt: utc(row.PasswordChangedAt),
		PINChangedAt:      utc(row.PINChangedAt),
	}, nil
}

// SetPasswordHash creates or replaces the password hash in one upsert.
func (s *Store) SetPasswordHash(ctx context.Context, userID, hash string, at time.Time) error {
	return s.setSecret(ctx, "set password hash", credentialRow{
		UserID: userID, PasswordHash: hash, PasswordChangedAt: utc(at),
	}, "password_hash", "password_changed_at")
}

// SetPINHash creates or replaces the PIN hash in one upsert.
func (s *Store) SetPINHash(ctx context.Context, userID, hash string, at time.Time) error {
	return s.setSecret(ctx, "set pin hash", credentialRow{
		UserID: userID, PINHash: hash, PINChangedAt: utc(at),
	}, "pin_hash", "pin_changed_at")
}

// setSecret upserts row, overwriting only the two named columns of an
// existing row so that setting the PIN keeps the password and vice versa.
func (s *Store) setSecret(ctx context.Context, op string, row credentialRow, hashCol, atCol string) error {
	ctx, cancel := s.call(ctx)
	defer cancel()
	_, err := s.conn(ctx).NewInsert().Model(&row).
		On("CONFLICT (user_id) DO UPDATE").
		Set("? = EXCLUDED.?", bun.Ident(hashCol), bun.Ident(hashCol)).
		Set("? = EXCLUDED.?", bun.Ident(atCol), bun.Ident(atCol)).
		Exec(ctx)
	return fail(ctx, op, err)
}
