package accesstoken

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// tokenClaims is the wire form of Claims that Sign writes; Parse reads it
// back with decodeClaims. The registered claims come first, in jwt's order:
// iss, sub, aud, exp, nbf, iat, jti; the app's claims come last.
type tokenClaims struct {
	jwt.RegisteredClaims
	ClientID  string   `json:"client_id,omitempty"`
	SessionID string   `json:"sid,omitempty"`
	Trust     string   `json:"trust,omitempty"`
	AMR       []string `json:"amr,omitempty"`

	extra map[string]any // Claims.Extra, checked by checkExtra
}

// MarshalJSON writes the fixed claims, then the app's claims in name order.
func (c *tokenClaims) MarshalJSON() ([]byte, error) {
	type fixed tokenClaims // without this method
	b, err := json.Marshal((*fixed)(c))
	if err != nil || len(c.extra) == 0 {
		return b, err
	}
	extra, err := json.Marshal(c.extra)
	if err != nil {
		return nil, fmt.Errorf("app claims: %w", err)
	}
	return append(append(b[:len(b)-1], ','), extra[1:]...), nil
}

// reservedClaims are the names an app claim may not take: the claims Sign
// writes and those RFC 7519, RFC 9068 and OpenID Connect give a meaning that
// a verifier would act on.
var reservedClaims = []string{
	"iss", "sub", "aud", "exp", "nbf", "iat", "jti", // RFC 7519
	"client_id", "scope", "auth_time", "acr", "amr", // RFC 9068
	"sid", "trust", // ours
	"azp", "nonce", "cnf", "act", "may_act", "typ", // OpenID Connect, RFC 7800, RFC 8693
}

// checkExtra refuses an app claim named like a reserved one in any case
// (Parse refuses a token holding "SUB" beside "sub"), and a name Parse would
// refuse: empty, or with bytes outside printable ASCII, a quote or a
// backslash, or with <, > or &, which encoding/json writes as escapes.
func checkExtra(extra map[string]any) error {
	for name := range extra {
		if name == "" {
			return errors.New("an app claim has an empty name")
		}
		for i := range len(name) {
			if b := name[i]; b < 0x20 || b > 0x7e || strings.ContainsRune(`"\<>&`, rune(b)) {
				return fmt.Errorf("app claim %q: names are printable ASCII without quotes, backslashes, <, > or &", name)
			}
		}
		for _, r := range reservedClaims {
			if strings.EqualFold(name, r) {
				return fmt.Errorf("app claim %q: %q is a reserved claim name", name, r)
			}
		}
	}
	return nil
}
