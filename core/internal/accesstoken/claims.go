package accesstoken

import "github.com/golang-jwt/jwt/v5"

// tokenClaims is the wire form of Claims that Sign writes; Parse reads it
// back with decodeClaims. The registered claims come first, in jwt's order:
// iss, sub, aud, exp, nbf, iat, jti.
type tokenClaims struct {
	jwt.RegisteredClaims
	SessionID string   `json:"sid,omitempty"`
	Trust     string   `json:"trust,omitempty"`
	AMR       []string `json:"amr,omitempty"`
}
