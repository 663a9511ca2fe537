package ports

import (
	"context"
	"time"
)

// NewUser is a user to create in managed mode.
type NewUser struct {
	Email        string // trimmed; uniqueness is case-insensitive
	Username     string // optional; unique when set
	DisplayName  string
	Language     string
	PasswordHash string // stored with the user, so a user never exists without it
	CreatedAt    time.Time
}

// UserRegistry creates and changes users in managed mode. External-mode apps do
// not provide it.
type UserRegistry interface {
	// CreateUser atomically creates the user and its initial password hash (which
	// CredentialStore.Credentials then returns). It assigns the ID. It returns an
	// error wrapping ErrConflict when the email (case-insensitively) or the
	// username is taken, and then creates nothing.
	CreateUser(ctx context.Context, u NewUser) (User, error)
	// MarkEmailVerified records that the user proved the email address. It is
	// idempotent. ErrNotFound for an unknown user.
	MarkEmailVerified(ctx context.Context, userID string, at time.Time) error
	// SetSuspended suspends or reinstates a user. ErrNotFound for an unknown user.
	SetSuspended(ctx context.Context, userID string, suspended bool) error
}
