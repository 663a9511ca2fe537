package core

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
)

// tokenBytes is the entropy of link and refresh tokens: 256 bits.
const tokenBytes = 32

// otpDigits is the length of emailed codes.
const otpDigits = 6

// newToken returns a URL-safe random token of 256 bits.
func newToken() string {
	b := make([]byte, tokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// newID returns a random identifier with a readable prefix, e.g. "ses_…".
func newID(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// newCode returns a uniformly random 6-digit code.
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic("bharatauth: crypto/rand failed: " + err.Error())
	}
	return fmt.Sprintf("%0*d", otpDigits, n.Int64())
}

// tokenHash is how link and refresh tokens are stored: SHA-256, hex. The tokens
// carry 256 bits of entropy, so a fast hash is enough.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// codeHash is how OTP codes are stored: HMAC-SHA256 under a server key. A plain
// hash of 6 digits is reversed offline in milliseconds; the key makes a stolen
// table useless. Purpose and subject are mixed in, so equal codes for other
// purposes or people hash apart and a code only matches where it was issued.
func (a *Auth) codeHash(purpose, subject, code string) string {
	m := hmac.New(sha256.New, a.codeKey)
	for _, part := range []string{purpose, subject, code} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil))
}

// validToken reports whether s looks like a token newToken made, so malformed
// input is rejected before any store call.
func validToken(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}
