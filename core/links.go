package core

import (
	"context"
	"errors"
	"time"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// linkRequest describes one of the emailed-link flows (password reset, PIN
// reset, unlock).
type linkRequest struct {
	purpose  string
	ttl      time.Duration
	template string // the link template with {token}
	email    emails.Kind
}

// requestLink emails a single-use link to the owner of identifier. It answers
// the same (nil) whether or not the identifier exists, so it cannot be used to
// find accounts; only malformed input and the per-identifier limit answer
// differently, for unknown identifiers alike.
func (a *Auth) requestLink(ctx context.Context, op, identifier string, c Client, r linkRequest) error {
	identifier, err := cleanIdentifier(op, "identifier", identifier)
	if err != nil {
		return err
	}
	u, ok, err := a.mailRecipient(ctx, op, identifier)
	if err != nil || !ok {
		return err
	}
	token, err := a.issueLink(ctx, u.ID, r.purpose, r.ttl)
	if err != nil { // answered like an unknown identifier: the answer must not tell them apart
		a.log.WarnContext(ctx, "bharatauth: issuing a link failed", "purpose", r.purpose, "user_id", u.ID, "error", err)
		return nil
	}
	a.send(ctx, u, r.email, emails.Data{Link: link(r.template, token), ExpiresIn: r.ttl}, c)
	return nil
}

// mailRecipient finds who a request to email identifier may reach, within the
// per-identifier limit (429, for known and unknown identifiers alike) and the
// per-inbox budget: ok is false, with no error, for an unknown or suspended
// identifier or a spent inbox, which the caller answers like a known one.
func (a *Auth) mailRecipient(ctx context.Context, op, identifier string) (ports.User, bool, error) {
	if err := a.limitIdentifier(ctx, op, a.identifierKey(identifier)); err != nil {
		return ports.User{}, false, err
	}
	u, found, err := a.findUser(ctx, op, identifier)
	if err != nil || !found || u.Suspended {
		return ports.User{}, false, err
	}
	if err := a.limitInbox(ctx, op, u.ID); err != nil {
		// Answered like any request, with no email: a 429 here would tell
		// that this identifier shares an inbox with another one.
		a.log.InfoContext(ctx, "bharatauth: an inbox's email budget is spent; not sending", "user_id", u.ID)
		return ports.User{}, false, nil
	}
	return u, true, nil
}

// consumeLink uses up a link token of purpose and returns the user it was for.
// Unknown, used or other-purpose tokens answer ErrUnauthorized; expired ones
// ErrTokenExpired.
func (a *Auth) consumeLink(ctx context.Context, op, purpose, token string) (ports.User, error) {
	if !validToken(token) {
		return ports.User{}, invalidField(op, "token", "is not a valid token")
	}
	t, err := a.deps.Tokens.ConsumeLink(ctx, purpose, tokenHash(token), a.now())
	switch {
	case errors.Is(err, ports.ErrExpired):
		return ports.User{}, newError(op, KindTokenExpired, "", "the link has expired; ask for a new one")
	case errors.Is(err, ports.ErrNotFound):
		return ports.User{}, newError(op, KindUnauthorized, codeInvalidToken, "the link is not valid or was already used")
	case err != nil:
		return ports.User{}, storeError(op, err)
	}
	return a.userByID(ctx, op, t.Subject)
}

// credentialChanged records and announces a password or PIN change: the user is
// emailed about every credential change.
func (a *Auth) credentialChanged(ctx context.Context, u ports.User, change, eventKind string, c Client) {
	a.event(ctx, u.ID, eventKind, c, "")
	a.send(ctx, u, emails.CredentialChanged, emails.Data{Change: change, At: a.now(), IPAddress: storedIP(c.IP)}, c)
}
