package core

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bharatauth/bharatauth-go/ports"
)

// maxIdentifierLen bounds identifiers: an email is at most 254 octets (RFC 5321
// path limit); a little slack costs nothing.
const maxIdentifierLen = 320

// cleanIdentifier trims an email or username and rejects what can never be one.
func cleanIdentifier(op, field, s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", invalidField(op, field, "is required")
	case len(s) > maxIdentifierLen:
		return "", invalidField(op, field, "is too long")
	case !utf8.ValidString(s):
		return "", invalidField(op, field, "is not valid UTF-8")
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "", invalidField(op, field, "contains control characters")
	}
	return s, nil
}

// identifierKey is how counters and limits name an identifier: normalised
// (emails compare case-insensitively, and so do usernames here, so "Asha" and
// "asha" share one counter), then HMAC'd under a server key, so lockout rows,
// IP-failure rows and limiter keys hold no email address (DPDP data
// minimisation) and a leaked table names nobody.
func (a *Auth) identifierKey(identifier string) string {
	m := hmac.New(sha256.New, a.identifierHMACKey)
	m.Write([]byte(strings.ToLower(identifier)))
	return hex.EncodeToString(m.Sum(nil)[:20])
}

// findUser looks an identifier up as an email (when it has an @) or a username.
// found is false, with no error, when nobody has it.
func (a *Auth) findUser(ctx context.Context, op, identifier string) (u ports.User, found bool, err error) {
	if strings.Contains(identifier, "@") {
		u, err = a.deps.Users.UserByEmail(ctx, identifier)
	} else {
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
