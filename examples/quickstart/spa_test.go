package main

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core"
	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

// A single-page app on another origin, mounted as the README shows (CORS for
// its origin with credentials, cookie mode), in a real browser: the
// preflights pass, a login without the CSRF header is refused, the refresh
// cookie set by a cross-origin login that carries it comes back
// on a cross-origin refresh that carries the CSRF header, a request without
// the header is refused, and an API that does not list the app's origin is
// unreachable from its page.
func TestSPAOnAnotherOriginInChromium(t *testing.T) {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><title>the app</title><p>app</p>"))
	}))
	t.Cleanup(app.Close)

	auth := spaAuth(t)
	var preflights atomic.Int32
	api := spaAPI(t, auth, app.URL, &preflights)
	stranger := spaAPI(t, auth, "https://someone-else.example", &atomic.Int32{})

	w := newWalk(t)
	w.open(app.URL + "/")
	call := func(js string) map[string]any {
		t.Helper()
		v, err := chromedp.Run(w.bounded(), chromedp.Evaluate[map[string]any](js, chromedp.EvalAwaitPromise))
		require.NoError(t, err, js)
		return v
	}
	// fetchJS calls the API from the page and reports the status and body,
	// or the network error the browser gives when CORS refuses.
	fetchJS := func(base, path, body string, csrf bool) string {
		headers := `{"Content-Type": "application/json"}`
		if csrf {
			headers = `{"Content-Type": "application/json", "X-BharatAuth-CSRF": "1"}`
		}
		return `fetch("` + base + `/auth` + path + `", {method: "POST", credentials: "include", headers: ` + headers +
			`, body: ` + "`" + body + "`" + `}).then(async r => ({status: r.status, body: await r.json()}),
			e => ({error: String(e)}))`
	}

	// Without the CSRF header even a sign-in is refused: its answer would set the cookie.
	unproven := call(fetchJS(api.URL, "/login", `{"identifier":"asha@example.in","password":"correct horse battery staple"}`, false))
	assert.Equal(t, float64(http.StatusForbidden), unproven["status"], "%v", unproven)
	login := call(fetchJS(api.URL, "/login", `{"identifier":"asha@example.in","password":"correct horse battery staple"}`, true))
	require.Equal(t, float64(http.StatusOK), login["status"], "%v", login)
	body := login["body"].(map[string]any)
	assert.NotContains(t, body, "refresh_token", "cookie mode: the page never sees it")
	assert.Positive(t, preflights.Load(), "a JSON POST from another origin is preflighted")

	refreshed := call(fetchJS(api.URL, "/refresh", `{}`, true))
	require.Equal(t, float64(http.StatusOK), refreshed["status"], "the cookie came back: %v", refreshed)
	assert.NotEmpty(t, refreshed["body"].(map[string]any)["access_token"])

	refused := call(fetchJS(api.URL, "/refresh", `{}`, false))
	assert.Equal(t, float64(http.StatusForbidden), refused["status"], "%v", refused)
	assert.Equal(t, "csrf", refused["body"].(map[string]any)["code"])

	blocked := call(fetchJS(stranger.URL, "/login", `{"identifier":"asha@example.in","password":"x"}`, false))
	assert.Contains(t, blocked["error"], "Failed to fetch", "an origin the API does not list cannot call it: %v", blocked)
}

// spaAuth is a core.Auth with one verified account.
func spaAuth(t *testing.T) *core.Auth {
	t.Helper()
	cfg := core.DefaultConfig()
	cfg.SecretKey = []byte("spa-test-secret-that-is-32-bytes-long!!")
	cfg.UnsafeFastHashingForTests, cfg.MailInline, cfg.RequireVerifiedEmail = true, true, false
	auth, err := core.New(cfg, core.Deps{Storage: memory.New(), Mailer: memory.NewOutbox()})
	require.NoError(t, err)
	var consents []core.ConsentDecision
	for _, c := range core.DefaultCategories() {
		consents = append(consents, core.ConsentDecision{Category: c.Name, Granted: c.Required})
	}
	_, err = auth.Register(t.Context(), core.RegisterInput{Email: "asha@example.in",
		Password: "correct horse battery staple", Consents: consents})
	require.NoError(t, err)
	return auth
}

// spaAPI serves auth under /auth for a page of origin, in cookie mode,
// counting the preflights it answers.
func spaAPI(t *testing.T, auth *core.Auth, origin string, preflights *atomic.Int32) *httptest.Server {
	t.Helper()
	h, err := bahttp.New(auth, bahttp.Options{
		CORS:    bahttp.CORS{AllowedOrigins: []string{origin}, AllowCredentials: true},
		Cookies: bahttp.Cookies{Enabled: true},
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/auth/", http.StripPrefix("/auth", h))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			preflights.Add(1)
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}
