package http_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core"
	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

// newExampleAuth wires core over the memory adapters.
func newExampleAuth() *core.Auth {
	store := memory.New()
	cfg := core.DefaultConfig()
	cfg.SecretKey = []byte("replace-with-32-or-more-random-bytes!!")
	auth, err := core.New(cfg, core.Deps{
		Storage: store, Mailer: memory.NewOutbox(), Limiter: memory.NewLimiter(),
	})
	if err != nil {
		panic(err)
	}
	return auth
}

// Mount the API under /auth on the app's mux.
func Example() {
	api, err := bahttp.New(newExampleAuth(), bahttp.Options{})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/auth/", http.StripPrefix("/auth", api))

	// An enumeration-safe route answers the same for everyone.
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("POST", "/auth/otp/request",
		strings.NewReader(`{"identifier":"asha@example.in"}`)))
	fmt.Println(w.Code, w.Header().Get("Content-Type"))

	// Errors are RFC 9457 problems.
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("POST", "/auth/login", strings.NewReader(`{"identifier":`)))
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	// Output:
	// 200 application/json
	// 400 application/problem+json
}

// Guard an app route with an access token; the principal is in the context.
func ExampleHandler_RequireAuth() {
	api, err := bahttp.New(newExampleAuth(), bahttp.Options{})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/auth/", http.StripPrefix("/auth", api))
	mux.Handle("GET /api/orders", api.RequireAuth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := bahttp.PrincipalFrom(r.Context())
		fmt.Fprintf(w, "orders of %s", p.UserID)
	})))
	// Sensitive routes also need a step-up (PIN or emailed code):
	mux.Handle("POST /api/payouts", api.RequireAuth(api.RequireStepUp(http.HandlerFunc(
		func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "paid") }))))

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/api/orders", nil))
	fmt.Println(w.Code, w.Header().Get("WWW-Authenticate"))
	// Output:
	// 401 Bearer realm="bharatauth"
}

// A single-page app on another origin of the same site, in cookie mode: the
// refresh token lives in an HttpOnly cookie, and the page's preflights are
// answered before routing.
func Example_browserApp() {
	api, err := bahttp.New(newExampleAuth(), bahttp.Options{
		CORS:    bahttp.CORS{AllowedOrigins: []string{"https://app.example.in"}, AllowCredentials: true},
		Cookies: bahttp.Cookies{Enabled: true},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/auth/", http.StripPrefix("/auth", api))

	r := httptest.NewRequest("OPTIONS", "/auth/refresh", nil)
	r.Header.Set("Origin", "https://app.example.in")
	r.Header.Set("Access-Control-Request-Method", "POST")
	r.Header.Set("Access-Control-Request-Headers", "x-bharatauth-csrf")
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Access-Control-Allow-Origin"), w.Header().Get("Access-Control-Allow-Credentials"))

	// The page's refresh then carries the cookie and the CSRF header; without
	// the header, the cookie is not honoured.
	r = httptest.NewRequest("POST", "/auth/refresh", nil)
	r.Header.Set("Origin", "https://app.example.in")
	r.AddCookie(&http.Cookie{Name: bahttp.DefaultRefreshCookie, Value: "a-refresh-token"})
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	fmt.Println(w.Code, strings.Contains(w.Body.String(), `"code":"csrf"`))
	// Output:
	// 204 https://app.example.in true
	// 403 true
}
