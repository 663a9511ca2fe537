package http_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

var trustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}

// edDSAEnv signs access tokens with an Ed25519 key, kid "k1", for the
// issuer, audience and client of a real deployment.
func edDSAEnv(t *testing.T, opts bahttp.Options) *env {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return newEnv(t, envConfig{opts: opts, cfg: func(c *core.Config) {
		c.SigningKeys = []core.SigningKey{{ID: "k1", Algorithm: "EdDSA", Private: key}}
		c.Issuer = "https://auth.example.in"
		c.Audience = "https://api.example.in"
		c.ClientID = "asha-web"
	}})
}

func TestMetadataNamesTheIssuerAndTheJWKS(t *testing.T) {
	t.Parallel()
	hs := newEnv(t, envConfig{})
	requireProblem(t, hs.do(req{method: "GET", path: "/.well-known/oauth-authorization-server"}), http.StatusNotFound, "jwks_not_configured")

	e := edDSAEnv(t, bahttp.Options{})
	r := e.ok(req{method: "GET", path: "/.well-known/oauth-authorization-server"})
	assert.Equal(t, map[string]any{"issuer": "https://auth.example.in",
		"jwks_uri": "http://bharatauth.test/auth/.well-known/jwks.json"}, r.json, "the base path found from the mount")
	assert.Equal(t, "public, max-age=300", r.header.Get("Cache-Control"))

	// Behind a TLS-terminating proxy, and mounted where a proxy strips a prefix.
	e = edDSAEnv(t, bahttp.Options{BasePath: "/api/v1/identity", TrustedProxies: trustedProxies})
	r = e.ok(req{method: "GET", path: "/.well-known/oauth-authorization-server", ip: "10.0.0.5",
		headers: map[string]string{"X-Forwarded-Proto": "https"}})
	assert.Equal(t, "https://bharatauth.test/api/v1/identity/.well-known/jwks.json", r.str("jwks_uri"))
	// From a client that is not a trusted proxy, X-Forwarded-Proto is not believed.
	r = e.ok(req{method: "GET", path: "/.well-known/oauth-authorization-server", headers: map[string]string{"X-Forwarded-Proto": "https"}})
	assert.Equal(t, "http://bharatauth.test/api/v1/identity/.well-known/jwks.json", r.str("jwks_uri"))
}

func TestStepUpRefusalCarriesTheRFC9470Challenge(t *testing.T) {
	t.Parallel()
	for _, realm := range []string{"", "asha-shop"} {
		e := newEnv(t, envConfig{opts: bahttp.Options{Realm: realm}})
		e.root.Handle("POST /app/transfer", e.api.RequireStepUp(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
		e.register("asha@example.in")
		tok := e.login("asha@example.in", map[string]any{"device_fingerprint": fpA}).str("access_token")
		want := realm
		if want == "" {
			want = bahttp.DefaultRealm
		}
		for _, r := range []resp{
			e.do(req{method: "GET", path: "/privacy/export", token: tok}),
			e.doRoot("POST", "/app/transfer", "Bearer "+tok),
		} {
			requireProblem(t, r, http.StatusForbidden, "step_up_required")
			assert.Equal(t, `Bearer realm="`+want+`", error="insufficient_user_authentication", `+
				`error_description="A step-up is required: verify your PIN or an emailed code, then retry"`,
				r.header.Get("WWW-Authenticate"))
		}
		r := e.do(req{method: "GET", path: "/me", token: "not-a-token"})
		assert.Equal(t, `Bearer realm="`+want+`", error="invalid_token"`, r.header.Get("WWW-Authenticate"))
		// Other refusals carry no challenge.
		r = e.do(req{method: "POST", path: "/register", body: map[string]any{"email": "x@example.in", "password": testPassword}})
		requireProblem(t, r, http.StatusForbidden, "consent_required")
		assert.Empty(t, r.header.Get("WWW-Authenticate"))
	}
	assert.Equal(t, "bharatauth", bahttp.DefaultRealm)
}

func TestRealmAndBasePathAreChecked(t *testing.T) {
	t.Parallel()
	var cases []optionsCase
	for _, realm := range []string{`a"b`, `a\b`, "é", "a\nb"} {
		cases = append(cases, optionsCase{name: "realm " + realm, opts: bahttp.Options{Realm: realm}, wantErr: "Realm"})
	}
	for _, base := range []string{"auth", "/auth/", "/a/../b", "/a//b", "/a?b", `/a"b`} {
		cases = append(cases, optionsCase{name: "base path " + base, opts: bahttp.Options{BasePath: base}, wantErr: "BasePath"})
	}
	requireRefused(t, cases)
	for _, opts := range []bahttp.Options{{Realm: "Asha's Shop"}, {BasePath: "/"}, {BasePath: "/api/v1/identity"}} {
		_, err := bahttp.New(newEnv(t, envConfig{}).auth, opts)
		assert.NoError(t, err, "%+v", opts)
	}
}
