package http_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGrievancesAreFiledAndListed(t *testing.T) {
	t.Parallel()
	e := newUserEnv(t, "asha@example.in")
	tok := e.accessToken("asha@example.in")

	requireProblem(t, e.do(req{method: "POST", path: "/privacy/grievances", body: map[string]any{"subject": "s", "message": "m"}}),
		http.StatusUnauthorized, "missing_token")
	requireProblem(t, e.do(req{method: "POST", path: "/privacy/grievances", token: tok, body: map[string]any{"subject": "s"}}),
		http.StatusUnprocessableEntity, "validation_failed")
	requireProblem(t, e.do(req{method: "POST", path: "/privacy/grievances", token: tok, body: map[string]any{"subject": "a\nb", "message": "m"}}),
		http.StatusUnprocessableEntity, "validation_failed")

	r := e.do(req{method: "POST", path: "/privacy/grievances", token: tok,
		body: map[string]any{"subject": "My phone number", "message": "Why was it shared?"}})
	require.Equal(t, http.StatusCreated, r.status, "body: %s", r.raw)
	assert.Equal(t, "open", r.str("status"))
	assert.Equal(t, testStart.Add(30*24*time.Hour).Format(time.RFC3339), r.str("due_at"))
	assert.Nil(t, r.json["responded_at"])

	require.NoError(t, e.auth.RespondGrievance(t.Context(), r.str("id"), "Only with the courier."))
	list := e.ok(req{method: "GET", path: "/privacy/grievances", token: tok})
	items := list.json["grievances"].([]any)
	require.Len(t, items, 1)
	g := items[0].(map[string]any)
	assert.Equal(t, "answered", g["status"])
	assert.Equal(t, "Only with the courier.", g["response"])
}
