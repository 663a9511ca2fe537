package accesstoken

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Parse verifies token at now and returns its claims. It checks, in order:
// the compact form, with exp, iat and nbf JSON numbers; the algorithm against
// the key chosen by kid (or, for a token without kid, against the keys
// without an ID and, while it lasts, the legacy key), so "none" and algorithm
// confusion fail; the signature; typ "at+jwt"; iss; aud; exp present and
// after now (no leeway); iat present; iat and nbf not after now + 30 s; exp
// not after iat + ttl + 30 s; sub and sid present. Expired tokens return
// ErrExpired; every other failure returns ErrInvalid, wrapping one of jwt's
// fixed sentinel errors at most — never text from the token.
func (s *Signer) Parse(token string, now time.Time) (Claims, error) {
	var wire tokenClaims
	opts := append(s.parseOpts[:len(s.parseOpts):len(s.parseOpts)],
		jwt.WithTimeFunc(func() time.Time { return now }))
	keyFor := func(t *jwt.Token) (any, error) { return s.keyFor(t, now) }
	parsed, err := jwt.NewParser(opts...).ParseWithClaims(token, &wire, keyFor)
	if err != nil {
		return Claims{}, classify(err)
	}
	// The typ check runs after the signature check so that an unsigned
	// token's header is never a reason we report.
	if typ, _ := parsed.Header["typ"].(string); typ != TokenType {
		return Claims{}, fmt.Errorf("%w: wrong token type", ErrInvalid)
	}
	// jwt checks iat only when present; the lifetime bound needs it.
	if wire.IssuedAt == nil {
		return Claims{}, fmt.Errorf("%w: %w", ErrInvalid, jwt.ErrTokenRequiredClaimMissing)
	}
	// We never issue a token living longer than ttl, so one that does was
	// minted elsewhere: with a leaked key, or by a misconfigured issuer. Its
	// exp would otherwise keep it good for as long as it says.
	if wire.ExpiresAt.After(wire.IssuedAt.Add(s.ttl + clockSkew)) {
		return Claims{}, fmt.Errorf("%w: lifetime longer than the TTL", ErrInvalid)
	}
	// jwt's leeway also stretched exp; an access token gets none.
	if !now.Before(wire.ExpiresAt.Time) {
		return Claims{}, ErrExpired
	}
	if wire.Subject == "" || wire.SessionID == "" {
		return Claims{}, fmt.Errorf("%w: missing sub or sid", ErrInvalid)
	}
	c := Claims{
		Subject:   wire.Subject,
		SessionID: wire.SessionID,
		Trust:     wire.Trust,
		AMR:       wire.AMR,
		ID:        wire.ID,
		IssuedAt:  wire.IssuedAt.Time,
		ExpiresAt: wire.ExpiresAt.Time,
	}
	return c, nil
}

// keyFor picks the verification key for t at now: the key whose ID is t's
// kid, or, without a kid, every key that has no ID, then the legacy secret if
// it takes t. Only keys of t's algorithm count, so an HS256 token can never be
// checked against public key bytes.
func (s *Signer) keyFor(t *jwt.Token, now time.Time) (any, error) {
	alg := t.Method.Alg()
	kid, hasKid := t.Header["kid"]
	if hasKid {
		id, ok := kid.(string)
		if !ok || id == "" {
			return nil, errBadKid
		}
		for _, v := range s.verifiers {
			if v.id == id {
				if v.alg != alg {
					return nil, errAlgMismatch
				}
				return v.public, nil
			}
		}
		return nil, errUnknownKid
	}
	var set jwt.VerificationKeySet
	for _, v := range s.verifiers {
		if v.id == "" && v.alg == alg {
			set.Keys = append(set.Keys, v.public)
		}
	}
	if alg == HS256 && s.legacyTakes(t, now) {
		set.Keys = append(set.Keys, s.legacy.Secret)
	}
	if len(set.Keys) == 0 {
		return nil, errUnknownKid
	}
	return set, nil
}

// legacyTakes reports whether the legacy secret may verify t at now. The iat
// it reads is not verified yet, but a signature under the legacy secret over
// that iat can only come from a holder of that secret, who signed it before
// the cut-over or is refused once Until has passed: backdating buys nothing
// because exp stays within ttl of iat.
func (s *Signer) legacyTakes(t *jwt.Token, now time.Time) bool {
	if s.legacy.Secret == nil || s.legacyOver.Load() {
		return false
	}
	if !now.Before(s.legacy.Until) {
		s.legacyOver.Store(true)
		return false
	}
	c, ok := t.Claims.(*tokenClaims)
	return ok && c.IssuedAt != nil && c.IssuedAt.Before(s.legacy.IssuedBefore)
}

var (
	errBadKid      = errors.New("kid is not a non-empty string")
	errUnknownKid  = errors.New("no key for this kid and algorithm")
	errAlgMismatch = errors.New("algorithm does not match the key")
)

// reasons are the jwt sentinels Parse may wrap: fixed strings, no token text.
var reasons = []error{
	jwt.ErrTokenMalformed,
	jwt.ErrTokenUnverifiable,
	jwt.ErrTokenSignatureInvalid,
	jwt.ErrTokenRequiredClaimMissing,
	jwt.ErrTokenInvalidIssuer,
	jwt.ErrTokenInvalidAudience,
	jwt.ErrTokenUsedBeforeIssued,
	jwt.ErrTokenNotValidYet,
	jwt.ErrTokenInvalidClaims,
}

// classify maps a jwt error to ErrExpired or ErrInvalid. jwt's own messages
// may quote decoded header or JSON bytes, so only our own fixed errors and
// jwt's sentinels are kept.
func classify(err error) error {
	if errors.Is(err, jwt.ErrTokenExpired) {
		return ErrExpired
	}
	for _, own := range []error{errBadKid, errUnknownKid, errAlgMismatch} {
		if errors.Is(err, own) {
			return fmt.Errorf("%w: %w", ErrInvalid, own)
		}
	}
	for _, reason := range reasons {
		if errors.Is(err, reason) {
			return fmt.Errorf("%w: %w", ErrInvalid, reason)
		}
	}
	return ErrInvalid
}
