package redis_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	bredis "github.com/bharatauth/bharatauth-go/adapters/redis"
	"github.com/bharatauth/bharatauth-go/ports"
)

func TestNewLimiterValidates(t *testing.T) {
	t.Parallel()
	c := shared(t)
	testValidates(t, func(o bredis.LimiterOptions) (*bredis.Limiter, error) { return bredis.NewLimiter(c, o) },
		[]newCase[bredis.LimiterOptions]{
			{name: "zero options work"},
			{name: "custom prefix", args: bredis.LimiterOptions{Prefix: "app:rl:"}},
			{name: "negative timeout", args: bredis.LimiterOptions{Timeout: -time.Second}, wantErr: true},
			{name: "negative log interval", args: bredis.LimiterOptions{LogInterval: -time.Second}, wantErr: true},
			{name: "prefix with a space", args: bredis.LimiterOptions{Prefix: "a b"}, wantErr: true},
			{name: "prefix with a glob", args: bredis.LimiterOptions{Prefix: "rl:*"}, wantErr: true},
		})
	l, err := bredis.NewLimiter(nil, bredis.LimiterOptions{})
	assert.Error(t, err, "a nil client is refused")
	assert.Nil(t, l)
}

// TestLimiterSlidingWindow walks one key through a 3-per-10s rule; every step
// is at an offset from t0, so time comes only from the now argument.
func TestLimiterSlidingWindow(t *testing.T) {
	t.Parallel()
	c := shared(t)
	l := newLimiterOn(t, c, prefix(t, c))
	rule := ports.RateRule{Limit: 3, Window: 10 * time.Second}
	t0 := time.Now().UTC()
	steps := []struct {
		name          string
		at            time.Duration
		wantAllowed   bool
		wantRemaining int
		wantRetry     time.Duration
	}{
		{name: "first", at: 0, wantAllowed: true, wantRemaining: 2},
		{name: "second", at: time.Second, wantAllowed: true, wantRemaining: 1},
		{name: "third", at: 2 * time.Second, wantAllowed: true, wantRemaining: 0},
		{name: "fourth is refused until the first leaves", at: 3 * time.Second, wantRetry: 7 * time.Second},
		{name: "a refusal used nothing", at: 9*time.Second + 500*time.Millisecond, wantRetry: 500 * time.Millisecond},
		{name: "the first left the window", at: 10 * time.Second, wantAllowed: true, wantRemaining: 0},
		{name: "now the second is the oldest", at: 10*time.Second + 250*time.Millisecond, wantRetry: 750 * time.Millisecond},
		{name: "two left the window", at: 12 * time.Second, wantAllowed: true, wantRemaining: 1},
		{name: "a long pause frees everything", at: time.Hour, wantAllowed: true, wantRemaining: 2},
	}
	for _, s := range steps {
		d, err := l.Allow(t.Context(), "k", rule, t0.Add(s.at))
		require.NoError(t, err, s.name)
		assert.Equal(t, s.wantAllowed, d.Allowed, s.name)
		assert.Equal(t, s.wantRemaining, d.Remaining, s.name)
		assert.Equal(t, s.wantRetry, d.RetryAfter, s.name)
	}
}

func TestLimiterKeepsMemoryBounded(t *testing.T) {
	t.Parallel()
	c := shared(t)
	p := prefix(t, c)
	l := newLimiterOn(t, c, p)
	rule := ports.RateRule{Limit: 4, Window: 30 * time.Second}
	now := time.Now().UTC()
	for i := range 50 {
		_, err := l.Allow(t.Context(), "flood", rule, now.Add(time.Duration(i)*time.Millisecond))
		require.NoError(t, err)
	}
	members, err := c.Do(t.Context(), c.B().Zcard().Key(p+"flood").Build()).AsInt64()
	require.NoError(t, err)
	assert.Equal(t, int64(rule.Limit), members, "refused requests add no member")
	ttl, err := c.Do(t.Context(), c.B().Pttl().Key(p+"flood").Build()).AsInt64()
	require.NoError(t, err)
	assert.Greater(t, ttl, int64(0), "the key expires")
	assert.LessOrEqual(t, ttl, rule.Window.Milliseconds())
}

func TestLimiterRejectsBadRulesButAllows(t *testing.T) {
	t.Parallel()
	c := shared(t)
	l := newLimiterOn(t, c, prefix(t, c))
	cases := []struct {
		name string
		rule ports.RateRule
	}{
		{name: "zero limit", rule: ports.RateRule{Limit: 0, Window: time.Minute}},
		{name: "negative limit", rule: ports.RateRule{Limit: -1, Window: time.Minute}},
		{name: "zero window", rule: ports.RateRule{Limit: 5}},
		{name: "sub-millisecond window", rule: ports.RateRule{Limit: 5, Window: time.Microsecond}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := l.Allow(t.Context(), "k", tc.rule, time.Now())
			assert.Error(t, err)
			assert.True(t, d.Allowed, "a limiter error always allows")
		})
	}
}

// TestLimiterIsOneCommandPerCheck counts the commands a private Redis served:
// every check is one EVALSHA (plus one EVAL the first time, when Redis does
// not know the script yet).
func TestLimiterIsOneCommandPerCheck(t *testing.T) {
	t.Parallel()
	srv := startPrivateRedis(t)
	c := srv.client()
	l := newLimiterOn(t, c, "")
	const checks = 50
	now := time.Now().UTC()
	for i := range checks {
		_, err := l.Allow(t.Context(), "k", ports.RateRule{Limit: 10, Window: time.Minute}, now.Add(time.Duration(i)*time.Millisecond))
		require.NoError(t, err)
	}
	calls := commandCalls(t, c)
	assert.Equal(t, checks, calls("evalsha"), "one EVALSHA per check")
	assert.Equal(t, 1, calls("eval"), "one EVAL to load the script")
	// Commands the script runs count too: ZADD only for the allowed checks.
	assert.Equal(t, 10, calls("zadd"), "refused checks add nothing")
	for _, cmd := range []string{"incr", "expire", "get", "set", "multi"} {
		assert.Zero(t, calls(cmd), "no %s", cmd)
	}
}
