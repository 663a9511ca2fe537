package http_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

// corsEnv serves the API over a real listener with appOrigin allowed.
func corsEnv(t *testing.T, c bahttp.CORS) (*env, *httptest.Server) {
	t.Helper()
	e := newEnv(t, envConfig{opts: bahttp.Options{CORS: c}})
	srv := httptest.NewServer(e.root)
	t.Cleanup(srv.Close)
	return e, srv
}

// preflight sends what a browser sends before a cross-origin POST with a
// JSON body and a bearer token.
func preflight(t *testing.T, srv *httptest.Server, path, origin string) *http.Response {
	t.Helper()
	r, err := http.NewRequest(http.MethodOptions, srv.URL+path, nil)
	require.NoError(t, err)
	r.Header.Set("Origin", origin)
	r.Header.Set("Access-Control-Request-Method", "POST")
	r.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	res, err := srv.Client().Do(r)
	require.NoError(t, err)
	_ = res.Body.Close()
	return res
}

// corsHeaders lists the Access-Control-* headers of h.
func corsHeaders(h http.Header) []string {
	var names []string
	for k := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			names = append(names, k)
		}
	}
	return names
}

func TestCORSPreflightIsAnsweredBeforeRouting(t *testing.T) {
	t.Parallel()
	_, srv := corsEnv(t, bahttp.CORS{AllowedOrigins: []string{appOrigin}, AllowCredentials: true})
	for _, path := range []string{"/auth/login", "/auth/sessions/s_1", "/auth/no-such-route"} {
		res := preflight(t, srv, path, appOrigin)
		assert.Equal(t, http.StatusNoContent, res.StatusCode, path)
		h := res.Header
		assert.Equal(t, appOrigin, h.Get("Access-Control-Allow-Origin"), path)
		assert.Equal(t, "true", h.Get("Access-Control-Allow-Credentials"), path)
		assert.Equal(t, "POST, GET, DELETE, PATCH", h.Get("Access-Control-Allow-Methods"), "every method of the routing table")
		assert.Equal(t, "Authorization, Content-Type, "+bahttp.CSRFHeader, h.Get("Access-Control-Allow-Headers"))
		assert.Equal(t, "7200", h.Get("Access-Control-Max-Age"), "two hours by default")
		assert.Equal(t, []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}, h.Values("Vary"))
	}
}

func TestCORSDefaultMaxAgeIsTwoHours(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 2*time.Hour, bahttp.DefaultCORSMaxAge)
	_, srv := corsEnv(t, bahttp.CORS{AllowedOrigins: []string{appOrigin}, MaxAge: 90 * time.Second})
	assert.Equal(t, "90", preflight(t, srv, "/auth/login", appOrigin).Header.Get("Access-Control-Max-Age"))
}

func TestCORSWithoutCredentialsSaysNothingOfThem(t *testing.T) {
	t.Parallel()
	_, srv := corsEnv(t, bahttp.CORS{AllowedOrigins: []string{appOrigin}})
	res := preflight(t, srv, "/auth/login", appOrigin)
	assert.Equal(t, appOrigin, res.Header.Get("Access-Control-Allow-Origin"))
	assert.Empty(t, res.Header.Values("Access-Control-Allow-Credentials"))
}

func TestCORSOriginNotAllowedGetsNoAccessControlHeader(t *testing.T) {
	t.Parallel()
	e, srv := corsEnv(t, bahttp.CORS{AllowedOrigins: []string{appOrigin}, AllowCredentials: true})
	for _, origin := range []string{evilOrigin, "https://app.example.in.evil.example", "http://app.example.in", "null"} {
		res := preflight(t, srv, "/auth/login", origin)
		assert.Equal(t, http.StatusNoContent, res.StatusCode, origin)
		assert.Empty(t, corsHeaders(res.Header), origin)
	}
	// The request itself is served, as for any non-browser client, but the
	// browser keeps the answer from the page.
	e.register("asha@example.in")
	r := e.do(req{method: "POST", path: "/login", headers: map[string]string{"Origin": evilOrigin},
		body: map[string]any{"identifier": "asha@example.in", "password": testPassword}})
	assert.Equal(t, http.StatusOK, r.status)
	assert.Empty(t, corsHeaders(r.header))
	assert.Equal(t, []string{"Origin"}, r.header.Values("Vary"), "caches must not reuse an answer across origins")
}

func TestCORSActualRequestFromAllowedOrigin(t *testing.T) {
	t.Parallel()
	e, _ := corsEnv(t, bahttp.CORS{AllowedOrigins: []string{"https://other.example", appOrigin}, AllowCredentials: true})
	r := e.do(req{method: "GET", path: "/me", headers: map[string]string{"Origin": appOrigin}})
	requireProblem(t, r, http.StatusUnauthorized, "missing_token")
	assert.Equal(t, appOrigin, r.header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "true", r.header.Get("Access-Control-Allow-Credentials"))
	assert.Equal(t, "Retry-After, WWW-Authenticate", r.header.Get("Access-Control-Expose-Headers"),
		"a page reads the wait of a 429 and the challenge of a 401 or a step-up")
}

func TestCORSOffRoutesPreflightsLikeAnyRequest(t *testing.T) {
	t.Parallel()
	_, srv := corsEnv(t, bahttp.CORS{})
	res := preflight(t, srv, "/auth/login", appOrigin)
	assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
	assert.Empty(t, corsHeaders(res.Header))
}

func TestCORSGuardsAppRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{opts: bahttp.Options{CORS: bahttp.CORS{AllowedOrigins: []string{appOrigin}}}})
	called := false
	e.root.Handle("/api/hello", e.api.CORS(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		called = true
		w.WriteHeader(http.StatusOK)
	})))
	srv := httptest.NewServer(e.root)
	t.Cleanup(srv.Close)
	res := preflight(t, srv, "/api/hello", appOrigin)
	assert.Equal(t, http.StatusNoContent, res.StatusCode)
	assert.Equal(t, appOrigin, res.Header.Get("Access-Control-Allow-Origin"))
	assert.False(t, called, "a preflight never reaches the route")
	r := e.do(req{method: "GET", abs: "/api/hello", headers: map[string]string{"Origin": appOrigin}})
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, appOrigin, r.header.Get("Access-Control-Allow-Origin"))
	assert.True(t, called)
}

func TestCORSOptionsAreChecked(t *testing.T) {
	t.Parallel()
	requireRefused(t, []optionsCase{
		{name: "a wildcard", opts: bahttp.Options{CORS: bahttp.CORS{AllowedOrigins: []string{"*"}, AllowCredentials: true}}, wantErr: "list each origin"},
		{name: "null", opts: bahttp.Options{CORS: bahttp.CORS{AllowedOrigins: []string{"null"}}}, wantErr: "list each origin"},
		{name: "a trailing slash", opts: bahttp.Options{CORS: bahttp.CORS{AllowedOrigins: []string{"https://app.example.in/"}}}, wantErr: "without path"},
		{name: "a path", opts: bahttp.Options{CORS: bahttp.CORS{AllowedOrigins: []string{"https://app.example.in/spa"}}}, wantErr: "without path"},
		{name: "upper case", opts: bahttp.Options{CORS: bahttp.CORS{AllowedOrigins: []string{"https://App.example.in"}}}, wantErr: "lower case"},
		{name: "no scheme", opts: bahttp.Options{CORS: bahttp.CORS{AllowedOrigins: []string{"app.example.in"}}}, wantErr: "not an origin"},
		{name: "another scheme", opts: bahttp.Options{CORS: bahttp.CORS{AllowedOrigins: []string{"ftp://app.example.in"}}}, wantErr: "not an origin"},
		{name: "a negative max age", opts: bahttp.Options{CORS: bahttp.CORS{AllowedOrigins: []string{appOrigin}, MaxAge: -time.Second}}, wantErr: "MaxAge"},
		{name: "credentials without origins", opts: bahttp.Options{CORS: bahttp.CORS{AllowCredentials: true}}, wantErr: "AllowedOrigins is empty"},
	})
	_, err := bahttp.New(newEnv(t, envConfig{}).auth, bahttp.Options{CORS: bahttp.CORS{AllowedOrigins: []string{"http://localhost:5173", appOrigin}}})
	require.NoError(t, err, "a port and plain http (a dev server) are fine")
}
