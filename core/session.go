package core

import (
	"context"
	"errors"
	"time"

	"github.com/bharatauth/bharatauth-go/core/internal/accesstoken"
	"github.com/bharatauth/bharatauth-go/ports"
)

// Principal is the caller behind a valid access token.
type Principal struct {
	UserID    string
	SessionID string
	Trust     Trust    // the session's trust now (a stepped-up new device reads as known)
	AMR       []string // how the session was authenticated: "pwd", "otp"
	TokenID   string
	IssuedAt  time.Time
	ExpiresAt time.Time

	// user is the caller's record as Authenticate read it beside the session
	// (ports.SessionUsers), for Me; nil when it was not read.
	user *ports.User
}

// Authenticate checks an access token and returns its principal. The token's
// session must still be active, so logout, logout-all, session revoke and
// password reset make its access tokens fail at once. Errors: ErrTokenExpired,
// ErrUnauthorized, ErrUnavailable.
func (a *Auth) Authenticate(ctx context.Context, accessToken string) (_ Principal, err error) {
	const op = "Authenticate"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	c, err := a.signer.Parse(accessToken, a.now())
	if errors.Is(err, accesstoken.ErrExpired) {
		return Principal{}, newError(op, KindTokenExpired, "", "the access token has expired; refresh it")
	}
	if err != nil {
		return Principal{}, newError(op, KindUnauthorized, codeInvalidToken, "the access token is not valid")
	}
	p := Principal{UserID: c.Subject, SessionID: c.SessionID, Trust: Trust(c.Trust), AMR: c.AMR,
		TokenID: c.ID, IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt}
	s, err := a.activeSession(ctx, op, &p)
	if err != nil {
		return Principal{}, err
	}
	p.Trust = sessionTrust(s) // a new device that stepped up is known now, before its next refresh
	return p, nil
}

// activeSession loads the principal's session and checks it is still active
// and still the principal's. Where the session store reads users too
// (ports.SessionUsers), the user comes in the same read and p keeps it for Me.
func (a *Auth) activeSession(ctx context.Context, op string, p *Principal) (ports.Session, error) {
	var (
		s   ports.Session
		u   ports.User
		err error
	)
	if a.joined != nil {
		s, u, err = a.joined.SessionUser(ctx, p.SessionID)
	} else {
		s, err = a.deps.Sessions.Session(ctx, p.SessionID)
	}
	if errors.Is(err, ports.ErrNotFound) || (err == nil && (s.UserID != p.UserID || !s.Active(a.now()))) {
		return ports.Session{}, newError(op, KindUnauthorized, codeInvalidToken, "the session has ended; sign in again")
	}
	if err == nil && u.ID == p.UserID {
		p.user = &u
	}
	return s, storeError(op, err)
}

// sessionUser is activeSession with the principal's user: the one the
// session's read brought (ports.SessionUsers), else read by ID.
func (a *Auth) sessionUser(ctx context.Context, op string, p *Principal) (ports.Session, ports.User, error) {
	s, err := a.activeSession(ctx, op, p)
	if err != nil {
		return ports.Session{}, ports.User{}, err
	}
	if p.user != nil {
		return s, *p.user, nil
	}
	u, err := a.userByID(ctx, op, p.UserID)
	return s, u, err
}

// SessionView is one entry of the caller's session list.
type SessionView struct {
	ID               string
	DeviceInfo       string
	IPAddress        string
	IsPublicDevice   bool
	IsVerifiedDevice bool
	CreatedAt        time.Time
	ExpiresAt        time.Time
	LastUsedAt       time.Time
	Current          bool
}

// Session management — listing sessions, ending another one, logging out
// everywhere — is a sensitive action of the trust matrix: a new device must
// have stepped up, a public device needs a fresh step-up for each action
// (RequireStepUp). A password alone must not let its holder see where the
// owner is signed in, sign the owner out, or make the owner's phones strangers.
//
// Which revocations forget devices (ports.Revocation.ForgetDevices): only
// those made by someone who proved trust —
//   - a session that passed RequireStepUp: RevokeSession of another session,
//     LogoutAll, ChangePassword with EndOtherSessions (which keeps the caller's
//     own device), RequestErasure (a fresh step-up);
//   - the owner of the inbox, by an emailed link: ConfirmPasswordReset;
//   - the app itself: Suspend.
//
// A session ending itself — Logout by refresh token, or RevokeSession of the
// caller's current session — is a logout: it needs no step-up and forgets
// nothing. A copied refresh token (RotateRefresh answering ErrReused) forgets
// its session's device by the port's contract: the copy is the theft signal.

// Sessions lists the caller's active sessions, newest first. It needs a
// step-up on new and public devices (see above). Errors: ErrStepUpRequired,
// ErrUnauthorized (ended session), ErrUnavailable.
func (a *Auth) Sessions(ctx context.Context, p Principal) (_ []SessionView, err error) {
	const op = "Sessions"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	if err := a.RequireStepUp(ctx, p); err != nil {
		return nil, err
	}
	all, err := a.deps.Sessions.Sessions(ctx, p.UserID)
	if err != nil {
		return nil, storeError(op, err)
	}
	now := a.now()
	views := make([]SessionView, 0, len(all))
	for _, s := range all {
		if s.Active(now) {
			views = append(views, SessionView{ID: s.ID, DeviceInfo: s.DeviceInfo, IPAddress: s.IPAddress,
				IsPublicDevice: s.IsPublicDevice, IsVerifiedDevice: s.IsVerifiedDevice, CreatedAt: s.CreatedAt,
				ExpiresAt: s.ExpiresAt, LastUsedAt: s.LastUsedAt, Current: s.ID == p.SessionID})
		}
	}
	return views, nil
}

// maxSessionIDLen bounds a session ID taken from a URL; core's are 36 bytes.
const maxSessionIDLen = 128

// RevokeSessionInput names one of the caller's sessions to end.
type RevokeSessionInput struct {
	SessionID string
	Client    Client
}

// RevokeSession ends one of the caller's sessions. Ending the current one is
// a logout: it needs nothing and forgets no device. Ending another (a
// lost or sold phone) needs a step-up on new and public devices and forgets
// that session's device, so signing in there again needs a step-up. Another
// user's session answers ErrNotFound, like a session that does not exist;
// the ID is checked before the step-up, so a stale or mistyped one does not
// use up a public device's step-up. Errors: ErrNotFound, ErrStepUpRequired,
// ErrUnauthorized (ended session), ErrUnavailable.
func (a *Auth) RevokeSession(ctx context.Context, p Principal, in RevokeSessionInput) (err error) {
	const op = "RevokeSession"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	sessionID, c := in.SessionID, in.Client
	if len(sessionID) > maxSessionIDLen || !plainText(sessionID) {
		return newError(op, KindNotFound, "", "no such session")
	}
	s, err := a.deps.Sessions.Session(ctx, sessionID)
	if errors.Is(err, ports.ErrNotFound) || (err == nil && s.UserID != p.UserID) {
		return newError(op, KindNotFound, "", "no such session")
	}
	if err != nil {
		return storeError(op, err)
	}
	r := ports.Revocation{SessionID: sessionID}
	if sessionID != p.SessionID {
		if err := a.RequireStepUp(ctx, p); err != nil {
			return err
		}
		r.ForgetDevices = true
	}
	if _, err := a.deps.Sessions.RevokeSessions(ctx, r, a.now()); err != nil {
		return storeError(op, err)
	}
	a.event(ctx, p.UserID, ports.EventSessionRevoked, c, sessionID)
	return nil
}

// LogoutAll ends every session of the caller, this one included, and forgets
// every device of theirs, this one included: a fingerprint is only what a
// client says, so a copy of this one must not stay known either. It needs
// a step-up on new and public devices. Errors: ErrStepUpRequired,
// ErrUnauthorized (ended session), ErrUnavailable.
func (a *Auth) LogoutAll(ctx context.Context, p Principal, c Client) (err error) {
	const op = "LogoutAll"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	if err := a.RequireStepUp(ctx, p); err != nil {
		return err
	}
	if _, err := a.deps.Sessions.RevokeSessions(ctx, ports.Revocation{UserID: p.UserID, ForgetDevices: true}, a.now()); err != nil {
		return storeError(op, err)
	}
	a.event(ctx, p.UserID, ports.EventSessionRevoked, c, "all")
	return nil
}

// Me returns the caller's user record: as Authenticate read it beside the
// session when the store does that (no second read), else from Users.
func (a *Auth) Me(ctx context.Context, p Principal) (_ ports.User, err error) {
	ctx, flow := a.observeFlow(ctx, "Me")
	defer flow.done(ctx, &err)
	if p.user != nil && p.user.ID == p.UserID {
		if err := ctx.Err(); err != nil { // answered as a store call would answer it
			return ports.User{}, storeError("Me", err)
		}
		return *p.user, nil
	}
	return a.userByID(ctx, "Me", p.UserID)
}

// Suspend suspends a user (managed mode) and ends every session of theirs, so
// their access tokens fail at once. On an error, call it again: it is
// idempotent, and a suspended user can no longer sign in meanwhile.
func (ad Admin) Suspend(ctx context.Context, userID string) error {
	a := ad.a
	const op = "Suspend"
	if a.deps.Registry == nil {
		return newError(op, KindForbidden, "", "suspending users needs a UserRegistry (managed mode)")
	}
	if err := a.deps.Registry.SetSuspended(ctx, userID, true); err != nil {
		if errors.Is(err, ports.ErrNotFound) {
			return newError(op, KindNotFound, "", "no such user")
		}
		return storeError(op, err)
	}
	_, err := a.deps.Sessions.RevokeSessions(ctx, ports.Revocation{UserID: userID, ForgetDevices: true}, a.now())
	return storeError(op, err)
}
