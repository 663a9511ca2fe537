package http_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

func TestOpenAPIIsServed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	r := e.do(req{method: "GET", path: "/openapi.json"})
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "3.1.0", r.json["openapi"])
	assert.Equal(t, bahttp.OpenAPI(), r.raw)
}
