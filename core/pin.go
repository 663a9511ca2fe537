package core

import (
	"context"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/core/internal/policy"
	"github.com/bharatauth/bharatauth-go/ports"
)

// SetPINInput sets or changes the caller's app-lock PIN.
type SetPINInput struct {
	PIN        string // 4–8 digits, not a common PIN
	CurrentPIN string // to change an existing PIN without a step-up
	Client     Client
}

// SetPIN sets the caller's PIN. Setting a first PIN needs a trusted session
// (RequireStepUp): otherwise a password thief on a new device could set a PIN
// and step up with it. Changing an existing PIN needs the current PIN (checked
// like VerifyPIN) or a fresh step-up (StepUpWindow), even on a known device,
// where only an emailed code gives one: the PIN guards the phone from whoever
// holds it unlocked.
func (a *Auth) SetPIN(ctx context.Context, p Principal, in SetPINInput) error {
	const op = "SetPIN"
	if err := policy.CheckPIN(in.PIN); err != nil {
		return policyError(op, "pin", err)
	}
	s, err := a.activeSession(ctx, op, p)
	if err != nil {
		return err
	}
	creds, err := a.deps.Credentials.Credentials(ctx, s.UserID)
	if err != nil && !isNotFound(err) {
		return storeError(op, err)
	}
	switch {
	case creds.PINHash == "":
		err = a.RequireStepUp(ctx, p)
	case in.CurrentPIN != "":
		err = a.verifyPINAttempt(ctx, op, s, creds.PINHash, in.CurrentPIN, in.Client)
	default:
		err = a.requireFreshStepUp(ctx, op, s)
	}
	if err != nil {
		return err
	}
	return a.storePIN(ctx, op, s.UserID, in.PIN, in.Client)
}

func (a *Auth) storePIN(ctx context.Context, op, userID, pin string, c Client) error {
	hash, err := a.hasher.Hash(ctx, pin)
	if err != nil {
		return storeError(op, err)
	}
	if err := a.deps.Credentials.SetPINHash(ctx, userID, hash, a.now()); err != nil {
		return storeError(op, err)
	}
	u, err := a.userByID(ctx, op, userID)
	if err != nil {
		return err
	}
	a.credentialChanged(ctx, u, "pin", ports.EventPINChanged, c)
	return nil
}

// VerifyPIN checks the caller's PIN (the app lock). On a new or public device a
// success is a step-up of the session (a new device becomes known); on a known
// device it is only the unlock. A wrong PIN and ANY lock answer exactly alike — ErrUnauthorized
// with code "invalid_pin" — so a thief holding a stolen token learns nothing
// from the answer; when the lock fires, the session that made the attempts is
// revoked.
func (a *Auth) VerifyPIN(ctx context.Context, p Principal, pin string, c Client) error {
	const op = "VerifyPIN"
	if err := checkSecretInput(op, "pin", pin); err != nil {
		return err
	}
	if err := a.limitIP(ctx, op, "pin_verify", a.cfg.RateLimits.PINVerifyPerIP, c); err != nil {
		return err
	}
	s, err := a.activeSession(ctx, op, p)
	if err != nil {
		return err
	}
	creds, err := a.deps.Credentials.Credentials(ctx, s.UserID)
	if err != nil && !isNotFound(err) {
		return storeError(op, err)
	}
	if err := a.verifyPINAttempt(ctx, op, s, creds.PINHash, pin, c); err != nil {
		return err
	}
	if sessionTrust(s) == TrustKnown {
		// The routine app unlock of a known phone: it needs no step-up, and must
		// leave none behind, or whoever picks up the unlocked phone could
		// change the PIN or ask for erasure within StepUpWindow.
		return nil
	}
	return a.markStepUp(ctx, op, s, c)
}

func wrongPIN(op string) error {
	return newError(op, KindUnauthorized, codeInvalidPIN, "wrong PIN")
}

// verifyPINAttempt counts the attempt against the account, then checks pin
// against hash. Every refusal is wrongPIN.
func (a *Auth) verifyPINAttempt(ctx context.Context, op string, s ports.Session, hash, pin string, c Client) error {
	if hash == "" {
		return wrongPIN(op)
	}
	key := accountKey(s.UserID)
	state, err := a.admitAttempt(ctx, op, key)
	if KindOf(err) == KindLocked {
		return wrongPIN(op)
	}
	if err != nil {
		return err
	}
	ok, rehash, err := a.hasher.Verify(ctx, hash, pin)
	if err != nil && ctx.Err() != nil {
		return storeError(op, ctx.Err())
	}
	if !ok {
		if state.Locked(a.now()) {
			a.pinLocked(ctx, op, s, state, c)
		}
		return wrongPIN(op)
	}
	if rehash {
		a.upgradeHash(ctx, s.UserID, pin, a.deps.Credentials.SetPINHash)
	}
	return a.attemptSucceeded(ctx, op, key)
}

// pinLocked handles the PIN attempt that fired a lock: the session that made
// the attempts is revoked, and a hard lock emails the unlock link.
func (a *Auth) pinLocked(ctx context.Context, op string, s ports.Session, state ports.LockState, c Client) {
	if _, err := a.deps.Sessions.RevokeSessions(ctx, ports.Revocation{SessionID: s.ID, ForgetDevices: true}, a.now()); err != nil {
		a.log.WarnContext(ctx, "bharatauth: revoking a session after a PIN lock failed", "session_id", s.ID, "error", err)
	}
	a.event(ctx, s.UserID, ports.EventPINLocked, c, s.ID)
	if u, err := a.userByID(ctx, op, s.UserID); err == nil {
		_ = a.attemptFailed(ctx, op, state, u, true, c, nil)
	}
}

// RequestPINReset emails a PIN reset link (ResetTTL) to the owner of
// identifier. It answers the same for every identifier (see RequestOTP);
// besides the per-identifier limit it is limited per IP
// (RateLimits.PINResetRequestPerIP).
func (a *Auth) RequestPINReset(ctx context.Context, identifier string, c Client) error {
	return a.requestLink(ctx, identifier, c, linkRequest{op: "RequestPINReset",
		limit: "pin_reset_request", perIP: a.cfg.RateLimits.PINResetRequestPerIP,
		purpose: ports.PurposePINReset, ttl: a.cfg.ResetTTL, template: a.cfg.Links.ResetPIN, email: emails.PINReset})
}

// ConfirmPINReset sets a new PIN with an emailed reset link. It works while the
// account is locked (a lock never blocks recovery) but leaves the lock alone:
// only the unlock link or a password reset lifts a hard lock.
func (a *Auth) ConfirmPINReset(ctx context.Context, token, newPIN string, c Client) error {
	const op = "ConfirmPINReset"
	if err := policy.CheckPIN(newPIN); err != nil {
		return policyError(op, "new_pin", err)
	}
	u, err := a.consumeLink(ctx, op, ports.PurposePINReset, token)
	if err != nil {
		return err
	}
	return a.storePIN(ctx, op, u.ID, newPIN, c)
}
