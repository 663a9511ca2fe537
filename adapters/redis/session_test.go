package redis_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	bredis "github.com/bharatauth/bharatauth-go/adapters/redis"
	"github.com/bharatauth/bharatauth-go/ports"
)

func TestNewSessionCacheValidates(t *testing.T) {
	t.Parallel()
	var inner ports.SessionRepo = memory.New()
	testCacheValidates(t, inner, bredis.NewSessionCache, []newCase[bredis.SessionCacheOptions]{
		{name: "reuse index off", args: bredis.SessionCacheOptions{ReuseIndexTTL: -1}},
		{name: "negative TTL", args: bredis.SessionCacheOptions{TTL: -time.Second}, wantErr: true},
		{name: "negative timeout", args: bredis.SessionCacheOptions{Timeout: -time.Second}, wantErr: true},
		{name: "bad prefix", args: bredis.SessionCacheOptions{Prefix: "s?"}, wantErr: true},
	})
	_, err := bredis.NewDeviceTrustCache(nil, nil)
	assert.Error(t, err)
}

func TestSessionCacheServesHotSessionsWithoutTheStore(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	inner := &countingSessions{Store: memory.New()}
	cache, err := bredis.NewSessionCache(inner, c, bredis.SessionCacheOptions{Prefix: prefix(t, c)})
	require.NoError(t, err)
	ctx := t.Context()
	s := newTestSession("usr_1", time.Now().UTC())
	require.NoError(t, cache.CreateSession(ctx, s))
	for range 20 {
		got, err := cache.Session(ctx, s.ID)
		require.NoError(t, err)
		assert.Equal(t, s.RefreshHash, got.RefreshHash)
	}
	assert.Equal(t, int64(1), inner.reads.Load(), "only the first read goes to the store")

	_, err = cache.Session(ctx, "ses_unknown")
	assert.ErrorIs(t, err, ports.ErrNotFound, "a miss goes to the store, whose sentinel passes through")
}

// instance is one app instance: its own rueidis client (own connection and
// client-side cache) and SessionCache over the shared store.
type instance struct {
	cache   *bredis.SessionCache
	devices *bredis.DeviceTrustCache
}

func twoInstances(t *testing.T) (a, b instance, inner *countingSessions) {
	t.Helper()
	inner = &countingSessions{Store: memory.New()}
	c1, c2 := newClient(t), newClient(t)
	p := prefix(t, c1)
	mk := func(c rueidis.Client) instance {
		cache, err := bredis.NewSessionCache(inner, c, bredis.SessionCacheOptions{Prefix: p, TTL: time.Minute})
		require.NoError(t, err)
		devices, err := bredis.NewDeviceTrustCache(inner.Store, cache)
		require.NoError(t, err)
		return instance{cache: cache, devices: devices}
	}
	return mk(c1), mk(c2), inner
}

// seesWithin polls b until cond holds on its view of the session and returns
// how long that took; the poll reads b's local cache, never the store.
func seesWithin(t *testing.T, b *bredis.SessionCache, id string, bound time.Duration, cond func(ports.Session) bool) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		got, err := b.Session(t.Context(), id)
		require.NoError(t, err)
		if cond(got) {
			return time.Since(start)
		}
		if time.Since(start) > bound {
			t.Fatalf("the other instance still served the old session after %v", bound)
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// TestSessionCacheInvalidatesEveryInstance: a change made through instance A
// reaches instance B's client-side cache through Redis' invalidation push.
func TestSessionCacheInvalidatesEveryInstance(t *testing.T) {
	t.Parallel()
	revoked := func(s ports.Session) bool { return !s.RevokedAt.IsZero() }
	cases := []struct {
		name   string
		change func(t *testing.T, a instance, s ports.Session, now time.Time)
		seen   func(s ports.Session) bool
	}{
		{
			name: "revoke by session ID",
			change: func(t *testing.T, a instance, s ports.Session, now time.Time) {
				ids, err := a.cache.RevokeSessions(t.Context(), ports.Revocation{SessionID: s.ID}, now)
				require.NoError(t, err)
				require.Equal(t, []string{s.ID}, ids)
			},
			seen: revoked,
		},
		{
			name: "revoke every session of the user",
			change: func(t *testing.T, a instance, s ports.Session, now time.Time) {
				_, err := a.cache.RevokeSessions(t.Context(), ports.Revocation{UserID: s.UserID}, now)
				require.NoError(t, err)
			},
			seen: revoked,
		},
		{
			name: "logout by refresh token",
			change: func(t *testing.T, a instance, s ports.Session, now time.Time) {
				_, err := a.cache.RevokeSessions(t.Context(), ports.Revocation{RefreshHash: s.RefreshHash}, now)
				require.NoError(t, err)
			},
			seen: revoked,
		},
		{
			name: "reuse of a rotated refresh token",
			change: func(t *testing.T, a instance, s ports.Session, now time.Time) {
				_, err := a.cache.RotateRefresh(t.Context(), s.RefreshHash, newHash(), now, 0)
				require.NoError(t, err)
				_, err = a.cache.RotateRefresh(t.Context(), s.RefreshHash, newHash(), now.Add(time.Second), 0)
				require.ErrorIs(t, err, ports.ErrReused)
			},
			seen: revoked,
		},
		{
			name: "rotation",
			change: func(t *testing.T, a instance, s ports.Session, now time.Time) {
				_, err := a.cache.RotateRefresh(t.Context(), s.RefreshHash, newHash(), now, 0)
				require.NoError(t, err)
			},
			seen: func(got ports.Session) bool { return !got.LastUsedAt.Equal(got.CreatedAt) },
		},
		{
			name: "step-up that verifies the device",
			change: func(t *testing.T, a instance, s ports.Session, now time.Time) {
				require.NoError(t, a.devices.MarkStepUp(t.Context(), s.ID, now, true))
			},
			seen: func(got ports.Session) bool { return got.IsVerifiedDevice && !got.StepUpAt.IsZero() },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b, inner := twoInstances(t)
			ctx, now := t.Context(), time.Now().UTC()
			s := newTestSession(randomID("usr_"), now)
			require.NoError(t, a.cache.CreateSession(ctx, s))
			for _, x := range []instance{a, b, a, b} { // both instances hold it in their local caches
				got, err := x.cache.Session(ctx, s.ID)
				require.NoError(t, err)
				require.True(t, got.Active(now))
			}
			readsBefore := inner.reads.Load()

			tc.change(t, a, s, now.Add(time.Minute))

			got, err := a.cache.Session(ctx, s.ID)
			require.NoError(t, err)
			assert.True(t, tc.seen(got), "the instance that made the change reads it at once")
			took := seesWithin(t, b.cache, s.ID, 500*time.Millisecond, tc.seen)
			t.Logf("instance B saw the change %v after A's call returned", took)
			assert.Less(t, took, 100*time.Millisecond)

			// The change arrived through Redis; B's later reads are local again.
			reads := inner.reads.Load()
			for range 5 {
				_, err := b.cache.Session(ctx, s.ID)
				require.NoError(t, err)
			}
			assert.Equal(t, reads, inner.reads.Load(), "B serves the new entry from its cache")
			assert.GreaterOrEqual(t, reads, readsBefore)
		})
	}
}

// TestSessionCacheFallsBackWhenRedisFails: with Redis gone, every method
// answers from the store.
func TestSessionCacheFallsBackWhenRedisFails(t *testing.T) {
	t.Parallel()
	srv := startPrivateRedis(t)
	c := srv.client()
	inner := &countingSessions{Store: memory.New()}
	cache, err := bredis.NewSessionCache(inner, c, bredis.SessionCacheOptions{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	ctx, now := t.Context(), time.Now().UTC()
	s := newTestSession("usr_down", now)
	require.NoError(t, cache.CreateSession(ctx, s))

	srv.stop()
	got, err := cache.Session(ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, s.ID, got.ID)
	next := newHash()
	rotated, err := cache.RotateRefresh(ctx, s.RefreshHash, next, now.Add(time.Minute), 0)
	require.NoError(t, err)
	assert.Equal(t, next, rotated.RefreshHash)
	ids, err := cache.RevokeSessions(ctx, ports.Revocation{SessionID: s.ID}, now.Add(2*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, []string{s.ID}, ids)
	got, err = cache.Session(t.Context(), s.ID)
	require.NoError(t, err)
	assert.False(t, got.RevokedAt.IsZero(), "the store's answer, not a stale cache")
	list, err := cache.Sessions(ctx, "usr_down")
	require.NoError(t, err)
	assert.Len(t, list, 1)
}

// TestSessionCacheRetriesTombstonesAfterAnOutage: a revocation made while
// Redis is down cannot write its tombstone; when Redis comes back holding the
// old "active" entry (here: reloaded from a dump), the tombstone is written
// then, instead of the stale entry living out its TTL.
func TestSessionCacheRetriesTombstonesAfterAnOutage(t *testing.T) {
	t.Parallel()
	srv := startPrivateRedis(t)
	c := srv.client()
	cache, err := bredis.NewSessionCache(memory.New(), c, bredis.SessionCacheOptions{
		TTL: time.Hour, Logger: slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	ctx, now := t.Context(), time.Now().UTC()
	s := newTestSession("usr_outage", now)
	require.NoError(t, cache.CreateSession(ctx, s))
	_, err = cache.Session(ctx, s.ID) // Redis now holds the active entry
	require.NoError(t, err)
	require.NoError(t, c.Do(ctx, c.B().Save().Build()).Error())

	srv.stop()
	_, err = cache.RevokeSessions(ctx, ports.Revocation{SessionID: s.ID}, now.Add(time.Minute))
	require.NoError(t, err, "the store revoked; the cache write failed quietly")
	srv.start()

	// Reads skip Redis for a second after the failure, then use it again; no
	// read may see the session active, before or after.
	for start := time.Now(); time.Since(start) < 2*probeWait; time.Sleep(10 * time.Millisecond) {
		got, err := cache.Session(ctx, s.ID)
		require.NoError(t, err)
		require.False(t, got.RevokedAt.IsZero(), "served the pre-outage entry after %v", time.Since(start))
	}
	raw, err := c.Do(ctx, c.B().Get().Key("ba:sess:s:"+s.ID).Build()).ToString()
	require.NoError(t, err)
	assert.Equal(t, byte('R'), raw[0], "Redis holds the tombstone")
}

// TestSessionHotPathHasNoRoundTrip counts the GETs a private Redis served: a
// hot session is answered from the client-side cache.
func TestSessionHotPathHasNoRoundTrip(t *testing.T) {
	t.Parallel()
	srv := startPrivateRedis(t)
	c := srv.client()
	cache, err := bredis.NewSessionCache(memory.New(), c, bredis.SessionCacheOptions{})
	require.NoError(t, err)
	s := newTestSession("usr_hot", time.Now().UTC())
	require.NoError(t, cache.CreateSession(t.Context(), s))
	for range 100 {
		_, err := cache.Session(t.Context(), s.ID)
		require.NoError(t, err)
	}
	stats, err := c.Do(t.Context(), c.B().Info().Section("commandstats").Build()).ToString()
	require.NoError(t, err)
	assert.Contains(t, stats, "cmdstat_get:calls=2,", "the miss and the re-read after the fill; 98 reads were local")
}

// TestForgettingADeviceReachesItsOtherCachedSessions: revoking one session of
// a phone with ForgetDevices (or reusing its refresh token) un-verifies the
// phone's other sessions in the store; every instance's cached copy of them
// must stop calling them verified too.
func TestForgettingADeviceReachesItsOtherCachedSessions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, a instance, lost ports.Session)
	}{
		{name: "revoke with ForgetDevices", end: func(t *testing.T, a instance, lost ports.Session) {
			_, err := a.cache.RevokeSessions(t.Context(), ports.Revocation{SessionID: lost.ID, ForgetDevices: true}, lost.CreatedAt)
			require.NoError(t, err)
		}},
		{name: "refresh token reuse", end: func(t *testing.T, a instance, lost ports.Session) {
			_, err := a.cache.RotateRefresh(t.Context(), lost.RefreshHash, newHash(), lost.CreatedAt.Add(time.Second), 0)
			require.NoError(t, err)
			_, err = a.cache.RotateRefresh(t.Context(), lost.RefreshHash, newHash(), lost.CreatedAt.Add(2*time.Second), 0)
			require.ErrorIs(t, err, ports.ErrReused)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, b, _ := twoInstances(t)
			now := time.Now().UTC().Truncate(time.Microsecond)
			user := randomID("usr_")
			sibling, lost := newTestSession(user, now), newTestSession(user, now)
			sibling.DeviceFingerprint, lost.DeviceFingerprint = "fp-phone", "fp-phone"
			sibling.IsVerifiedDevice, lost.IsVerifiedDevice = true, true
			for _, s := range []ports.Session{sibling, lost} {
				require.NoError(t, a.cache.CreateSession(t.Context(), s))
			}
			for _, inst := range []instance{a, b} { // warm both local caches
				got, err := inst.cache.Session(t.Context(), sibling.ID)
				require.NoError(t, err)
				require.True(t, got.IsVerifiedDevice)
			}
			tc.end(t, a, lost)
			seesWithin(t, b.cache, sibling.ID, 100*time.Millisecond, func(s ports.Session) bool { return !s.IsVerifiedDevice })
			got, err := a.cache.Session(t.Context(), sibling.ID)
			require.NoError(t, err)
			assert.False(t, got.IsVerifiedDevice)
		})
	}
}
