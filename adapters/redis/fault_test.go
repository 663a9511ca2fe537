package redis_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	bredis "github.com/bharatauth/bharatauth-go/adapters/redis"
	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

// TestFailOpenWhenRedisStopsOrPauses serves requests through a private Redis
// that is killed, or frozen with SIGSTOP, mid-test; every check must answer
// within failBound, and the limiter must count again once Redis is back.
func TestFailOpenWhenRedisStopsOrPauses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		break_  func(r *privateRedis)
		restore func(r *privateRedis)
	}{
		{name: "stopped, then restarted on the same port", break_: (*privateRedis).stop, restore: (*privateRedis).start},
		{name: "paused with SIGSTOP, then resumed", break_: (*privateRedis).pause, restore: (*privateRedis).resume},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startPrivateRedis(t)
			c := srv.client()
			logs := &porttest.Buffer{}
			logger := slog.New(slog.NewTextHandler(logs, nil))

			store := memory.New()
			limiter, err := bredis.NewLimiter(c, bredis.LimiterOptions{Logger: logger})
			require.NoError(t, err)
			sessions, err := bredis.NewSessionCache(store, c, bredis.SessionCacheOptions{Logger: logger})
			require.NoError(t, err)
			guard, err := bredis.NewIPBlockCache(store, c, bredis.IPBlockOptions{Logger: logger})
			require.NoError(t, err)

			ctx, now := t.Context(), time.Now().UTC()
			rule := ports.RateRule{Limit: 1000, Window: time.Minute}
			s := newTestSession("usr_fault", now)
			require.NoError(t, sessions.CreateSession(ctx, s))
			_, err = sessions.Session(ctx, s.ID)
			require.NoError(t, err)
			d, err := limiter.Allow(ctx, "ip:203.0.113.1", rule, now)
			require.NoError(t, err)
			require.True(t, d.Allowed)
			require.NoError(t, limiter.Ping(ctx), "the readiness check sees Redis")

			tc.break_(srv)
			measure0 := within(t, failBound, "readiness ping", func() {
				assert.ErrorIs(t, limiter.Ping(ctx), ports.ErrUnavailable, "the readiness check sees Redis gone")
			})
			t.Logf("readiness ping while Redis was down: %v", measure0)

			var slowest time.Duration
			measure := func(what string, f func()) {
				if took := within(t, failBound, what, f); took > slowest {
					slowest = took
				}
			}
			for i := range 10 {
				at := now.Add(time.Duration(i) * time.Second)
				measure("limiter check", func() {
					d, err := limiter.Allow(ctx, "ip:203.0.113.1", rule, at)
					assert.True(t, d.Allowed, "fails open")
					if err != nil {
						assert.ErrorIs(t, err, ports.ErrUnavailable)
					}
				})
				measure("session read", func() {
					got, err := sessions.Session(ctx, s.ID)
					require.NoError(t, err)
					assert.Equal(t, s.ID, got.ID)
				})
				measure("IP block check", func() {
					until, err := guard.IPBlockedUntil(ctx, "203.0.113.1", at)
					require.NoError(t, err)
					assert.True(t, until.IsZero())
				})
				measure("IP failure", func() {
					_, err := guard.RecordIPFailure(ctx, "203.0.113.2", "id"+string(rune('a'+i)), at, ipPolicy)
					require.NoError(t, err)
				})
			}
			measure("revocation", func() {
				_, err := sessions.RevokeSessions(ctx, ports.Revocation{SessionID: s.ID}, now.Add(time.Minute))
				require.NoError(t, err)
			})
			t.Logf("slowest call while Redis was down: %v", slowest)
			until, err := guard.IPBlockedUntil(ctx, "203.0.113.2", now.Add(time.Minute))
			require.NoError(t, err)
			assert.False(t, until.IsZero(), "the store kept counting IP failures")
			assert.LessOrEqual(t, strings.Count(logs.String(), "redis unavailable"), 3,
				"one line per adapter per interval, not one per request")

			tc.restore(srv)
			require.Eventually(t, func() bool {
				_, err := limiter.Allow(ctx, "ip:203.0.113.3", rule, now)
				return err == nil
			}, 10*time.Second, 50*time.Millisecond, "the limiter uses Redis again by itself")
			assert.Contains(t, logs.String(), "redis answers again")
			require.Eventually(t, func() bool {
				got, err := sessions.Session(ctx, s.ID)
				return err == nil && !got.RevokedAt.IsZero()
			}, 5*time.Second, 10*time.Millisecond, "a revocation made during the outage is cached as revoked once Redis is back")
		})
	}
}

func TestNewClientFailsFastWhenRedisIsDown(t *testing.T) {
	t.Parallel()
	srv := startPrivateRedis(t)
	srv.stop() // a port nobody listens on
	within(t, failBound, "NewClient", func() {
		_, err := bredis.NewClient(srv.addr(), bredis.ClientOptions{})
		require.Error(t, err)
	})
}

func TestConnectInBackgroundWaitsForRedis(t *testing.T) {
	t.Parallel()
	srv := startPrivateRedis(t)
	srv.stop()
	ready := make(chan struct{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	err := bredis.ConnectInBackground(ctx, srv.addr(), bredis.ClientOptions{}, 50*time.Millisecond, func(c rueidis.Client) {
		c.Close()
		close(ready)
	})
	require.NoError(t, err)
	select {
	case <-ready:
		t.Fatal("ready before Redis started")
	case <-time.After(200 * time.Millisecond):
	}
	srv.start()
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		t.Fatal("ConnectInBackground did not connect once Redis started")
	}
}
