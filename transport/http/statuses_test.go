package http_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

// The 5th wrong step-up code and the 5th wrong current password lock the
// account like a 5th wrong login: 423 with locked_until.
func TestLockedAnswersOnStepUpAndPasswordChange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		try  func(e *env, tok, wrongCode string) resp
	}{
		{name: "step-up verify", try: func(e *env, tok, wrongCode string) resp {
			return e.do(req{method: "POST", path: "/step-up/verify", token: tok, body: map[string]any{"otp_code": wrongCode}})
		}},
		{name: "password change", try: func(e *env, tok, _ string) resp {
			return e.do(req{method: "POST", path: "/password/change", token: tok,
				body: map[string]any{"current_password": "not my password", "new_password": "another fine passphrase"}})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newUserEnv(t, "lock@example.in")
			tok := e.trustedToken("lock@example.in") // a known device: no step-up needed
			e.ok(req{method: "POST", path: "/step-up/request", token: tok})
			wrong := "000000"
			if e.mailed("lock@example.in", codeRE) == wrong {
				wrong = "111111"
			}
			for i := 1; i <= 4; i++ {
				require.Equal(t, http.StatusUnauthorized, tc.try(e, tok, wrong).status, "try %d", i)
			}
			r := tc.try(e, tok, wrong)
			requireProblem(t, r, http.StatusLocked, "account_locked")
			assert.NotEmpty(t, r.str("locked_until"))
		})
	}
}

// Every emailing request to one identifier shares 5 per hour; the PIN verify
// limit is 15 per 10 minutes per IP.
func TestRateLimitsOnEveryLimitedRoute(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"/password/reset/request", "/pin/reset/request", "/unlock/request"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envConfig{})
			for i := 1; i <= 5; i++ {
				e.ok(req{method: "POST", path: path, body: map[string]any{"identifier": "inbox@example.in"}})
			}
			r := e.do(req{method: "POST", path: path, body: map[string]any{"identifier": "inbox@example.in"}})
			requireProblem(t, r, http.StatusTooManyRequests, "rate_limited")
			assert.Regexp(t, `^[1-9][0-9]*$`, r.header.Get("Retry-After"))
		})
	}
	t.Run("/register", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envConfig{})
		body := func(i int) map[string]any {
			return map[string]any{"email": fmt.Sprintf("user%d@example.in", i), "password": testPassword, "consents": consentsBody(false)}
		}
		for i := 1; i <= 20; i++ {
			require.Equal(t, http.StatusCreated, e.do(req{method: "POST", path: "/register", body: body(i)}).status, "registration %d", i)
		}
		r := e.do(req{method: "POST", path: "/register", body: body(21)})
		requireProblem(t, r, http.StatusTooManyRequests, "rate_limited")
		assert.Regexp(t, `^[1-9][0-9]*$`, r.header.Get("Retry-After"))
	})
	t.Run("/step-up/request", func(t *testing.T) {
		t.Parallel()
		e := newUserEnv(t, "stepup@example.in")
		tok := e.accessToken("stepup@example.in")
		for i := 1; i <= 5; i++ {
			e.ok(req{method: "POST", path: "/step-up/request", token: tok})
		}
		requireProblem(t, e.do(req{method: "POST", path: "/step-up/request", token: tok}), http.StatusTooManyRequests, "rate_limited")
	})
	t.Run("/pin/verify", func(t *testing.T) {
		t.Parallel()
		e := newUserEnv(t, "pin@example.in")
		tok := e.trustedToken("pin@example.in")
		e.ok(req{method: "POST", path: "/pin/set", token: tok, body: map[string]any{"pin": testPIN}})
		for i := 1; i <= 15; i++ {
			require.Equal(t, http.StatusOK, e.do(req{method: "POST", path: "/pin/verify", token: tok, body: map[string]any{"pin": testPIN}}).status, "verify %d", i)
		}
		requireProblem(t, e.do(req{method: "POST", path: "/pin/verify", token: tok, body: map[string]any{"pin": testPIN}}),
			http.StatusTooManyRequests, "rate_limited")
	})
}

// Every enumeration-safe request route answers 429 with Retry-After for the
// 6th request from one IP in 5 minutes (other IPs unaffected) and for a
// blocked IP, as documented.
func TestRequestRoutesAreLimitedPerIPAndHonourIPBlocks(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"/otp/request", "/password/reset/request", "/pin/reset/request", "/unlock/request"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envConfig{})
			const ip, other, blocked = "192.0.2.10", "192.0.2.11", "198.51.100.66"
			ask := func(ip, identifier string) resp {
				return e.do(req{method: "POST", path: path, ip: ip, body: map[string]any{"identifier": identifier}})
			}
			for i := 1; i <= 5; i++ {
				require.Equal(t, http.StatusOK, ask(ip, fmt.Sprintf("user%d@example.in", i)).status, "request %d", i)
			}
			r := ask(ip, "user6@example.in")
			requireProblem(t, r, http.StatusTooManyRequests, "rate_limited")
			retry, err := strconv.Atoi(r.header.Get("Retry-After"))
			require.NoError(t, err)
			assert.True(t, retry >= 1 && retry <= 300, "Retry-After %d within the 5-minute window", retry)
			assert.Equal(t, http.StatusOK, ask(other, "user6@example.in").status, "another IP is not limited")

			for i := 1; i <= 3; i++ {
				_ = e.do(req{method: "POST", path: "/login", ip: blocked,
					body: map[string]any{"identifier": fmt.Sprintf("victim%d@example.in", i), "password": "guess guess"}})
			}
			r = ask(blocked, "user1@example.in")
			requireProblem(t, r, http.StatusTooManyRequests, "ip_blocked")
			assert.Equal(t, "86400", r.header.Get("Retry-After"))
		})
	}
}

// downStore fails every call of the ports it stands in for, like a database
// that went away.
type downStore struct{ *memory.Store }

var errDown = fmt.Errorf("pg: dial tcp: %w", ports.ErrUnavailable)

func (downStore) CountAttempt(context.Context, string, time.Time, ports.LockPolicy) (ports.LockState, bool, error) {
	return ports.LockState{}, false, errDown
}

func (downStore) CreateUser(context.Context, ports.NewUser) (ports.User, error) {
	return ports.User{}, errDown
}

func (downStore) UserByEmail(context.Context, string) (ports.User, error) {
	return ports.User{}, errDown
}

func (downStore) ConsumeLink(context.Context, string, string, time.Time) (ports.OneTimeToken, error) {
	return ports.OneTimeToken{}, errDown
}

func (downStore) RotateRefresh(context.Context, string, string, time.Time, time.Duration) (ports.Session, error) {
	return ports.Session{}, errDown
}

// A store outage answers 503 on every route that needs it, with nothing of
// the cause in the body.
func TestStoreOutageIs503Everywhere(t *testing.T) {
	t.Parallel()
	token := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	for _, tc := range []struct {
		path string
		body map[string]any
	}{
		{path: "/register", body: map[string]any{"email": "a@example.in", "password": testPassword, "consents": consentsBody(true)}},
		{path: "/login", body: map[string]any{"identifier": "a@example.in", "password": testPassword}},
		{path: "/otp/request", body: map[string]any{"identifier": "a@example.in"}},
		{path: "/otp/verify", body: map[string]any{"identifier": "a@example.in", "otp_code": "123456"}},
		{path: "/email/verify", body: map[string]any{"token": token}},
		{path: "/password/reset/confirm", body: map[string]any{"token": token, "new_password": "another fine passphrase"}},
		{path: "/pin/reset/confirm", body: map[string]any{"token": token, "new_pin": "5820"}},
		{path: "/unlock/confirm", body: map[string]any{"token": token}},
		{path: "/refresh", body: map[string]any{"refresh_token": token}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envConfig{deps: func(d *core.Deps) {
				down := downStore{d.Storage.(*memory.Store)}
				d.Users, d.Registry, d.Lockouts, d.Tokens, d.Sessions = down, down, down, down, down
			}})
			r := e.do(req{method: "POST", path: tc.path, body: tc.body})
			requireProblem(t, r, http.StatusServiceUnavailable, "unavailable")
			assert.NotContains(t, string(r.raw), "dial")
		})
	}
}

// sessionsDown is the memory store with listing and revoking sessions broken.
type sessionsDown struct {
	*memory.Store
	err error
}

func (s sessionsDown) Sessions(context.Context, string) ([]ports.Session, error) { return nil, s.err }

func (s sessionsDown) RevokeSessions(context.Context, ports.Revocation, time.Time) ([]string, error) {
	return nil, s.err
}

// Every status the OpenAPI document gives a session-management route is
// answered by a case here, read from the document so neither drifts: a known
// device (200), no token (401), a new device that has not stepped up (403),
// an unknown session (404), an unexpected store failure (500) and an
// unreachable store (503). e.do checks each answer against the document.
func TestSessionManagementAnswersEveryDocumentedStatus(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(bahttp.OpenAPI())
	require.NoError(t, err)
	codes := map[int]string{http.StatusUnauthorized: "missing_token", http.StatusForbidden: "step_up_required",
		http.StatusNotFound: "not_found", http.StatusInternalServerError: "internal_error",
		http.StatusServiceUnavailable: "unavailable"}
	const owner = "asha@example.in"
	for _, rt := range []struct{ method, path string }{
		{"GET", "/sessions"}, {"DELETE", "/sessions/{id}"}, {"POST", "/logout-all"},
	} {
		op := doc.Paths.Value(rt.path).GetOperation(rt.method)
		require.NotNil(t, op, "%s %s", rt.method, rt.path)
		for key := range op.Responses.Map() {
			status, err := strconv.Atoi(key)
			require.NoError(t, err, "%s %s documents %q", rt.method, rt.path, key)
			t.Run(fmt.Sprintf("%s %s %d", rt.method, rt.path, status), func(t *testing.T) {
				t.Parallel()
				code, known := codes[status]
				require.True(t, known || status == http.StatusOK, "no case answers the documented status %d", status)
				var storeErr error
				switch status {
				case http.StatusInternalServerError:
					storeErr = errors.New("disk on fire at /var/lib/pg")
				case http.StatusServiceUnavailable:
					storeErr = errDown
				}
				e := newEnv(t, envConfig{deps: func(d *core.Deps) {
					if storeErr != nil {
						d.Sessions = sessionsDown{Store: d.Storage.(*memory.Store), err: storeErr}
					}
				}})
				e.register(owner)
				tok := e.trustedToken(owner)
				target := e.login(owner, nil).str("session_id")
				switch status {
				case http.StatusUnauthorized:
					tok = ""
				case http.StatusForbidden:
					tok = e.login(owner, map[string]any{"device_fingerprint": fpB}).str("access_token")
				case http.StatusNotFound:
					target = "ses_nope"
				}
				r := e.do(req{method: rt.method, path: strings.Replace(rt.path, "{id}", target, 1), token: tok})
				if status == http.StatusOK {
					require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
					return
				}
				requireProblem(t, r, status, code)
				assert.NotContains(t, string(r.raw), "disk on fire")
			})
		}
	}
}

// failingStore is the memory store with one port method broken, to see how
// store failures are said in HTTP.
type failingStore struct {
	*memory.Store
	err error
}

func (f failingStore) Sessions(context.Context, string) ([]ports.Session, error) { return nil, f.err }

func (f failingStore) ConsentHistory(context.Context, string) ([]ports.ConsentRecord, error) {
	return nil, f.err
}

func TestStoreFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		path   string
		status int
		code   string
	}{
		{name: "an unreachable store is 503", err: fmt.Errorf("pg: dial: %w", ports.ErrUnavailable), path: "/sessions", status: 503, code: "unavailable"},
		{name: "an unexpected failure is a generic 500", err: errors.New("disk on fire at /var/lib/pg"), path: "/sessions", status: 500, code: "internal_error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var fs failingStore
			e := newEnv(t, envConfig{deps: func(d *core.Deps) {
				fs = failingStore{Store: d.Storage.(*memory.Store), err: tc.err}
				d.Sessions, d.Consents = fs, fs
			}})
			e.register("asha@example.in")
			tok := e.trustedToken("asha@example.in")
			r := e.do(req{method: "GET", path: tc.path, token: tok})
			requireProblem(t, r, tc.status, tc.code)
			assert.NotContains(t, string(r.raw), "disk on fire")
			assert.NotContains(t, string(r.raw), "dial")
		})
	}
}
