package ports

import (
	"context"
	"time"
)

// SignInLookup names the account a sign-in is for, the client's device and,
// optionally, its IP and the account's holds: all that a sign-in reads
// before its secret is checked.
type SignInLookup struct {
	// Exactly one of Email and Username is set, as UserByEmail and
	// UserByUsername take them.
	Email    string
	Username string
	// DeviceFingerprint is the stored form, as DeviceTrust.KnownDevice takes
	// it; "" is never known.
	DeviceFingerprint string
	Now               time.Time // as KnownDevice's and IPBlockedUntil's now
	// IP, when set, is also looked up as AbuseGuard.IPBlockedUntil would
	// (the same key), whether or not a user matches.
	IP string
	// Holds asks for the user's holds too, as AccountHoldsReader reads them.
	Holds bool
}

// SignInRecord is what SignInUser read.
type SignInRecord struct {
	Found       bool // a user matches; User, KnownDevice and Holds are zero otherwise
	User        User
	KnownDevice bool // as DeviceTrust.KnownDevice would answer for User
	// IPBlockedUntil is as IPBlockedUntil would answer for the lookup's IP
	// (zero without an IP, or when the IP is not blocked).
	IPBlockedUntil time.Time
	Holds          AccountHolds // read when the lookup asked for them
}

// SignInUsers reads, in one round trip, the user a sign-in names, whether
// the client's device is a known one of theirs and, when asked, whether the
// client's IP is blocked and the user's holds. A backend that keeps users,
// sessions, abuse records, guardianships and erasure requests (managed mode)
// may provide it beside those ports; core uses it when they are all that
// backend.
type SignInUsers interface {
	// SignInUser answers as UserByEmail or UserByUsername, KnownDevice,
	// IPBlockedUntil and AccountHolds would, at once. No user matching is
	// not an error: Found is false and the IP is still looked up.
	SignInUser(ctx context.Context, l SignInLookup) (SignInRecord, error)
}
