package http_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
)

func TestJWKS(t *testing.T) {
	t.Parallel()
	hs := newEnv(t, envConfig{})
	requireProblem(t, hs.do(req{method: "GET", path: "/.well-known/jwks.json"}), http.StatusNotFound, "jwks_not_configured")

	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	ed := newEnv(t, envConfig{cfg: func(c *core.Config) {
		c.SigningKeys = []core.SigningKey{{ID: "k1", Algorithm: "EdDSA", Private: key}}
	}})
	r := ed.do(req{method: "GET", path: "/.well-known/jwks.json"})
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
	assert.Equal(t, "application/jwk-set+json", r.header.Get("Content-Type"))
	assert.Contains(t, string(r.raw), `"kid":"k1"`)
}
