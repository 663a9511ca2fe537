package http_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
)

// busyLockouts is a lockout store whose every key has attempts in flight.
type busyLockouts struct{ ports.LockoutStore }

func (busyLockouts) BeginAttempt(context.Context, string, time.Time, ports.LockPolicy) (ports.LockState, ports.Admission, error) {
	return ports.LockState{Pending: 5}, ports.RefusedBusy, nil
}

// An attempt refused only because others are in flight is a 429 with
// Retry-After, never a 423: the account is not locked.
func TestAttemptsInFlightAnswer429TooManyAttempts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{deps: func(d *core.Deps) { d.Lockouts = busyLockouts{d.Storage} }})
	e.register("busy@example.in")
	r := e.do(req{method: "POST", path: "/login", body: map[string]any{"identifier": "busy@example.in", "password": testPassword}})
	requireProblem(t, r, http.StatusTooManyRequests, "too_many_attempts")
	assert.Equal(t, "1", r.header.Get("Retry-After"))
	assert.Nil(t, r.json["locked_until"])
}

func TestLoginRefreshLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	id := e.register("asha@example.in")
	login := e.login("asha@example.in", map[string]any{"device_fingerprint": fpA})
	access, refresh := login.str("access_token"), login.str("refresh_token")

	t.Run("login answers the documented shape", func(t *testing.T) {
		assert.Equal(t, "bearer", login.str("token_type"))
		assert.Equal(t, float64(900), login.json["expires_in"])
		assert.Equal(t, false, login.json["is_public_device"])
		assert.Equal(t, false, login.json["is_verified_device"])
		assert.Equal(t, "new_device", login.str("trust"))
		assert.NotEmpty(t, login.str("session_id"))
		assert.Equal(t, map[string]any{"id": id, "email": "asha@example.in"}, login.json["user"])
		assert.Equal(t, "no-store", login.header.Get("Cache-Control"))
	})
	t.Run("me", func(t *testing.T) {
		r := e.ok(req{method: "GET", path: "/me", token: access})
		assert.Equal(t, map[string]any{"user_id": id, "email": "asha@example.in", "display_name": "", "username": "",
			"language": "", "trust": "new_device", "session_id": login.str("session_id"), "phone": "", "phone_verified": false}, r.json)
	})
	t.Run("wrong password", func(t *testing.T) {
		r := e.do(req{method: "POST", path: "/login", body: map[string]any{"identifier": "asha@example.in", "password": "not the password"}})
		requireProblem(t, r, http.StatusUnauthorized, "invalid_credentials")
		assert.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
	})
	var rotated string
	t.Run("refresh rotates", func(t *testing.T) {
		r := e.ok(req{method: "POST", path: "/refresh", body: map[string]any{"refresh_token": refresh}})
		assert.ElementsMatch(t, []string{"access_token", "refresh_token", "token_type", "expires_in"}, keys(r.json))
		rotated = r.str("refresh_token")
		assert.NotEqual(t, refresh, rotated)
	})
	t.Run("a rotated refresh token is a retry within the grace, then ends the family", func(t *testing.T) {
		r := e.do(req{method: "POST", path: "/refresh", body: map[string]any{"refresh_token": refresh}})
		require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
		assert.Equal(t, rotated, r.str("refresh_token"), "a retry gets the same new refresh token")
		e.clock.Advance(11 * time.Second)
		r = e.do(req{method: "POST", path: "/refresh", body: map[string]any{"refresh_token": refresh}})
		requireProblem(t, r, http.StatusUnauthorized, "refresh_token_reused")
		r = e.do(req{method: "POST", path: "/refresh", body: map[string]any{"refresh_token": rotated}})
		requireProblem(t, r, http.StatusUnauthorized, "invalid_token")
		r = e.do(req{method: "GET", path: "/me", token: access})
		requireProblem(t, r, http.StatusUnauthorized, "invalid_token")
		assert.Equal(t, `Bearer realm="bharatauth", error="invalid_token"`, r.header.Get("WWW-Authenticate"))
	})
	t.Run("logout ends the session at once, unknown tokens answer the same", func(t *testing.T) {
		l := e.login("asha@example.in", nil)
		r := e.ok(req{method: "POST", path: "/logout", body: map[string]any{"refresh_token": l.str("refresh_token")}})
		assert.Equal(t, map[string]any{"success": true}, r.json)
		r2 := e.do(req{method: "POST", path: "/logout", body: map[string]any{"refresh_token": "never-issued"}})
		assert.Equal(t, r.raw, r2.raw)
		requireProblem(t, e.do(req{method: "GET", path: "/me", token: l.str("access_token")}), http.StatusUnauthorized, "invalid_token")
	})
	t.Run("an expired access token", func(t *testing.T) {
		l := e.login("asha@example.in", nil)
		e.clock.Advance(16 * time.Minute)
		r := e.do(req{method: "GET", path: "/me", token: l.str("access_token")})
		requireProblem(t, r, http.StatusUnauthorized, "token_expired")
		assert.Equal(t, `Bearer realm="bharatauth", error="invalid_token"`, r.header.Get("WWW-Authenticate"))
	})
	t.Run("an expired session cannot refresh", func(t *testing.T) {
		l := e.login("asha@example.in", map[string]any{"is_public_device": true})
		e.clock.Advance(3 * time.Hour)
		r := e.do(req{method: "POST", path: "/refresh", body: map[string]any{"refresh_token": l.str("refresh_token")}})
		requireProblem(t, r, http.StatusUnauthorized, "token_expired")
	})
	t.Run("suspended", func(t *testing.T) {
		l := e.login("asha@example.in", nil)
		require.NoError(t, e.store.SetSuspended(t.Context(), id, true))
		r := e.do(req{method: "POST", path: "/refresh", body: map[string]any{"refresh_token": l.str("refresh_token")}})
		requireProblem(t, r, http.StatusForbidden, "suspended")
		r = e.do(req{method: "POST", path: "/login", body: map[string]any{"identifier": "asha@example.in", "password": testPassword}})
		requireProblem(t, r, http.StatusForbidden, "suspended")
	})
}

func TestEmailNotVerified(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{}) // RequireVerifiedEmail is on by default
	e.registerUnverified("asha@example.in")
	r := e.do(req{method: "POST", path: "/login", body: map[string]any{"identifier": "asha@example.in", "password": testPassword}})
	requireProblem(t, r, http.StatusForbidden, "email_not_verified")
	assert.Equal(t, 2, e.outbox.Len(), "the refusal sent the verification link again")
}

func TestOTPLogin(t *testing.T) {
	t.Parallel()
	e := newUserEnv(t, "asha@example.in")

	known := e.do(req{method: "POST", path: "/otp/request", body: map[string]any{"identifier": "asha@example.in", "device_fingerprint": fpA}})
	unknown := e.ok(req{method: "POST", path: "/otp/request", body: map[string]any{"identifier": "nobody@example.in"}})
	assert.Equal(t, known.raw, unknown.raw, "the answer must not say who exists")
	assert.Equal(t, true, known.json["success"])
	assert.NotEmpty(t, known.str("message"))
	code := e.mailed("asha@example.in", codeRE)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}

	r := e.do(req{method: "POST", path: "/otp/verify", body: map[string]any{"identifier": "asha@example.in", "otp_code": wrong}})
	requireProblem(t, r, http.StatusUnauthorized, "invalid_otp")
	r = e.do(req{method: "POST", path: "/otp/verify", body: map[string]any{
		"identifier": "asha@example.in", "otp_code": code, "device_fingerprint": fpA}})
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
	assert.Equal(t, "bearer", r.str("token_type"))
	assert.NotEmpty(t, r.str("access_token"))
	r = e.do(req{method: "POST", path: "/otp/verify", body: map[string]any{"identifier": "asha@example.in", "otp_code": code}})
	requireProblem(t, r, http.StatusUnauthorized, "invalid_otp")
}

// The lockout ladder: wrong passwords 1–4 answer 401, the 5th 423 with
// locked_until, the right password 423 during the lock; at 10 a hard lock
// with requires_email_verify, cleared by the unlock link.
func TestLockout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{deps: func(d *core.Deps) { d.Limiter = nil }})
	e.register("asha@example.in")
	wrong := map[string]any{"identifier": "asha@example.in", "password": "definitely wrong"}
	for i := 1; i <= 4; i++ {
		requireProblem(t, e.do(req{method: "POST", path: "/login", body: wrong}), http.StatusUnauthorized, "invalid_credentials")
	}
	r := e.do(req{method: "POST", path: "/login", body: wrong})
	requireProblem(t, r, http.StatusLocked, "account_locked")
	assert.Equal(t, testStart.Add(7*time.Minute).Format(time.RFC3339), r.str("locked_until"))
	assert.Equal(t, false, r.json["requires_email_verify"])

	r = e.do(req{method: "POST", path: "/login", body: map[string]any{"identifier": "asha@example.in", "password": testPassword}})
	requireProblem(t, r, http.StatusLocked, "account_locked")

	for i := 6; i <= 10; i++ {
		e.clock.Advance(8 * time.Minute)
		r = e.do(req{method: "POST", path: "/login", body: wrong})
	}
	requireProblem(t, r, http.StatusLocked, "account_locked")
	assert.Equal(t, true, r.json["requires_email_verify"], "body: %s", r.raw)
	unlock := e.mailed("asha@example.in", tokenRE)

	e.ok(req{method: "POST", path: "/unlock/confirm", body: map[string]any{"token": unlock}})
	e.login("asha@example.in", nil)
}

// Three distinct identifiers failing from one IP block it: 429 with
// Retry-After from the crossing attempt on, whatever the credentials.
func TestIPBlock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	const attacker = "198.51.100.66"
	for i := 1; i <= 2; i++ {
		r := e.do(req{method: "POST", path: "/login", ip: attacker,
			body: map[string]any{"identifier": fmt.Sprintf("victim%d@example.in", i), "password": "guess guess"}})
		requireProblem(t, r, http.StatusUnauthorized, "invalid_credentials")
	}
	r := e.do(req{method: "POST", path: "/login", ip: attacker,
		body: map[string]any{"identifier": "victim3@example.in", "password": "guess guess"}})
	requireProblem(t, r, http.StatusTooManyRequests, "ip_blocked")
	assert.Equal(t, "86400", r.header.Get("Retry-After"))

	e.clock.Advance(90 * time.Second)
	r = e.do(req{method: "POST", path: "/otp/verify", ip: attacker,
		body: map[string]any{"identifier": "victim1@example.in", "otp_code": "123456"}})
	requireProblem(t, r, http.StatusTooManyRequests, "ip_blocked")
	assert.Equal(t, "86310", r.header.Get("Retry-After"))
}

// The sixth OTP request from one IP within 5 minutes is refused with 429.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	var r resp
	for i := 1; i <= 6; i++ {
		r = e.do(req{method: "POST", path: "/otp/request", body: map[string]any{"identifier": fmt.Sprintf("user%d@example.in", i)}})
		if i < 6 {
			require.Equal(t, http.StatusOK, r.status, "request %d: %s", i, r.raw)
		}
	}
	requireProblem(t, r, http.StatusTooManyRequests, "rate_limited")
	assert.Regexp(t, `^[1-9][0-9]*$`, r.header.Get("Retry-After"))
}
