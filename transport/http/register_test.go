package http_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
)

func TestRegisterAndVerifyEmail(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	id := e.registerUnverified("asha@example.in")
	assert.NotEmpty(t, id)
	verifyToken := e.mailed("asha@example.in", tokenRE)

	tests := []bodyCase{
		{name: "email taken, case-insensitively", path: "/register", status: http.StatusConflict, code: "email_taken",
			body: map[string]any{"email": "ASHA@example.in", "password": testPassword, "consents": consentsBody(false)}},
		{name: "no consents at all", path: "/register", status: http.StatusForbidden, code: "consent_required",
			body: map[string]any{"email": "ravi@example.in", "password": testPassword}},
		{name: "a required category declined", path: "/register", status: http.StatusForbidden, code: "consent_required",
			body: map[string]any{"email": "ravi@example.in", "password": testPassword, "consents": []map[string]any{
				{"category": "identity", "granted": false}, {"category": "contact", "granted": true},
				{"category": "location", "granted": false}, {"category": "security", "granted": true},
				{"category": "communications", "granted": false}, {"category": "analytics", "granted": false}}}},
		{name: "unknown consent category", path: "/register", status: http.StatusUnprocessableEntity, code: "validation_failed",
			field: "consents", body: map[string]any{"email": "ravi@example.in", "password": testPassword,
				"consents": append(consentsBody(false), map[string]any{"category": "telepathy'; DROP TABLE ba_users;--", "granted": true})}},
		{name: "a decision without granted", path: "/register", status: http.StatusUnprocessableEntity, code: "validation_failed",
			field: "consents[0].granted", body: map[string]any{"email": "ravi@example.in", "password": testPassword,
				"consents": []map[string]any{{"category": "identity"}}}},
		{name: "common password", path: "/register", status: http.StatusUnprocessableEntity, code: "validation_failed",
			field: "password", body: map[string]any{"email": "ravi@example.in", "password": "password", "consents": consentsBody(false)}},
		{name: "short password", path: "/register", status: http.StatusUnprocessableEntity, code: "validation_failed",
			field: "password", body: map[string]any{"email": "ravi@example.in", "password": "short", "consents": consentsBody(false)}},
		{name: "not an email", path: "/register", status: http.StatusUnprocessableEntity, code: "validation_failed",
			field: "email", body: map[string]any{"email": "ravi' OR '1'='1", "password": testPassword, "consents": consentsBody(false)}},
		{name: "missing email", path: "/register", status: http.StatusUnprocessableEntity, code: "validation_failed",
			field: "email", body: map[string]any{"password": testPassword, "consents": consentsBody(false)}},
		{name: "consents of the wrong type", path: "/register", status: http.StatusBadRequest, code: "wrong_type",
			field: "consents", body: `{"email":"ravi@example.in","password":"x","consents":{"identity":true}}`},
		{name: "verify with a malformed token", path: "/email/verify", status: http.StatusUnprocessableEntity,
			code: "validation_failed", field: "token", body: map[string]any{"token": "not-a-token"}},
		{name: "verify without a token", path: "/email/verify", status: http.StatusUnprocessableEntity,
			code: "validation_failed", field: "token", body: map[string]any{}},
		{name: "verify with an unknown token", path: "/email/verify", status: http.StatusUnauthorized,
			code: "invalid_token", body: map[string]any{"token": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(req{method: "POST", path: tc.path, body: tc.body})
			requireProblem(t, r, tc.status, tc.code)
			assert.Equal(t, tc.field, r.str("field"))
		})
	}

	t.Run("verify email once", func(t *testing.T) {
		r := e.ok(req{method: "POST", path: "/email/verify", body: map[string]any{"token": verifyToken}})
		assert.Equal(t, true, r.json["success"])
		r = e.do(req{method: "POST", path: "/email/verify", body: map[string]any{"token": verifyToken}})
		requireProblem(t, r, http.StatusUnauthorized, "invalid_token")
	})
	t.Run("expired verification link", func(t *testing.T) {
		require.NoError(t, e.auth.RequestUnlock(t.Context(), core.IdentifierInput{Identifier: "asha@example.in", Client: core.Client{IP: testIP}}))
		unlock := e.mailed("asha@example.in", tokenRE)
		e.clock.Advance(31 * time.Minute)
		r := e.do(req{method: "POST", path: "/unlock/confirm", body: map[string]any{"token": unlock}})
		requireProblem(t, r, http.StatusUnauthorized, "token_expired")
	})
}

func TestRegisterExternalModeIsForbidden(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{deps: func(d *core.Deps) { d.Users = d.Storage }})
	r := e.do(req{method: "POST", path: "/register", body: map[string]any{
		"email": "asha@example.in", "password": testPassword, "consents": consentsBody(false)}})
	requireProblem(t, r, http.StatusForbidden, "forbidden")
}
