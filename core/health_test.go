package core

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bharatauth/bharatauth-go/ports"
)

// pingable is a memory store or limiter that answers Ping with err.
type pingableStore struct {
	ports.Storage
	err error
}

func (p pingableStore) Ping(context.Context) error { return p.err }

type pingableLimiter struct {
	ports.RateLimiter
	err error
}

func (p pingableLimiter) Ping(context.Context) error { return p.err }

func TestPingReportsStorageAndLimiter(t *testing.T) {
	t.Parallel()
	down := errors.New("connection refused")
	for _, tc := range []struct {
		name             string
		storage, limiter error
		want             Readiness
	}{
		{name: "all answer", want: Readiness{Ready: true}},
		{name: "the limiter is down: degraded but ready", limiter: down,
			want: Readiness{Ready: true, Degraded: true, Failing: []string{"limiter"}}},
		{name: "the storage is down: not ready", storage: down,
			want: Readiness{Ready: false, Failing: []string{"storage"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(_ *Config, d *Deps) {
				d.Storage = pingableStore{Storage: d.Storage, err: tc.storage}
				d.Limiter = pingableLimiter{RateLimiter: d.Limiter, err: tc.limiter}
			})
			assert.Equal(t, tc.want, e.auth.Ping(t.Context()))
		})
	}
}

func TestPingOfMemoryAdaptersIsReady(t *testing.T) {
	t.Parallel()
	assert.Equal(t, Readiness{Ready: true}, newEnv(t).auth.Ping(t.Context()))
}
