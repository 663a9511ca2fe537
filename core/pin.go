package core

import (
	"context"

	"github.com/bharatauth/bharatauth-go/core/internal/policy"
	"github.com/bharatauth/bharatauth-go/core/smstext"
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
func (a *Auth) SetPIN(ctx context.Context, p Principal, in SetPINInput) (err error) {
	const op = "SetPIN"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	if err := policy.CheckPIN(in.PIN); err != nil {
		return policyError(op, "pin", err)
	}
	s, creds, err := a.sessionCredentials(ctx, op, p)
	if err != nil {
		return err
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
	if err := a.clearPINLocks(ctx, op, userID); err != nil {
		return err
	}
	u, err := a.userByID(ctx, op, userID)
	if err != nil {
		return err
	}
	a.credentialChanged(ctx, u, "pin", ports.EventPINChanged, c)
	return nil
}

// sessionCredentials loads the principal's active session and the hashes of
// its user (empty when none were ever stored).
func (a *Auth) sessionCredentials(ctx context.Context, op string, p Principal) (ports.Session, ports.Credentials, error) {
	s, err := a.activeSession(ctx, op, &p)
	if err != nil {
		return ports.Session{}, ports.Credentials{}, err
	}
	creds, err := a.deps.Credentials.Credentials(ctx, s.UserID)
	if err != nil && !isNotFound(err) {
		return ports.Session{}, ports.Credentials{}, storeError(op, err)
	}
	return s, creds, nil
}

// VerifyPINInput is the caller's PIN, to unlock the app or to step up.
type VerifyPINInput struct {
	PIN    string
	Client Client
}

// VerifyPIN checks the caller's PIN (the app lock). On a new or public device a
// success is a step-up of the session (a new device becomes known); on a known
// device it is only the unlock. A wrong PIN and ANY lock answer exactly alike — ErrUnauthorized
// with code "invalid_pin" — so a thief holding a stolen token learns nothing
// from the answer; when the lock fires, the session that made the attempts is
// revoked.
func (a *Auth) VerifyPIN(ctx context.Context, p Principal, in VerifyPINInput) (err error) {
	const op = "VerifyPIN"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	pin, c := in.PIN, in.Client
	if err := checkSecretInput(op, "pin", pin); err != nil {
		return err
	}
	if err := a.limitIP(ctx, op, "pin_verify", a.cfg.RateLimits.PINVerifyPerIP, c); err != nil {
		return err
	}
	s, creds, err := a.sessionCredentials(ctx, op, p)
	if err != nil {
		return err
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

// verifyPINAttempt checks pin against hash on the session's PIN counter (see
// pinCounter): 5 wrong PINs lock it for SoftLockFor and revoke the session
// that tried, 10 disable it until a PIN reset. A locked PIN and a wrong one
// answer alike (wrongPIN), after the same hash work.
func (a *Auth) verifyPINAttempt(ctx context.Context, op string, s ports.Session, hash, pin string, c Client) error {
	if hash == "" {
		return wrongPIN(op)
	}
	key, clearedByCorrectPIN := a.pinCounter(s)
	at, err := a.beginAttempt(ctx, op, key, a.pinPolicy())
	if KindOf(err) == KindLocked {
		a.hasher.VerifyDummy(ctx, pin) // a lock must not answer faster than a wrong PIN
		return wrongPIN(op)
	}
	if err != nil {
		return err
	}
	var rehash bool
	ok, err := a.judge(ctx, op, at, func(ctx context.Context) (bool, error) {
		ok, again, err := a.hasher.Verify(ctx, hash, pin)
		if err != nil && ctx.Err() == nil {
			a.log.ErrorContext(ctx, "bharatauth: stored PIN hash is malformed", "user_id", s.UserID)
			return false, nil
		}
		rehash = again
		return ok, nil
	})
	if err != nil {
		return err
	}
	if !ok {
		state, err := a.finish(ctx, op, at, ports.Failed)
		if err != nil {
			return err
		}
		if state.Locked(a.now()) {
			a.pinLocked(ctx, op, s, state, c)
		}
		return wrongPIN(op)
	}
	outcome := ports.Succeeded
	if !clearedByCorrectPIN {
		outcome = ports.Abandoned // frees the place, keeps the count
	}
	if _, err := a.finish(ctx, op, at, outcome); err != nil {
		return err
	}
	if rehash {
		a.upgradeHash(ctx, s.UserID, pin, a.deps.Credentials.SetPINHash)
	}
	return nil
}

// pinCounter is the lockout counter of a PIN attempt from session s, and
// whether a correct PIN clears it. A session on a verified device counts on
// that device's own PIN counter, which a correct PIN there clears. Every other
// session counts on the account's PIN counter, which only a new PIN clears:
// otherwise each of the owner's everyday unlocks would wipe out what a
// password thief's guesses from a new device had counted, and the thief
// would get 4 more guesses per unlock, without end.
func (a *Auth) pinCounter(s ports.Session) (key string, clearedByCorrectPIN bool) {
	if s.IsVerifiedDevice && !s.IsPublicDevice && s.DeviceFingerprint != "" {
		return pinDeviceLockKey(s.UserID, s.DeviceFingerprint), true
	}
	return pinLockKey(s.UserID), false
}

// clearPINLocks gives the account's PIN counters a fresh start: a new PIN
// (set with the current one, a reset link or a fresh emailed step-up) is
// stronger proof than any guess they counted.
func (a *Auth) clearPINLocks(ctx context.Context, op, userID string) error {
	keys := []string{pinLockKey(userID)}
	devices, err := a.verifiedDevices(ctx, op, userID)
	if err != nil {
		return err
	}
	for _, d := range devices {
		keys = append(keys, pinDeviceLockKey(userID, d))
	}
	return a.clearLocks(ctx, op, keys)
}

// pinLocked handles the PIN attempt that locked the PIN: the session that
// made the attempts is revoked, and if it ran on a verified device that device
// is forgotten (whoever holds that phone must step up by email again); a
// session that was never trusted forgets nothing, so a guesser who copied the
// owner's fingerprint cannot un-trust the owner's phone. A disabled PIN emails
// the owner a PIN reset link, the only way back.
func (a *Auth) pinLocked(ctx context.Context, op string, s ports.Session, state ports.LockState, c Client) {
	forget := ports.Revocation{SessionID: s.ID, ForgetDevices: s.IsVerifiedDevice && !s.IsPublicDevice}
	if _, err := a.deps.Sessions.RevokeSessions(ctx, forget, a.now()); err != nil {
		a.log.WarnContext(ctx, "bharatauth: revoking a session after a PIN lock failed", "session_id", s.ID, "error", err)
	}
	if !state.HardLocked {
		a.event(ctx, s.UserID, ports.EventPINLocked, c, s.ID)
		return
	}
	a.event(ctx, s.UserID, ports.EventPINLocked, c, "disabled")
	u, err := a.userByID(ctx, op, s.UserID)
	if err != nil {
		a.log.WarnContext(ctx, "bharatauth: emailing a PIN reset link after the PIN was disabled failed", "user_id", s.UserID, "error", err)
		return
	}
	a.mailLinkAfterAnswer(ctx, u, a.pinResetLinkMail(), c)
}

// RequestPINReset emails a PIN reset link (ResetTTL) to the owner of
// identifier, or texts a PIN reset code (OTPTTL) when the account has no
// verified email. Unlike the other recoveries, naming the account by its
// number does not make it texted: the PIN guards the app from whoever holds
// the phone, and a code texted to that phone proves nothing against them,
// nor against a recycled number's new holder, who would otherwise reset the
// PIN and step up with it (a PIN is a step-up) to move the account's
// verified email. It answers the same for every
// identifier (see RequestOTP); besides the per-identifier limit it is limited
// per IP (RateLimits.PINResetRequestPerIP).
func (a *Auth) RequestPINReset(ctx context.Context, in IdentifierInput) error {
	return a.requestLink(ctx, in, linkRequest{op: "RequestPINReset",
		limit: "pin_reset_request", perIP: a.cfg.RateLimits.PINResetRequestPerIP,
		link: a.pinResetLinkMail(), smsPurpose: ports.PurposePINResetSMS, smsKind: smstext.PINReset, emailFirst: true})
}

// ConfirmPINResetInput sets a new PIN with an emailed reset link (Token), or
// with the code texted to Phone (Phone and Code instead of Token).
type ConfirmPINResetInput struct {
	Token  string
	Phone  string
	Code   string
	NewPIN string
	Client Client
}

// ConfirmPINReset sets a new PIN with an emailed reset link, which also lifts
// a PIN lock or a disabled PIN. It works while sign-in is locked (a lock never
// blocks recovery) but leaves sign-in locks alone: only the unlock link or a
// password reset lifts those.
func (a *Auth) ConfirmPINReset(ctx context.Context, in ConfirmPINResetInput) (err error) {
	const op = "ConfirmPINReset"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	token, newPIN, c := in.Token, in.NewPIN, in.Client
	if err := policy.CheckPIN(newPIN); err != nil {
		return policyError(op, "new_pin", err)
	}
	u, _, err := a.consumeRecovery(ctx, op, recoveryProof{token: token, phone: in.Phone, code: in.Code,
		link: ports.PurposePINReset, sms: ports.PurposePINResetSMS}, c)
	if err != nil {
		return err
	}
	return a.storePIN(ctx, op, u.ID, newPIN, c)
}
