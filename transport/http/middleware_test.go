package http_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

// A new device's first sensitive action needs a step-up; a public device
// needs one before every action, and each is used up by one action.
func TestMiddleware(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	e.root.Handle("GET /app/hello", e.api.RequireAuth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := bahttp.PrincipalFrom(r.Context())
		if !ok {
			http.Error(w, "no principal", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "hello %s %s", p.UserID, p.Trust)
	})))
	e.root.Handle("POST /app/transfer", e.api.RequireAuth(e.api.RequireStepUp(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "transferred")
	}))))
	e.root.Handle("POST /app/standalone", e.api.RequireStepUp(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "ok")
	})))
	id := e.register("asha@example.in")
	home := e.trustedToken("asha@example.in") // the PIN is set at home
	e.ok(req{method: "POST", path: "/pin/set", token: home, body: map[string]any{"pin": testPIN}})
	tok := e.login("asha@example.in", map[string]any{"is_public_device": true}).str("access_token")

	t.Run("RequireAuth", func(t *testing.T) {
		tests := []struct {
			name   string
			auth   string
			status int
			code   string
		}{
			{name: "no token", status: 401, code: "missing_token"},
			{name: "not a bearer scheme", auth: "Basic YXNoYTpwdw==", status: 401, code: "missing_token"},
			{name: "a forged token", auth: "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", status: 401, code: "invalid_token"},
			{name: "a good token, scheme in lower case", auth: "bearer " + tok, status: 200},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := e.doRoot("GET", "/app/hello", tc.auth)
				if tc.status == http.StatusOK {
					require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
					assert.Equal(t, "hello "+id+" public", string(r.raw))
					return
				}
				requireProblem(t, r, tc.status, tc.code)
				assert.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
			})
		}
	})
	t.Run("RequireStepUp on a public device: once per step-up", func(t *testing.T) {
		requireProblem(t, e.doRoot("POST", "/app/transfer", "Bearer "+tok), http.StatusForbidden, "step_up_required")
		e.ok(req{method: "POST", path: "/pin/verify", token: tok, body: map[string]any{"pin": testPIN}})
		r := e.doRoot("POST", "/app/transfer", "Bearer "+tok)
		require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
		assert.Equal(t, "transferred", string(r.raw))
		requireProblem(t, e.doRoot("POST", "/app/transfer", "Bearer "+tok), http.StatusForbidden, "step_up_required")
	})
	t.Run("RequireStepUp alone authenticates first", func(t *testing.T) {
		requireProblem(t, e.doRoot("POST", "/app/standalone", ""), http.StatusUnauthorized, "missing_token")
		requireProblem(t, e.doRoot("POST", "/app/standalone", "Bearer "+tok), http.StatusForbidden, "step_up_required")
	})
}
