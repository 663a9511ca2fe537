package redis

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
)

func TestSessionCodecRoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 26, 1, 2, 3, 456789012, time.UTC)
	cases := []struct {
		name      string
		session   ports.Session
		wantState byte
	}{
		{name: "zero times stay zero", session: ports.Session{ID: "s1", UserID: "u1", CreatedAt: at, ExpiresAt: at.Add(time.Hour)}, wantState: stateActive},
		{name: "every field", session: ports.Session{
			ID: "s2", UserID: "42", RefreshHash: strings.Repeat("ab", 32), DeviceFingerprint: strings.Repeat("cd", 32),
			DeviceInfo: "Mozilla/5.0 \"quoted\" ✓", IPAddress: "2001:db8::1", IsPublicDevice: true, IsVerifiedDevice: true,
			AuthMethod: "otp", CreatedAt: at, ExpiresAt: at.Add(2 * time.Hour), LastUsedAt: at.Add(time.Minute),
			StepUpAt: at.Add(2 * time.Minute),
		}, wantState: stateActive},
		{name: "a revoked session is a tombstone", session: ports.Session{ID: "s3", CreatedAt: at, ExpiresAt: at.Add(time.Hour), RevokedAt: at.Add(time.Second)}, wantState: stateRevoked},
		{name: "another zone comes back as the same instant", session: ports.Session{ID: "s4", CreatedAt: at.In(time.FixedZone("IST", 19800)), ExpiresAt: at}, wantState: stateActive},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := encodeSession(tc.session)
			require.NoError(t, err)
			assert.Equal(t, tc.wantState, v[0])
			got, err := decodeSession(v)
			require.NoError(t, err)
			for _, pair := range [][2]time.Time{
				{tc.session.CreatedAt, got.CreatedAt}, {tc.session.ExpiresAt, got.ExpiresAt},
				{tc.session.LastUsedAt, got.LastUsedAt}, {tc.session.RevokedAt, got.RevokedAt}, {tc.session.StepUpAt, got.StepUpAt},
			} {
				assert.True(t, pair[0].Equal(pair[1]), "time %v came back as %v", pair[0], pair[1])
			}
			want := tc.session
			want.CreatedAt, want.ExpiresAt, want.LastUsedAt, want.RevokedAt, want.StepUpAt = got.CreatedAt, got.ExpiresAt, got.LastUsedAt, got.RevokedAt, got.StepUpAt
			assert.Equal(t, want, got)
		})
	}
}

func TestDecodeSessionRejectsForeignValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		value string
		want  error
	}{
		{name: "empty", value: ""},
		{name: "unknown state", value: "X00000000000000000000{}"},
		{name: "short header", value: "A123"},
		{name: "bad JSON", value: "A00000000000000000000{"},
		{name: "bare tombstone", value: bareTombstone, want: errNoBody},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := decodeSession(tc.value)
			require.Error(t, err)
			if tc.want != nil {
				assert.ErrorIs(t, err, tc.want)
			}
		})
	}
}

func testClient(t *testing.T) rueidis.Client {
	t.Helper()
	url := os.Getenv("BHARATAUTH_TEST_REDIS_URL")
	if url == "" {
		url = "127.0.0.1:6379"
	}
	c, err := NewClient(url, ClientOptions{})
	if err != nil {
		t.Fatalf(`Redis at %s is unreachable (%v); start it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log`, url, err)
	}
	t.Cleanup(c.Close)
	return c
}

// TestSessionWritesNeverResurrect drives the write rules directly, in the
// orders a race can produce: a reader that read "active" from the store
// before a revocation fills after the tombstone; a rotation's update arrives
// after a revocation; an older update arrives after a newer one.
func TestSessionWritesNeverResurrect(t *testing.T) {
	t.Parallel()
	c := testClient(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	cases := []struct {
		name  string
		run   func(t *testing.T, cache *SessionCache, inner *memory.Store, s ports.Session)
		check func(t *testing.T, got ports.Session, s ports.Session)
	}{
		{
			name: "a stale fill after a tombstone",
			run: func(t *testing.T, cache *SessionCache, inner *memory.Store, s ports.Session) {
				stale, err := inner.Session(ctx, s.ID) // read "active" just before the revocation
				require.NoError(t, err)
				_, err = cache.RevokeSessions(ctx, ports.Revocation{SessionID: s.ID}, now.Add(time.Minute))
				require.NoError(t, err)
				cache.do(ctx, cache.fillCmd(nil, stale)...)
			},
			check: func(t *testing.T, got, _ ports.Session) { assert.False(t, got.RevokedAt.IsZero()) },
		},
		{
			name: "a rotation's update after a tombstone",
			run: func(t *testing.T, cache *SessionCache, inner *memory.Store, s ports.Session) {
				rotated, err := inner.RotateRefresh(ctx, s.RefreshHash, "h2", now.Add(time.Minute), 0)
				require.NoError(t, err)
				_, err = cache.RevokeSessions(ctx, ports.Revocation{SessionID: s.ID}, now.Add(2*time.Minute))
				require.NoError(t, err)
				cache.do(ctx, cache.updateCmd(nil, rotated)...)
			},
			check: func(t *testing.T, got, _ ports.Session) { assert.False(t, got.RevokedAt.IsZero()) },
		},
		{
			name: "an older update after a newer one",
			run: func(t *testing.T, cache *SessionCache, inner *memory.Store, s ports.Session) {
				first, err := inner.RotateRefresh(ctx, s.RefreshHash, "h2", now.Add(time.Minute), 0)
				require.NoError(t, err)
				second, err := inner.RotateRefresh(ctx, "h2", "h3", now.Add(2*time.Minute), 0)
				require.NoError(t, err)
				cache.do(ctx, cache.updateCmd(nil, second)...)
				cache.do(ctx, cache.updateCmd(nil, first)...)
			},
			check: func(t *testing.T, got, _ ports.Session) { assert.Equal(t, "h3", got.RefreshHash) },
		},
		{
			name: "a fill does not replace a newer entry",
			run: func(t *testing.T, cache *SessionCache, inner *memory.Store, s ports.Session) {
				stale, err := inner.Session(ctx, s.ID)
				require.NoError(t, err)
				_, err = cache.RotateRefresh(ctx, s.RefreshHash, "h2", now.Add(time.Minute), 0)
				require.NoError(t, err)
				cache.do(ctx, cache.fillCmd(nil, stale)...)
			},
			check: func(t *testing.T, got, _ ports.Session) { assert.Equal(t, "h2", got.RefreshHash) },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inner := memory.New()
			p := "ba:test:internal:" + strings.ReplaceAll(tc.name, " ", "_") + ":" + now.Format("150405.000000") + ":"
			t.Cleanup(func() {
				c.Do(context.Background(), c.B().Del().Key(p+"s:"+"ses_race").Build())
			})
			cache, err := NewSessionCache(inner, c, SessionCacheOptions{Prefix: p, ReuseIndexTTL: -1})
			require.NoError(t, err)
			s := ports.Session{ID: "ses_race", UserID: "u", RefreshHash: "h1", CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastUsedAt: now}
			require.NoError(t, cache.CreateSession(ctx, s))
			_, err = cache.Session(ctx, s.ID) // cached
			require.NoError(t, err)
			tc.run(t, cache, inner, s)
			got, err := cache.Session(ctx, s.ID)
			require.NoError(t, err)
			tc.check(t, got, s)
		})
	}
}

// TestHealthLogsOncePerInterval: failures are logged at most once per
// interval, with the count of those suppressed, and recovery once.
func TestHealthLogsOncePerInterval(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	clock := memory.NewClock(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	h, err := newHealth(testClient(t), "test", 0, slog.New(slog.NewTextHandler(&buf, nil)), clock, 30*time.Second)
	require.NoError(t, err)
	lines := func() int { return strings.Count(buf.String(), "\n") }

	cause := errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
	for range 100 {
		h.failed(t.Context(), cause)
	}
	assert.Equal(t, 1, lines(), "100 failures, one line")
	clock.Advance(29 * time.Second)
	h.failed(t.Context(), cause)
	assert.Equal(t, 1, lines())
	clock.Advance(time.Second)
	h.failed(t.Context(), cause)
	assert.Equal(t, 2, lines())
	assert.Contains(t, buf.String(), "suppressed_since_last_log=100")
	h.ok()
	h.ok()
	assert.Equal(t, 3, lines(), "recovery is logged once")
	assert.Contains(t, buf.String(), "redis answers again")

	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	h.failed(canceled, context.Canceled)
	assert.False(t, h.bypass(), "a caller that went away is no Redis failure")
	assert.Equal(t, 3, lines())
}

// TestHealthBypassProbesOncePerInterval: after a failure, reads skip Redis
// for probeInterval; then exactly one caller probes.
func TestHealthBypassProbesOncePerInterval(t *testing.T) {
	t.Parallel()
	clock := memory.NewClock(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	h, err := newHealth(testClient(t), "test", 0, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)), clock, 0)
	require.NoError(t, err)
	steps := []struct {
		name       string
		do         func()
		wantBypass []bool
	}{
		{name: "healthy: never bypass", do: func() {}, wantBypass: []bool{false, false}},
		{name: "just failed: bypass", do: func() { h.failed(t.Context(), errors.New("timeout")) }, wantBypass: []bool{true, true}},
		{name: "a second later: one probe, the rest bypass", do: func() { clock.Advance(probeInterval) }, wantBypass: []bool{false, true, true}},
		{name: "probe failed: bypass again", do: func() { h.failed(t.Context(), errors.New("timeout")) }, wantBypass: []bool{true}},
		{name: "recovered: never bypass", do: func() { h.ok() }, wantBypass: []bool{false, false}},
	}
	for _, s := range steps {
		s.do()
		for i, want := range s.wantBypass {
			assert.Equal(t, want, h.bypass(), "%s: call %d", s.name, i)
		}
	}
}

// The SMS budget fails closed, so it waits 1 s for Redis, not the 200 ms of
// the adapters that fail open.
func TestSMSBudgetWaitsOneSecondByDefault(t *testing.T) {
	t.Parallel()
	b, err := NewSMSBudget(testClient(t), SMSBudgetOptions{})
	require.NoError(t, err)
	assert.Equal(t, time.Second, b.health.timeout)
	b, err = NewSMSBudget(testClient(t), SMSBudgetOptions{Timeout: 300 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, 300*time.Millisecond, b.health.timeout)
}
