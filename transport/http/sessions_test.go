package http_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

func TestSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	e.register("asha@example.in")
	e.register("ravi@example.in")
	first := e.trustedLogin("asha@example.in") // a known device: session management needs no step-up
	second := e.login("asha@example.in", map[string]any{"is_public_device": true})
	ravi := e.login("ravi@example.in", nil)

	r := e.do(req{method: "GET", path: "/sessions", token: first.str("access_token")})
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
	list := r.json["sessions"].([]any)
	require.Len(t, list, 3, "the session that stepped up, the known one, the public one")
	byID := map[string]map[string]any{}
	for _, s := range list {
		m := s.(map[string]any)
		byID[m["id"].(string)] = m
	}
	cur := byID[first.str("session_id")]
	assert.Equal(t, true, cur["current"])
	assert.Equal(t, testIP, cur["ip_address"])
	assert.Equal(t, "transport-test/1.0", cur["device_info"])
	assert.Equal(t, testStart.Format("2006-01-02T15:04:05Z"), cur["created_at"])
	assert.Equal(t, true, byID[second.str("session_id")]["is_public_device"])
	assert.Equal(t, false, byID[second.str("session_id")]["current"])

	tests := []struct {
		name   string
		id     string
		status int
		code   string
	}{
		{name: "another user's session is not found", id: ravi.str("session_id"), status: http.StatusNotFound, code: "not_found"},
		{name: "an unknown session", id: "sess_nope", status: http.StatusNotFound, code: "not_found"},
		{name: "own other session", id: second.str("session_id"), status: http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(req{method: "DELETE", path: "/sessions/" + tc.id, token: first.str("access_token")})
			if tc.status == http.StatusOK {
				require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
				return
			}
			requireProblem(t, r, tc.status, tc.code)
		})
	}
	requireProblem(t, e.do(req{method: "GET", path: "/me", token: second.str("access_token")}), http.StatusUnauthorized, "invalid_token")
	assert.Equal(t, http.StatusOK, e.do(req{method: "GET", path: "/me", token: ravi.str("access_token")}).status)

	r = e.do(req{method: "POST", path: "/logout-all", token: first.str("access_token")})
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
	requireProblem(t, e.do(req{method: "GET", path: "/sessions", token: first.str("access_token")}), http.StatusUnauthorized, "invalid_token")
	requireProblem(t, e.do(req{method: "POST", path: "/logout-all"}), http.StatusUnauthorized, "missing_token")
}

// sessionCalls are the three session-management calls, made with tok; other
// is the ID of another session of the same user.
func sessionCalls(e *env, tok, other string) []func() resp {
	return []func() resp{
		func() resp { return e.do(req{method: "GET", path: "/sessions", token: tok}) },
		func() resp { return e.do(req{method: "DELETE", path: "/sessions/" + other, token: tok}) },
		func() resp { return e.do(req{method: "POST", path: "/logout-all", token: tok}) },
	}
}

// deviceTrust signs in from fp and answers the trust the server gave it.
func (e *env) deviceTrust(email, fp string) string {
	e.t.Helper()
	return e.login(email, map[string]any{"device_fingerprint": fp}).str("trust")
}

// ownerAtHome registers the owner, signs in on their known device fpA and sets
// their PIN there; it returns the home session's login body.
func (e *env) ownerAtHome(email string) resp {
	e.t.Helper()
	e.register(email)
	home := e.trustedLogin(email)
	r := e.do(req{method: "POST", path: "/pin/set", token: home.str("access_token"), body: map[string]any{"pin": testPIN}})
	require.Equal(e.t, http.StatusOK, r.status, "body: %s", r.raw)
	return home
}

func (e *env) verifyPIN(tok string) {
	e.t.Helper()
	r := e.do(req{method: "POST", path: "/pin/verify", token: tok, body: map[string]any{"pin": testPIN}})
	require.Equal(e.t, http.StatusOK, r.status, "body: %s", r.raw)
}

// A password alone (a new device that has not stepped up) can neither list,
// end nor un-trust the owner's sessions; a step-up by PIN or emailed code lets
// it, once.
func TestSessionManagementOnANewDeviceNeedsAStepUp(t *testing.T) {
	t.Parallel()
	const owner = "asha@example.in"
	for _, tc := range []struct {
		name   string
		stepUp func(e *env, tok string)
	}{
		{name: "PIN", stepUp: func(e *env, tok string) { e.verifyPIN(tok) }},
		{name: "emailed code", stepUp: func(e *env, tok string) {
			require.Equal(t, http.StatusOK, e.do(req{method: "POST", path: "/step-up/request", token: tok}).status)
			r := e.do(req{method: "POST", path: "/step-up/verify", token: tok, body: map[string]any{"otp_code": e.mailed(owner, codeRE)}})
			require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envConfig{})
			home := e.ownerAtHome(owner)
			stranger := e.login(owner, map[string]any{"device_fingerprint": fpB})
			require.Equal(t, "new_device", stranger.str("trust"))
			tok := stranger.str("access_token")

			for _, call := range sessionCalls(e, tok, home.str("session_id")) {
				requireProblem(t, call(), http.StatusForbidden, "step_up_required")
			}
			assert.Equal(t, http.StatusOK, e.do(req{method: "GET", path: "/me", token: home.str("access_token")}).status, "the owner is still signed in")
			assert.Equal(t, "known", e.deviceTrust(owner, fpA), "the owner's device is still known")

			tc.stepUp(e, tok)
			calls := sessionCalls(e, tok, home.str("session_id"))
			for _, call := range calls[:2] {
				r := call()
				require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
			}
			requireProblem(t, e.do(req{method: "GET", path: "/me", token: home.str("access_token")}), http.StatusUnauthorized, "invalid_token")
			assert.Equal(t, "new_device", e.deviceTrust(owner, fpA), "a trusted revocation forgets the device")
			r := calls[2]()
			require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
			requireProblem(t, e.do(req{method: "GET", path: "/me", token: tok}), http.StatusUnauthorized, "invalid_token")
		})
	}
}

// A public device needs a fresh step-up for each session-management call.
func TestSessionManagementOnAPublicDeviceNeedsAStepUpEachTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	home := e.ownerAtHome("asha@example.in")
	other := e.login("asha@example.in", nil).str("session_id")
	tok := e.login("asha@example.in", map[string]any{"is_public_device": true}).str("access_token")
	for _, call := range sessionCalls(e, tok, home.str("session_id")) {
		requireProblem(t, call(), http.StatusForbidden, "step_up_required")
	}

	e.verifyPIN(tok)
	require.Equal(t, http.StatusOK, e.do(req{method: "GET", path: "/sessions", token: tok}).status)
	requireProblem(t, e.do(req{method: "GET", path: "/sessions", token: tok}), http.StatusForbidden, "step_up_required")

	e.verifyPIN(tok)
	require.Equal(t, http.StatusOK, e.do(req{method: "DELETE", path: "/sessions/" + other, token: tok}).status)
	requireProblem(t, e.do(req{method: "DELETE", path: "/sessions/" + home.str("session_id"), token: tok}), http.StatusForbidden, "step_up_required")

	e.verifyPIN(tok)
	require.Equal(t, http.StatusOK, e.do(req{method: "POST", path: "/logout-all", token: tok}).status)
	requireProblem(t, e.do(req{method: "GET", path: "/me", token: home.str("access_token")}), http.StatusUnauthorized, "invalid_token")
}

// A known device manages sessions directly.
func TestSessionManagementOnAKnownDeviceNeedsNoStepUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	home := e.ownerAtHome("asha@example.in")
	other := e.login("asha@example.in", nil).str("session_id")
	for _, call := range sessionCalls(e, home.str("access_token"), other) {
		r := call()
		require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
	}
}

// Ending one's own current session is a logout: no step-up on any device,
// and the owner's known device stays known.
func TestRevokingTheCurrentSessionIsALogout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		login map[string]any
	}{
		{name: "known device", login: map[string]any{"device_fingerprint": fpA}},
		{name: "new device", login: map[string]any{"device_fingerprint": fpB}},
		{name: "public device", login: map[string]any{"device_fingerprint": fpA, "is_public_device": true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envConfig{})
			e.ownerAtHome("asha@example.in")
			me := e.login("asha@example.in", tc.login)
			tok := me.str("access_token")
			r := e.do(req{method: "DELETE", path: "/sessions/" + me.str("session_id"), token: tok})
			require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
			requireProblem(t, e.do(req{method: "GET", path: "/me", token: tok}), http.StatusUnauthorized, "invalid_token")
			assert.Equal(t, "known", e.deviceTrust("asha@example.in", fpA), "no device forgotten")
		})
	}
}

func TestPrivacy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	e.register("asha@example.in")
	tok := e.login("asha@example.in", nil).str("access_token")

	r := e.do(req{method: "GET", path: "/privacy/consents", token: tok})
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
	assert.Equal(t, true, r.json["success"])
	data := r.json["data"].([]any)
	require.Len(t, data, len(core.DefaultCategories()))
	first := data[0].(map[string]any)
	assert.Equal(t, map[string]any{"category": "identity", "granted": true, "required": true,
		"notice_version": "1.0.0", "consented_at": testStart.Format("2006-01-02T15:04:05Z")}, first)

	tests := []struct {
		name    string
		path    string
		body    any
		status  int
		code    string
		granted bool
	}{
		{name: "withdraw analytics", path: "/privacy/consent/withdraw", body: map[string]any{"category": "analytics"}, status: 200},
		{name: "grant analytics", path: "/privacy/consent/grant", body: map[string]any{"category": "analytics"}, status: 200, granted: true},
		{name: "unknown category", path: "/privacy/consent/grant", body: map[string]any{"category": "mind_reading"}, status: 422, code: "validation_failed"},
		{name: "SQL in a category", path: "/privacy/consent/withdraw", body: map[string]any{"category": "x'); DELETE FROM ba_consent_log;--"}, status: 422, code: "validation_failed"},
		{name: "missing category", path: "/privacy/consent/withdraw", body: map[string]any{}, status: 422, code: "validation_failed"},
		{name: "category of the wrong type", path: "/privacy/consent/withdraw", body: `{"category":["analytics"]}`, status: 400, code: "wrong_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(req{method: "POST", path: tc.path, token: tok, body: tc.body})
			if tc.status != http.StatusOK {
				requireProblem(t, r, tc.status, tc.code)
				assert.Equal(t, "category", r.str("field"))
				return
			}
			require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
			d := r.json["data"].(map[string]any)
			assert.Equal(t, "analytics", d["category"])
			assert.Equal(t, tc.granted, d["granted"])
			assert.Equal(t, false, d["required"])
		})
	}

	t.Run("export needs a step-up, then answers the document", func(t *testing.T) {
		requireProblem(t, e.do(req{method: "GET", path: "/privacy/export", token: tok}), http.StatusForbidden, "step_up_required")
		require.Equal(t, http.StatusOK, e.do(req{method: "POST", path: "/step-up/request", token: tok}).status)
		code := e.mailed("asha@example.in", codeRE)
		require.Equal(t, http.StatusOK, e.do(req{method: "POST", path: "/step-up/verify", token: tok, body: map[string]any{"otp_code": code}}).status)
		require.Equal(t, http.StatusOK, e.do(req{method: "POST", path: "/pin/set", token: tok, body: map[string]any{"pin": testPIN}}).status)
		r := e.do(req{method: "GET", path: "/privacy/export", token: tok})
		require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
		account := r.json["account"].(map[string]any)
		assert.Equal(t, "asha@example.in", account["email"])
		assert.Equal(t, true, account["pin_set"])
		assert.Len(t, r.json["consents"], len(core.DefaultCategories())+2)
		assert.NotEmpty(t, r.json["events"])
		assert.NotEmpty(t, r.json["one_time_tokens"])
		assert.NotContains(t, string(r.raw), "argon2")
	})
}

// A new device's first sensitive action needs a step-up; a public device
// needs one before every action, and each is used up by one action.
func TestMiddleware(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	e.root.Handle("GET /app/hello", e.api.RequireAuth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := bahttp.PrincipalFrom(r.Context())
		if !ok {
			http.Error(w, "no principal", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "hello %s %s", p.UserID, p.Trust)
	})))
	e.root.Handle("POST /app/transfer", e.api.RequireAuth(e.api.RequireStepUp(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "transferred")
	}))))
	e.root.Handle("POST /app/standalone", e.api.RequireStepUp(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "ok")
	})))
	id := e.register("asha@example.in")
	home := e.trustedLogin("asha@example.in").str("access_token") // the PIN is set at home
	require.Equal(t, http.StatusOK, e.do(req{method: "POST", path: "/pin/set", token: home, body: map[string]any{"pin": testPIN}}).status)
	tok := e.login("asha@example.in", map[string]any{"is_public_device": true}).str("access_token")

	t.Run("RequireAuth", func(t *testing.T) {
		tests := []struct {
			name   string
			auth   string
			status int
			code   string
		}{
			{name: "no token", status: 401, code: "missing_token"},
			{name: "not a bearer scheme", auth: "Basic YXNoYTpwdw==", status: 401, code: "missing_token"},
			{name: "a forged token", auth: "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", status: 401, code: "invalid_token"},
			{name: "a good token, scheme in lower case", auth: "bearer " + tok, status: 200},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := e.doRoot("GET", "/app/hello", tc.auth)
				if tc.status == http.StatusOK {
					require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
					assert.Equal(t, "hello "+id+" public", string(r.raw))
					return
				}
				requireProblem(t, r, tc.status, tc.code)
				assert.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
			})
		}
	})
	t.Run("RequireStepUp on a public device: once per step-up", func(t *testing.T) {
		requireProblem(t, e.doRoot("POST", "/app/transfer", "Bearer "+tok), http.StatusForbidden, "step_up_required")
		require.Equal(t, http.StatusOK, e.do(req{method: "POST", path: "/pin/verify", token: tok, body: map[string]any{"pin": testPIN}}).status)
		r := e.doRoot("POST", "/app/transfer", "Bearer "+tok)
		require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
		assert.Equal(t, "transferred", string(r.raw))
		requireProblem(t, e.doRoot("POST", "/app/transfer", "Bearer "+tok), http.StatusForbidden, "step_up_required")
	})
	t.Run("RequireStepUp alone authenticates first", func(t *testing.T) {
		requireProblem(t, e.doRoot("POST", "/app/standalone", ""), http.StatusUnauthorized, "missing_token")
		requireProblem(t, e.doRoot("POST", "/app/standalone", "Bearer "+tok), http.StatusForbidden, "step_up_required")
	})
}

// doRoot calls an app route on the root mux (outside the OpenAPI document).
func (e *env) doRoot(method, path, authorization string) resp {
	e.t.Helper()
	return e.do(req{method: method, abs: path, headers: map[string]string{"Authorization": authorization}})
}

func TestXForwardedFor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{opts: bahttp.Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}})
	e.register("asha@example.in")
	login := func(peer, xff string) string {
		r := e.do(req{method: "POST", path: "/login", ip: peer, headers: map[string]string{"X-Forwarded-For": xff},
			body: map[string]any{"identifier": "asha@example.in", "password": testPassword}})
		require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
		return r.str("session_id")
	}
	untrusted := login("192.0.2.50", "1.2.3.4")
	proxied := login("10.0.0.5", "1.1.1.1, 203.0.113.9, 10.0.0.2")
	tok := e.trustedLogin("asha@example.in").str("access_token")
	r := e.do(req{method: "GET", path: "/sessions", token: tok})
	require.Equal(t, http.StatusOK, r.status)
	ips := map[string]any{}
	for _, s := range r.json["sessions"].([]any) {
		m := s.(map[string]any)
		ips[m["id"].(string)] = m["ip_address"]
	}
	assert.Equal(t, "192.0.2.50", ips[untrusted], "X-Forwarded-For from an untrusted peer is ignored")
	assert.Equal(t, "203.0.113.9", ips[proxied], "the rightmost hop that is not a trusted proxy is the client")
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
			tok := e.trustedLogin("asha@example.in").str("access_token")
			r := e.do(req{method: "GET", path: tc.path, token: tok})
			requireProblem(t, r, tc.status, tc.code)
			assert.NotContains(t, string(r.raw), "disk on fire")
			assert.NotContains(t, string(r.raw), "dial")
		})
	}
}

func TestJWKS(t *testing.T) {
	t.Parallel()
	hs := newEnv(t, envConfig{})
	requireProblem(t, hs.do(req{method: "GET", path: "/.well-known/jwks.json"}), http.StatusNotFound, "jwks_not_configured")

	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	ed := newEnv(t, envConfig{cfg: func(c *core.Config) {
		c.SigningKeys = []core.SigningKey{{ID: "k1", Algorithm: "EdDSA", Private: key}}
	}})
	r := ed.do(req{method: "GET", path: "/.well-known/jwks.json"})
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
	assert.Equal(t, "application/jwk-set+json", r.header.Get("Content-Type"))
	assert.Contains(t, string(r.raw), `"kid":"k1"`)
}

func TestOpenAPIIsServed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	r := e.do(req{method: "GET", path: "/openapi.json"})
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "3.1.0", r.json["openapi"])
	assert.Equal(t, bahttp.OpenAPI(), r.raw)
}
