package http_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
)

type pingStore struct {
	ports.Storage
	err error
}

func (p pingStore) Ping(context.Context) error { return p.err }

type pingLimiter struct {
	ports.RateLimiter
	err error
}

func (p pingLimiter) Ping(context.Context) error { return p.err }

func TestHealthRoutes(t *testing.T) {
	t.Parallel()
	down := errors.New("dial tcp 10.0.0.5:5432: connection refused")
	for _, tc := range []struct {
		name             string
		storage, limiter error
		status           int
		body             string
	}{
		{name: "ready", status: http.StatusOK, body: `{"status":"ready"}`},
		{name: "Redis down: degraded, still ready", limiter: down, status: http.StatusOK,
			body: `{"status":"degraded","failing":["limiter"]}`},
		{name: "PostgreSQL down: unavailable", storage: down, status: http.StatusServiceUnavailable,
			body: `{"status":"unavailable","failing":["storage"]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envConfig{deps: func(d *core.Deps) {
				d.Storage = pingStore{Storage: d.Storage, err: tc.storage}
				d.Limiter = pingLimiter{RateLimiter: d.Limiter, err: tc.limiter}
			}})
			live := e.do(req{method: "GET", path: "/health/live"})
			require.Equal(t, http.StatusOK, live.status)
			assert.JSONEq(t, `{"status":"ok"}`, string(live.raw), "liveness does not depend on the stores")
			r := e.do(req{method: "GET", path: "/health/ready"})
			require.Equal(t, tc.status, r.status, "body: %s", r.raw)
			assert.JSONEq(t, tc.body, string(r.raw))
			assert.NotContains(t, string(r.raw), "10.0.0.5", "no address or error text is served")
		})
	}
}
