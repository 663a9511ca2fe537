package ports

import (
	"context"
	"time"
)

// SignInOpening is everything a sign-in writes once its secret proved right:
// the end of the lockout attempts that admitted it, its session and its
// security events.
type SignInOpening struct {
	// Attempts are the keys of the admitted attempts; each ends as
	// FinishAttempt(key, Now, Policy, Succeeded) would end it.
	Attempts []string
	Now      time.Time
	Policy   LockPolicy
	Session  Session         // created as CreateSession would create it
	Events   []SecurityEvent // recorded as RecordEvent would record each
}

// SignInSessions opens a sign-in's session in one round trip. A backend that
// keeps lockouts, sessions and security events (managed mode) may provide it
// beside those ports; core uses it when the three are that backend, so that
// a code sign-in's last writes cost one statement instead of three or four.
type SignInSessions interface {
	// OpenSignInSession atomically ends o.Attempts, creates o.Session and
	// records o.Events: all of it, or nothing on an error (a session ID or
	// refresh hash already taken is ErrConflict, as for CreateSession). As
	// with any call, an error that cut the call off after it was sent (a
	// timeout, a lost connection) leaves its outcome unknown: core then
	// counts the attempts as ended, unless the error is ErrConflict.
	OpenSignInSession(ctx context.Context, o SignInOpening) error
}
