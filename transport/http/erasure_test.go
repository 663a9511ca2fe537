package http_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core"
)

// requestErasure asks for erasure from a stepped-up known device and
// returns the 202 answer.
func (e *env) requestErasure(email string) resp {
	e.t.Helper()
	tok := e.trustedToken(email)
	e.stepUp(email, tok)
	r := e.do(req{method: "POST", path: "/privacy/erasure", token: tok})
	require.Equal(e.t, http.StatusAccepted, r.status, "body: %s", r.raw)
	return r
}

func TestErasureRequest(t *testing.T) {
	t.Parallel()
	inbox := memory.NewErasureInbox()
	e := newEnv(t, envConfig{deps: func(d *core.Deps) { d.Erasure = inbox }})
	id := e.register("asha@example.in")

	fresh := e.accessToken("asha@example.in") // a new device
	requireProblem(t, e.do(req{method: "POST", path: "/privacy/erasure", token: fresh}), http.StatusForbidden, "step_up_required")
	requireProblem(t, e.do(req{method: "POST", path: "/privacy/erasure"}), http.StatusUnauthorized, "missing_token")

	tok := e.trustedToken("asha@example.in")
	// Irreversible: even a known device confirms with an emailed code.
	requireProblem(t, e.do(req{method: "POST", path: "/privacy/erasure", token: tok}), http.StatusForbidden, "step_up_required")
	e.stepUp("asha@example.in", tok)
	r := e.do(req{method: "POST", path: "/privacy/erasure", token: tok})
	require.Equal(t, http.StatusAccepted, r.status, "body: %s", r.raw)
	assert.Equal(t, "received", r.str("status"))
	assert.Equal(t, testStart.Add(7*24*time.Hour).Format(time.RFC3339), r.str("due_at"))
	require.Len(t, inbox.Requests(), 1)
	assert.Equal(t, id, inbox.Requests()[0].UserID)
	assert.Equal(t, r.str("request_id"), inbox.Requests()[0].ID)
	requireProblem(t, e.do(req{method: "GET", path: "/me", token: tok}), http.StatusUnauthorized, "invalid_token")

	tok = e.trustedToken("asha@example.in")
	e.stepUp("asha@example.in", tok)
	requireProblem(t, e.do(req{method: "POST", path: "/privacy/erasure", token: tok}), http.StatusConflict, "erasure_pending")
}

func TestErasureStatusURLAnswersWithoutABearer(t *testing.T) {
	t.Parallel()
	e := newUserEnv(t, "asha@example.in")
	r := e.requestErasure("asha@example.in")
	statusURL := r.str("status_url")
	require.True(t, strings.HasPrefix(statusURL, "/auth/privacy/erasure/"), "a path under the mount prefix: %s", statusURL)

	st := e.ok(req{abs: statusURL, method: "GET"})
	assert.Equal(t, r.str("request_id"), st.str("request_id"))
	assert.Equal(t, "received", st.str("status"))
	assert.Nil(t, st.json["closed_at"])
	assert.Equal(t, "no-store", st.header.Get("Cache-Control"))

	e.clock.Set(testStart.Add(7 * 24 * time.Hour))
	report, err := e.auth.Maintain(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 1, report.ErasuresCompleted)
	st = e.ok(req{abs: statusURL, method: "GET"})
	assert.Equal(t, "completed", st.str("status"))
	assert.NotEmpty(t, st.str("kept"))
	assert.Equal(t, testStart.Add(7*24*time.Hour).Format(time.RFC3339), st.str("closed_at"))

	requireProblem(t, e.do(req{method: "GET", path: "/privacy/erasure/not-a-token"}), http.StatusNotFound, "not_found")
	requireProblem(t, e.do(req{method: "GET", path: "/privacy/erasure/" + strings.Repeat("A", 43)}), http.StatusNotFound, "not_found")
}
