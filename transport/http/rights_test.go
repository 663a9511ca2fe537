package http_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
)

func TestRightsPageIsPublic(t *testing.T) {
	t.Parallel()
	contact := core.PrivacyContact{Name: "Grievance Officer", Email: "dpo@acme.example", URL: "https://acme.example/privacy"}
	e := newEnv(t, envConfig{cfg: func(c *core.Config) { c.PrivacyContact = contact }})
	r := e.ok(req{method: "GET", path: "/privacy/rights"})
	assert.Equal(t, map[string]any{"name": "Grievance Officer", "email": "dpo@acme.example", "url": "https://acme.example/privacy"}, r.json["contact"])
	assert.Equal(t, float64(30), r.json["grievance_period_days"])
	assert.Equal(t, float64(7), r.json["erasure_grace_days"])
	assert.Equal(t, float64(365), r.json["log_retention_days"])
	assert.Equal(t, float64(395), r.json["logs_pseudonymised_after_days"])
	rights, ok := r.json["rights"].([]any)
	require.True(t, ok)
	var names []string
	for _, x := range rights {
		row := x.(map[string]any)
		names = append(names, row["right"].(string))
		assert.NotEmpty(t, row["law"])
	}
	assert.Contains(t, names, "access")
	assert.Contains(t, names, "erasure")
	assert.True(t, strings.Contains(string(r.raw), "GET /auth/privacy/export"), "paths under the mount prefix: %s", r.raw)

	bare := newEnv(t, envConfig{})
	assert.Nil(t, bare.ok(req{method: "GET", path: "/privacy/rights"}).json["contact"])
}
