package ports

import (
	"context"
	"time"
)

// Session is one row of the device trust matrix: a signed-in device. Its
// lifetime is the refresh token's; rotation keeps ExpiresAt.
type Session struct {
	ID                string
	UserID            string
	RefreshHash       string // SHA-256 (hex) of the current refresh token
	DeviceFingerprint string // client-supplied 64-char hex, or empty
	DeviceInfo        string // user agent, for the session list
	IPAddress         string
	IsPublicDevice    bool
	IsVerifiedDevice  bool   // the device is known (trusted) for this user
	AuthMethod        string // "pwd" or "otp"
	CreatedAt         time.Time
	ExpiresAt         time.Time
	LastUsedAt        time.Time
	RevokedAt         time.Time // zero while active
	StepUpAt          time.Time // last unconsumed step-up; zero when none
}

// Active reports whether the session is neither revoked nor expired at now.
func (s Session) Active(now time.Time) bool {
	return s.RevokedAt.IsZero() && now.Before(s.ExpiresAt)
}

// Revocation selects the sessions RevokeSessions revokes. Exactly one of
// SessionID, RefreshHash and UserID is set; ExceptSessionID may go with UserID.
type Revocation struct {
	SessionID       string
	RefreshHash     string // the current hash of a session (logout by refresh token)
	UserID          string // every session of the user
	ExceptSessionID string // keep this one (e.g. "end my other sessions")
	// ForgetDevices also un-verifies devices, so KnownDevice no longer knows
	// them: with SessionID or RefreshHash, every session of the user with the
	// revoked session's fingerprint; with UserID, every session of the user,
	// active or not (devices whose sessions already ended too), except those
	// with the fingerprint of ExceptSessionID (the caller's own device). For
	// revocations that say "this device is not trusted" (a lost phone, a
	// password reset, logout everywhere); a plain logout keeps the device.
	ForgetDevices bool
}

// SessionRepo stores sessions and their refresh-token families. Each session is
// one token family: its current refresh hash plus every hash it rotated away.
type SessionRepo interface {
	// CreateSession stores a new session. ErrConflict when the ID or the refresh
	// hash exists.
	CreateSession(ctx context.Context, s Session) error
	// Session returns a session by ID, revoked or expired ones included.
	// ErrNotFound when there is none.
	Session(ctx context.Context, id string) (Session, error)
	// Sessions lists every session of the user, revoked and expired ones
	// included, newest first.
	Sessions(ctx context.Context, userID string) ([]Session, error)
	// RotateRefresh atomically replaces the session's current refresh hash
	// oldHash with newHash and sets LastUsedAt = now; ExpiresAt is kept. It
	// returns the updated session.
	//   - oldHash is a hash the family already rotated away, its rotation is
	//     at most grace before now, the session's current hash is newHash and
	//     the session is active: a retry of that rotation (the caller derives
	//     the new token from the old one, so a retry presents the same pair).
	//     The session is returned unchanged, with no error.
	//   - oldHash is any other hash the family already rotated away: the
	//     session is revoked at now with ForgetDevices semantics (a copied
	//     token is a theft signal) and returned (revoked) with ErrReused, so
	//     the caller knows whose token was copied;
	//   - the session is revoked: ErrNotFound; expired at now: ErrExpired;
	//   - oldHash is unknown: ErrNotFound.
	// Of N concurrent calls with one pair, one rotates; with a grace the
	// others are retries of it, with none (0) they are reuse: a zero grace
	// never makes a retry, even at the same instant.
	RotateRefresh(ctx context.Context, oldHash, newHash string, now time.Time, grace time.Duration) (Session, error)
	// SessionByRefresh returns the session whose current refresh hash is
	// hash, if it is active at now (neither revoked nor expired).
	// ErrNotFound otherwise: an unknown hash, one the family rotated away,
	// or a revoked or expired session. It changes nothing: core reads the
	// session before a rotation so that work which may fail (an app's
	// claims) happens while the presented token still works.
	SessionByRefresh(ctx context.Context, hash string, now time.Time) (Session, error)
	// RevokeSessions atomically revokes the active sessions r selects and returns
	// their IDs (empty when none matched; that is not an error).
	RevokeSessions(ctx context.Context, r Revocation, now time.Time) ([]string, error)
}

// SessionUsers reads a session together with its user in one round trip. A
// backend that keeps both sessions and users (managed mode) may provide it
// beside SessionRepo; core then uses it where a request needs both
// (authenticating a "who am I" request, the user check after a rotation), if
// its users are the ones Deps.Users reads. A cache in front of such a backend
// provides it only if it also drops its copy of a user on every change of
// that user (suspension, profile, verification, erasure).
type SessionUsers interface {
	// SessionUser returns the session by ID as SessionRepo.Session does, and
	// its user as UserDirectory.UserByID would: the zero User when the user
	// no longer exists. ErrNotFound when there is no session.
	SessionUser(ctx context.Context, id string) (Session, User, error)
	// RotateRefreshUser is SessionRepo.RotateRefresh, with every outcome and
	// guarantee of it; on success it also returns the session's user (the
	// zero User when the user no longer exists).
	RotateRefreshUser(ctx context.Context, oldHash, newHash string, now time.Time, grace time.Duration) (Session, User, error)
}

// DeviceTrust keeps the step-up marks and the known devices of the trust matrix.
type DeviceTrust interface {
	// KnownDevice reports whether fingerprint is a verified device of the user:
	// some session of the user with that fingerprint has IsVerifiedDevice set
	// (by a step-up, or an OTP login from the device that asked for the code),
	// whether that session is still active or not. A merely signed-in session
	// does not make its device known: otherwise a second password login with a
	// stolen password would skip the new-device step-up. An empty fingerprint
	// is never known. now is for backends that keep verifications for a time.
	KnownDevice(ctx context.Context, userID, fingerprint string, now time.Time) (bool, error)
	// MarkStepUp records a successful step-up on the session at time at; with
	// verifyDevice it also sets IsVerifiedDevice. ErrNotFound for an unknown or
	// revoked session.
	MarkStepUp(ctx context.Context, sessionID string, at time.Time, verifyDevice bool) error
	// ConsumeStepUp atomically uses the session's step-up mark if it is at or
	// after notBefore, clearing it; it reports whether one was used. Of N
	// concurrent calls exactly one can succeed per mark.
	ConsumeStepUp(ctx context.Context, sessionID string, notBefore time.Time) (bool, error)
}
