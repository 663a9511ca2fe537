package http_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A wrong PIN and a locked PIN answer exactly alike: same status, same body.
func TestPINLockAnswersLikeAWrongPIN(t *testing.T) {
	t.Parallel()
	e := newUserEnv(t, "asha@example.in")
	a := e.trustedToken("asha@example.in") // a first PIN needs a trusted session
	b := e.accessToken("asha@example.in")

	e.ok(req{method: "POST", path: "/pin/set", token: a, body: map[string]any{"pin": testPIN}})
	requireProblem(t, e.do(req{method: "POST", path: "/pin/set", token: a, body: map[string]any{"pin": "1234"}}),
		http.StatusUnprocessableEntity, "validation_failed")

	// A password holder on a new device (b) guesses.
	wrong := e.do(req{method: "POST", path: "/pin/verify", token: b, body: map[string]any{"pin": "9999"}})
	requireProblem(t, wrong, http.StatusUnauthorized, "invalid_pin")
	for i := 2; i <= 5; i++ {
		r := e.do(req{method: "POST", path: "/pin/verify", token: b, body: map[string]any{"pin": "9999"}})
		assert.Equal(t, wrong.status, r.status)
		assert.Equal(t, string(wrong.raw), string(r.raw), "attempt %d", i)
	}
	// The lock fired: the right PIN from another new-device session answers like a wrong one.
	c := e.accessToken("asha@example.in")
	locked := e.do(req{method: "POST", path: "/pin/verify", token: c, body: map[string]any{"pin": testPIN}})
	assert.Equal(t, wrong.status, locked.status)
	assert.Equal(t, string(wrong.raw), string(locked.raw))
	assert.Equal(t, wrong.header.Get("WWW-Authenticate"), locked.header.Get("WWW-Authenticate"))
	// …and the session that made the attempts is gone.
	requireProblem(t, e.do(req{method: "GET", path: "/me", token: b}), http.StatusUnauthorized, "invalid_token")
	// The owner's verified phone has a PIN counter of its own.
	e.ok(req{method: "POST", path: "/pin/verify", token: a, body: map[string]any{"pin": testPIN}})
}

func TestPINAndPasswordResets(t *testing.T) {
	t.Parallel()
	e := newUserEnv(t, "asha@example.in")
	old := e.accessToken("asha@example.in")

	t.Run("PIN reset", func(t *testing.T) {
		e.requestAlike(t, "/pin/reset/request", "asha@example.in")
		token := e.mailed("asha@example.in", tokenRE)
		requireProblem(t, e.do(req{method: "POST", path: "/pin/reset/confirm", body: map[string]any{"token": token, "new_pin": "0000"}}),
			http.StatusUnprocessableEntity, "validation_failed")
		e.ok(req{method: "POST", path: "/pin/reset/confirm", body: map[string]any{"token": token, "new_pin": "482915"}})
		requireProblem(t, e.do(req{method: "POST", path: "/pin/reset/confirm", body: map[string]any{"token": token, "new_pin": "482915"}}),
			http.StatusUnauthorized, "invalid_token")
	})
	t.Run("password reset ends every session at once", func(t *testing.T) {
		e.requestAlike(t, "/password/reset/request", "asha@example.in")
		token := e.mailed("asha@example.in", tokenRE)
		r := e.do(req{method: "POST", path: "/password/reset/confirm", body: map[string]any{"token": token, "new_password": "password"}})
		requireProblem(t, r, http.StatusUnprocessableEntity, "validation_failed")
		assert.Equal(t, "new_password", r.str("field"))
		e.ok(req{method: "POST", path: "/password/reset/confirm", body: map[string]any{"token": token, "new_password": "a brand new passphrase"}})
		requireProblem(t, e.do(req{method: "GET", path: "/sessions", token: old}), http.StatusUnauthorized, "invalid_token")
		e.ok(req{method: "POST", path: "/login", body: map[string]any{"identifier": "asha@example.in", "password": "a brand new passphrase"}})
	})
	t.Run("unlock request answers the same for everyone", func(t *testing.T) {
		e.requestAlike(t, "/unlock/request", "asha@example.in")
	})
}

// Changing the password is sensitive: a new device steps up once (here with an
// emailed code), then the change needs the current password.
func TestStepUpAndPasswordChange(t *testing.T) {
	t.Parallel()
	e := newUserEnv(t, "asha@example.in")
	l := e.login("asha@example.in", nil)
	tok := l.str("access_token")
	change := map[string]any{"current_password": testPassword, "new_password": "another fine passphrase", "end_other_sessions": true}

	requireProblem(t, e.do(req{method: "POST", path: "/password/change", token: tok, body: change}), http.StatusForbidden, "step_up_required")
	requireProblem(t, e.do(req{method: "POST", path: "/password/change", body: change}), http.StatusUnauthorized, "missing_token")

	e.ok(req{method: "POST", path: "/step-up/request", token: tok})
	code := e.mailed("asha@example.in", codeRE)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	requireProblem(t, e.do(req{method: "POST", path: "/step-up/verify", token: tok, body: map[string]any{"otp_code": wrong}}),
		http.StatusUnauthorized, "invalid_otp")
	requireProblem(t, e.do(req{method: "POST", path: "/step-up/verify", token: tok, body: map[string]any{}}),
		http.StatusUnprocessableEntity, "validation_failed")
	e.ok(req{method: "POST", path: "/step-up/verify", token: tok, body: map[string]any{"otp_code": code}})

	// The step-up made the device known: a first PIN may be set. Changing it
	// needs the current PIN or a fresh step-up (the one above, once).
	pinSet := func(body map[string]any) resp {
		return e.do(req{method: "POST", path: "/pin/set", token: tok, body: body})
	}
	require.Equal(t, http.StatusOK, pinSet(map[string]any{"pin": testPIN}).status)
	require.Equal(t, http.StatusOK, pinSet(map[string]any{"pin": "572913"}).status)
	requireProblem(t, pinSet(map[string]any{"pin": "683014"}), http.StatusForbidden, "step_up_required")
	requireProblem(t, pinSet(map[string]any{"pin": "683014", "current_pin": "9999"}), http.StatusUnauthorized, "invalid_pin")
	require.Equal(t, http.StatusOK, pinSet(map[string]any{"pin": "683014", "current_pin": "572913"}).status)

	bad := map[string]any{"current_password": "not my password", "new_password": "another fine passphrase"}
	requireProblem(t, e.do(req{method: "POST", path: "/password/change", token: tok, body: bad}), http.StatusUnauthorized, "invalid_credentials")
	r := e.ok(req{method: "POST", path: "/password/change", token: tok, body: change})
	assert.Equal(t, map[string]any{"success": true}, r.json)
}

// A recovery link opened with a device fingerprint signs that device in as a
// verified device, so a stranger who locks the account again at once cannot
// keep the owner out.
func TestRecoveryLinksSignTheDeviceIn(t *testing.T) {
	t.Parallel()
	e := newUserEnv(t, "asha@example.in")
	for i := 0; i < 5; i++ { // a stranger locks the account
		e.do(req{method: "POST", path: "/login", body: map[string]any{"identifier": "asha@example.in", "password": "a stranger's guess"}})
	}
	e.ok(req{method: "POST", path: "/unlock/request", body: map[string]any{"identifier": "asha@example.in"}})
	r := e.ok(req{method: "POST", path: "/unlock/confirm", body: map[string]any{"token": e.mailed("asha@example.in", tokenRE), "device_fingerprint": fpA}})
	assert.Equal(t, "known", r.str("trust"))
	assert.NotEmpty(t, r.str("access_token"))

	for i := 0; i < 5; i++ { // the stranger locks it again
		e.do(req{method: "POST", path: "/login", body: map[string]any{"identifier": "asha@example.in", "password": "a stranger's guess"}})
	}
	requireProblem(t, e.do(req{method: "POST", path: "/login", body: map[string]any{"identifier": "asha@example.in", "password": testPassword}}),
		http.StatusLocked, "account_locked")
	assert.Equal(t, "known", e.login("asha@example.in", map[string]any{"device_fingerprint": fpA}).str("trust"), "the owner's device signs in")

	e.ok(req{method: "POST", path: "/password/reset/request", body: map[string]any{"identifier": "asha@example.in"}})
	r = e.do(req{method: "POST", path: "/password/reset/confirm", body: map[string]any{"token": e.mailed("asha@example.in", tokenRE),
		"new_password": "a brand new passphrase"}})
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
	assert.Equal(t, true, r.json["success"], "without a fingerprint: no session")
}
