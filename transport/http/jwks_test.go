package http_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

func TestJWKS(t *testing.T) {
	t.Parallel()
	hs := newEnv(t, envConfig{})
	requireProblem(t, hs.do(req{method: "GET", path: "/.well-known/jwks.json"}), http.StatusNotFound, "jwks_not_configured")

	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	ed := newEnv(t, envConfig{cfg: func(c *core.Config) {
		c.SigningKeys = []core.SigningKey{{ID: "k1", Algorithm: "EdDSA", Private: key}}
	}})
	r := ed.do(req{method: "GET", path: "/.well-known/jwks.json"})
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
	assert.Equal(t, "application/jwk-set+json", r.header.Get("Content-Type"))
	assert.Contains(t, string(r.raw), `"kid":"k1"`)
}

// A resource server that knows only the standards finds the keys through the
// discovery document, verifies an EdDSA access token with them (golang-jwt,
// not our parser), and finds the claims RFC 9068 §2.2 requires.
func TestEdDSATokenVerifiesFromTheJWKSWithRFC9068Claims(t *testing.T) {
	t.Parallel()
	e := edDSAEnv(t, bahttp.Options{PublicURL: "http://bharatauth.test/auth"})
	userID := e.register("asha@example.in")
	login := e.login("asha@example.in", map[string]any{"device_fingerprint": fpA})
	token := login.str("access_token")

	meta := e.ok(req{method: "GET", path: "/.well-known/oauth-authorization-server"})
	jwksPath, ok := strings.CutPrefix(meta.str("jwks_uri"), "http://bharatauth.test")
	require.True(t, ok, meta.str("jwks_uri"))
	jwks := e.do(req{method: "GET", abs: jwksPath})
	require.Equal(t, http.StatusOK, jwks.status)
	var set struct {
		Keys []struct{ Kty, Crv, X, Kid, Alg, Use string }
	}
	require.NoError(t, json.Unmarshal(jwks.raw, &set))
	keys := map[string]ed25519.PublicKey{}
	for _, k := range set.Keys {
		require.Equal(t, []string{"OKP", "Ed25519", "EdDSA", "sig"}, []string{k.Kty, k.Crv, k.Alg, k.Use})
		x, err := base64.RawURLEncoding.DecodeString(k.X)
		require.NoError(t, err)
		keys[k.Kid] = ed25519.PublicKey(x)
	}

	claims := jwt.MapClaims{}
	parsed, err := jwt.NewParser(jwt.WithValidMethods([]string{"EdDSA"}), jwt.WithIssuer(meta.str("issuer")),
		jwt.WithAudience("https://api.example.in"), jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
		jwt.WithTimeFunc(func() time.Time { return testStart.Add(time.Minute) }),
	).ParseWithClaims(token, claims, func(tk *jwt.Token) (any, error) {
		kid, _ := tk.Header["kid"].(string)
		return keys[kid], nil
	})
	require.NoError(t, err)
	assert.Equal(t, "at+jwt", parsed.Header["typ"], "RFC 9068 §2.1")
	assert.Equal(t, "k1", parsed.Header["kid"])
	for _, name := range []string{"iss", "exp", "aud", "sub", "client_id", "iat", "jti"} {
		assert.Contains(t, claims, name, "RFC 9068 §2.2 requires %s", name)
	}
	assert.Equal(t, "https://auth.example.in", claims["iss"])
	assert.Equal(t, userID, claims["sub"])
	assert.Equal(t, "asha-web", claims["client_id"])
	assert.Equal(t, []any{"pwd"}, claims["amr"], "RFC 9068 §2.2.1: how the user authenticated")
	assert.NotEmpty(t, claims["jti"])
}
