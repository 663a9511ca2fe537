// Package accesstoken signs and verifies BharatAuth's JWT access tokens.
//
// Tokens carry the header typ "at+jwt" and the claims of RFC 9068 (iss, sub,
// aud, exp, iat, jti, client_id, amr) plus nbf, sid, trust and any app
// claims that do not take a reserved name. Each key pins its algorithm:
// HS256 (a shared secret of at least 32 bytes), EdDSA (Ed25519) or ES256
// (P-256). A Signer signs with its first key and verifies with all of them,
// which is how keys rotate. Asymmetric keys are published as a JWKS document.
// A Signer knows the access-token lifetime and refuses a token whose exp lies
// further after its iat, whoever signed it.
//
// Parse returns ErrExpired for a token past its exp and ErrInvalid for every
// other rejection; neither error ever contains token text.
package accesstoken

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Algorithms a Key may use.
const (
	HS256 = "HS256"
	EdDSA = "EdDSA"
	ES256 = "ES256"
)

// TokenType is the JWT typ header of an access token (RFC 9068 §2.1); a token
// of another type (an ID token, say) is refused.
const TokenType = "at+jwt"

// MinHS256SecretLen is the shortest HS256 secret accepted: 256 bits, the
// HMAC-SHA256 output size (RFC 7518 §3.2).
const MinHS256SecretLen = 32

// clockSkew is how far in the future iat and nbf may lie: servers' clocks
// differ a little. exp gets no leeway against now; against iat + TTL it gets
// this much, so that cutting sub-second parts on the wire never refuses one
// of our own tokens.
const clockSkew = 30 * time.Second

var (
	// ErrExpired: the token is well formed and correctly signed, but now is at
	// or after its exp.
	ErrExpired = errors.New("accesstoken: token expired")
	// ErrInvalid: the token is malformed, wrongly signed, of another type,
	// issuer or audience, not yet valid, or lacks a required claim.
	ErrInvalid = errors.New("accesstoken: token invalid")
)

// Claims are the claims of an access token. Times have one-second precision
// on the wire (NumericDate); Parse returns them truncated to the second.
type Claims struct {
	Subject   string    // sub: the user ID
	SessionID string    // sid
	Trust     string    // trust: "known" | "new_device" | "public"
	AMR       []string  // amr: e.g. ["pwd"], ["otp"]
	ID        string    // jti; Sign makes a random one when empty
	IssuedAt  time.Time // iat, and nbf
	ExpiresAt time.Time // exp
	// Extra are the app's own claims, signed after ours. Sign refuses a
	// reserved name (see reservedClaims) in any letter case. Parse does not
	// return them: they are for other services reading the token.
	Extra map[string]any
}

// Key is one signing key. Algorithm is HS256 (Secret set), EdDSA (Private is
// an ed25519 key) or ES256 (Private is an *ecdsa.PrivateKey on P-256).
// ID is the kid header; asymmetric keys must have one.
type Key struct {
	ID        string
	Algorithm string
	Secret    []byte
	Private   crypto.Signer
}

// verifier is a key as Parse uses it.
type verifier struct {
	id     string
	alg    string
	method jwt.SigningMethod
	public any // []byte, ed25519.PublicKey or *ecdsa.PublicKey
}

// Options are a Signer's optional settings; the zero value has none.
type Options struct {
	// ClientID is the client_id claim (RFC 9068 §2.2): the client the token
	// was issued to. "" → the audience.
	ClientID string
	// Legacy, when its Secret is set, keeps tokens that an HS256 secret
	// signed before an upgrade replaced it verifying for a while.
	Legacy LegacyKey
}

// LegacyKey is a verify-only HS256 secret with an end. Parse tries it, after
// the keys, for an HS256 token without kid whose iat is before IssuedBefore,
// and only while now is before Until. Once Parse has been called with now at
// or after Until it never tries the secret again, even if a later call passes
// an earlier now (a clock set back). It never signs and is never published.
type LegacyKey struct {
	Secret       []byte
	IssuedBefore time.Time
	Until        time.Time
}

// Signer signs and verifies access tokens. It is safe for concurrent use.
type Signer struct {
	issuer    string
	audience  string
	clientID  string
	ttl       time.Duration
	signKey   Key
	signWith  jwt.SigningMethod
	verifiers []verifier
	jwks      []byte // nil when every key is HS256

	legacy     LegacyKey   // Secret is our copy; nil when there is none
	legacyOver atomic.Bool // set once Parse saw now at or after legacy.Until
}

// NewSigner returns a Signer for issuer and audience that signs tokens living
// at most ttl with keys[0] and verifies with any of keys (the others are
// verify-only: old keys kept during rotation). Mixed algorithms are allowed;
// each key verifies only tokens of its own algorithm. Errors: no keys, empty
// issuer or audience, a ttl not above zero, an unknown algorithm, an HS256
// secret shorter than 32 bytes, an asymmetric key without an ID or of the
// wrong type, two keys with one ID, or a legacy key that is short or lacks
// its times.
func NewSigner(issuer, audience string, ttl time.Duration, keys []Key, opts Options) (*Signer, error) {
	if issuer == "" || audience == "" {
		return nil, errors.New("accesstoken: issuer and audience are required")
	}
	if ttl <= 0 {
		return nil, errors.New("accesstoken: the token lifetime must be above zero")
	}
	if len(keys) == 0 {
		return nil, errors.New("accesstoken: at least one key is required")
	}
	s := &Signer{issuer: issuer, audience: audience, clientID: opts.ClientID, ttl: ttl, signKey: keys[0]}
	if s.clientID == "" {
		s.clientID = audience
	}
	seen := map[string]bool{}
	for i, k := range keys {
		v, err := newVerifier(k)
		if err != nil {
			return nil, fmt.Errorf("accesstoken: key %d: %w", i, err)
		}
		if k.ID != "" && seen[k.ID] {
			return nil, fmt.Errorf("accesstoken: key %d: duplicate key ID %q", i, k.ID)
		}
		seen[k.ID] = true
		s.verifiers = append(s.verifiers, v)
	}
	if opts.Legacy.Secret != nil {
		l := opts.Legacy
		switch {
		case len(l.Secret) < MinHS256SecretLen:
			return nil, fmt.Errorf("accesstoken: legacy secret must be at least %d bytes", MinHS256SecretLen)
		case l.IssuedBefore.IsZero() || l.Until.IsZero():
			return nil, errors.New("accesstoken: legacy key needs IssuedBefore and Until")
		}
		l.Secret = append([]byte(nil), l.Secret...)
		s.legacy = l
	}
	s.signWith = s.verifiers[0].method
	s.jwks = buildJWKS(s.verifiers)
	return s, nil
}

func newVerifier(k Key) (verifier, error) {
	v := verifier{id: k.ID, alg: k.Algorithm}
	switch k.Algorithm {
	case HS256:
		if len(k.Secret) < MinHS256SecretLen {
			return verifier{}, fmt.Errorf("HS256 secret must be at least %d bytes", MinHS256SecretLen)
		}
		if k.Private != nil {
			return verifier{}, errors.New("HS256 key must not carry a private key")
		}
		// A copy, so that the caller's slice can be wiped or reused.
		v.method, v.public = jwt.SigningMethodHS256, append([]byte(nil), k.Secret...)
	case EdDSA:
		if k.Private == nil {
			return verifier{}, errors.New("EdDSA key needs a private key")
		}
		pub, ok := k.Private.Public().(ed25519.PublicKey)
		if !ok || len(pub) != ed25519.PublicKeySize {
			return verifier{}, errors.New("EdDSA key must be an Ed25519 key")
		}
		v.method, v.public = jwt.SigningMethodEdDSA, pub
	case ES256:
		priv, ok := k.Private.(*ecdsa.PrivateKey)
		if !ok || priv == nil || priv.Curve != elliptic.P256() {
			return verifier{}, errors.New("ES256 key must be an *ecdsa.PrivateKey on P-256")
		}
		v.method, v.public = jwt.SigningMethodES256, &priv.PublicKey
	default:
		return verifier{}, fmt.Errorf("unsupported algorithm %q (want HS256, EdDSA or ES256)", k.Algorithm)
	}
	if k.Algorithm != HS256 && k.ID == "" {
		return verifier{}, fmt.Errorf("%s key needs an ID (kid) for the JWKS document", k.Algorithm)
	}
	if k.Algorithm != HS256 && len(k.Secret) > 0 {
		return verifier{}, fmt.Errorf("%s key must not carry a secret", k.Algorithm)
	}
	return v, nil
}

// Sign returns the compact JWT for c, signed with the first key. Subject,
// SessionID, IssuedAt and ExpiresAt are required and ExpiresAt must be after
// IssuedAt by at most the Signer's ttl; an empty ID gets a random 128-bit jti.
// Extra claims must not take a reserved name, and the token must stay within
// the 8 KiB that Parse reads.
func (s *Signer) Sign(c Claims) (string, error) {
	switch {
	case c.Subject == "" || c.SessionID == "":
		return "", errors.New("accesstoken: sign: subject and session ID are required")
	case c.IssuedAt.IsZero() || c.ExpiresAt.IsZero():
		return "", errors.New("accesstoken: sign: issued-at and expiry are required")
	case !c.ExpiresAt.After(c.IssuedAt):
		return "", errors.New("accesstoken: sign: expiry must be after issued-at")
	case c.ExpiresAt.Sub(c.IssuedAt) > s.ttl:
		return "", errors.New("accesstoken: sign: lifetime longer than the signer's TTL")
	}
	if err := checkExtra(c.Extra); err != nil {
		return "", fmt.Errorf("accesstoken: sign: %w", err)
	}
	if c.ID == "" {
		c.ID = randomID()
	}
	wire := &tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.issuer,
			Subject:   c.Subject,
			Audience:  jwt.ClaimStrings{s.audience},
			ExpiresAt: jwt.NewNumericDate(c.ExpiresAt),
			NotBefore: jwt.NewNumericDate(c.IssuedAt),
			IssuedAt:  jwt.NewNumericDate(c.IssuedAt),
			ID:        c.ID,
		},
		ClientID:  s.clientID,
		SessionID: c.SessionID,
		Trust:     c.Trust,
		AMR:       c.AMR,
		extra:     c.Extra,
	}
	t := jwt.NewWithClaims(s.signWith, wire)
	t.Header["typ"] = TokenType
	if s.signKey.ID != "" {
		t.Header["kid"] = s.signKey.ID
	}
	key := s.verifiers[0].public // the HS256 secret (our copy)
	if s.signKey.Algorithm != HS256 {
		key = s.signKey.Private
	}
	signed, err := t.SignedString(key)
	if err != nil {
		return "", fmt.Errorf("accesstoken: sign: %w", err)
	}
	if len(signed) > maxTokenLen {
		return "", fmt.Errorf("accesstoken: sign: the token is %d bytes, over the %d Parse reads: app claims too large", len(signed), maxTokenLen)
	}
	return signed, nil
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}
