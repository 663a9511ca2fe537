package core

import (
	"context"

	"github.com/bharatauth/bharatauth-go/core/smstext"
	"github.com/bharatauth/bharatauth-go/ports"
)

// emailProof is how someone showed they read an account's inbox.
type emailProof int

const (
	proofByVerifyLink emailProof = iota // the registration's own verification link
	proofByCode                         // an emailed login code
	proofByResetLink                    // a password reset link
	proofByUnlockLink                   // an unlock link
)

// proveEmail records that u's address was proven (managed mode) and returns
// the user as it now is.
//
// Account pre-hijacking defence: anyone can register an address they do not
// own. When an unverified address is first proven by anything but the
// registration's own verification link, the prover is the inbox's owner and
// the registrant may not be: every earlier session ends, the password set
// before verification is discarded (the owner sets one by reset) and the
// profile the registrant chose (display name, username, language) is cleared,
// and so is a guardianship the registrant declared (discardGuardianship).
// All of it happens before the address is marked verified, so a failure leaves the defence to
// run again at the next proof, never an intruder's session beside a verified
// address. Then the number beside it, if unproven, goes too
// (releaseRegistrantsOther).
func (a *Auth) proveEmail(ctx context.Context, op string, u ports.User, proof emailProof, c Client) (ports.User, error) {
	if u.EmailVerified || a.deps.Registry == nil {
		return u, nil
	}
	now := a.now()
	if proof != proofByVerifyLink {
		var err error
		if u, err = a.discardUnproven(ctx, op, u, c); err != nil {
			return u, err
		}
		if err := a.voidOtherProof(ctx, op, u, true); err != nil {
			return u, err
		}
	}
	if err := a.deps.Registry.MarkEmailVerified(ctx, u.ID, now); err != nil {
		return u, storeError(op, err)
	}
	u.EmailVerified = true
	a.event(ctx, u.ID, ports.EventEmailVerified, c, "")
	if proof != proofByVerifyLink {
		return a.releaseRegistrantsOther(ctx, op, u, false, c)
	}
	return u, nil
}

// releaseRegistrantsOther ends the pre-hijacking defence of a first proof of
// u's email (or of its number, phone) by anything but the registration's own
// verification: the other identifier, still unproven, was the registrant's
// choice too, and the registration's code or link for it may be in the
// registrant's hands; proven after the owner's proof, it would let the
// registrant in. It is taken off the account (the owner adds their own by a
// phone or email change). The store releases it only beside a proven one,
// so this runs once the proof is marked.
func (a *Auth) releaseRegistrantsOther(ctx context.Context, op string, u ports.User, phone bool, c Client) (ports.User, error) {
	if a.phoneRegistry == nil {
		return u, nil
	}
	release, other, unproven, detail := a.phoneRegistry.ReleaseUnprovenPhone, &u.Phone, !u.PhoneVerified, "phone"
	if phone {
		release, other, unproven, detail = a.phoneRegistry.ReleaseUnprovenEmail, &u.Email, !u.EmailVerified, "email"
	}
	if *other == "" || !unproven {
		return u, nil
	}
	_, err := release(ctx, *other)
	switch {
	case isNotFound(err): // proven meanwhile: it is the owner's now
		return u, nil
	case err != nil:
		return u, storeError(op, err)
	}
	*other = ""
	a.event(ctx, u.ID, ports.EventUnprovenIdentifierReleased, c, detail)
	return u, nil
}

// voidOtherProof makes the registration's code for u's unproven number
// (phone), or its link for u's unproven email, useless before a first proof
// of the other identifier by anything else is marked: it issues one that
// nobody holds and that is dead on arrival, which invalidates every earlier
// one (IssueToken). The release after the mark (releaseRegistrantsOther)
// may then fail, and be skipped by a retry that finds the proof marked,
// without the registrant proving the identifier on the owner's account: no
// new code or link goes to it beside a proven one (mayReach).
func (a *Auth) voidOtherProof(ctx context.Context, op string, u ports.User, phone bool) error {
	now := a.now()
	t := ports.OneTimeToken{ID: newID("ott_"), Subject: u.ID, CreatedAt: now, ExpiresAt: now}
	switch {
	case phone && u.Phone != "" && !u.PhoneVerified:
		t.Purpose, t.MaxAttempts = ports.PurposePhoneVerify, a.cfg.OTPMaxAttempts
		t.Hash = a.codeHash(t.Purpose, u.ID, newCode())
	case !phone && u.Email != "" && !u.EmailVerified:
		t.Purpose, t.Hash = ports.PurposeEmailVerify, tokenHash(newToken())
	default:
		return nil
	}
	return storeError(op, a.deps.Tokens.IssueToken(ctx, t))
}

// discardUnproven is the pre-hijacking defence run when an unverified email
// or number is first proven by anything but the registration's own
// verification: every earlier session ends and forgets its device, the
// password set before verification goes (the owner sets one by reset or signs
// in by code), and so do the profile (display name, username, language) and
// a guardianship the registrant declared.
func (a *Auth) discardUnproven(ctx context.Context, op string, u ports.User, c Client) (ports.User, error) {
	now := a.now()
	if _, err := a.deps.Sessions.RevokeSessions(ctx, ports.Revocation{UserID: u.ID, ForgetDevices: true}, now); err != nil {
		return u, storeError(op, err)
	}
	if err := a.deps.Credentials.SetPasswordHash(ctx, u.ID, "", now); err != nil {
		return u, storeError(op, err)
	}
	// What the registrant chose goes too: a display name would greet the
	// owner in every genuine email ("Pay at evil.example…"), and the
	// username would stay the registrant's handle on the owner's account.
	if err := a.deps.Registry.ClearProfile(ctx, u.ID); err != nil {
		return u, storeError(op, err)
	}
	u.DisplayName, u.Username, u.Language = "", "", ""
	return u, a.discardGuardianship(ctx, op, u, c)
}

// resendVerification emails u a new verification link, within the inbox's
// budget: a password login refused for an unverified address sends one, so
// the owner is never stuck, and a thief's retries cannot flood the inbox.
// For an account named by its unverified number (bySMS), a verification
// code goes by SMS instead, within the SMS budgets.
func (a *Auth) resendVerification(ctx context.Context, u ports.User, bySMS bool, c Client) {
	if bySMS {
		a.afterAnswer(ctx, "verify phone code", func(ctx context.Context) {
			a.smsCode(ctx, u, ports.PurposePhoneVerify, smstext.VerifyPhone, "", c)
		})
		return
	}
	if err := a.limitInbox(ctx, "Login", budgetVerify, u.ID); err != nil {
		return
	}
	a.mailLinkAfterAnswer(ctx, u, a.verifyLinkMail(), c)
}
