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

// RateLimiter checks a ports.RateLimiter: the limit, refusals that use no
// capacity, the window sliding past, no double burst across a window edge, key
// independence and atomic counting. All time comes from the now argument.
// Every case holds for both a sliding window log and GCRA (burst = Limit,
// one request per Window/Limit), so a backend may choose either.
func RateLimiter(t *testing.T, newLimiter NewLimiter) {
	t.Helper()

	// start is a whole minute, so that a fixed window aligned to minutes would
	// have an edge at start+60s and be caught by the straddle case.
	start := func() time.Time { return time.Now().UTC().Truncate(time.Minute) }
	allow := func(t *testing.T, l ports.RateLimiter, key string, now time.Time) ports.RateDecision {
		t.Helper()
		d, err := l.Allow(t.Context(), key, rateRule, now)
		require.NoError(t, err)
		return d
	}
	allowed := func(t *testing.T, l ports.RateLimiter, key string, now time.Time, tries int) int {
		t.Helper()
		n := 0
		for range tries {
			if allow(t, l, key, now).Allowed {
				n++
			}
		}
		return n
	}

	t.Run("a cancelled context is passed through", func(t *testing.T) {
		t.Parallel()
		_, err := newLimiter(t).Allow(cancelled(t), newID("rl_"), rateRule, start())
		assertCancelled(t, err)
	})

	t.Run("the limit is allowed, the next request refused", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		key, now := newID("rl_"), start()
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

		d = allow(t, l, key, now.Add(d.RetryAfter))
		assert.True(t, d.Allowed, "a request RetryAfter later is allowed")
	})

	t.Run("refused requests use no capacity", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		key, t0 := newID("rl_"), start()
		require.Equal(t, rateRule.Limit, allowed(t, l, key, t0, rateRule.Limit))
		// One second later both a sliding window and GCRA refuse; a limiter that
		// recorded these refusals would still refuse at t0+Window.
		assert.Equal(t, 0, allowed(t, l, key, t0.Add(time.Second), 10))
		assert.Equal(t, rateRule.Limit, allowed(t, l, key, t0.Add(rateRule.Window), rateRule.Limit),
			"once the window passed the full limit is back, whatever was refused")
	})

	t.Run("after the window requests are allowed again", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		key, t0 := newID("rl_"), start()
		require.Equal(t, rateRule.Limit, allowed(t, l, key, t0, rateRule.Limit))
		assert.False(t, allow(t, l, key, t0.Add(time.Second)).Allowed)
		assert.True(t, allow(t, l, key, t0.Add(rateRule.Window)).Allowed)
	})

	t.Run("a burst cannot straddle a window edge", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		key, t0 := newID("rl_"), start()
		require.Equal(t, rateRule.Limit, allowed(t, l, key, t0.Add(59*time.Second), rateRule.Limit))
		assert.Equal(t, 0, allowed(t, l, key, t0.Add(61*time.Second), rateRule.Limit),
			"5 at 0:59 and more at 1:01 would be more than 5 within 60 s")
		assert.Equal(t, rateRule.Limit, allowed(t, l, key, t0.Add(59*time.Second+rateRule.Window), rateRule.Limit))
	})

	t.Run("keys are independent", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		a, b, now := newID("rl_"), newID("rl_"), start()
		require.Equal(t, rateRule.Limit, allowed(t, l, a, now, rateRule.Limit+3))
		assert.Equal(t, rateRule.Limit, allowed(t, l, b, now, rateRule.Limit+3))
	})

	t.Run("parallel requests on one key allow exactly the limit", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		const calls = 50
		key, now := newID("rl_"), start()
		results := make([]ports.RateDecision, calls)
		errs := make([]error, calls)
		together(calls, func(i int) {
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
	})
}
