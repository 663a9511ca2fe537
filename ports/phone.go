package ports

import (
	"context"
	"time"
)

// PhoneDirectory finds users by mobile number. It is optional beside
// UserDirectory: a directory without phone numbers (an external-mode app that
// keeps none) need not implement it, and core then offers no phone sign-in.
// memory.Store and postgres.Store implement it.
//
// Numbers arrive in E.164 form ("+919876543210"), the form core parses every
// number into and the form it stores at registration; a directory compares
// them exactly. Safe for concurrent use. UserByPhone returns an error
// wrapping ErrNotFound when no user has the number; the empty number matches
// no one.
type PhoneDirectory interface {
	UserByPhone(ctx context.Context, phone string) (User, error)
}

// PhoneRegistry changes users' phone numbers in managed mode, beside
// UserRegistry (whose CreateUser stores NewUser.Phone, unique: ErrConflict
// when another user has the number). memory.Store and postgres.Store
// implement it.
type PhoneRegistry interface {
	// MarkPhoneVerified records that the user proved the number (a code sent
	// to it was used). It is idempotent. ErrNotFound for an unknown user.
	MarkPhoneVerified(ctx context.Context, userID string, at time.Time) error
	// ChangePhone replaces the user's number with phone (E.164), verified at
	// at: the caller proved it. The old number then finds no one. ErrConflict
	// when another user has phone, ErrNotFound for an unknown user; either
	// way nothing changes.
	ChangePhone(ctx context.Context, userID, phone string, at time.Time) (User, error)
	// ReleaseUnprovenPhone takes phone (E.164) off the account that holds
	// it unverified beside a verified email, and returns that account's ID:
	// a number its account never proved must not keep its owner out
	// (pre-hijacking defence). It is one atomic step, done only while the
	// number is still unverified, so that of parallel calls at most one
	// releases it. ErrNotFound, and nothing changes, when no account holds
	// phone that way (none, verified, or its email unverified too).
	ReleaseUnprovenPhone(ctx context.Context, phone string) (userID string, err error)
	// ReleaseUnprovenEmail is ReleaseUnprovenPhone for an email (compared
	// case-insensitively) held unverified beside a verified number: the
	// account keeps its number and has no email after it.
	ReleaseUnprovenEmail(ctx context.Context, email string) (userID string, err error)
}
