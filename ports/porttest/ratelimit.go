package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// rateRule is the rule the limiter suite uses: 5 per minute.
var rateRule = ports.RateRule{Limit: 5, Window: time.Minute}

// windowStart is a whole minute, so that a fixed window aligned to minutes
// would have an edge at start+60s and be caught by the straddle case.
func windowStart() time.Time { return time.Now().UTC().Truncate(time.Minute) }

// allow asks l about one request on key at now.
func allow(t *testing.T, l ports.RateLimiter, key string, now time.Time) ports.RateDecision {
	t.Helper()
	d, err := l.Allow(t.Context(), key, rateRule, now)
	require.NoError(t, err)
	return d
}

// allowed sends tries requests on key at now and returns how many l allowed.
func allowed(t *testing.T, l ports.RateLimiter, key string, now time.Time, tries int) int {
	t.Helper()
	n := 0
	for range tries {
		if allow(t, l, key, now).Allowed {
			n++
		}
	}
	return n
}

func testLimiterCancelled(t *testing.T, l ports.RateLimiter) {
	_, err := l.Allow(cancelled(t), newID("rl_"), rateRule, windowStart())
	assertCancelled(t, err)
}

func testLimitThenRefuse(t *testing.T, l ports.RateLimiter) {
	key, now := newID("rl_"), windowStart()
	for i := range rateRule.Limit {
		d := allow(t, l, key, now)
		require.True(t, d.Allowed, "request %d", i+1)
		assert.Equal(t, rateRule.Limit-i-1, d.Remaining, "request %d", i+1)
	}
	d := allow(t, l, key, now)
	require.False(t, d.Allowed)
	assert.Equal(t, 0, d.Remaining)
	assert.Greater(t, d.RetryAfter, time.Duration(0))
	assert.LessOrEqual(t, d.RetryAfter, rateRule.Window)
	assert.True(t, allow(t, l, key, now.Add(d.RetryAfter)).Allowed, "a request RetryAfter later is allowed")
}

func testRefusalsUseNoCapacity(t *testing.T, l ports.RateLimiter) {
	key, t0 := newID("rl_"), windowStart()
	require.Equal(t, rateRule.Limit, allowed(t, l, key, t0, rateRule.Limit))
	// One second later both a sliding window and GCRA refuse; a limiter that
	// recorded these refusals would still refuse at t0+Window.
	assert.Equal(t, 0, allowed(t, l, key, t0.Add(time.Second), 10))
	assert.Equal(t, rateRule.Limit, allowed(t, l, key, t0.Add(rateRule.Window), rateRule.Limit),
		"once the window passed the full limit is back, whatever was refused")
}

func testWindowPasses(t *testing.T, l ports.RateLimiter) {
	key, t0 := newID("rl_"), windowStart()
	require.Equal(t, rateRule.Limit, allowed(t, l, key, t0, rateRule.Limit))
	assert.False(t, allow(t, l, key, t0.Add(time.Second)).Allowed)
	assert.True(t, allow(t, l, key, t0.Add(rateRule.Window)).Allowed)
}

func testNoBurstAcrossWindowEdge(t *testing.T, l ports.RateLimiter) {
	key, t0 := newID("rl_"), windowStart()
	require.Equal(t, rateRule.Limit, allowed(t, l, key, t0.Add(59*time.Second), rateRule.Limit))
	assert.Equal(t, 0, allowed(t, l, key, t0.Add(61*time.Second), rateRule.Limit),
		"5 at 0:59 and more at 1:01 would be more than 5 within 60 s")
	assert.Equal(t, rateRule.Limit, allowed(t, l, key, t0.Add(59*time.Second+rateRule.Window), rateRule.Limit))
}

func testLimiterKeysIndependent(t *testing.T, l ports.RateLimiter) {
	a, b, now := newID("rl_"), newID("rl_"), windowStart()
	require.Equal(t, rateRule.Limit, allowed(t, l, a, now, rateRule.Limit+3))
	assert.Equal(t, rateRule.Limit, allowed(t, l, b, now, rateRule.Limit+3))
}

func testParallelRequestsAllowLimit(t *testing.T, l ports.RateLimiter) {
	const calls = 50
	key, now := newID("rl_"), windowStart()
	results := make([]ports.RateDecision, calls)
	errs := make([]error, calls)
	Together(calls, func(i int) {
		results[i], errs[i] = l.Allow(t.Context(), key, rateRule, now)
	})
	n := 0
	for i := range calls {
		require.NoError(t, errs[i])
		if results[i].Allowed {
			n++
		}
	}
	assert.Equal(t, rateRule.Limit, n)
}
