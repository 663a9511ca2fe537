package core

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"

	"github.com/bharatauth/bharatauth-go/ports"
)

// RefreshInput presents a refresh token: to rotate it (Refresh) or to end its
// session (Logout).
type RefreshInput struct {
	RefreshToken string
	Client       Client
}

// Refresh rotates a refresh token: the presented token is used up and a new
// pair is returned; the session keeps its original expiry. Presenting a token
// that was already rotated means it was copied: the whole family (the session)
// is revoked (RFC 9700 §4.14), unless it comes within RefreshReuseGrace of its
// rotation: then it is a retry and gets the same new refresh token. Of N
// concurrent refreshes with one token, all get that one new refresh token.
// With Config.Claims the answer is signed before the rotation, so a failing
// hook leaves the presented token working.
//
// Errors: ErrUnauthorized (codes "invalid_token", "refresh_token_reused"),
// ErrTokenExpired, ErrSuspended, ErrUnavailable.
func (a *Auth) Refresh(ctx context.Context, in RefreshInput) (_ Tokens, err error) {
	const op = "Refresh"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	refreshToken, c := in.RefreshToken, in.Client
	if !validToken(refreshToken) {
		return Tokens{}, newError(op, KindUnauthorized, codeInvalidToken, "the refresh token is not valid")
	}
	next := a.childRefreshToken(refreshToken)
	signed, err := a.signBeforeRotation(ctx, op, refreshToken, next)
	if err != nil {
		return Tokens{}, err
	}
	s, u, userRead, err := a.rotate(ctx, tokenHash(refreshToken), tokenHash(next))
	switch {
	case errors.Is(err, ports.ErrReused):
		a.signal(ctx, ports.Signal{Kind: ports.SignalRefreshReuse, Flow: op})
		a.event(ctx, s.UserID, ports.EventRefreshTokenReused, c, s.ID)
		return Tokens{}, newError(op, KindUnauthorized, codeRefreshReused,
			"this refresh token was already used; the session has been ended for safety")
	case errors.Is(err, ports.ErrExpired):
		return Tokens{}, newError(op, KindTokenExpired, "", "the session has expired; sign in again")
	case errors.Is(err, ports.ErrNotFound):
		return Tokens{}, newError(op, KindUnauthorized, codeInvalidToken, "the refresh token is not valid")
	case err != nil:
		return Tokens{}, storeError(op, err)
	}
	// The refresh token is rotated already: from here on, only a definite answer
	// may refuse the client, or a retry with the old token would look like theft
	// (which is why the app's claims were asked before, in signBeforeRotation).
	// Suspension is enforced by Suspend revoking sessions; this is a second check.
	if !userRead {
		u, err = a.deps.Users.UserByID(ctx, s.UserID)
	} else if u.ID == "" {
		err = ports.ErrNotFound
	}
	if err != nil && !isNotFound(err) {
		a.log.WarnContext(ctx, "bharatauth: user lookup during refresh failed; issuing tokens", "user_id", s.UserID, "error", err)
	}
	if isNotFound(err) {
		_, _ = a.deps.Sessions.RevokeSessions(ctx, ports.Revocation{SessionID: s.ID}, a.now())
		return Tokens{}, newError(op, KindUnauthorized, codeInvalidToken, "the user no longer exists")
	}
	if err == nil && u.Suspended {
		_, _ = a.deps.Sessions.RevokeSessions(ctx, ports.Revocation{SessionID: s.ID}, a.now())
		return Tokens{}, newError(op, KindSuspended, "", "this account is suspended")
	}
	if signed.session.ID == s.ID && sessionTrust(signed.session) == sessionTrust(s) {
		return signed.tokens, nil
	}
	// Signed after the rotation: no Config.Claims, a retry within the grace
	// (the token was rotated away already), or the session's trust changed
	// in between.
	tokens, err := a.tokensFor(ctx, s, next)
	if err != nil {
		return Tokens{}, &Error{Op: op, Kind: KindInternal, Message: "internal error", Err: err}
	}
	a.touchActivity(ctx, s.UserID)
	return tokens, nil
}

// preSigned is a refresh's answer signed before the rotation, for session.
type preSigned struct {
	session ports.Session
	tokens  Tokens
}

// signBeforeRotation signs the answer of a refresh while the presented
// token still works, when the app's Config.Claims takes part: a hook that
// fails then refuses the refresh without using the token up, so the
// client's retry, however late, is not taken for a copied token (which
// would end the session as theft). It signs nothing (and reads nothing)
// without Claims, or when the token is not the current one of an active
// session: the rotation answers those (a retry within the grace, reuse,
// expiry, an unknown token).
func (a *Auth) signBeforeRotation(ctx context.Context, op, refreshToken, next string) (preSigned, error) {
	if a.cfg.Claims == nil {
		return preSigned{}, nil
	}
	s, err := a.deps.Sessions.SessionByRefresh(ctx, tokenHash(refreshToken), a.now())
	switch {
	case isNotFound(err):
		return preSigned{}, nil
	case err != nil:
		return preSigned{}, storeError(op, err)
	}
	tokens, err := a.tokensFor(ctx, s, next)
	if err != nil {
		return preSigned{}, &Error{Op: op, Kind: KindInternal, Message: "internal error", Err: err}
	}
	return preSigned{session: s, tokens: tokens}, nil
}

// rotate rotates the refresh hash old to next. userRead reports that the
// session's user came with it (ports.SessionUsers; the zero User when the
// user is gone), so the check after the rotation needs no read of its own.
func (a *Auth) rotate(ctx context.Context, old, next string) (s ports.Session, u ports.User, userRead bool, err error) {
	if a.joined != nil {
		s, u, err = a.joined.RotateRefreshUser(ctx, old, next, a.now(), a.cfg.RefreshReuseGrace)
		return s, u, true, err
	}
	s, err = a.deps.Sessions.RotateRefresh(ctx, old, next, a.now(), a.cfg.RefreshReuseGrace)
	return s, ports.User{}, false, err
}

// childRefreshToken is the refresh token that replaces parent: derived from
// it under a key of its own, so a retry of one rotation gets the same child
// (RefreshReuseGrace) and no token is ever stored in the clear. It has the
// shape of newToken's: 256 bits, base64url without padding.
func (a *Auth) childRefreshToken(parent string) string {
	m := hmac.New(sha256.New, a.refreshKey)
	m.Write([]byte(parent))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Logout ends the session of a refresh token. It answers the same (nil) for an
// unknown token, so it cannot be used to probe tokens.
func (a *Auth) Logout(ctx context.Context, in RefreshInput) (err error) {
	const op = "Logout"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	refreshToken, c := in.RefreshToken, in.Client
	if !validToken(refreshToken) {
		return nil
	}
	ids, err := a.deps.Sessions.RevokeSessions(ctx, ports.Revocation{RefreshHash: tokenHash(refreshToken)}, a.now())
	if err != nil {
		return storeError(op, err)
	}
	for _, id := range ids {
		if s, err := a.deps.Sessions.Session(ctx, id); err == nil {
			a.event(ctx, s.UserID, ports.EventSessionRevoked, c, id)
		}
	}
	return nil
}
