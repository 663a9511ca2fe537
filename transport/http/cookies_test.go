package http_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

// sameOrigin is the origin of the test requests' own host.
const sameOrigin = "http://bharatauth.test"

// cookieEnv is a handler in cookie mode that also lets appOrigin call it.
// Its requests come from the app's page: Origin appOrigin and the CSRF
// header, unless a request says otherwise.
func cookieEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, envConfig{opts: bahttp.Options{Cookies: bahttp.Cookies{Enabled: true},
		CORS: bahttp.CORS{AllowedOrigins: []string{appOrigin}, AllowCredentials: true}}})
	e.headers = fromApp
	return e
}

// fromApp are the headers of a request from the app's page.
var fromApp = map[string]string{"Origin": appOrigin, bahttp.CSRFHeader: "1"}

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

// withCookie builds the headers of a cookie-authenticated browser request
// (an origin "" sends none).
func withCookie(c *http.Cookie, origin string, csrf bool) map[string]string {
	h := map[string]string{"Cookie": c.Name + "=" + c.Value, "Origin": origin, bahttp.CSRFHeader: ""}
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
	// attaches by itself, and it wins over the cookie. The answer still sets
	// the cookie, so the request must come from the app.
	r := e.ok(req{method: "POST", path: "/refresh", body: map[string]any{"refresh_token": c.Value}})
	next := refreshCookie(t, r)
	assert.NotEmpty(t, next.Value)
	r = e.do(req{method: "POST", path: "/refresh", body: map[string]any{"refresh_token": next.Value},
		headers: map[string]string{"Origin": "", bahttp.CSRFHeader: ""}})
	requireProblem(t, r, http.StatusForbidden, "csrf")
}

// crossSitePost is what a browser sends when a page of another site submits
// a form to the API (over a real connection): a text/plain body, which a
// form can shape into JSON by hiding it in an input's name and value
// (name='{"a":"x' value='y"}' posts {"a":"x=y"}), the page's Origin, and no
// custom header, since only fetch can add one, after a preflight. Such a
// request is "simple": the browser sends it without asking first, and, as a
// top-level navigation, stores even a SameSite=Strict cookie it answers.
func crossSitePost(t *testing.T, srv *httptest.Server, path string, body map[string]any, origin string) *http.Response {
	t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	form := strings.TrimSuffix(string(raw), "}") + `,"pad":"a=b"}` + "\r\n"
	r, err := http.NewRequest(http.MethodPost, srv.URL+"/auth"+path, strings.NewReader(form))
	require.NoError(t, err)
	r.Header.Set("Content-Type", "text/plain")
	if origin != "" {
		r.Header.Set("Origin", origin)
	}
	res, err := srv.Client().Do(r)
	require.NoError(t, err)
	t.Cleanup(func() { _ = res.Body.Close() })
	return res
}

// requireRefusedWithoutCookie checks a 403 csrf answer that sets no cookie.
func requireRefusedWithoutCookie(t *testing.T, res *http.Response, what string) {
	t.Helper()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, res.StatusCode, "%s: %s", what, raw)
	var p map[string]any
	require.NoError(t, json.Unmarshal(raw, &p))
	assert.Equal(t, "csrf", p["code"], what)
	assert.Empty(t, res.Header.Values("Set-Cookie"), "%s: the browser's cookie is left alone", what)
}

// Login CSRF: a form on another site must not sign the victim's browser
// into the attacker's account (whose data the victim would then enter).
// Every route whose answer may set the cookie refuses it before doing
// anything: the code, the link and the refresh token it carried still work.
func TestCookieModeSignInFromAnotherSiteSetsNoCookie(t *testing.T) {
	t.Parallel()
	e := cookieEnv(t)
	srv := httptest.NewServer(e.root)
	t.Cleanup(srv.Close)
	e.register("attacker@example.in")
	attackerToken := refreshCookie(t, e.login("attacker@example.in", nil)).Value
	e.ok(req{method: "POST", path: "/otp/request", body: map[string]any{"identifier": "attacker@example.in"}})
	code := e.mailed("attacker@example.in", codeRE)
	e.ok(req{method: "POST", path: "/password/reset/request", body: map[string]any{"identifier": "attacker@example.in"}})
	resetToken := e.mailed("attacker@example.in", tokenRE)

	forms := []struct {
		path string
		body map[string]any
	}{
		{"/login", map[string]any{"identifier": "attacker@example.in", "password": testPassword}},
		{"/otp/verify", map[string]any{"identifier": "attacker@example.in", "otp_code": code}},
		{"/refresh", map[string]any{"refresh_token": attackerToken}},
		{"/password/reset/confirm", map[string]any{"token": resetToken, "new_password": "a brand new passphrase"}},
		{"/unlock/confirm", map[string]any{"token": resetToken}},
	}
	for _, f := range forms {
		for _, origin := range []string{evilOrigin, "null", ""} {
			res := crossSitePost(t, srv, f.path, f.body, origin)
			requireRefusedWithoutCookie(t, res, f.path+" from "+origin)
		}
	}
	// Nothing was used up: the app's own page can still use each of them.
	e.ok(req{method: "POST", path: "/otp/verify", body: map[string]any{"identifier": "attacker@example.in", "otp_code": code}})
	e.ok(req{method: "POST", path: "/refresh", body: map[string]any{"refresh_token": attackerToken}})
	e.ok(req{method: "POST", path: "/password/reset/confirm", body: map[string]any{"token": resetToken, "new_password": "a brand new passphrase"}})
}

// In cookie mode a JSON body must say so: a text/plain body (what a form or
// any other "simple" cross-origin request sends) answers 415 even with the
// proof of origin, so no route of the mount is reachable without a preflight.
func TestCookieModeTakesJSONBodiesOnlyAsApplicationJSON(t *testing.T) {
	t.Parallel()
	e := cookieEnv(t)
	e.register("asha@example.in")
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
		r := e.do(req{method: "POST", path: "/login", body: map[string]any{"identifier": "asha@example.in", "password": testPassword},
			headers: map[string]string{"Content-Type": ct}})
		requireProblem(t, r, http.StatusUnsupportedMediaType, "unsupported_media_type")
		assert.Empty(t, r.header.Values("Set-Cookie"), "Content-Type %q", ct)
	}
	r := e.login("asha@example.in", nil)
	c := refreshCookie(t, r)
	r = e.do(req{method: "POST", path: "/refresh", body: `{}`, headers: map[string]string{"Content-Type": "text/plain",
		"Cookie": c.Name + "=" + c.Value}})
	requireProblem(t, r, http.StatusUnsupportedMediaType, "unsupported_media_type")
	e.ok(req{method: "POST", path: "/login", body: map[string]any{"identifier": "asha@example.in", "password": testPassword},
		headers: map[string]string{"Content-Type": "application/json; charset=utf-8"}})
}

// Without cookie mode the Content-Type is not checked: nothing there is
// attached by the browser, so a forged request carries no credential of the
// victim and sets nothing in its browser, and clients that never sent the
// header (curl -d, some mobile HTTP stacks) keep working.
func TestBodyModeTakesJSONWhateverItsContentType(t *testing.T) {
	t.Parallel()
	e := newUserEnv(t, "asha@example.in")
	r := e.ok(req{method: "POST", path: "/login", body: map[string]any{"identifier": "asha@example.in", "password": testPassword},
		headers: map[string]string{"Content-Type": "text/plain"}})
	assert.NotEmpty(t, r.str("refresh_token"))
	assert.Empty(t, r.header.Values("Set-Cookie"))
}

// Logout CSRF: a form on another site must not clear the refresh cookie
// (signing the victim out and orphaning the session). The browser sends no
// SameSite=Strict cookie with it, so the check cannot wait for one.
func TestCookieModeLogoutFromAnotherSiteLeavesTheCookie(t *testing.T) {
	t.Parallel()
	e := cookieEnv(t)
	srv := httptest.NewServer(e.root)
	t.Cleanup(srv.Close)
	for _, origin := range []string{evilOrigin, "null", ""} {
		res := crossSitePost(t, srv, "/logout", map[string]any{}, origin)
		requireRefusedWithoutCookie(t, res, "logout from "+origin)
	}
	// Same origin or an allowed one, but without the header (a form of a
	// page of the API's own host, say): refused too.
	r := e.do(req{method: "POST", path: "/logout", headers: map[string]string{"Origin": sameOrigin, bahttp.CSRFHeader: ""}})
	requireProblem(t, r, http.StatusForbidden, "csrf")
	assert.Empty(t, r.header.Values("Set-Cookie"))
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
