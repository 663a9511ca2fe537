package core

import (
	"context"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/core/smstext"
	"github.com/bharatauth/bharatauth-go/ports"
)

// RequestStepUp sends the caller a step-up code by the channel it has proven:
// by email, or by SMS when the account has no email or only its number is
// verified (never to an unverified address beside a verified number). The
// code is bound to the caller's session and to the step-up purpose: a login
// code is no step-up code.
func (a *Auth) RequestStepUp(ctx context.Context, p Principal, c Client) (err error) {
	const op = "RequestStepUp"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	s, err := a.activeSession(ctx, op, &p)
	if err != nil {
		return err
	}
	if err := a.limitStepUpMail(ctx, op, s.UserID); err != nil {
		return err
	}
	u, err := a.userByID(ctx, op, s.UserID)
	if err != nil {
		return err
	}
	if !mayReach(u, false) { // no email, or only the number is proven: by SMS, within the SMS budgets
		a.afterAnswer(ctx, "step-up SMS", func(ctx context.Context) {
			a.smsCodeFor(ctx, u, s.ID, ports.PurposeStepUpOTP, smstext.SignInCode, s.DeviceFingerprint, c)
		})
		return nil
	}
	code, err := a.issueCode(ctx, s.ID, ports.PurposeStepUpOTP, s.DeviceFingerprint)
	if err != nil {
		return storeError(op, err)
	}
	a.sendWithToken(ctx, u, emails.StepUpOTP, emails.Data{Code: code, ExpiresIn: a.cfg.OTPTTL}, c,
		a.codeToken(s.ID, ports.PurposeStepUpOTP, code))
	return nil
}

// VerifyStepUpInput is an emailed step-up code.
type VerifyStepUpInput struct {
	Code   string
	Client Client
}

// VerifyStepUp checks a step-up code. A success is a step-up of the session
// (see RequireStepUp); a wrong code counts against the account's lockout like
// any other failure.
func (a *Auth) VerifyStepUp(ctx context.Context, p Principal, in VerifyStepUpInput) (err error) {
	const op = "VerifyStepUp"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	code, c := in.Code, in.Client
	if err := checkCode(op, "otp_code", code); err != nil {
		return err
	}
	s, err := a.activeSession(ctx, op, &p)
	if err != nil {
		return err
	}
	u, err := a.userByID(ctx, op, s.UserID)
	if err != nil {
		return err
	}
	at, err := a.beginAttempt(ctx, op, a.sessionLockKey(u, s), a.signInPolicy())
	if err != nil {
		return err
	}
	_, err = a.deps.Tokens.ConsumeCode(ctx, s.ID, ports.PurposeStepUpOTP, a.codeHash(ports.PurposeStepUpOTP, s.ID, code), a.now())
	if err != nil {
		if !isCodeRejection(err) {
			return a.abandon(ctx, op, at, storeError(op, err))
		}
		return a.attemptFailed(ctx, op, at, &u, c,
			newError(op, KindUnauthorized, codeInvalidOTP, "the code is wrong or has expired; request a new one"))
	}
	if _, err := a.finish(ctx, op, at, ports.Succeeded); err != nil {
		return err
	}
	return a.markStepUp(ctx, op, s, c)
}
