package core

import (
	"context"

	"github.com/bharatauth/bharatauth-go/core/smstext"
	"github.com/bharatauth/bharatauth-go/ports"
)

// RequestUnlock emails an unlock link (ResetTTL) to the owner of identifier,
// or texts an unlock code (OTPTTL) when the account is named by its number or
// has no verified email (recoveryBySMS). It answers the same for every
// identifier (see RequestOTP); besides the per-identifier limit it is limited
// per IP (RateLimits.UnlockRequestPerIP). A hard lock sends one by itself.
func (a *Auth) RequestUnlock(ctx context.Context, in IdentifierInput) error {
	return a.requestLink(ctx, in, linkRequest{op: "RequestUnlock",
		limit: "unlock_request", perIP: a.cfg.RateLimits.UnlockRequestPerIP,
		link: a.unlockLinkMail(), smsPurpose: ports.PurposeUnlockSMS, smsKind: smstext.Unlock})
}

// ConfirmUnlock lifts every sign-in lock of the account (its email's, its
// username's and its verified devices') with an emailed unlock link. The lock
// history is kept; the PIN counter is not a sign-in lock (a PIN reset clears
// it).
func (a *Auth) ConfirmUnlock(ctx context.Context, in ConfirmUnlockInput) (_ LoginResult, err error) {
	const op = "ConfirmUnlock"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	c := in.Client
	device, err := a.cleanDevice(op, in.DeviceFingerprint)
	if err != nil {
		return LoginResult{}, err
	}
	u, bySMS, err := a.consumeRecovery(ctx, op, recoveryProof{token: in.Token, phone: in.Phone, code: in.Code,
		link: ports.PurposeUnlock, sms: ports.PurposeUnlockSMS}, c)
	if err != nil {
		return LoginResult{}, err
	}
	if err := a.clearAccountLocks(ctx, op, u); err != nil {
		return LoginResult{}, err
	}
	a.event(ctx, u.ID, ports.EventAccountUnlocked, c, "")
	// The link proves the inbox: an unverified address is verified now, with
	// the pre-hijacking defence (a registrant could lock the account on
	// purpose to have this link sent to the owner).
	if !bySMS {
		if u, err = a.proveEmail(ctx, op, u, proofByUnlockLink, c); err != nil {
			return LoginResult{}, err
		}
	}
	return a.signInAfterLink(ctx, op, u, device, in.IsPublicDevice, bySMS, c)
}

// ConfirmUnlockInput presents an emailed unlock link (Token), or the unlock
// code texted to Phone (Phone and Code instead). With a DeviceFingerprint the
// device that opened it is signed in (see signInAfterLink).
type ConfirmUnlockInput struct {
	Token             string
	Phone             string
	Code              string
	DeviceFingerprint string // optional: sign this device in, as a verified device
	IsPublicDevice    bool
	Client            Client
}

// signInAfterLink signs in the device that completed a recovery link (a
// password reset or an unlock) and makes it a verified device of the account
// (unless public): the link proves the inbox as an emailed code from that
// device does. Without it the owner would leave recovery with no verified
// device, and a stranger who locks the account again at once (a lock counts
// per identifier) would keep the owner out; a verified device counts on a
// counter of its own. No device, or a suspended account: no session.
// A code texted instead of the link (bySMS) proves only the number, which
// may have been recycled: a device not yet the account's is news to its
// verified email, as after a sign-in by a texted code (VerifyOTP), and one
// it already is stays known, as it would for a texted sign-in code.
func (a *Auth) signInAfterLink(ctx context.Context, op string, u ports.User, device string, public, bySMS bool, c Client) (LoginResult, error) {
	if device == "" || u.Suspended {
		return LoginResult{}, nil
	}
	known := false
	if bySMS {
		var err error
		if known, err = a.isVerifiedDevice(ctx, op, u.ID, device); err != nil {
			return LoginResult{}, err
		}
	}
	res, err := a.startSession(ctx, op, sessionRequest{user: u, device: device, verifiedDevice: known, public: public,
		method: "link", bySMS: bySMS, client: c})
	if err != nil {
		return res, err
	}
	a.touchActivity(ctx, u.ID)
	if bySMS && !known {
		a.recordEvents(ctx, a.securityEvent(u.ID, ports.EventNewDevice, c, string(res.Trust)))
		a.notifyCodeSignIn(ctx, u, c)
	}
	return res, nil
}
