package core

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/bharatauth/bharatauth-go/ports"
)

// maxIdentifierLen bounds identifiers before any parsing: an email is at most
// maxEmailLen bytes once its domain is in ASCII form, and a Unicode domain may
// be a little longer before that.
const maxIdentifierLen = 320

// cleanIdentifier trims an email or username and rejects what can never be
// one. An email (anything with an @) is returned in canonical form
// (canonicalEmail): the same mailbox spelt with a Unicode or an ASCII domain
// finds, counts and limits as one identifier.
//
// A non-ASCII local part is not refused here, whatever
// Config.AllowUnicodeLocalPart says: that setting decides which addresses
// registration creates, an external UserDirectory may hold such addresses,
// and an identifier no account has simply matches nobody.
func cleanIdentifier(op, field, s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", invalidField(op, field, "is required")
	case len(s) > maxIdentifierLen:
		return "", invalidField(op, field, "is too long")
	}
	if err := checkIdentifierText(s); err != nil {
		return "", invalidField(op, field, err.Error())
	}
	if !strings.Contains(s, "@") {
		return s, nil
	}
	email, err := canonicalEmail(s, true)
	if err != nil {
		return "", invalidField(op, field, err.Error())
	}
	return email, nil
}

// identifierKey is how counters and limits name an identifier: normalised
// (emails compare case-insensitively, and so do usernames, so "Asha" and
// "asha" share one counter), then HMAC'd under a server key, so lockout rows,
// IP-failure rows and limiter keys hold no email address (DPDP data
// minimisation) and a leaked table names nobody. identifier comes from
// cleanIdentifier, which already put an email's domain in ASCII form.
func (a *Auth) identifierKey(identifier string) string {
	m := hmac.New(sha256.New, a.identifierHMACKey)
	m.Write([]byte(strings.ToLower(identifier)))
	return hex.EncodeToString(m.Sum(nil)[:20])
}

// findUser looks an identifier up as a phone number (with Config.Phone: E.164
// from cleanPhone starts with "+", which no username of ours may), an email
// (when it has an @) or a username (an external directory's may start with
// "+" when phone numbers are off).
// identifier comes from cleanIdentifier or cleanEmail, so an email's domain is
// in the ASCII form registration stored. found is false, with no error, when
// nobody has it.
func (a *Auth) findUser(ctx context.Context, op, identifier string) (u ports.User, found bool, err error) {
	switch {
	case isPhone(identifier) && a.cfg.Phone.Enabled: // New checked a.phones is set
		u, err = a.phones.UserByPhone(ctx, identifier)
	case strings.Contains(identifier, "@"):
		u, err = a.deps.Users.UserByEmail(ctx, identifier)
	default:
		u, err = a.deps.Users.UserByUsername(ctx, identifier)
	}
	if errors.Is(err, ports.ErrNotFound) {
		return ports.User{}, false, nil
	}
	if err != nil {
		return ports.User{}, false, storeError(op, err)
	}
	return u, true, nil
}

// userByID loads a user known to exist (from a session or a token).
func (a *Auth) userByID(ctx context.Context, op, id string) (ports.User, error) {
	u, err := a.deps.Users.UserByID(ctx, id)
	if errors.Is(err, ports.ErrNotFound) {
		return ports.User{}, newError(op, KindUnauthorized, codeInvalidToken, "the user no longer exists")
	}
	return u, storeError(op, err)
}

func isNotFound(err error) bool { return errors.Is(err, ports.ErrNotFound) }
