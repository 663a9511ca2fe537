package core

import (
	"context"
	"errors"

	"github.com/bharatauth/bharatauth-go/core/internal/policy"
	"github.com/bharatauth/bharatauth-go/core/smstext"
	"github.com/bharatauth/bharatauth-go/ports"
)

// policyError turns a password or PIN rule violation into a validation error
// that says why, on the input field the caller named.
func policyError(op, field string, err error) error {
	var v *policy.Violation
	if errors.As(err, &v) {
		return invalidField(op, field, v.Reason)
	}
	return invalidField(op, field, err.Error())
}

// RequestPasswordReset emails a password reset link (ResetTTL), or texts a
// password reset code (OTPTTL) when the account is named by its number or has
// no verified email (recoveryBySMS). It answers the same for every identifier (see RequestOTP); besides the per-identifier limit
// it is limited per IP (RateLimits.PasswordResetRequestPerIP).
func (a *Auth) RequestPasswordReset(ctx context.Context, in IdentifierInput) error {
	return a.requestLink(ctx, in, linkRequest{op: "RequestPasswordReset",
		limit: "password_reset_request", perIP: a.cfg.RateLimits.PasswordResetRequestPerIP,
		link: a.passwordResetLinkMail(), smsPurpose: ports.PurposePasswordResetSMS, smsKind: smstext.PasswordReset})
}

// ConfirmPasswordResetInput sets a new password with an emailed reset link
// (Token), or with the code texted to Phone (Phone and Code instead). With a
// DeviceFingerprint the device that opened the link is signed in (see
// signInAfterLink).
type ConfirmPasswordResetInput struct {
	Token             string
	Phone             string
	Code              string
	NewPassword       string
	DeviceFingerprint string // optional: sign this device in, as a verified device
	IsPublicDevice    bool
	Client            Client
}

// ConfirmPasswordReset sets a new password with an emailed reset link. It works
// while the account is locked, clears soft and hard locks, ends every session
// (their access tokens fail at once) and marks the email verified.
func (a *Auth) ConfirmPasswordReset(ctx context.Context, in ConfirmPasswordResetInput) (_ LoginResult, err error) {
	const op = "ConfirmPasswordReset"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	token, newPassword, c := in.Token, in.NewPassword, in.Client
	// The rules that need the user (no email in the password) are checked after
	// the link is used; those that do not, and the device, are checked first,
	// so bad input does not burn the link.
	if err := policy.CheckPassword(newPassword, "", ""); err != nil {
		return LoginResult{}, policyError(op, "new_password", err)
	}
	device, err := a.cleanDevice(op, in.DeviceFingerprint)
	if err != nil {
		return LoginResult{}, err
	}
	u, bySMS, err := a.consumeRecovery(ctx, op, recoveryProof{token: token, phone: in.Phone, code: in.Code,
		link: ports.PurposePasswordReset, sms: ports.PurposePasswordResetSMS}, c)
	if err != nil {
		return LoginResult{}, err
	}
	if err := policy.CheckPassword(newPassword, u.Email, u.Username); err != nil {
		return LoginResult{}, policyError(op, "new_password", err)
	}
	// Locks are lifted while the devices are still known (the revocation
	// below forgets them); sessions end before the password changes: if a
	// later step fails, everyone is signed out (safe), never an attacker's
	// session alive next to a new password.
	if err := a.clearAccountLocks(ctx, op, u); err != nil {
		return LoginResult{}, err
	}
	if _, err := a.deps.Sessions.RevokeSessions(ctx, ports.Revocation{UserID: u.ID, ForgetDevices: true}, a.now()); err != nil {
		return LoginResult{}, storeError(op, err)
	}
	if !bySMS {
		if u, err = a.proveEmail(ctx, op, u, proofByResetLink, c); err != nil {
			return LoginResult{}, err
		}
	}
	if err := a.storePassword(ctx, op, u, newPassword, c); err != nil {
		return LoginResult{}, err
	}
	return a.signInAfterLink(ctx, op, u, device, in.IsPublicDevice, bySMS, c)
}

// ChangePasswordInput changes the caller's password.
type ChangePasswordInput struct {
	CurrentPassword  string
	NewPassword      string
	EndOtherSessions bool // revoke every other session of the user
	Client           Client
}

// ChangePassword is sensitive: it needs a step-up (RequireStepUp) and the
// current password, which counts against the lockout like a login.
func (a *Auth) ChangePassword(ctx context.Context, p Principal, in ChangePasswordInput) (err error) {
	const op = "ChangePassword"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	if err := checkSecretInput(op, "current_password", in.CurrentPassword); err != nil {
		return err
	}
	u, err := a.userByID(ctx, op, p.UserID)
	if err != nil {
		return err
	}
	// Input first: a typo in the new password must not use up a public
	// device's one-action step-up.
	if err := policy.CheckPassword(in.NewPassword, u.Email, u.Username); err != nil {
		return policyError(op, "new_password", err)
	}
	if err := a.RequireStepUp(ctx, p); err != nil {
		return err
	}
	s, err := a.activeSession(ctx, op, &p)
	if err != nil {
		return err
	}
	at, err := a.beginAttempt(ctx, op, a.sessionLockKey(u, s), a.signInPolicy())
	if err != nil {
		return err
	}
	ok, err := a.judge(ctx, op, at, func(ctx context.Context) (bool, error) {
		return a.checkPassword(ctx, op, &u, in.CurrentPassword)
	})
	if err != nil {
		return err
	}
	if !ok {
		return a.attemptFailed(ctx, op, at, &u, in.Client,
			newError(op, KindUnauthorized, codeInvalidCredentials, "the current password is wrong"))
	}
	if _, err := a.finish(ctx, op, at, ports.Succeeded); err != nil {
		return err
	}
	if in.EndOtherSessions { // first, for the same reason as in ConfirmPasswordReset
		_, err := a.deps.Sessions.RevokeSessions(ctx, ports.Revocation{UserID: u.ID, ExceptSessionID: p.SessionID, ForgetDevices: true}, a.now())
		if err != nil {
			return storeError(op, err)
		}
	}
	return a.storePassword(ctx, op, u, in.NewPassword, in.Client)
}

func (a *Auth) storePassword(ctx context.Context, op string, u ports.User, password string, c Client) error {
	hash, err := a.hasher.Hash(ctx, password)
	if err != nil {
		return storeError(op, err)
	}
	if err := a.deps.Credentials.SetPasswordHash(ctx, u.ID, hash, a.now()); err != nil {
		return storeError(op, err)
	}
	a.credentialChanged(ctx, u, "password", ports.EventPasswordChanged, c)
	return nil
}
