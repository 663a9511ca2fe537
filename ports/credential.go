package ports

import (
	"context"
	"time"
)

// Credentials are the secrets of one user, as hashes (argon2id PHC strings, or
// legacy bcrypt). An empty hash means "not set".
type Credentials struct {
	UserID            string
	PasswordHash      string
	PINHash           string
	PasswordChangedAt time.Time
	PINChangedAt      time.Time
}

// CredentialStore keeps password and PIN hashes keyed by the opaque user ID, so
// an external-mode app's user table stays untouched.
type CredentialStore interface {
	// Credentials returns the user's hashes; ErrNotFound when nothing was ever
	// stored for the user.
	Credentials(ctx context.Context, userID string) (Credentials, error)
	// SetPasswordHash creates or replaces the password hash (an upsert).
	SetPasswordHash(ctx context.Context, userID, hash string, at time.Time) error
	// SetPINHash creates or replaces the PIN hash (an upsert).
	SetPINHash(ctx context.Context, userID, hash string, at time.Time) error
}
