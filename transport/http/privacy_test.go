package http_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
)

func TestPrivacy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	e.register("asha@example.in")
	tok := e.login("asha@example.in", nil).str("access_token")

	r := e.ok(req{method: "GET", path: "/privacy/consents", token: tok})
	assert.Equal(t, true, r.json["success"])
	data := r.json["data"].([]any)
	require.Len(t, data, len(core.DefaultCategories()))
	first := data[0].(map[string]any)
	assert.Equal(t, map[string]any{"category": "identity", "granted": true, "required": true,
		"notice_version": "1.0.0", "consented_at": testStart.Format("2006-01-02T15:04:05Z")}, first)

	tests := []struct {
		name    string
		path    string
		body    any
		status  int
		code    string
		granted bool
	}{
		{name: "withdraw analytics", path: "/privacy/consent/withdraw", body: map[string]any{"category": "analytics"}, status: 200},
		{name: "grant analytics", path: "/privacy/consent/grant", body: map[string]any{"category": "analytics"}, status: 200, granted: true},
		{name: "unknown category", path: "/privacy/consent/grant", body: map[string]any{"category": "mind_reading"}, status: 422, code: "validation_failed"},
		{name: "SQL in a category", path: "/privacy/consent/withdraw", body: map[string]any{"category": "x'); DELETE FROM ba_consent_log;--"}, status: 422, code: "validation_failed"},
		{name: "missing category", path: "/privacy/consent/withdraw", body: map[string]any{}, status: 422, code: "validation_failed"},
		{name: "category of the wrong type", path: "/privacy/consent/withdraw", body: `{"category":["analytics"]}`, status: 400, code: "wrong_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(req{method: "POST", path: tc.path, token: tok, body: tc.body})
			if tc.status != http.StatusOK {
				requireProblem(t, r, tc.status, tc.code)
				assert.Equal(t, "category", r.str("field"))
				return
			}
			require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
			d := r.json["data"].(map[string]any)
			assert.Equal(t, "analytics", d["category"])
			assert.Equal(t, tc.granted, d["granted"])
			assert.Equal(t, false, d["required"])
		})
	}

	t.Run("export needs a step-up, then answers the document", func(t *testing.T) {
		requireProblem(t, e.do(req{method: "GET", path: "/privacy/export", token: tok}), http.StatusForbidden, "step_up_required")
		e.stepUp("asha@example.in", tok)
		e.ok(req{method: "POST", path: "/pin/set", token: tok, body: map[string]any{"pin": testPIN}})
		r := e.ok(req{method: "GET", path: "/privacy/export", token: tok})
		account := r.json["account"].(map[string]any)
		assert.Equal(t, "asha@example.in", account["email"])
		assert.Equal(t, true, account["pin_set"])
		assert.Len(t, r.json["consents"], len(core.DefaultCategories())+2)
		assert.NotEmpty(t, r.json["events"])
		assert.NotEmpty(t, r.json["one_time_tokens"])
		assert.NotContains(t, string(r.raw), "argon2")
	})
}
