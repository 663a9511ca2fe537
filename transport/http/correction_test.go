package http_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPatchMeCorrectsTheProfile(t *testing.T) {
	t.Parallel()
	e := newUserEnv(t, "asha@example.in", "ravi@example.in")
	tok := e.accessToken("asha@example.in")
	ravi := e.accessToken("ravi@example.in")
	e.ok(req{method: "PATCH", path: "/me", token: ravi, body: map[string]any{"username": "ravi"}})

	r := e.ok(req{method: "PATCH", path: "/me", token: tok, body: map[string]any{"display_name": "आशा", "language": "hi"}})
	assert.Equal(t, "आशा", r.str("display_name"))
	assert.Equal(t, "hi", r.str("language"))
	requireProblem(t, e.do(req{method: "PATCH", path: "/me", token: tok, body: map[string]any{"username": "x"}}),
		http.StatusUnprocessableEntity, "validation_failed")
	requireProblem(t, e.do(req{method: "PATCH", path: "/me", token: tok, body: map[string]any{"username": "Ravi"}}),
		http.StatusConflict, "username_taken")
	requireProblem(t, e.do(req{method: "PATCH", path: "/me", body: map[string]any{}}), http.StatusUnauthorized, "missing_token")
	me := e.ok(req{method: "GET", path: "/me", token: tok})
	assert.Equal(t, "आशा", me.str("display_name"))
	assert.Empty(t, me.str("username"))
}

func TestEmailChangeOverHTTP(t *testing.T) {
	t.Parallel()
	e := newUserEnv(t, "asha@example.in")
	tok := e.trustedToken("asha@example.in")
	body := map[string]any{"new_email": "asha.new@example.in"}
	requireProblem(t, e.do(req{method: "POST", path: "/email/change/request", token: tok, body: body}),
		http.StatusForbidden, "step_up_required")
	e.stepUp("asha@example.in", tok)
	r := e.ok(req{method: "POST", path: "/email/change/request", token: tok, body: body})
	assert.Equal(t, true, r.json["success"])

	token := e.mailed("asha.new@example.in", tokenRE)
	e.ok(req{method: "POST", path: "/email/change/confirm", body: map[string]any{"token": token}})
	requireProblem(t, e.do(req{method: "POST", path: "/email/change/confirm", body: map[string]any{"token": token}}),
		http.StatusUnauthorized, "invalid_token")
	me := e.ok(req{method: "GET", path: "/me", token: tok})
	require.Equal(t, "asha.new@example.in", me.str("email"))
}
