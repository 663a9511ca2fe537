package http_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNomineesOverHTTP(t *testing.T) {
	t.Parallel()
	e := newUserEnv(t, "asha@example.in")
	body := map[string]any{"name": "Ravi Sharma", "email": "ravi@example.in", "relationship": "brother"}
	fresh := e.accessToken("asha@example.in") // a new device
	requireProblem(t, e.do(req{method: "POST", path: "/privacy/nominees", token: fresh, body: body}), http.StatusForbidden, "step_up_required")

	tok := e.trustedToken("asha@example.in")
	r := e.do(req{method: "POST", path: "/privacy/nominees", token: tok, body: body})
	require.Equal(t, http.StatusCreated, r.status, "body: %s", r.raw)
	assert.Nil(t, r.json["removed_at"])
	id := r.str("id")
	requireProblem(t, e.do(req{method: "POST", path: "/privacy/nominees", token: tok, body: map[string]any{"name": "x", "email": "bad"}}),
		http.StatusUnprocessableEntity, "validation_failed")

	e.ok(req{method: "DELETE", path: "/privacy/nominees/" + id, token: tok})
	requireProblem(t, e.do(req{method: "DELETE", path: "/privacy/nominees/" + id, token: tok}), http.StatusNotFound, "not_found")
	list := e.ok(req{method: "GET", path: "/privacy/nominees", token: tok}).json["nominees"].([]any)
	require.Len(t, list, 1)
	assert.NotNil(t, list[0].(map[string]any)["removed_at"])
}
