package http_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSessions(t *testing.T) {
	t.Parallel()
	e := newUserEnv(t, "asha@example.in", "ravi@example.in")
	first := e.trustedLogin("asha@example.in") // a known device: session management needs no step-up
	second := e.login("asha@example.in", map[string]any{"is_public_device": true})
	ravi := e.login("ravi@example.in", nil)

	r := e.ok(req{method: "GET", path: "/sessions", token: first.str("access_token")})
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

	e.ok(req{method: "POST", path: "/logout-all", token: first.str("access_token")})
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
	e.ok(req{method: "POST", path: "/pin/set", token: home.str("access_token"), body: map[string]any{"pin": testPIN}})
	return home
}

func (e *env) verifyPIN(tok string) {
	e.t.Helper()
	e.ok(req{method: "POST", path: "/pin/verify", token: tok, body: map[string]any{"pin": testPIN}})
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
		{name: "emailed code", stepUp: func(e *env, tok string) { e.stepUp(owner, tok) }},
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
	e.ok(req{method: "GET", path: "/sessions", token: tok})
	requireProblem(t, e.do(req{method: "GET", path: "/sessions", token: tok}), http.StatusForbidden, "step_up_required")

	e.verifyPIN(tok)
	e.ok(req{method: "DELETE", path: "/sessions/" + other, token: tok})
	requireProblem(t, e.do(req{method: "DELETE", path: "/sessions/" + home.str("session_id"), token: tok}), http.StatusForbidden, "step_up_required")

	e.verifyPIN(tok)
	e.ok(req{method: "POST", path: "/logout-all", token: tok})
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
			e.ok(req{method: "DELETE", path: "/sessions/" + me.str("session_id"), token: tok})
			requireProblem(t, e.do(req{method: "GET", path: "/me", token: tok}), http.StatusUnauthorized, "invalid_token")
			assert.Equal(t, "known", e.deviceTrust("asha@example.in", fpA), "no device forgotten")
		})
	}
}
