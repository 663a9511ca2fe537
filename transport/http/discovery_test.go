package http_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

var trustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}

func TestMetadataNamesTheIssuerAndTheJWKS(t *testing.T) {
	t.Parallel()
	hs := newEnv(t, envConfig{opts: bahttp.Options{PublicURL: "https://auth.example.in/auth"}})
	requireProblem(t, hs.do(req{method: "GET", path: "/.well-known/oauth-authorization-server"}), http.StatusNotFound, "jwks_not_configured")
	unset := edDSAEnv(t, bahttp.Options{})
	requireProblem(t, unset.do(req{method: "GET", path: "/.well-known/oauth-authorization-server"}), http.StatusNotFound, "metadata_not_configured")

	e := edDSAEnv(t, bahttp.Options{PublicURL: "https://auth.example.in/auth"})
	r := e.ok(req{method: "GET", path: "/.well-known/oauth-authorization-server"})
	assert.Equal(t, map[string]any{"issuer": "https://auth.example.in",
		"jwks_uri": "https://auth.example.in/auth/.well-known/jwks.json"}, r.json)
	assert.Equal(t, "public, max-age=300", r.header.Get("Cache-Control"))
	// The PublicURL's path is the base path of the OpenAPI document too.
	servers := e.ok(req{method: "GET", path: "/openapi.json"}).json["servers"]
	assert.Equal(t, []any{map[string]any{"url": "/auth"}}, servers)
}

// A shared cache in front of the API keeps the metadata for everyone, so no
// part of it may come from the request: a client that sends its own Host
// (or one a proxy rewrote from X-Forwarded-Host) must not get a jwks_uri on
// its server, or resource servers discovering keys through the cache would
// trust keys the attacker serves.
func TestMetadataNeverTakesTheJWKSURIFromTheRequest(t *testing.T) {
	t.Parallel()
	e := edDSAEnv(t, bahttp.Options{PublicURL: "https://auth.example.in/auth", TrustedProxies: trustedProxies})
	srv := httptest.NewServer(e.root)
	t.Cleanup(srv.Close)
	for _, hd := range []map[string]string{
		{"Host": "keys.evil.example"},
		{"Host": "keys.evil.example", "X-Forwarded-Host": "keys.evil.example", "X-Forwarded-Proto": "http"},
		{},
	} {
		r, err := http.NewRequest(http.MethodGet, srv.URL+"/auth/.well-known/oauth-authorization-server", nil)
		require.NoError(t, err)
		for k, v := range hd {
			r.Header.Set(k, v)
		}
		r.Host = hd["Host"]
		res, err := srv.Client().Do(r)
		require.NoError(t, err)
		var meta map[string]any
		require.NoError(t, json.NewDecoder(res.Body).Decode(&meta))
		_ = res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, "https://auth.example.in/auth/.well-known/jwks.json", meta["jwks_uri"], "%v", hd)
	}
}

func TestPublicURLIsChecked(t *testing.T) {
	t.Parallel()
	var cases []optionsCase
	for _, u := range []string{"auth.example.in", "/auth", "ftp://auth.example.in", "https://", "https://auth.example.in/",
		"https://auth.example.in/auth?x=1", "https://auth.example.in/auth#x", "https://u:p@auth.example.in",
		"https://auth.example.in/a/../b", `https://auth.example.in/a"b`} {
		cases = append(cases, optionsCase{name: "public URL " + u, opts: bahttp.Options{PublicURL: u}, wantErr: "PublicURL"})
	}
	cases = append(cases, optionsCase{name: "a base path that is not the URL's",
		opts: bahttp.Options{PublicURL: "https://auth.example.in/auth", BasePath: "/api"}, wantErr: "differ"})
	requireRefused(t, cases)
	for _, opts := range []bahttp.Options{{PublicURL: "https://auth.example.in"}, {PublicURL: "http://127.0.0.1:8080/auth"},
		{PublicURL: "https://auth.example.in/api/v1/identity", BasePath: "/api/v1/identity"}} {
		_, err := bahttp.New(newEnv(t, envConfig{}).auth, opts)
		assert.NoError(t, err, "%+v", opts)
	}
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
