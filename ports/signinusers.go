package ports

import (
	"context"
	"time"
)

// SignInLookup names the account a sign-in is for and the client's device.
// Exactly one of Email and Username is set, as UserByEmail and
// UserByUsername take them.
type SignInLookup struct {
	Email             string
	Username          string
	DeviceFingerprint string    // the stored form, as DeviceTrust.KnownDevice takes it; "" is never known
	Now               time.Time // as KnownDevice's now
}

// SignInUsers reads the user a sign-in names together with whether the
// client's device is a known one of theirs, in one round trip. A backend that
// keeps both users and sessions (managed mode) may provide it beside
// UserDirectory and DeviceTrust; core uses it when both are that backend.
type SignInUsers interface {
	// SignInUser returns the user as UserByEmail or UserByUsername would,
	// and whether the device is known as DeviceTrust.KnownDevice would
	// answer for that user. ErrNotFound (and false) when no user matches.
	SignInUser(ctx context.Context, l SignInLookup) (User, bool, error)
}
