package http

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"

	"github.com/bharatauth/bharatauth-go/core"
)

// DefaultMaxBodyBytes is the request body limit when Options.MaxBodyBytes is 0.
const DefaultMaxBodyBytes = 64 << 10

// Options tunes a Handler. The zero value works: no trusted proxies, the
// default logger and a 64 KiB body limit.
type Options struct {
	// TrustedProxies are the networks of your reverse proxies and load
	// balancers. X-Forwarded-For is honoured only on connections from them.
	TrustedProxies []netip.Prefix
	// Logger receives internal errors and recovered panics (never secrets).
	// Nil → slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes caps request bodies; larger ones answer 400. 0 → 64 KiB.
	MaxBodyBytes int64
	// CORS lets pages on other origins call the API; the zero value allows
	// none.
	CORS CORS
	// Cookies is cookie mode for browser apps: the refresh token in an
	// HttpOnly cookie, with a CSRF check. Off in the zero value.
	Cookies Cookies
	// Realm is the realm of the WWW-Authenticate Bearer challenges.
	// "" → DefaultRealm. Printable ASCII without quotes or backslashes.
	Realm string
	// BasePath is the public path the handler is served under ("/auth",
	// "/api/v1/identity"): the OpenAPI document's server. "" → the path of
	// PublicURL when set, else found from each request (what
	// http.StripPrefix removed), which is right unless a proxy in front
	// strips a prefix of its own.
	BasePath string
	// PublicURL is the absolute URL the handler is served at, as other
	// services reach it ("https://auth.example.in/auth"): the base of the
	// jwks_uri in the RFC 8414 discovery document. "" → that document
	// answers 404 metadata_not_configured: a published URL is never taken
	// from the request's Host header, which any client sets as it likes
	// and a shared cache would keep for everyone. Use https in production.
	PublicURL string
}

// Handler serves the BharatAuth HTTP API. Mount it under a prefix:
//
//	mux.Handle("/auth/", http.StripPrefix("/auth", h))
//
// It is safe for concurrent use.
type Handler struct {
	auth           *core.Auth
	mux            *http.ServeMux
	log            *slog.Logger
	trustedProxies []netip.Prefix
	maxBody        int64
	cors           *corsPolicy // nil: no other origin is allowed
	cookies        *cookieMode // nil: refresh tokens travel in bodies
	realm          string
	basePath       string // "" → from each request
	publicURL      string // "" → no discovery document
}

// New returns a Handler over auth. It fails on a nil auth, a negative
// MaxBodyBytes, an invalid trusted-proxy prefix, a CORS origin that is not
// an exact origin, a cookie name without the __Host- prefix, a realm that
// cannot be quoted, a BasePath that is not a clean absolute path, or a
// PublicURL that is not an absolute http(s) URL agreeing with BasePath.
func New(auth *core.Auth, opts Options) (*Handler, error) {
	if auth == nil {
		return nil, errors.New("bharatauth/http: New needs a *core.Auth")
	}
	if opts.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("bharatauth/http: MaxBodyBytes must be >= 0 (got %d)", opts.MaxBodyBytes)
	}
	h := &Handler{auth: auth, mux: http.NewServeMux(), log: opts.Logger, maxBody: opts.MaxBodyBytes,
		realm: opts.Realm, publicURL: opts.PublicURL}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.maxBody == 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.realm == "" {
		h.realm = DefaultRealm
	}
	if !quotable(h.realm) {
		return nil, fmt.Errorf("bharatauth/http: Realm %q must be printable ASCII without quotes or backslashes", opts.Realm)
	}
	if err := checkBasePath(opts.BasePath); err != nil {
		return nil, err
	}
	var err error
	if h.basePath, err = checkPublicURL(opts.PublicURL, opts.BasePath); err != nil {
		return nil, err
	}
	if h.cors, err = newCORSPolicy(opts.CORS); err != nil {
		return nil, err
	}
	if h.cookies, err = newCookieMode(opts.Cookies, opts.CORS); err != nil {
		return nil, err
	}
	for _, p := range opts.TrustedProxies {
		if !p.IsValid() {
			return nil, fmt.Errorf("bharatauth/http: invalid trusted proxy prefix %v", p)
		}
		h.trustedProxies = append(h.trustedProxies, p.Masked())
	}
	for _, rt := range routes() {
		var next http.Handler = h.endpoint(rt.serve)
		if rt.bearer {
			next = h.RequireAuth(next)
		}
		h.mux.Handle(rt.method+" "+rt.path, next)
	}
	return h, nil
}

// endpoint adapts a route function: its error, if any, becomes a problem.
func (h *Handler) endpoint(serve func(*Handler, http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := serve(h, w, r); err != nil {
			h.writeProblem(w, r, err)
		}
	})
}

// ServeHTTP routes r. CORS comes first: a preflight is answered 204 before
// routing. A panic in a route is recovered into a 500 problem
// without details (and logged); unknown paths and wrong methods answer 404 and
// 405 problems.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tw := &trackingWriter{ResponseWriter: w}
	defer h.recoverPanic(tw, r)
	if h.cors != nil && h.cors.apply(tw, r) {
		return
	}
	if _, pattern := h.mux.Handler(r); pattern == "" {
		h.serveUnrouted(tw, r)
		return
	}
	h.mux.ServeHTTP(tw, r)
}

func (h *Handler) recoverPanic(tw *trackingWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	h.log.ErrorContext(r.Context(), "bharatauth/http: panic in handler",
		"method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	if !tw.wroteHeader {
		h.writeProblem(tw, r, errPanic)
	}
}

// errPanic stands in for a recovered panic: it maps to a generic 500.
var errPanic = errors.New("bharatauth/http: recovered panic")

// serveUnrouted lets the mux decide 404, 405 (with Allow) or a redirect to a
// cleaned path, and says 404 and 405 as problems.
func (h *Handler) serveUnrouted(w http.ResponseWriter, r *http.Request) {
	cw := &captureWriter{header: http.Header{}}
	h.mux.ServeHTTP(cw, r)
	switch cw.status {
	case http.StatusNotFound:
		h.writeProblem(w, r, &core.Error{Kind: core.KindNotFound, Code: "route_not_found", Message: "no such route"})
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", cw.header.Get("Allow"))
		writeBody(w, "application/problem+json", http.StatusMethodNotAllowed, problem{
			Type: problemTypeBase + "method_not_allowed", Title: http.StatusText(http.StatusMethodNotAllowed),
			Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
			Detail: "this route does not accept " + r.Method,
		})
	default:
		for k, v := range cw.header {
			w.Header()[k] = v
		}
		w.WriteHeader(cw.status)
		_, _ = w.Write(cw.body.Bytes())
	}
}

// trackingWriter remembers whether the header went out, so a panic after it
// is only logged.
type trackingWriter struct {
	http.ResponseWriter
	wroteHeader bool
}

func (t *trackingWriter) WriteHeader(status int) {
	t.wroteHeader = true
	t.ResponseWriter.WriteHeader(status)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wroteHeader = true
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// captureWriter records the mux's own answer for unrouted requests.
type captureWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *captureWriter) Header() http.Header { return c.header }

func (c *captureWriter) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(b)
}

// client is who is calling, as core wants it.
func (h *Handler) client(r *http.Request) core.Client {
	return core.Client{IP: h.clientIP(r), UserAgent: r.UserAgent()}
}
