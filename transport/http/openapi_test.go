package http_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

func TestOpenAPIIsServed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	r := e.ok(req{method: "GET", path: "/openapi.json"})
	assert.Equal(t, "3.1.0", r.json["openapi"])
	assert.Equal(t, bahttp.OpenAPI(), r.raw)
}
