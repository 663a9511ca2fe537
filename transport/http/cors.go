package http

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultCORSMaxAge is how long a browser may reuse a preflight answer when
// CORS.MaxAge is 0: two hours, the most Chromium honours.
const DefaultCORSMaxAge = 2 * time.Hour

// CORS lets pages on other origins call the API from a browser (the Fetch
// standard's CORS protocol). The zero value allows no other origin: the
// handler then sends no Access-Control-* header at all, and a preflight is
// routed like any request (405).
type CORS struct {
	// AllowedOrigins are the origins whose pages may call the API, each in
	// the form a browser sends: scheme://host[:port], lower case, no path
	// and no trailing slash ("https://app.example.in"). They are matched
	// exactly; there is no wildcard, so credentials can never leak to an
	// origin nobody listed.
	AllowedOrigins []string
	// AllowCredentials lets those pages send cookies (fetch's credentials:
	// "include"): cookie mode from another origin needs it.
	AllowCredentials bool
	// MaxAge is how long a browser may reuse a preflight answer.
	// 0 → DefaultCORSMaxAge.
	MaxAge time.Duration
}

// corsPolicy is CORS checked and rendered once, in New.
type corsPolicy struct {
	origins      map[string]bool
	credentials  bool
	maxAge       string // seconds
	allowMethods string // every method of the routing table
	allowHeaders string
}

// CSRFHeader is the custom request header a cookie-authenticated request
// must carry (any non-empty value). A page can only add it with fetch, and
// from another origin only after a preflight that this policy must allow:
// a plain HTML form or an image on an attacker's site cannot send it.
const CSRFHeader = "X-BharatAuth-CSRF"

// corsAllowHeaders are the request headers a page may send besides the
// CORS-safelisted ones.
var corsAllowHeaders = []string{"Authorization", "Content-Type", CSRFHeader}

// corsExposeHeaders are the response headers a page may read besides the
// safelisted ones: the wait of a 429 and the challenge of a 401 or of a
// step-up (RFC 9470).
const corsExposeHeaders = "Retry-After, WWW-Authenticate"

// newCORSPolicy checks c; nil when no origin is allowed.
func newCORSPolicy(c CORS) (*corsPolicy, error) {
	if c.MaxAge < 0 {
		return nil, fmt.Errorf("bharatauth/http: CORS.MaxAge must be >= 0 (got %v)", c.MaxAge)
	}
	if len(c.AllowedOrigins) == 0 {
		if c.AllowCredentials || c.MaxAge != 0 {
			return nil, errors.New("bharatauth/http: CORS is set but AllowedOrigins is empty")
		}
		return nil, nil
	}
	p := &corsPolicy{origins: map[string]bool{}, credentials: c.AllowCredentials}
	for _, o := range c.AllowedOrigins {
		if err := checkOrigin(o); err != nil {
			return nil, fmt.Errorf("bharatauth/http: CORS.AllowedOrigins: %w", err)
		}
		p.origins[o] = true
	}
	maxAge := c.MaxAge
	if maxAge == 0 {
		maxAge = DefaultCORSMaxAge
	}
	p.maxAge = strconv.FormatInt(int64(maxAge/time.Second), 10)
	var methods []string
	for _, rt := range routes() {
		if !slices.Contains(methods, rt.method) {
			methods = append(methods, rt.method)
		}
	}
	p.allowMethods = strings.Join(methods, ", ")
	p.allowHeaders = strings.Join(corsAllowHeaders, ", ")
	return p, nil
}

// checkOrigin accepts o only in the serialised form a browser sends in the
// Origin header, so that exact matching cannot miss a listed origin.
func checkOrigin(o string) error {
	if o == "*" || o == "null" {
		return fmt.Errorf("%q is not allowed: list each origin (credentials never go to a wildcard)", o)
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an origin like https://app.example.in", o)
	}
	if u.Scheme+"://"+u.Host != o || strings.ToLower(o) != o {
		return fmt.Errorf("%q must be scheme://host[:port] in lower case, without path or trailing slash", o)
	}
	return nil
}

// allows reports whether a page of origin may call the API.
func (p *corsPolicy) allows(origin string) bool { return p != nil && p.origins[origin] }

// isPreflight reports whether r is a CORS preflight request.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}

// apply answers the CORS part of r. It returns true when r was a preflight,
// now answered 204 (whatever its path: preflights never reach the routes).
// An origin not allowed gets no Access-Control-* header, so the browser
// keeps the answer from the page; the request itself is still served, as
// for any client that is not a browser.
func (p *corsPolicy) apply(w http.ResponseWriter, r *http.Request) bool {
	hd := w.Header()
	hd.Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	allowed := p.allows(origin)
	if allowed {
		hd.Set("Access-Control-Allow-Origin", origin)
		if p.credentials {
			hd.Set("Access-Control-Allow-Credentials", "true")
		}
	}
	if !isPreflight(r) {
		if allowed {
			hd.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		}
		return false
	}
	hd.Add("Vary", "Access-Control-Request-Method")
	hd.Add("Vary", "Access-Control-Request-Headers")
	if allowed {
		hd.Set("Access-Control-Allow-Methods", p.allowMethods)
		hd.Set("Access-Control-Allow-Headers", p.allowHeaders)
		hd.Set("Access-Control-Max-Age", p.maxAge)
	}
	w.WriteHeader(http.StatusNoContent)
	return true
}

// CORS applies the handler's CORS policy (Options.CORS) to an app route of
// yours, so a page on an allowed origin can call it too: preflights are
// answered 204 without reaching next.
func (h *Handler) CORS(next http.Handler) http.Handler {
	if h.cors == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.cors.apply(w, r) {
			next.ServeHTTP(w, r)
		}
	})
}
