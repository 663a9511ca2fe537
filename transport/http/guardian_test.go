package http_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
)

// A child registers with a date of birth and a guardian's email; the child
// cannot sign in until the guardian, signed in to their own account and
// stepped up, confirms with the emailed link (sent once the child proved
// its own address); then the guardian sees the child's consents, withdraws
// and grants again, while the child may only withdraw.
func TestAChildRegistrationApprovedByAGuardian(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	e.register("parent@example.in") // the guardian's account predates the child's
	e.clock.Advance(core.DefaultConfig().GuardianAccountAge)
	register := func(body map[string]any) resp {
		body["password"], body["consents"] = testPassword, consentsBody(false)
		return e.do(req{method: "POST", path: "/register", body: body})
	}
	requireProblem(t, register(map[string]any{"email": "ravi@example.in", "date_of_birth": "17-05-2014", "guardian_email": "parent@example.in"}),
		http.StatusUnprocessableEntity, "validation_failed")
	requireProblem(t, register(map[string]any{"email": "ravi@example.in", "date_of_birth": "2014-05-17"}),
		http.StatusUnprocessableEntity, "validation_failed")
	r := register(map[string]any{"email": "ravi@example.in", "date_of_birth": "2014-05-17", "guardian_email": "parent@example.in"})
	require.Equal(t, http.StatusCreated, r.status, "body: %s", r.raw)
	child := r.json["user"].(map[string]any)["id"].(string)
	e.ok(req{method: "POST", path: "/email/verify", body: map[string]any{"token": e.mailed("ravi@example.in", tokenRE)}})
	guardianToken := e.mailed("parent@example.in", tokenRE)
	requireProblem(t, e.do(req{method: "POST", path: "/login", body: map[string]any{"identifier": "ravi@example.in", "password": testPassword}}),
		http.StatusForbidden, "guardian_consent_required")

	tok := e.accessToken("parent@example.in")
	requireProblem(t, e.do(req{method: "POST", path: "/guardian/confirm", token: tok, body: map[string]any{"token": guardianToken}}),
		http.StatusForbidden, "step_up_required")
	e.stepUp("parent@example.in", tok)
	d := e.ok(req{method: "POST", path: "/guardian/confirm", token: tok, body: map[string]any{"token": guardianToken}}).json["data"].(map[string]any)
	assert.Equal(t, child, d["child_id"])
	assert.Equal(t, "account", d["method"])
	childTok := e.accessToken("ravi@example.in")

	children := e.ok(req{method: "GET", path: "/guardian/children", token: tok}).json["data"].([]any)
	require.Len(t, children, 1)
	consents := e.ok(req{method: "GET", path: "/guardian/children/" + child + "/consents", token: tok}).json["data"].([]any)
	assert.Equal(t, "guardian", consents[0].(map[string]any)["source"])
	w := e.ok(req{method: "POST", path: "/guardian/children/" + child + "/consent/withdraw", token: tok,
		body: map[string]any{"category": "communications"}}).json["data"].(map[string]any)
	assert.Equal(t, false, w["granted"])
	requireProblem(t, e.do(req{method: "POST", path: "/privacy/consent/grant", token: childTok, body: map[string]any{"category": "communications"}}),
		http.StatusForbidden, "guardian_consent_required")
	g := e.ok(req{method: "POST", path: "/guardian/children/" + child + "/consent/grant", token: tok,
		body: map[string]any{"category": "communications"}}).json["data"].(map[string]any)
	assert.Equal(t, true, g["granted"])
	assert.Equal(t, "guardian", g["source"])
	requireProblem(t, e.do(req{method: "POST", path: "/guardian/children/" + child + "/consent/grant", token: tok,
		body: map[string]any{"category": "analytics"}}), http.StatusUnprocessableEntity, "not_allowed_for_child")
	requireProblem(t, e.do(req{method: "GET", path: "/guardian/children/usr_other/consents", token: tok}), http.StatusNotFound, "not_found")
}
