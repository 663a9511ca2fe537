package ports

import "errors"

// Sentinel errors returned (wrapped) by port implementations. Each method's doc
// names the ones it may return.
var (
	// ErrNotFound: the record asked for does not exist (or is no longer usable,
	// where the method says so).
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique value (email, username, ID) is taken.
	ErrConflict = errors.New("conflict")
	// ErrExpired: the record exists but its expiry has passed.
	ErrExpired = errors.New("expired")
	// ErrReused: a refresh token that was already rotated was presented again;
	// the whole token family has been revoked.
	ErrReused = errors.New("token reused")
	// ErrMismatch: a one-time code did not match; the attempt was counted.
	ErrMismatch = errors.New("mismatch")
	// ErrExhausted: a one-time code has used up its attempts and is dead.
	ErrExhausted = errors.New("attempts exhausted")
	// ErrUnavailable: the backing store could not be reached or timed out.
	// Nothing was written.
	ErrUnavailable = errors.New("store unavailable")
)
