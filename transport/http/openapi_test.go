package http_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

func TestOpenAPIIsServed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	r := e.ok(req{method: "GET", path: "/openapi.json"})
	assert.Equal(t, "3.1.0", r.json["openapi"])
	var embedded map[string]any
	require.NoError(t, json.Unmarshal(bahttp.OpenAPI(), &embedded))
	assert.Equal(t, embedded, r.json, "the document as embedded, its server at the mount /auth")
}

func TestOpenAPIServersFollowTheBasePath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		basePath string
		want     string
	}{
		{name: "found from the mount", want: "/auth"},
		{name: "set", basePath: "/api/v1/identity", want: "/api/v1/identity"},
		{name: "the root", basePath: "/", want: "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envConfig{opts: bahttp.Options{BasePath: tc.basePath}})
			r := e.ok(req{method: "GET", path: "/openapi.json"})
			assert.Equal(t, []any{map[string]any{"url": tc.want}}, r.json["servers"])
		})
	}
}
