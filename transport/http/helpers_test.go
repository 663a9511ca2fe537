package http_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

// testStart is the clock's start in every transport test.
var testStart = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

const (
	testPassword = "correct horse battery staple"
	testPIN      = "4829"
	testIP       = "203.0.113.7"
	fpA          = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	fpB          = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

const (
	appOrigin  = "https://app.example.in"
	evilOrigin = "https://evil.example"
)

// spec is the embedded OpenAPI document, loaded once for response validation.
var spec = sync.OnceValues(func() (routers.Router, error) {
	openapi3filter.RegisterBodyDecoder("application/jwk-set+json", openapi3filter.JSONBodyDecoder)
	doc, err := openapi3.NewLoader().LoadFromData(bahttp.OpenAPI())
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	return gorillamux.NewRouter(doc)
})

// env is one Handler over fresh memory adapters, mounted under /auth as the
// docs show, with the clock, outbox and store at hand.
type env struct {
	t      testing.TB
	auth   *core.Auth
	api    *bahttp.Handler
	root   *http.ServeMux
	store  *memory.Store
	clock  *memory.Clock
	outbox *memory.Outbox
	logs   *porttest.Buffer
	// headers go with every request (a browser's Origin, say) unless the
	// request's own headers say otherwise.
	headers map[string]string
}

type envConfig struct {
	cfg  func(*core.Config)
	deps func(*core.Deps)
	opts bahttp.Options
}

func newEnv(t testing.TB, ec envConfig) *env {
	t.Helper()
	e := &env{t: t, store: memory.New(), clock: memory.NewClock(testStart), outbox: memory.NewOutbox(), logs: &porttest.Buffer{}}
	cfg := core.DefaultConfig()
	cfg.SecretKey = []byte("test-secret-key-that-is-32-bytes-long!!")
	cfg.MailInline = true // read the outbox right after a request
	cfg.UnsafeFastHashingForTests = true
	cfg.Logger = slog.New(slog.NewTextHandler(e.logs, nil))
	if ec.cfg != nil {
		ec.cfg(&cfg)
	}
	deps := core.Deps{Storage: e.store, Mailer: e.outbox, Limiter: memory.NewLimiter(), Clock: e.clock}
	if ec.deps != nil {
		ec.deps(&deps)
	}
	var err error
	e.auth, err = core.New(cfg, deps)
	require.NoError(t, err)
	opts := ec.opts
	opts.Logger = slog.New(slog.NewTextHandler(e.logs, nil))
	e.api, err = bahttp.New(e.auth, opts)
	require.NoError(t, err)
	e.root = http.NewServeMux()
	e.root.Handle("/auth/", http.StripPrefix("/auth", e.api))
	return e
}

// bodyCase is a POST of body to path and the answer it must get: status and,
// for a refusal, the problem code and the field it names ("" for none).
type bodyCase struct {
	name   string
	path   string
	body   any
	status int
	code   string
	field  string
}

// req describes one call.
type req struct {
	method  string
	path    string // under /auth
	abs     string // or a path on the root mux, for app routes
	body    any    // string/[]byte sent raw; anything else JSON-encoded
	token   string
	ip      string            // the connection's address; testIP when empty
	headers map[string]string // "" removes a header the env sends
}

// resp is one answer, with its body decoded when it is JSON.
type resp struct {
	status int
	header http.Header
	raw    []byte
	json   map[string]any
}

func (r resp) str(key string) string {
	s, _ := r.json[key].(string)
	return s
}

// do runs rq through the mounted handler and checks the answer against the
// OpenAPI document: its status must be documented for the route and its body
// must match the schema.
func (e *env) do(rq req) resp {
	e.t.Helper()
	var body io.Reader
	switch b := rq.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(e.t, err)
		body = bytes.NewReader(raw)
	}
	target := "http://bharatauth.test/auth" + rq.path
	if rq.abs != "" {
		target = "http://bharatauth.test" + rq.abs
	}
	r := httptest.NewRequest(rq.method, target, body)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "transport-test/1.0")
	r.RemoteAddr = testIP + ":40000"
	if rq.ip != "" {
		r.RemoteAddr = netip.AddrPortFrom(netip.MustParseAddr(rq.ip), 40000).String()
	}
	if rq.token != "" {
		r.Header.Set("Authorization", "Bearer "+rq.token)
	}
	for _, hd := range []map[string]string{e.headers, rq.headers} {
		for k, v := range hd {
			if v == "" {
				r.Header.Del(k)
			} else {
				r.Header.Set(k, v)
			}
		}
	}
	w := httptest.NewRecorder()
	e.root.ServeHTTP(w, r)
	out := resp{status: w.Code, header: w.Header(), raw: w.Body.Bytes()}
	if strings.Contains(out.header.Get("Content-Type"), "json") && len(out.raw) > 0 {
		require.NoError(e.t, json.Unmarshal(out.raw, &out.json), "body: %s", out.raw)
	}
	e.validate(r, out)
	return out
}

// ok runs rq and requires a 200 answer.
func (e *env) ok(rq req) resp {
	e.t.Helper()
	r := e.do(rq)
	require.Equal(e.t, http.StatusOK, r.status, "%s %s answered %s", rq.method, rq.path+rq.abs, r.raw)
	return r
}

// doRoot calls an app route on the root mux (outside the OpenAPI document).
func (e *env) doRoot(method, path, authorization string) resp {
	e.t.Helper()
	return e.do(req{method: method, abs: path, headers: map[string]string{"Authorization": authorization}})
}

// stepUp steps the session of tok up with the code emailed to email.
func (e *env) stepUp(email, tok string) {
	e.t.Helper()
	e.ok(req{method: "POST", path: "/step-up/request", token: tok})
	e.ok(req{method: "POST", path: "/step-up/verify", token: tok, body: map[string]any{"otp_code": e.mailed(email, codeRE)}})
}

// requestAlike asks path for a link for email and for an address nobody
// has, and requires the same 200 answer to both.
func (e *env) requestAlike(t *testing.T, path, email string) {
	t.Helper()
	r := e.ok(req{method: "POST", path: path, body: map[string]any{"identifier": email}})
	ghost := e.do(req{method: "POST", path: path, body: map[string]any{"identifier": "ghost@example.in"}})
	assert.Equal(t, r.raw, ghost.raw)
}

// validate checks a routed answer against the OpenAPI document.
func (e *env) validate(r *http.Request, out resp) {
	e.t.Helper()
	router, err := spec()
	require.NoError(e.t, err)
	route, params, err := router.FindRoute(r)
	if err != nil {
		return // unrouted requests (404/405) are not operations of the document
	}
	err = openapi3filter.ValidateResponse(e.t.Context(), (&openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route},
		Status:                 out.status,
		Header:                 out.header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}).SetBodyBytes(out.raw))
	require.NoError(e.t, err, "%s %s answered %d %s", r.Method, r.URL.Path, out.status, out.raw)
}

// requireProblem checks a problem answer's status and code.
func requireProblem(t *testing.T, r resp, status int, code string) {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.raw)
	require.Equal(t, "application/problem+json", r.header.Get("Content-Type"))
	require.Equal(t, code, r.str("code"), "body: %s", r.raw)
	require.Equal(t, float64(status), r.json["status"])
	require.NotEmpty(t, r.str("title"))
	require.NotEmpty(t, r.str("detail"))
	require.Equal(t, "urn:bharatauth:problem:"+code, r.str("type"))
}

func consentsBody(grantAll bool) []map[string]any {
	var out []map[string]any
	for _, c := range core.DefaultCategories() {
		out = append(out, map[string]any{"category": c.Name, "granted": grantAll || c.Required})
	}
	return out
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// newUserEnv is newEnv with the default configuration and one verified
// account for each of emails: the start of most route tests.
func newUserEnv(t testing.TB, emails ...string) *env {
	t.Helper()
	e := newEnv(t, envConfig{})
	for _, email := range emails {
		e.register(email)
	}
	return e
}

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

// register creates an account over HTTP, verifies its email with the emailed
// link as its owner would, and returns its user ID.
func (e *env) register(email string) string {
	e.t.Helper()
	id := e.registerUnverified(email)
	e.ok(req{method: "POST", path: "/email/verify", body: map[string]any{"token": e.mailed(email, tokenRE)}})
	return id
}

// registerUnverified creates an account over HTTP and returns its user ID.
func (e *env) registerUnverified(email string) string {
	e.t.Helper()
	r := e.do(req{method: "POST", path: "/register", body: map[string]any{
		"email": email, "password": testPassword, "consents": consentsBody(false)}})
	require.Equal(e.t, http.StatusCreated, r.status, "body: %s", r.raw)
	return r.json["user"].(map[string]any)["id"].(string)
}

// login signs in with the test password and returns the login body.
func (e *env) login(email string, extra map[string]any) resp {
	e.t.Helper()
	body := map[string]any{"identifier": email, "password": testPassword}
	for k, v := range extra {
		body[k] = v
	}
	return e.ok(req{method: "POST", path: "/login", body: body})
}

var (
	codeRE  = regexp.MustCompile(`\b(\d{6})\b`)
	tokenRE = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)
)

// mailed returns the pattern's first group in the newest email to addr.
func (e *env) mailed(addr string, re *regexp.Regexp) string {
	e.t.Helper()
	m, ok := e.outbox.Last(addr)
	require.True(e.t, ok, "no email to %s", addr)
	got := re.FindStringSubmatch(m.Text)
	require.NotNil(e.t, got, "no match in email %q: %s", m.Subject, m.Text)
	return got[1]
}

// trustedLogin signs in on a verified device: the first login from fpA steps
// up with an emailed code (which makes fpA known), the second is a known-device
// session, where setting a first PIN or exporting needs no further step-up.
func (e *env) trustedLogin(email string) resp {
	e.t.Helper()
	first := e.login(email, map[string]any{"device_fingerprint": fpA})
	if first.str("trust") != "known" {
		e.stepUp(email, first.str("access_token"))
	}
	r := e.login(email, map[string]any{"device_fingerprint": fpA})
	require.Equal(e.t, "known", r.str("trust"))
	return r
}

// accessToken signs email in on a new device and returns the access token.
func (e *env) accessToken(email string) string {
	e.t.Helper()
	return e.login(email, nil).str("access_token")
}

// trustedToken signs email in on a known device and returns the access token.
func (e *env) trustedToken(email string) string {
	e.t.Helper()
	return e.trustedLogin(email).str("access_token")
}

// optionsCase is Options that New must refuse, and what its error says.
type optionsCase struct {
	name    string
	opts    bahttp.Options
	wantErr string
}

// requireRefused checks that New refuses each case with its error.
func requireRefused(t *testing.T, cases []optionsCase) {
	t.Helper()
	auth := newEnv(t, envConfig{}).auth
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := bahttp.New(auth, tc.opts)
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}
