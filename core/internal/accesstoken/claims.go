package accesstoken

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tokenClaims is the wire form of Claims. It spells out the registered
// claims instead of embedding jwt.RegisteredClaims so that exp, iat and nbf
// decode as strictDate; the methods below give jwt's validator the same view.
type tokenClaims struct {
	Issuer    string           `json:"iss,omitempty"`
	Subject   string           `json:"sub,omitempty"`
	Audience  jwt.ClaimStrings `json:"aud,omitempty"`
	ExpiresAt *strictDate      `json:"exp,omitempty"`
	NotBefore *strictDate      `json:"nbf,omitempty"`
	IssuedAt  *strictDate      `json:"iat,omitempty"`
	ID        string           `json:"jti,omitempty"`
	SessionID string           `json:"sid,omitempty"`
	Trust     string           `json:"trust,omitempty"`
	AMR       []string         `json:"amr,omitempty"`
}

var _ jwt.Claims = (*tokenClaims)(nil)

// The getters never fail: a claim of the wrong JSON type already failed to
// decode.

func (c *tokenClaims) GetExpirationTime() (*jwt.NumericDate, error) {
	return c.ExpiresAt.numeric(), nil
}

func (c *tokenClaims) GetIssuedAt() (*jwt.NumericDate, error) { return c.IssuedAt.numeric(), nil }

func (c *tokenClaims) GetNotBefore() (*jwt.NumericDate, error) { return c.NotBefore.numeric(), nil }

func (c *tokenClaims) GetIssuer() (string, error) { return c.Issuer, nil }

func (c *tokenClaims) GetSubject() (string, error) { return c.Subject, nil }

func (c *tokenClaims) GetAudience() (jwt.ClaimStrings, error) { return c.Audience, nil }

// strictDate is a NumericDate that must be a JSON number. jwt's NumericDate
// decodes through json.Number, which also takes a string holding a number
// ("exp":"9999999999"); RFC 7519 §2 says a NumericDate is a number, and a
// token that says otherwise was not made by us.
type strictDate struct{ jwt.NumericDate }

var errDateNotNumber = errors.New("NumericDate is not a JSON number")

func (d *strictDate) UnmarshalJSON(b []byte) error {
	// A JSON number starts with a minus sign or a digit; null never gets
	// here (it leaves the pointer nil, which reads as "missing").
	if len(b) == 0 || (b[0] != '-' && (b[0] < '0' || b[0] > '9')) {
		return errDateNotNumber
	}
	return d.NumericDate.UnmarshalJSON(b)
}

func newStrictDate(t time.Time) *strictDate { return &strictDate{*jwt.NewNumericDate(t)} }

// numeric is d as jwt's validator wants it; nil when the claim is absent.
func (d *strictDate) numeric() *jwt.NumericDate {
	if d == nil {
		return nil
	}
	return &d.NumericDate
}
