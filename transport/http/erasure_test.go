package http_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core"
)

func TestErasureRequest(t *testing.T) {
	t.Parallel()
	inbox := memory.NewErasureInbox()
	e := newEnv(t, envConfig{deps: func(d *core.Deps) { d.Erasure = inbox }})
	id := e.register("asha@example.in")

	fresh := e.login("asha@example.in", nil).str("access_token") // a new device
	requireProblem(t, e.do(req{method: "POST", path: "/privacy/erasure", token: fresh}), http.StatusForbidden, "step_up_required")
	requireProblem(t, e.do(req{method: "POST", path: "/privacy/erasure"}), http.StatusUnauthorized, "missing_token")

	tok := e.trustedLogin("asha@example.in").str("access_token")
	// Irreversible: even a known device confirms with an emailed code.
	requireProblem(t, e.do(req{method: "POST", path: "/privacy/erasure", token: tok}), http.StatusForbidden, "step_up_required")
	e.stepUp("asha@example.in", tok)
	r := e.do(req{method: "POST", path: "/privacy/erasure", token: tok})
	require.Equal(t, http.StatusAccepted, r.status, "body: %s", r.raw)
	assert.Equal(t, true, r.json["success"])
	require.Len(t, inbox.Requests(), 1)
	assert.Equal(t, id, inbox.Requests()[0].UserID)
	requireProblem(t, e.do(req{method: "GET", path: "/me", token: tok}), http.StatusUnauthorized, "invalid_token")
}

func TestErasureWithoutAHandlerIsForbidden(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	e.register("asha@example.in")
	tok := e.trustedLogin("asha@example.in").str("access_token")
	requireProblem(t, e.do(req{method: "POST", path: "/privacy/erasure", token: tok}), http.StatusForbidden, "forbidden")
}
