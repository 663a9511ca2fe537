package http_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

// sameOrigin is the origin of the test requests' own host.
const sameOrigin = "http://bharatauth.test"

// cookieEnv is a handler in cookie mode that also lets appOrigin call it.
func cookieEnv(t *testing.T) *env {
	t.Helper()
	return newEnv(t, envConfig{opts: bahttp.Options{Cookies: bahttp.Cookies{Enabled: true},
		CORS: bahttp.CORS{AllowedOrigins: []string{appOrigin}, AllowCredentials: true}}})
}

// refreshCookie returns the refresh cookie r sets.
func refreshCookie(t *testing.T, r resp) *http.Cookie {
	t.Helper()
	values := r.header.Values("Set-Cookie")
	require.Len(t, values, 1, "one Set-Cookie")
	c, err := http.ParseSetCookie(values[0])
	require.NoError(t, err)
	require.Equal(t, bahttp.DefaultRefreshCookie, c.Name)
	return c
}

// withCookie builds the headers of a cookie-authenticated browser request.
func withCookie(c *http.Cookie, origin string, csrf bool) map[string]string {
	h := map[string]string{"Cookie": c.Name + "=" + c.Value}
	if origin != "" {
		h["Origin"] = origin
	}
	if csrf {
		h[bahttp.CSRFHeader] = "1"
	}
	return h
}

func TestCookieModeLoginSetsAHostCookieForTheSessionsLifetime(t *testing.T) {
	t.Parallel()
	e := cookieEnv(t)
	e.register("asha@example.in")
	r := e.login("asha@example.in", map[string]any{"device_fingerprint": fpA})
	require.Equal(t, "new_device", r.str("trust"))
	assert.NotContains(t, r.json, "refresh_token", "the page's JavaScript never sees the refresh token")
	assert.NotEmpty(t, r.str("access_token"), "the access token stays in the body")

	raw := r.header.Get("Set-Cookie")
	c := refreshCookie(t, r)
	assert.NotEmpty(t, c.Value)
	assert.True(t, c.HttpOnly)
	assert.True(t, c.Secure)
	assert.Equal(t, http.SameSiteStrictMode, c.SameSite)
	assert.Equal(t, "/", c.Path)
	assert.Empty(t, c.Domain, "a __Host- cookie has no Domain")
	assert.Equal(t, testStart.Add(7*24*time.Hour), c.Expires.UTC(), "a new device's session lives 7 days")
	assert.Regexp(t, `^__Host-bharatauth-refresh=[A-Za-z0-9_-]+; Path=/; Expires=[^;]+; HttpOnly; Secure; SameSite=Strict$`, raw)
}

func TestCookieModePublicDeviceGetsASessionCookie(t *testing.T) {
	t.Parallel()
	e := cookieEnv(t)
	e.register("asha@example.in")
	r := e.login("asha@example.in", map[string]any{"is_public_device": true})
	c := refreshCookie(t, r)
	assert.True(t, c.Expires.IsZero(), "no Expires: gone when the browser closes")
	assert.Zero(t, c.MaxAge)
}

func TestCookieModeOTPVerifySetsTheCookie(t *testing.T) {
	t.Parallel()
	e := cookieEnv(t)
	e.register("asha@example.in")
	e.ok(req{method: "POST", path: "/otp/request", body: map[string]any{"identifier": "asha@example.in", "device_fingerprint": fpA}})
	r := e.ok(req{method: "POST", path: "/otp/verify", body: map[string]any{"identifier": "asha@example.in",
		"otp_code": e.mailed("asha@example.in", codeRE), "device_fingerprint": fpA}})
	assert.NotContains(t, r.json, "refresh_token")
	assert.Equal(t, testStart.Add(30*24*time.Hour), refreshCookie(t, r).Expires.UTC(), "a known device: 30 days")
}

func TestCookieModeRefreshRotatesTheCookie(t *testing.T) {
	t.Parallel()
	e := cookieEnv(t)
	e.register("asha@example.in")
	first := refreshCookie(t, e.login("asha@example.in", nil))
	for _, origin := range []string{sameOrigin, appOrigin} {
		r := e.ok(req{method: "POST", path: "/refresh", headers: withCookie(first, origin, true)})
		assert.NotEmpty(t, r.str("access_token"))
		assert.NotContains(t, r.json, "refresh_token")
		next := refreshCookie(t, r)
		assert.NotEqual(t, first.Value, next.Value, "rotated")
		assert.Equal(t, first.Expires, next.Expires, "rotation keeps the session's end")
		first = next
	}
	// An empty JSON object is a body without a token, as good as no body.
	e.ok(req{method: "POST", path: "/refresh", body: map[string]any{}, headers: withCookie(first, appOrigin, true)})
}

func TestCookieModeRequestWithoutProofOfOriginIsCSRF(t *testing.T) {
	t.Parallel()
	e := cookieEnv(t)
	e.register("asha@example.in")
	c := refreshCookie(t, e.login("asha@example.in", nil))
	tests := []struct {
		name    string
		headers map[string]string
	}{
		{name: "no custom header", headers: withCookie(c, appOrigin, false)},
		{name: "no Origin", headers: withCookie(c, "", true)},
		{name: "another origin", headers: withCookie(c, evilOrigin, true)},
		{name: "a look-alike of the host", headers: withCookie(c, "http://bharatauth.test.evil.example", true)},
		{name: "a null origin", headers: withCookie(c, "null", true)},
	}
	for _, tc := range tests {
		for _, path := range []string{"/refresh", "/logout"} {
			r := e.do(req{method: "POST", path: path, headers: tc.headers})
			requireProblem(t, r, http.StatusForbidden, "csrf")
			assert.Empty(t, r.header.Values("Set-Cookie"), "%s %s: the cookie is left alone", tc.name, path)
		}
	}
	// None of those ended or rotated the session.
	e.ok(req{method: "POST", path: "/refresh", headers: withCookie(c, sameOrigin, true)})
}

func TestCookieModeLogoutClearsTheCookie(t *testing.T) {
	t.Parallel()
	e := cookieEnv(t)
	e.register("asha@example.in")
	c := refreshCookie(t, e.login("asha@example.in", nil))
	r := e.ok(req{method: "POST", path: "/logout", headers: withCookie(c, appOrigin, true)})
	cleared := refreshCookie(t, r)
	assert.Empty(t, cleared.Value)
	assert.Equal(t, -1, cleared.MaxAge, "Max-Age=0: the browser drops it")
	assert.True(t, cleared.Secure && cleared.HttpOnly, "a __Host- cookie is cleared with the same attributes")

	// The session has ended; the dead cookie is cleared again if it comes back.
	r = e.do(req{method: "POST", path: "/refresh", headers: withCookie(c, appOrigin, true)})
	requireProblem(t, r, http.StatusUnauthorized, "invalid_token")
	assert.Equal(t, -1, refreshCookie(t, r).MaxAge)
	// Logging out with nothing to end succeeds: the browser has no session.
	r = e.ok(req{method: "POST", path: "/logout"})
	assert.Equal(t, -1, refreshCookie(t, r).MaxAge)
}

func TestCookieModeRefreshWithoutAnyTokenIsUnauthorized(t *testing.T) {
	t.Parallel()
	e := cookieEnv(t)
	r := e.do(req{method: "POST", path: "/refresh", headers: map[string]string{"Origin": appOrigin, bahttp.CSRFHeader: "1"}})
	requireProblem(t, r, http.StatusUnauthorized, "missing_token")
}

func TestCookieModeStillTakesATokenInTheBody(t *testing.T) {
	t.Parallel()
	body := newEnv(t, envConfig{})
	body.register("asha@example.in")
	token := body.login("asha@example.in", nil).str("refresh_token")
	require.NotEmpty(t, token, "without cookie mode the body carries the refresh token")

	e := cookieEnv(t)
	e.register("ravi@example.in")
	c := refreshCookie(t, e.login("ravi@example.in", nil))
	// A body token is a credential the caller holds, not one the browser
	// attaches by itself: no CSRF check, and it wins over the cookie.
	r := e.ok(req{method: "POST", path: "/refresh", body: map[string]any{"refresh_token": c.Value}})
	assert.NotEmpty(t, refreshCookie(t, r).Value)
}

func TestBodyModeStillRequiresTheRefreshToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	for _, path := range []string{"/refresh", "/logout"} {
		r := e.do(req{method: "POST", path: path, body: map[string]any{}})
		requireProblem(t, r, http.StatusUnprocessableEntity, "validation_failed")
		assert.Equal(t, "refresh_token", r.str("field"))
		assert.Empty(t, r.header.Values("Set-Cookie"))
	}
}

func TestCookieOptionsAreChecked(t *testing.T) {
	t.Parallel()
	requireRefused(t, []optionsCase{
		{name: "a name without the prefix", opts: bahttp.Options{Cookies: bahttp.Cookies{Enabled: true, Name: "refresh"}}, wantErr: "__Host-"},
		{name: "a name that is no cookie name", opts: bahttp.Options{Cookies: bahttp.Cookies{Enabled: true, Name: "__Host-a b"}}, wantErr: "__Host-"},
		{name: "a name while off", opts: bahttp.Options{Cookies: bahttp.Cookies{Name: "__Host-x"}}, wantErr: "not Enabled"},
		{name: "CORS origins without credentials", opts: bahttp.Options{Cookies: bahttp.Cookies{Enabled: true},
			CORS: bahttp.CORS{AllowedOrigins: []string{appOrigin}}}, wantErr: "AllowCredentials"},
	})
	_, err := bahttp.New(newEnv(t, envConfig{}).auth, bahttp.Options{Cookies: bahttp.Cookies{Enabled: true, Name: "__Host-app-refresh"}})
	require.NoError(t, err)
}
