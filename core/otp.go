package core

import (
	"context"
	"errors"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/core/smstext"
	"github.com/bharatauth/bharatauth-go/ports"
)

// RequestOTPInput asks for a login code: by email, or by SMS when the account
// is named by its phone number (Phone, or an Identifier starting with "+") or
// has no email.
type RequestOTPInput struct {
	Identifier        string
	Phone             string // instead of Identifier: a mobile number as typed
	DeviceFingerprint string // optional; a verify from the same fingerprint gets a 30-day session
	Client            Client
}

// RequestOTP emails a 6-digit login code valid for OTPTTL. It answers the same
// (nil) for every identifier, known or not, suspended or not, after the same
// store calls; only malformed input, an IP block and rate limits (applied to
// unknown identifiers alike) answer differently. The code is issued and sent
// after the answer. A new code invalidates the previous one but never resets
// the account's failure count.
func (a *Auth) RequestOTP(ctx context.Context, in RequestOTPInput) (err error) {
	const op = "RequestOTP"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	identifier, err := a.identifierOf(op, in.Identifier, in.Phone)
	if err != nil {
		return err
	}
	device, err := a.cleanDevice(op, in.DeviceFingerprint)
	if err != nil {
		return err
	}
	return a.requestEmail(ctx, emailRequest{op: op, identifier: identifier, client: in.Client,
		limit: "otp_request", perIP: a.cfg.RateLimits.OTPRequestPerIP, budget: budgetLoginCode,
		mail: func(ctx context.Context, u ports.User) {
			sms := bySMS(u, identifier)
			if !mayReach(u, sms) {
				a.log.InfoContext(ctx, "bharatauth: no sign-in code to an unverified identifier beside a verified one", "user_id", u.ID)
				return
			}
			if sms {
				a.smsCode(ctx, u, ports.PurposeLoginSMS, smstext.SignInCode, device, in.Client)
				return
			}
			code, err := a.issueCode(ctx, u.ID, ports.PurposeLoginOTP, device)
			if err != nil { // no email with a code that was never stored
				a.log.WarnContext(ctx, "bharatauth: issuing a login code failed", "user_id", u.ID, "error", err)
				return
			}
			a.sendNowWithToken(ctx, u, emails.LoginOTP, emails.Data{Code: code, ExpiresIn: a.cfg.OTPTTL}, in.Client,
				a.codeToken(u.ID, ports.PurposeLoginOTP, code))
		}})
}

// issueCode stores a fresh code for subject and purpose (invalidating the
// previous one) and returns it.
func (a *Auth) issueCode(ctx context.Context, subject, purpose, device string) (string, error) {
	code := newCode()
	now := a.now()
	err := a.deps.Tokens.IssueToken(ctx, ports.OneTimeToken{
		ID: newID("ott_"), Purpose: purpose, Subject: subject, Hash: a.codeHash(purpose, subject, code),
		DeviceFingerprint: device, CreatedAt: now, ExpiresAt: now.Add(a.cfg.OTPTTL),
		MaxAttempts: a.cfg.OTPMaxAttempts,
	})
	return code, err
}

// VerifyOTPInput is a login with a code sent by email or SMS, naming the
// account as the request did.
type VerifyOTPInput struct {
	Identifier        string
	Phone             string // instead of Identifier: a mobile number as typed
	Code              string
	DeviceFingerprint string
	IsPublicDevice    bool
	Client            Client
}

// VerifyOTP signs a user in with an emailed code. Codes are single use (of N
// concurrent verifies exactly one wins) and die after OTPMaxAttempts wrong
// tries; every try also counts against the account's lockout, before the code
// is checked. A success marks the email verified.
//
// Errors: as Login, with code "invalid_otp" for a wrong, expired, used or dead
// code.
func (a *Auth) VerifyOTP(ctx context.Context, in VerifyOTPInput) (_ LoginResult, err error) {
	const op = "VerifyOTP"
	ctx, flow := a.observeSignIn(ctx, op, "otp")
	defer flow.done(ctx, &err)
	if err := checkCode(op, "otp_code", in.Code); err != nil {
		return LoginResult{}, err
	}
	identifier, err := a.identifierOf(op, in.Identifier, in.Phone)
	if err != nil {
		return LoginResult{}, err
	}
	s, err := a.beginSignIn(ctx, op, identifier, in.DeviceFingerprint, "otp_verify", a.cfg.RateLimits.OTPVerifyPerIP, in.Client, nil)
	if err != nil {
		return LoginResult{}, err
	}
	subject := unknownSubject // same store work as a real check; no code has this subject
	if u := s.checked(); u != nil {
		subject = u.ID
	}
	// A code goes by one channel and is accepted on that one only: an emailed
	// code never proves a number, nor a texted one an address.
	sms := bySMS(s.user(), s.identifier)
	purpose := ports.PurposeLoginOTP
	if sms {
		purpose = ports.PurposeLoginSMS
	}
	tok, err := a.deps.Tokens.ConsumeCode(ctx, subject, purpose, a.codeHash(purpose, subject, in.Code), a.now())
	if err != nil {
		if !isCodeRejection(err) {
			return LoginResult{}, a.abandonSignIn(ctx, s, storeError(op, err))
		}
		return LoginResult{}, a.failSignIn(ctx, s, newError(op, KindUnauthorized, codeInvalidOTP, "the code is wrong or has expired; request a new one"))
	}
	res, err := a.succeedSignIn(ctx, s, func(ctx context.Context) (LoginResult, error) {
		prove := a.proveEmail
		if sms {
			prove = a.provePhone
		}
		u, err := prove(ctx, op, *s.account, proofByCode, in.Client)
		if err != nil {
			return LoginResult{}, err
		}
		holds := s.holds
		if u.EmailVerified != s.account.EmailVerified || u.PhoneVerified != s.account.PhoneVerified {
			holds = nil // a first proof may have ended a guardianship (discardUnproven): read them anew
		}
		return a.startSession(ctx, op, sessionRequest{user: u, device: s.device, verifiedDevice: s.verifiedDevice,
			public: in.IsPublicDevice, method: "otp", otpDevice: tok.DeviceFingerprint, bySMS: sms, client: in.Client, holds: holds, signIn: s})
	})
	if err != nil {
		return LoginResult{}, err
	}
	if sms {
		a.smsCodeUsed(ctx, res.User.Phone)
	}
	a.signedIn(ctx, s, res, "otp")
	// A device the code itself verified (asked and answered on it) is news
	// too: it was not the account's before this sign-in.
	if sms && (res.Trust != TrustKnown || !s.verifiedDevice) {
		a.notifyCodeSignIn(ctx, res.User, in.Client)
	}
	return res, nil
}

// isCodeRejection tells a wrong, dead, expired or missing code (a failed
// attempt) from a store failure.
func isCodeRejection(err error) bool {
	for _, e := range []error{ports.ErrNotFound, ports.ErrMismatch, ports.ErrExhausted, ports.ErrExpired} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// checkCode accepts exactly otpDigits ASCII digits.
func checkCode(op, field, code string) error {
	if len(code) != otpDigits {
		return invalidField(op, field, "must be 6 digits")
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return invalidField(op, field, "must be 6 digits")
		}
	}
	return nil
}
