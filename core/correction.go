package core

import (
	"context"
	"errors"
	"strings"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// ProfileInput corrects what the user chose about themselves (DPDP §12(1)).
// A nil field stays as it is; an empty Username removes it.
type ProfileInput struct {
	DisplayName *string
	Username    *string // 3–32 of A–Z a–z 0–9 . _ -, unique as at registration
	Language    *string // the email language ("en", "hi")
	Client      Client
}

// UpdateProfile corrects the caller's display name, username or language
// (managed mode), checked as at registration (a username kept as it is is
// not checked against the rule of digits, checkNewUsername), and records an
// event.
//
// Errors: ErrValidation (with Field), ErrConflict (code "username_taken"),
// ErrForbidden (external mode: the app's own profile pages correct its
// users), ErrUnauthorized, ErrUnavailable.
func (a *Auth) UpdateProfile(ctx context.Context, p Principal, in ProfileInput) (ports.User, error) {
	const op = "UpdateProfile"
	if a.deps.Registry == nil {
		return ports.User{}, newError(op, KindForbidden, "", "this service corrects profiles itself (external mode)")
	}
	if _, err := a.activeSession(ctx, op, &p); err != nil {
		return ports.User{}, err
	}
	u, err := a.userByID(ctx, op, p.UserID)
	if err != nil {
		return ports.User{}, err
	}
	prof := ports.Profile{Username: u.Username, DisplayName: u.DisplayName, Language: u.Language}
	for _, f := range []struct {
		in  *string
		out *string
	}{{in.Username, &prof.Username}, {in.DisplayName, &prof.DisplayName}, {in.Language, &prof.Language}} {
		if f.in != nil {
			*f.out = *f.in
		}
	}
	if prof, err = cleanProfile(op, prof); err != nil {
		return ports.User{}, err
	}
	if prof.Username != u.Username {
		if err := a.checkNewUsername(op, prof.Username); err != nil {
			return ports.User{}, err
		}
	}
	updated, err := a.deps.Registry.UpdateProfile(ctx, u.ID, prof)
	if errors.Is(err, ports.ErrConflict) {
		return ports.User{}, &Error{Op: op, Kind: KindConflict, Code: "username_taken", Field: "username", Message: "this username is taken"}
	}
	if err != nil {
		return ports.User{}, storeError(op, err)
	}
	a.event(ctx, u.ID, ports.EventProfileChanged, in.Client, "")
	return updated, nil
}

// EmailChangeInput asks to move the account to a new address.
type EmailChangeInput struct {
	NewEmail string
	Client   Client
}

// RequestEmailChange starts moving the caller's account to a new address
// (managed mode). It is a takeover's favourite step, so it needs a fresh
// step-up even on a known device. A link (Links.ChangeEmail, EmailVerifyTTL)
// goes to the new address, which must prove itself, and a notice naming the
// new address goes to the old one, with the privacy contact. An address
// that another account holds unproven beside its verified number is not
// taken: as for a registrant, its proof (ConfirmEmailChange) takes it off
// that account.
//
// Errors: ErrValidation (field "new_email"; also the current address),
// ErrRateLimited (RequestPerIdentifier per account), ErrConflict (code
// "email_taken"), ErrStepUpRequired, ErrForbidden (external mode),
// ErrUnauthorized, ErrUnavailable.
func (a *Auth) RequestEmailChange(ctx context.Context, p Principal, in EmailChangeInput) error {
	const op = "RequestEmailChange"
	if a.deps.Registry == nil {
		return newError(op, KindForbidden, "", "this service changes email addresses itself (external mode)")
	}
	email, err := a.cleanEmail(op, in.NewEmail)
	if err != nil {
		err.(*Error).Field = "new_email"
		return err
	}
	s, u, err := a.sessionUser(ctx, op, &p)
	if err != nil {
		return err
	}
	if strings.EqualFold(email, u.Email) {
		return invalidField(op, "new_email", "is the account's current address")
	}
	// The step-up first: only its holder learns whether an address is taken,
	// and at most RequestPerIdentifier times an hour per account, as for a
	// phone change: each request mails a link to the address named. The
	// limit comes before the step-up, so a 429 spends none.
	if err := a.limit(ctx, op, "email_change:user:"+u.ID, a.cfg.RateLimits.RequestPerIdentifier); err != nil {
		return err
	}
	if err := a.requireFreshStepUp(ctx, op, s); err != nil {
		return err
	}
	if _, err := a.claimable(ctx, op, email, false); err != nil {
		return err
	}
	token := newToken()
	now := a.now()
	err = a.deps.Tokens.IssueToken(ctx, ports.OneTimeToken{ID: newID("ott_"), Purpose: ports.PurposeEmailChange,
		Subject: u.ID, Hash: tokenHash(token), CreatedAt: now, ExpiresAt: now.Add(a.cfg.EmailVerifyTTL),
		Payload: s.ID + "\n" + email})
	if err != nil {
		return storeError(op, err)
	}
	a.event(ctx, u.ID, ports.EventEmailChangeRequested, in.Client, "")
	// The new inbox is unproven: no name goes to it (sendNow's rule).
	newInbox := ports.User{ID: u.ID, Email: email, Language: u.Language}
	a.send(ctx, newInbox, emails.EmailChangeLink,
		emails.Data{Link: link(a.cfg.Links.ChangeEmail, token), ExpiresIn: a.cfg.EmailVerifyTTL}, in.Client)
	a.send(ctx, u, emails.EmailChangeNotice, emails.Data{Title: email, At: now, IPAddress: storedIP(in.Client.IP)}, in.Client)
	return nil
}

// ConfirmEmailChange completes an email change with the link sent to the new
// address: the account moves to it (verified), every session but the one
// that asked ends and forgets its device, and an event is recorded. The old
// address no longer signs in.
//
// Errors: ErrValidation (malformed token), ErrUnauthorized (unknown or used
// link), ErrTokenExpired, ErrConflict (the address was taken meanwhile),
// ErrUnavailable.
func (a *Auth) ConfirmEmailChange(ctx context.Context, in LinkInput) error {
	const op = "ConfirmEmailChange"
	if a.deps.Registry == nil {
		return newError(op, KindForbidden, "", "this service changes email addresses itself (external mode)")
	}
	t, err := a.consumeLinkToken(ctx, op, ports.PurposeEmailChange, in.Token)
	if err != nil {
		return err
	}
	sessionID, email, ok := strings.Cut(t.Payload, "\n")
	if !ok {
		return &Error{Op: op, Kind: KindInternal, Message: "internal error", Err: errors.New("email change token without its address")}
	}
	if err := a.claimProven(ctx, op, email, false, in.Client); err != nil {
		return err
	}
	now := a.now()
	u, err := a.deps.Registry.ChangeEmail(ctx, t.Subject, email, now)
	switch {
	case errors.Is(err, ports.ErrConflict):
		return newError(op, KindConflict, codeEmailTaken, "an account with this email exists now")
	case errors.Is(err, ports.ErrNotFound):
		return newError(op, KindUnauthorized, codeInvalidToken, "the account no longer exists")
	case err != nil:
		return storeError(op, err)
	}
	revoke := ports.Revocation{UserID: u.ID, ExceptSessionID: sessionID, ForgetDevices: true}
	if _, err := a.deps.Sessions.RevokeSessions(ctx, revoke, now); err != nil {
		return storeError(op, err)
	}
	a.event(ctx, u.ID, ports.EventEmailChanged, in.Client, "")
	return nil
}
