package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bharatauth/bharatauth-go/core/internal/accesstoken"
	"github.com/bharatauth/bharatauth-go/ports"
)

// Trust is a session's row of the device trust matrix.
type Trust string

// The trust levels.
const (
	// TrustKnown: the user's own, recognised device. 30-day session, no step-up.
	TrustKnown Trust = "known"
	// TrustNewDevice: an unrecognised device. 7-day session; one step-up before
	// the first sensitive action, which then marks the device known.
	TrustNewDevice Trust = "new_device"
	// TrustPublic: a public or borrowed device. 2-hour session; a step-up before
	// every sensitive action, good for one action within StepUpWindow.
	TrustPublic Trust = "public"
)

// Tokens are what a client keeps after login or refresh.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	TokenType    string // "bearer"
	ExpiresIn    int    // seconds until the access token expires
	// SessionExpiresAt is when the session, and so the refresh token, ends;
	// rotation keeps it. A transport that keeps the refresh token in a
	// cookie gives the cookie this lifetime.
	SessionExpiresAt time.Time
	// IsPublicDevice: the session is on a public or borrowed device, whose
	// refresh token should not outlive the browser (a session cookie).
	IsPublicDevice bool
}

// LoginResult is the answer to a successful password or OTP login.
type LoginResult struct {
	Tokens
	SessionID        string
	Trust            Trust
	IsVerifiedDevice bool
	User             ports.User
}

// sessionRequest is what a login flow asks of the trust matrix.
type sessionRequest struct {
	user           ports.User
	device         string // the keyed hash of the client's fingerprint, or ""
	verifiedDevice bool   // device is already a verified device of user (looked up by the sign-in)
	public         bool
	method         string // "pwd", "otp", or "link" (an emailed recovery link proved the inbox)
	otpDevice      string // the device that requested the OTP, for OTP logins
	bySMS          bool   // the code or recovery code was texted: it proved the number only
	client         Client
	// holds are user's, read by the sign-in with the user; nil: read now.
	holds *ports.AccountHolds
	// signIn is the sign-in the session ends, whose attempts end and whose
	// events are recorded with it where the store can (openSession); nil
	// for a session that no sign-in attempt opens.
	signIn *signIn
}

// decideTrust places a new session in the trust matrix. A sign-in code asked
// and answered on the device, or a recovery link, proves the device's holder
// owns the inbox, and makes the device known. A texted one proves the number
// only, which is the account's root only while it has no verified email: a
// number can be recycled or swapped, and an SMS is never a step-up beside a
// verified email (VerifyStepUp), so it must not make a device known either.
func decideTrust(r sessionRequest) Trust {
	proved := (r.method == "otp" && r.device == r.otpDevice || r.method == "link") && !(r.bySMS && r.user.EmailVerified)
	switch {
	case r.public:
		return TrustPublic
	case r.device != "" && (r.verifiedDevice || proved):
		return TrustKnown
	}
	return TrustNewDevice
}

// trustTTL is the session lifetime of each row of the matrix.
func (a *Auth) trustTTL(t Trust) time.Duration {
	switch t {
	case TrustPublic:
		return a.cfg.PublicDeviceTTL
	case TrustKnown:
		return a.cfg.RefreshTokenTTL
	}
	return a.cfg.NewDeviceTTL
}

// startSession creates a session (a new refresh-token family) and its tokens.
// Its caller touches the account's activity once any transaction the session
// opened in has ended (see signedIn): that write runs on a connection of its
// own, which a transaction holding a lockout row must not wait for.
func (a *Auth) startSession(ctx context.Context, op string, r sessionRequest) (LoginResult, error) {
	var holds ports.AccountHolds
	if r.holds != nil {
		holds = *r.holds
	} else {
		var err error
		if holds, err = a.accountHolds(ctx, op, r.user.ID); err != nil {
			return LoginResult{}, err
		}
	}
	if err := requireGuardian(op, holds); err != nil {
		return LoginResult{}, err
	}
	trust := decideTrust(r)
	ttl := a.trustTTL(trust)
	now := a.now()
	refresh := newToken()
	s := ports.Session{
		ID: newID("ses_"), UserID: r.user.ID, RefreshHash: tokenHash(refresh),
		DeviceFingerprint: r.device, DeviceInfo: r.client.userAgent(), IPAddress: storedIP(r.client.IP),
		IsPublicDevice: r.public, IsVerifiedDevice: trust == TrustKnown, AuthMethod: r.method,
		CreatedAt: now, ExpiresAt: now.Add(ttl), LastUsedAt: now,
	}
	// Signed first: an app's Config.Claims that fails leaves nothing behind.
	tokens, err := a.tokensFor(ctx, s, refresh)
	if err != nil {
		return LoginResult{}, &Error{Op: op, Kind: KindInternal, Message: "internal error", Err: err}
	}
	if trust == TrustKnown && !r.verifiedDevice {
		if err := a.deviceNewlyVerified(ctx, op, r.user.ID, r.device); err != nil {
			return LoginResult{}, err
		}
	}
	if err := a.cancelErasureOnSignIn(ctx, op, r.user, holds.Erasure, r.client); err != nil {
		return LoginResult{}, err
	}
	if err := a.openSession(ctx, op, r, s, trust); err != nil {
		return LoginResult{}, err
	}
	return LoginResult{Tokens: tokens, SessionID: s.ID, Trust: trust, IsVerifiedDevice: s.IsVerifiedDevice,
		User: r.user}, nil
}

// openSession stores s. For a sign-in, where the store ends one in one call
// (ports.SignInSessions), the sign-in's events are recorded with it and,
// while they still hold their places (judgeWithin), its attempts end with it:
// a code sign-in's three last writes cost one round trip. That call is not
// cancelled with the request, and a call that failed counts as having ended
// the attempts unless it was refused (ErrConflict: nothing written): one cut
// off at its commit, by a timeout or a lost connection, may have ended them,
// and ending them again could free a place another attempt holds, while a
// place left pending lapses by itself (PendingFor).
func (a *Auth) openSession(ctx context.Context, op string, r sessionRequest, s ports.Session, trust Trust) error {
	si := r.signIn
	if si == nil || a.signInOpens == nil {
		return storeError(op, a.deps.Sessions.CreateSession(ctx, s))
	}
	o := ports.SignInOpening{Now: a.now(), Policy: a.signInPolicy(), Session: s,
		Events: a.signInEvents(s.UserID, r.method, trust, r.verifiedDevice, r.client)}
	if !a.overdue(si.attempt) {
		o.Attempts = si.attemptKeys()
	}
	err := a.signInOpens.OpenSignInSession(context.WithoutCancel(ctx), o)
	si.opened = err == nil
	si.ended = o.Attempts != nil && !errors.Is(err, ports.ErrConflict)
	return storeError(op, err)
}

// sessionTrust reads a session's current row of the matrix: a new device that
// stepped up is known from then on.
func sessionTrust(s ports.Session) Trust {
	switch {
	case s.IsPublicDevice:
		return TrustPublic
	case s.IsVerifiedDevice:
		return TrustKnown
	default:
		return TrustNewDevice
	}
}

// tokensFor signs an access token for s, with the app's claims, and pairs
// it with the refresh token.
func (a *Auth) tokensFor(ctx context.Context, s ports.Session, refresh string) (Tokens, error) {
	var extra map[string]any
	if a.cfg.Claims != nil {
		var err error
		extra, err = a.cfg.Claims(ctx, ClaimsInput{UserID: s.UserID, SessionID: s.ID, Trust: sessionTrust(s), AuthMethod: s.AuthMethod})
		if err != nil {
			return Tokens{}, fmt.Errorf("Config.Claims: %w", err)
		}
	}
	now := a.now()
	access, err := a.signer.Sign(accesstoken.Claims{
		Subject: s.UserID, SessionID: s.ID, Trust: string(sessionTrust(s)), AMR: []string{s.AuthMethod},
		ID: newID("at_"), IssuedAt: now, ExpiresAt: now.Add(a.cfg.AccessTokenTTL), Extra: extra,
	})
	if err != nil {
		return Tokens{}, err
	}
	return Tokens{AccessToken: access, RefreshToken: refresh, TokenType: "bearer",
		ExpiresIn: int(a.cfg.AccessTokenTTL / time.Second), SessionExpiresAt: s.ExpiresAt,
		IsPublicDevice: s.IsPublicDevice}, nil
}

// RequireStepUp guards a sensitive action of the caller's session, following
// the trust matrix: a known device passes; a new device passes once it has
// stepped up (which made it known); a public device must have stepped up within
// StepUpWindow, and that step-up is used up by this action. Otherwise it returns
// ErrStepUpRequired. Apps call it (or the HTTP middleware) for their own
// sensitive routes.
func (a *Auth) RequireStepUp(ctx context.Context, p Principal) (err error) {
	const op = "RequireStepUp"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	s, err := a.activeSession(ctx, op, &p)
	if err != nil {
		return err
	}
	switch sessionTrust(s) {
	case TrustKnown:
		return nil
	case TrustPublic:
		return a.requireFreshStepUp(ctx, op, s)
	}
	return newError(op, KindStepUpRequired, "", "confirm it's you with your PIN or an emailed code first")
}

// requireFreshStepUp uses a step-up made within StepUpWindow, whatever the
// session's trust: for actions a known device must still confirm.
func (a *Auth) requireFreshStepUp(ctx context.Context, op string, s ports.Session) error {
	used, err := a.deps.Devices.ConsumeStepUp(ctx, s.ID, a.now().Add(-a.cfg.StepUpWindow))
	if err != nil {
		return storeError(op, err)
	}
	if !used {
		return newError(op, KindStepUpRequired, "", "confirm it's you with an emailed code first")
	}
	return nil
}

// markStepUp records a successful step-up on the caller's session. On an own
// (non-public) device it also marks the device known.
func (a *Auth) markStepUp(ctx context.Context, op string, s ports.Session, c Client) error {
	if !s.IsPublicDevice && !s.IsVerifiedDevice {
		if err := a.deviceNewlyVerified(ctx, op, s.UserID, s.DeviceFingerprint); err != nil {
			return err
		}
	}
	err := a.deps.Devices.MarkStepUp(ctx, s.ID, a.now(), !s.IsPublicDevice)
	if errors.Is(err, ports.ErrNotFound) {
		return newError(op, KindUnauthorized, codeInvalidToken, "the session has ended")
	}
	if err != nil {
		return storeError(op, err)
	}
	a.event(ctx, s.UserID, ports.EventStepUp, c, "")
	return nil
}

// deviceNewlyVerified gives a device that becomes verified a clean counter of
// its own: a lock left from before it was last forgotten must not greet its
// owner, who has just proven the inbox or the PIN.
func (a *Auth) deviceNewlyVerified(ctx context.Context, op, userID, device string) error {
	if device == "" {
		return nil
	}
	return storeError(op, a.deps.Lockouts.ClearFailures(ctx, a.deviceLockKey(userID, device)))
}
