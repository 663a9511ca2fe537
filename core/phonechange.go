package core

import (
	"context"
	"errors"
	"strings"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/core/smstext"
	"github.com/bharatauth/bharatauth-go/ports"
)

// PhoneChangeInput asks to move the account to a new number (or to add one
// to an account that has none).
type PhoneChangeInput struct {
	NewPhone string
	Client   Client
}

// RequestPhoneChange starts moving the caller's account to a new number
// (managed mode, Config.Phone), as RequestEmailChange does for addresses: it
// needs a fresh step-up even on a known device; a code (OTPTTL) is texted to
// the new number, which must prove itself with ConfirmPhoneChange from the
// same session; a notice goes to the old number, if any. Both SMS are taken
// from the SMS budgets. A number that another account holds unproven beside
// its verified email is not taken: as for a registrant, its proof
// (ConfirmPhoneChange) takes it off that account.
//
// Errors: ErrValidation (field "new_phone"; also the current number),
// ErrRateLimited (RequestPerIdentifier per account), ErrStepUpRequired,
// ErrConflict (code "phone_taken", only after a fresh step-up, which it uses
// up), ErrForbidden (external mode), ErrUnauthorized, ErrUnavailable.
func (a *Auth) RequestPhoneChange(ctx context.Context, p Principal, in PhoneChangeInput) error {
	const op = "RequestPhoneChange"
	if a.deps.Registry == nil || a.phoneRegistry == nil {
		return newError(op, KindForbidden, "", "this service changes phone numbers itself (external mode)")
	}
	phone, err := a.cleanPhone(op, "new_phone", in.NewPhone)
	if err != nil {
		return err
	}
	s, u, err := a.sessionUser(ctx, op, &p)
	if err != nil {
		return err
	}
	if phone == u.Phone {
		return invalidField(op, "new_phone", "is the account's current number")
	}
	// Whether another account has the number is told only after the step-up
	// (which the answer uses up), and at most RequestPerIdentifier times an
	// hour per account: a signed-in user cannot walk numbers to learn who
	// has an account. The limit comes first, so a 429 spends no step-up.
	if err := a.limit(ctx, op, "phone_change:user:"+u.ID, a.cfg.RateLimits.RequestPerIdentifier); err != nil {
		return err
	}
	if err := a.requireFreshStepUp(ctx, op, s); err != nil {
		return err
	}
	if _, err := a.claimable(ctx, op, phone, true); err != nil {
		return err
	}
	a.event(ctx, u.ID, ports.EventPhoneChangeRequested, in.Client, "")
	newNumber := ports.User{ID: u.ID, Phone: phone, Language: u.Language}
	a.afterAnswer(ctx, "phone change SMS", func(ctx context.Context) {
		// The code's payload binds it to the session and the number asked for.
		if !a.takeSMS(ctx, newNumber, smstext.VerifyPhone, in.Client) {
			return
		}
		code := newCode()
		now := a.now()
		err := a.deps.Tokens.IssueToken(ctx, ports.OneTimeToken{ID: newID("ott_"), Purpose: ports.PurposePhoneChange,
			Subject: u.ID, Hash: a.codeHash(ports.PurposePhoneChange, u.ID, code), CreatedAt: now,
			ExpiresAt: now.Add(a.cfg.OTPTTL), MaxAttempts: a.cfg.OTPMaxAttempts, Payload: s.ID + "\n" + phone})
		if err != nil {
			a.log.WarnContext(ctx, "bharatauth: issuing a phone change code failed", "user_id", u.ID, "error", err)
			return
		}
		a.deliverSMS(ctx, newNumber, smstext.VerifyPhone, code, in.Client)
		a.sendSMS(ctx, u, smstext.PhoneChange, "", in.Client) // to the old number, if any
	})
	return nil
}

// PhoneCodeInput presents a code texted to a number.
type PhoneCodeInput struct {
	Code   string
	Client Client
}

// ConfirmPhoneChange completes a phone change with the code texted to the new
// number, from the session that asked: the account moves to it (verified),
// every other session ends and forgets its device, an event is recorded and
// the account's email, if any, is told. The old number no longer signs in.
//
// Errors: ErrValidation (malformed code), ErrUnauthorized (code
// "invalid_otp": a wrong, used, expired or dead code, or one asked from
// another session), ErrConflict (the number was taken meanwhile),
// ErrForbidden (external mode), ErrUnavailable.
func (a *Auth) ConfirmPhoneChange(ctx context.Context, p Principal, in PhoneCodeInput) error {
	const op = "ConfirmPhoneChange"
	if a.deps.Registry == nil || a.phoneRegistry == nil {
		return newError(op, KindForbidden, "", "this service changes phone numbers itself (external mode)")
	}
	if err := checkCode(op, "code", in.Code); err != nil {
		return err
	}
	if _, err := a.activeSession(ctx, op, &p); err != nil {
		return err
	}
	// Wrong codes count per account as wrong recovery codes do per number:
	// each request is one SMS and five tries, and without a count of its
	// own an account could go on guessing a stranger's code for ever, to
	// hold their number.
	at, err := a.beginCodeAttempt(ctx, op, smsCodeLockKey("acct:"+p.UserID))
	if err != nil {
		return err
	}
	wrong := wrongSMSCode(op)
	t, err := a.deps.Tokens.ConsumeCode(ctx, p.UserID, ports.PurposePhoneChange, a.codeHash(ports.PurposePhoneChange, p.UserID, in.Code), a.now())
	switch {
	case err != nil && isCodeRejection(err):
		return a.codeFailed(ctx, op, at, wrong)
	case err != nil:
		return a.abandon(ctx, op, at, storeError(op, err))
	}
	sessionID, phone, ok := strings.Cut(t.Payload, "\n")
	switch {
	case !ok:
		return a.abandon(ctx, op, at, &Error{Op: op, Kind: KindInternal, Message: "internal error", Err: errors.New("phone change code without its number")})
	case sessionID != p.SessionID:
		return a.codeFailed(ctx, op, at, wrong)
	}
	a.codeSucceeded(ctx, op, at, p.UserID)
	if err := a.claimProven(ctx, op, phone, true, in.Client); err != nil {
		return err
	}
	now := a.now()
	u, err := a.phoneRegistry.ChangePhone(ctx, p.UserID, phone, now)
	switch {
	case errors.Is(err, ports.ErrConflict):
		return newError(op, KindConflict, codePhoneTaken, "an account with this phone number exists now")
	case errors.Is(err, ports.ErrNotFound):
		return newError(op, KindUnauthorized, codeInvalidToken, "the account no longer exists")
	case err != nil:
		return storeError(op, err)
	}
	a.smsCodeUsed(ctx, phone)
	revoke := ports.Revocation{UserID: u.ID, ExceptSessionID: sessionID, ForgetDevices: true}
	if _, err := a.deps.Sessions.RevokeSessions(ctx, revoke, now); err != nil {
		return storeError(op, err)
	}
	a.event(ctx, u.ID, ports.EventPhoneChanged, in.Client, "")
	a.send(ctx, u, emails.CredentialChanged, emails.Data{Change: "phone", At: now, IPAddress: storedIP(in.Client.IP)}, in.Client)
	return nil
}
