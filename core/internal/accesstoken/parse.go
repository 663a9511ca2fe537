package accesstoken

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Parse verifies token at now and returns its claims. It checks, in order:
//   - the form: a compact JWS of at most 8 KiB, three segments of unpadded
//     base64url without trailing bits or line breaks;
//   - the header: a JSON object of alg, typ and optionally kid, each a
//     string and each once, and no other member;
//   - the payload: a JSON object in which iss, sub, sid, jti and trust are
//     strings, aud a string or an array of strings, amr an array of strings,
//     and exp, iat and nbf numbers from 0 to 2^53; each at most once, none
//     null. Other members are skipped, but not one whose name differs from
//     one of these only in case, nor one whose name has escapes or bytes
//     outside printable ASCII (see decodeClaims);
//   - the algorithm against the key chosen by kid (or, for a token without
//     kid, against the keys without an ID and, while it lasts, the legacy
//     key), so "none" and algorithm confusion fail; then the signature,
//     with golang-jwt's signing methods;
//   - typ "at+jwt"; iss; aud; exp and iat present; iat and nbf not after
//     now + 30 s; exp not after iat + ttl + 30 s; sub and sid present;
//   - exp after now, with no leeway.
//
// A token failing only the last check returns ErrExpired; every other
// failure returns ErrInvalid, wrapping one fixed reason at most — never text
// from the token. golang-jwt's strict parser, with the same keys and checks,
// accepts every token Parse accepts (FuzzParse checks this); Parse refuses
// some that it would take.
func (s *Signer) Parse(token string, now time.Time) (Claims, error) {
	legacyOpen := s.legacyOpen(now)
	parts, ok := split(token)
	if !ok {
		return Claims{}, errMalformed
	}
	// The header and payload of our tokens fit these, so they stay on the
	// stack; the payload is copied once into the string its claims share.
	var headerBuf [128]byte
	var payloadBuf [512]byte
	rawHeader, ok := decodeSegment(headerBuf[:], parts.header)
	if !ok {
		return Claims{}, errMalformed
	}
	h, ok := decodeHeader(string(rawHeader))
	if !ok {
		return Claims{}, errMalformed
	}
	rawPayload, ok := decodeSegment(payloadBuf[:], parts.payload)
	if !ok {
		return Claims{}, errMalformed
	}
	c, ok := decodeClaims(string(rawPayload), s.audience)
	if !ok {
		return Claims{}, errMalformed
	}
	sig, err := segmentEncoding.DecodeString(parts.signature)
	if err != nil {
		return Claims{}, errMalformed
	}
	if err := s.verify(h, &c, parts.signingInput, sig, legacyOpen); err != nil {
		return Claims{}, err
	}
	// The typ check runs after the signature check so that an unsigned
	// token's header is never a reason we report.
	if h.typ != TokenType {
		return Claims{}, errWrongType
	}
	switch {
	case !c.has(claimIss) || !c.has(claimAud) || !c.has(claimExp) || !c.has(claimIat):
		return Claims{}, errMissingClaim
	case c.iss != s.issuer:
		return Claims{}, errIssuer
	case !c.audMatch:
		return Claims{}, errAudience
	}
	issuedAt, expiresAt := time.Unix(c.iat, 0), time.Unix(c.exp, 0)
	latest := now.Add(clockSkew)
	switch {
	case issuedAt.After(latest):
		return Claims{}, errIssuedLater
	case c.has(claimNbf) && time.Unix(c.nbf, 0).After(latest):
		return Claims{}, errNotYetValid
	// We never issue a token living longer than ttl, so one that does was
	// minted elsewhere: with a leaked key, or by a misconfigured issuer.
	// Its exp would otherwise keep it good for as long as it says.
	case expiresAt.After(issuedAt.Add(s.ttl + clockSkew)):
		return Claims{}, errTooLong
	case c.sub == "" || c.sid == "":
		return Claims{}, errNoSubject
	case !now.Before(expiresAt):
		return Claims{}, ErrExpired
	}
	return Claims{
		Subject:   c.sub,
		SessionID: c.sid,
		Trust:     c.trust,
		AMR:       c.amr,
		ID:        c.jti,
		IssuedAt:  issuedAt,
		ExpiresAt: expiresAt,
	}, nil
}

// verify checks sig over signingInput with the key h names by kid, or,
// without a kid, with every key of h's algorithm that has no ID, then the
// legacy secret if it takes c. Only keys of h's algorithm count, so an HS256
// token can never be checked against public key bytes.
func (s *Signer) verify(h joseHeader, c *wireClaims, signingInput string, sig []byte, legacyOpen bool) error {
	if h.hasKid {
		if h.kid == "" {
			return errBadKid
		}
		for i := range s.verifiers {
			v := &s.verifiers[i]
			if v.id != h.kid {
				continue
			}
			if v.alg != h.alg {
				return errAlgMismatch
			}
			if v.method.Verify(signingInput, sig, v.public) != nil {
				return errSignature
			}
			return nil
		}
		return errUnknownKid
	}
	tried := false
	for i := range s.verifiers {
		v := &s.verifiers[i]
		if v.id == "" && v.alg == h.alg {
			if v.method.Verify(signingInput, sig, v.public) == nil {
				return nil
			}
			tried = true
		}
	}
	if h.alg == HS256 && legacyOpen && s.legacyTakes(c) {
		if jwt.SigningMethodHS256.Verify(signingInput, sig, s.legacy.Secret) == nil {
			return nil
		}
		tried = true
	}
	if !tried {
		return errUnknownKid
	}
	return errSignature
}

// legacyOpen reports whether the legacy secret may still verify tokens at
// now. The first call with now at or after Until closes it for good.
func (s *Signer) legacyOpen(now time.Time) bool {
	if s.legacy.Secret == nil || s.legacyOver.Load() {
		return false
	}
	if !now.Before(s.legacy.Until) {
		s.legacyOver.Store(true)
		return false
	}
	return true
}

// legacyTakes reports whether the legacy secret may verify a token with
// claims c. The iat it reads is not verified yet, but a signature under the
// legacy secret over that iat can only come from a holder of that secret,
// who signed it before the cut-over or is refused once Until has passed:
// backdating buys nothing because exp stays within ttl of iat.
func (s *Signer) legacyTakes(c *wireClaims) bool {
	return c.has(claimIat) && time.Unix(c.iat, 0).Before(s.legacy.IssuedBefore)
}

// Rejections, each made once: refusing a token allocates nothing, and no
// message holds text from a token. Where golang-jwt has a sentinel for the
// reason, it is wrapped, as when golang-jwt did the checking.
var (
	errMalformed    = invalid(jwt.ErrTokenMalformed)
	errSignature    = invalid(jwt.ErrTokenSignatureInvalid)
	errBadKid       = invalid(errors.New("kid is not a non-empty string"))
	errUnknownKid   = invalid(errors.New("no key for this kid and algorithm"))
	errAlgMismatch  = invalid(errors.New("algorithm does not match the key"))
	errWrongType    = invalid(errors.New("wrong token type"))
	errMissingClaim = invalid(jwt.ErrTokenRequiredClaimMissing)
	errIssuer       = invalid(jwt.ErrTokenInvalidIssuer)
	errAudience     = invalid(jwt.ErrTokenInvalidAudience)
	errIssuedLater  = invalid(jwt.ErrTokenUsedBeforeIssued)
	errNotYetValid  = invalid(jwt.ErrTokenNotValidYet)
	errTooLong      = invalid(errors.New("lifetime longer than the TTL"))
	errNoSubject    = invalid(errors.New("missing sub or sid"))
)

func invalid(reason error) error { return fmt.Errorf("%w: %w", ErrInvalid, reason) }
