package ports

import (
	"context"
	"time"
)

// NewUser is a user to create in managed mode.
type NewUser struct {
	Email string // trimmed, domain in ASCII form; unique case-insensitively; "" when Phone is set
	// Phone, optional, is a mobile number in E.164 form, unique; an account
	// has an email, a phone number or both. A registry that implements
	// PhoneRegistry stores it; unverified until MarkPhoneVerified.
	Phone        string
	Username     string // optional; unique case-insensitively when set
	DisplayName  string
	Language     string
	PasswordHash string // stored with the user; "" for an account that signs in by code only
	CreatedAt    time.Time
	// Consents are the decisions given at registration. They become the first
	// rows of the user's consent chain, appended exactly as
	// ConsentLedger.AppendConsents would (UserID, Seq and the hashes are set by
	// the registry, with the checkpoint and outbox entries asked for), so an
	// account never exists without its recorded consent.
	Consents ConsentAppend
	// Guardian, for a child, is its pending guardianship (ChildID is set by
	// the registry), created in the same transaction by a registry that is a
	// GuardianStore.
	Guardian *Guardianship
}

// Profile is what a user chose about themselves.
type Profile struct {
	Username    string // optional; unique case-insensitively when set
	DisplayName string
	Language    string
}

// UserRegistry creates and changes users in managed mode. External-mode apps do
// not provide it.
type UserRegistry interface {
	// CreateUser atomically creates the user, its initial password hash (which
	// CredentialStore.Credentials then returns) and its initial consent rows
	// (which ConsentLedger.ConsentHistory then returns). It assigns the ID. It
	// returns an error wrapping ErrConflict when the email or the username is
	// taken, each compared case-insensitively ("asha" when "Asha" exists), or
	// the phone number is, and then creates nothing. Users without an email
	// (Email "") never collide over it.
	CreateUser(ctx context.Context, u NewUser) (User, error)
	// MarkEmailVerified records that the user proved the email address. It is
	// idempotent. ErrNotFound for an unknown user.
	MarkEmailVerified(ctx context.Context, userID string, at time.Time) error
	// SetSuspended suspends or reinstates a user. ErrNotFound for an unknown user.
	SetSuspended(ctx context.Context, userID string, suspended bool) error
	// UpdateProfile replaces what the user chose: the display name, the
	// username ("" removes it, and a changed one becomes free for others)
	// and the language. It returns the updated user. ErrConflict when
	// another user has the username (case-insensitively), ErrNotFound for an
	// unknown user; either way nothing changes.
	UpdateProfile(ctx context.Context, userID string, p Profile) (User, error)
	// ChangeEmail replaces the user's email with email (trimmed, domain in
	// ASCII form), verified at at: the caller proved the new inbox. The old address
	// then finds no one. ErrConflict when another user has email
	// (case-insensitively), ErrNotFound for an unknown user.
	ChangeEmail(ctx context.Context, userID, email string, at time.Time) (User, error)
	// ClearProfile empties what the registrant chose: the display name, the
	// username (which becomes free for others) and the language. ErrNotFound
	// for an unknown user.
	ClearProfile(ctx context.Context, userID string) error
}
