package core

import (
	"context"
	"errors"
	"time"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/core/smstext"
	"github.com/bharatauth/bharatauth-go/ports"
)

// linkRequest describes one of the emailed-link flows (password reset, PIN
// reset, unlock).
type linkRequest struct {
	op    string
	limit string         // the name of the per-IP rate-limit bucket
	perIP ports.RateRule // the per-IP rule
	link  linkMail
	// smsPurpose, when set, sends a code by SMS instead of the link (kind
	// smsKind) to an account named by its number or without a verified
	// email.
	smsPurpose string
	smsKind    smstext.Kind
	// emailFirst sends the link to a verified email even when the account
	// is named by its number: the code goes by SMS only to an account that
	// has no verified email.
	emailFirst bool
}

// linkMail is one kind of emailed single-use link.
type linkMail struct {
	purpose  string
	ttl      time.Duration
	template string // the link template with {token}
	email    emails.Kind
}

// The links core emails.
func (a *Auth) verifyLinkMail() linkMail {
	return linkMail{ports.PurposeEmailVerify, a.cfg.EmailVerifyTTL, a.cfg.Links.VerifyEmail, emails.VerifyEmail}
}
func (a *Auth) passwordResetLinkMail() linkMail {
	return linkMail{ports.PurposePasswordReset, a.cfg.ResetTTL, a.cfg.Links.ResetPassword, emails.PasswordReset}
}
func (a *Auth) pinResetLinkMail() linkMail {
	return linkMail{ports.PurposePINReset, a.cfg.ResetTTL, a.cfg.Links.ResetPIN, emails.PINReset}
}
func (a *Auth) unlockLinkMail() linkMail {
	return linkMail{ports.PurposeUnlock, a.cfg.ResetTTL, a.cfg.Links.Unlock, emails.Unlock}
}

// mailLink issues a link token for u and emails it. It runs after the answer
// (in a job of afterAnswer). A failure is logged: no email goes out with a
// token that was never stored, and the owner can ask again.
func (a *Auth) mailLink(ctx context.Context, u ports.User, l linkMail, c Client) {
	token, err := a.issueLink(ctx, u.ID, l.purpose, l.ttl)
	if err != nil {
		a.log.WarnContext(ctx, "bharatauth: issuing a link failed", "purpose", l.purpose, "user_id", u.ID, "error", err)
		return
	}
	a.sendNowWithToken(ctx, u, l.email, emails.Data{Link: link(l.template, token), ExpiresIn: l.ttl}, c,
		linkToken(u.ID, l.purpose, token))
}

// mailLinkAfterAnswer is mailLink for a flow still answering.
func (a *Auth) mailLinkAfterAnswer(ctx context.Context, u ports.User, l linkMail, c Client) {
	a.afterAnswer(ctx, string(l.email)+" link", func(ctx context.Context) { a.mailLink(ctx, u, l, c) })
}

// requestLink emails a single-use link to the owner of in.Identifier, after
// the answer (requestEmail).
func (a *Auth) requestLink(ctx context.Context, in IdentifierInput, r linkRequest) (err error) {
	ctx, flow := a.observeFlow(ctx, r.op) // the flow of each of the three requests
	defer flow.done(ctx, &err)
	identifier, err := a.identifierOf(r.op, in.Identifier, in.Phone)
	if err != nil {
		return err
	}
	return a.requestEmail(ctx, emailRequest{op: r.op, identifier: identifier, client: in.Client, limit: r.limit, perIP: r.perIP,
		budget: budgetRecovery,
		mail: func(ctx context.Context, u ports.User) {
			a.recover(ctx, u, identifier, r, in.Client)
		}})
}

// emailRequest is one request to email the owner of an identifier: an OTP, a
// password or PIN reset link, an unlock link.
type emailRequest struct {
	op         string
	identifier string // cleaned
	client     Client
	limit      string         // the name of the per-IP rate-limit bucket
	budget     string         // the per-identifier mail budget
	perIP      ports.RateRule // the per-IP rule
	// mail issues the code or link and emails it to u. It runs after the
	// answer, and only for a user who may be emailed.
	mail func(ctx context.Context, u ports.User)
}

// IdentifierInput names an account by email or username, or by Phone
// instead (Config.Phone), for the flows that email its owner a link
// (RequestPasswordReset, RequestPINReset, RequestUnlock). They answer the
// same whoever is named. An account without an email gets no link; its PIN
// reset comes as a code by SMS.
type IdentifierInput struct {
	Identifier string
	Phone      string
	Client     Client
}

// LinkInput presents the token of an emailed link (VerifyEmail,
// ConfirmUnlock).
type LinkInput struct {
	Token  string
	Client Client
}

// requestEmail is the path every enumeration-safe request route shares. Before
// the answer it makes the same store and limiter calls whoever identifier
// names: the IP block check, the per-IP limit, the per-identifier limit (its
// 429 is the same for unknown identifiers) and the lookup. It answers nil for
// every identifier, known or not, suspended or not; only malformed input, an
// IP block and those limits answer differently. What only an account causes
// (the inbox budget, the token, the email, its events) runs after the answer,
// so that a real account is not a few store round trips slower to answer.
func (a *Auth) requestEmail(ctx context.Context, r emailRequest) error {
	if err := a.checkIPBlock(ctx, r.op, r.client); err != nil {
		return err
	}
	if err := a.limitIP(ctx, r.op, r.limit, r.perIP, r.client); err != nil {
		return err
	}
	if err := a.limitIdentifier(ctx, r.op, r.budget, a.identifierKey(r.identifier)); err != nil {
		return err
	}
	u, found, err := a.findUser(ctx, r.op, r.identifier)
	if err != nil || !found || u.Suspended {
		return err
	}
	a.afterAnswer(ctx, r.op, func(ctx context.Context) {
		// The inbox budget decides whether this job sends, never the answer:
		// a 429 would tell that this identifier shares an inbox with another.
		if err := a.limitInbox(ctx, r.op, r.budget, u.ID); err != nil {
			a.log.InfoContext(ctx, "bharatauth: an inbox's email budget is spent; not sending", "user_id", u.ID)
			return
		}
		r.mail(ctx, u)
	})
	return nil
}

// recoveryBySMS reports whether u's recovery (a PIN or password reset, an
// unlock) goes by SMS: when the account is named by its number, or has a
// number and no verified email. identifier is "" when nobody named it (a
// hard lock).
func recoveryBySMS(u ports.User, identifier string) bool {
	return u.Phone != "" && (isPhone(identifier) || !u.EmailVerified)
}

// mayReach reports whether codes and links that sign in or recover may go to
// u's number (sms) or to its email: an unverified one only while the account
// has no other verified identifier. Otherwise whoever owns a number (or an
// address) mistyped beside a verified one could sign in to the account and,
// by the pre-hijacking defence, discard its owner's password; such a number
// is proven only by its own verification code.
func mayReach(u ports.User, sms bool) bool {
	if sms {
		return u.Phone != "" && (u.PhoneVerified || !u.EmailVerified)
	}
	return u.Email != "" && (u.EmailVerified || !u.PhoneVerified)
}

// recover sends u the recovery of r (after the answer): a code by SMS when
// recoveryBySMS, else the emailed link, each only where mayReach allows.
func (a *Auth) recover(ctx context.Context, u ports.User, identifier string, r linkRequest, c Client) {
	sms := r.smsPurpose != "" && recoveryBySMS(u, identifier) && !(r.emailFirst && u.EmailVerified)
	switch {
	case !mayReach(u, sms):
		a.log.InfoContext(ctx, "bharatauth: no recovery to an unverified identifier beside a verified one", "user_id", u.ID)
	case sms:
		a.smsCode(ctx, u, r.smsPurpose, r.smsKind, "", c)
	default:
		a.mailLink(ctx, u, r.link, c)
	}
}

// recoveryProof is what a recovery confirmation presents: an emailed link's
// token, or a phone number and the code texted to it.
type recoveryProof struct {
	token       string
	phone, code string
	link, sms   string // the purposes of each
}

// consumeRecovery uses up the link or the texted code of p and returns the
// account, and whether it came by SMS (which proved the number already).
func (a *Auth) consumeRecovery(ctx context.Context, op string, p recoveryProof, c Client) (ports.User, bool, error) {
	if p.phone != "" || p.code != "" {
		u, err := a.consumeSMSCode(ctx, op, p.phone, p.code, p.sms, c)
		return u, true, err
	}
	u, err := a.consumeLink(ctx, op, p.link, p.token)
	return u, false, err
}

// consumeLink uses up a link token of purpose and returns the user it was for.
// Unknown, used or other-purpose tokens answer ErrUnauthorized; expired ones
// ErrTokenExpired.
func (a *Auth) consumeLink(ctx context.Context, op, purpose, token string) (ports.User, error) {
	t, err := a.consumeLinkToken(ctx, op, purpose, token)
	if err != nil {
		return ports.User{}, err
	}
	return a.userByID(ctx, op, t.Subject)
}

// consumeLinkToken uses up a link token of purpose and returns it.
func (a *Auth) consumeLinkToken(ctx context.Context, op, purpose, token string) (ports.OneTimeToken, error) {
	if !validToken(token) {
		return ports.OneTimeToken{}, invalidField(op, "token", "is not a valid token")
	}
	t, err := a.deps.Tokens.ConsumeLink(ctx, purpose, tokenHash(token), a.now())
	switch {
	case errors.Is(err, ports.ErrExpired):
		return ports.OneTimeToken{}, newError(op, KindTokenExpired, "", "the link has expired; ask for a new one")
	case errors.Is(err, ports.ErrNotFound):
		return ports.OneTimeToken{}, newError(op, KindUnauthorized, codeInvalidToken, "the link is not valid or was already used")
	case err != nil:
		return ports.OneTimeToken{}, storeError(op, err)
	}
	return t, nil
}

// credentialChanged records and announces a password or PIN change: the user is
// emailed about every credential change.
func (a *Auth) credentialChanged(ctx context.Context, u ports.User, change, eventKind string, c Client) {
	a.event(ctx, u.ID, eventKind, c, "")
	a.send(ctx, u, emails.CredentialChanged, emails.Data{Change: change, At: a.now(), IPAddress: storedIP(c.IP)}, c)
}
