package loadgen

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// upTo returns 1 ms, 2 ms, … n ms.
func upTo(n int) []time.Duration {
	d := make([]time.Duration, n)
	for i := range d {
		d[i] = ms(i + 1)
	}
	return d
}

func TestPercentileIsTheNearestRank(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{name: "nothing measured", sorted: nil, p: 50, want: 0},
		{name: "one latency is every percentile", sorted: []time.Duration{ms(7)}, p: 99, want: ms(7)},
		{name: "p50 of 100", sorted: upTo(100), p: 50, want: ms(50)},
		{name: "p99 of 100 is the 99th, not the 100th", sorted: upTo(100), p: 99, want: ms(99)},
		{name: "p100 is the slowest", sorted: upTo(100), p: 100, want: ms(100)},
		{name: "p99 of 10 is the slowest", sorted: upTo(10), p: 99, want: ms(10)},
		{name: "p50 of an even count is the lower middle", sorted: upTo(10), p: 50, want: ms(5)},
		{name: "p99.9 of 1000", sorted: upTo(1000), p: 99.9, want: ms(999)},
		{name: "a tiny p is the fastest", sorted: upTo(10), p: 0.1, want: ms(1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, Percentile(tc.sorted, tc.p))
		})
	}
}

// tick is a Request that takes exactly 1 ms of the fake clock.
func tick(clock *memory.Clock) Request {
	return func(context.Context, int) error {
		clock.Advance(time.Millisecond)
		return nil
	}
}

func TestRunStopsAtWhicheverBoundComesFirst(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		workers      int
		maxRequests  int
		maxDuration  time.Duration
		wantRequests int
	}{
		{name: "the count, with one worker", workers: 1, maxRequests: 25, maxDuration: time.Hour, wantRequests: 25},
		{name: "the count, exactly, with more workers than requests", workers: 8, maxRequests: 3, maxDuration: time.Hour, wantRequests: 3},
		{name: "the count, exactly, with many workers", workers: 16, maxRequests: 1000, maxDuration: time.Hour, wantRequests: 1000},
		{name: "the time: a request starts only before the deadline", workers: 1, maxRequests: 1000, maxDuration: ms(10), wantRequests: 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := memory.NewClock(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
			var calls atomic.Int64
			req := func(ctx context.Context, w int) error {
				calls.Add(1)
				return tick(clock)(ctx, w)
			}
			res, err := Run(t.Context(), Options{Workers: tc.workers, MaxRequests: tc.maxRequests,
				MaxDuration: tc.maxDuration, Now: clock.Now}, req)
			require.NoError(t, err)
			assert.Equal(t, tc.wantRequests, res.Requests)
			assert.EqualValues(t, tc.wantRequests, calls.Load(), "no request is sent beyond a bound")
			assert.Len(t, res.Latencies, tc.wantRequests)
			assert.Zero(t, res.Errors)
		})
	}
}

func TestRunMeasuresLatencyAndRateByItsClock(t *testing.T) {
	t.Parallel()
	clock := memory.NewClock(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	res, err := Run(t.Context(), Options{Workers: 1, MaxRequests: 1000, MaxDuration: ms(10), Now: clock.Now}, tick(clock))
	require.NoError(t, err)
	assert.Equal(t, ms(10), res.Elapsed)
	assert.InDelta(t, 1000, res.Rate(), 1e-9, "10 requests in 10 ms")
	for _, l := range res.Latencies {
		assert.Equal(t, ms(1), l)
	}
	assert.Equal(t, ms(1), res.Percentile(99))
}

// In a closed loop a worker waits for its answer before it sends again: at
// most Workers requests are in flight, and all of them are when the server is
// slow.
func TestRunIsAClosedLoop(t *testing.T) {
	t.Parallel()
	const workers, requests = 4, 200
	var (
		inFlight, peak atomic.Int64
		busy           [workers]atomic.Bool
		overlapped     atomic.Bool
		arrived        atomic.Int64
		allIn          = make(chan struct{})
		once           sync.Once
	)
	req := func(_ context.Context, w int) error {
		if !busy[w].CompareAndSwap(false, true) {
			overlapped.Store(true)
		}
		defer busy[w].Store(false)
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		// The first request of each worker waits for the others: a run whose
		// workers took turns would never release them.
		if arrived.Add(1) == workers {
			once.Do(func() { close(allIn) })
		}
		<-allIn
		return nil
	}
	clock := memory.NewClock(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	res, err := Run(t.Context(), Options{Workers: workers, MaxRequests: requests, MaxDuration: time.Hour, Now: clock.Now}, req)
	require.NoError(t, err)
	assert.Equal(t, requests, res.Requests)
	assert.False(t, overlapped.Load(), "a worker sent a request before its previous one answered")
	assert.EqualValues(t, workers, peak.Load(), "every worker had a request in flight, and no more")
}

func TestRunCountsFailedRequestsApart(t *testing.T) {
	t.Parallel()
	clock := memory.NewClock(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	n := 0
	req := func(context.Context, int) error {
		n++
		clock.Advance(ms(n))
		if n%3 == 0 {
			return fmt.Errorf("request %d: status 500", n)
		}
		return nil
	}
	res, err := Run(t.Context(), Options{Workers: 1, MaxRequests: 9, MaxDuration: time.Hour, Now: clock.Now}, req)
	require.NoError(t, err)
	assert.Equal(t, 9, res.Requests)
	assert.Equal(t, 3, res.Errors)
	require.Error(t, res.FirstErr)
	assert.Equal(t, "request 3: status 500", res.FirstErr.Error())
	assert.Equal(t, []time.Duration{ms(1), ms(2), ms(4), ms(5), ms(7), ms(8)}, res.Latencies,
		"only successes are timed, sorted")
}

func TestRunStopsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	n := 0
	req := func(ctx context.Context, _ int) error {
		if n++; n == 5 {
			cancel()
			return ctx.Err()
		}
		return nil
	}
	res, err := Run(ctx, Options{Workers: 1, MaxRequests: 100, MaxDuration: time.Hour}, req)
	require.NoError(t, err)
	assert.Equal(t, 4, res.Requests, "the request cut short is not counted")
	assert.Zero(t, res.Errors)
}

func TestRunRefusesAnUnboundedRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{name: "no workers", o: Options{MaxRequests: 1, MaxDuration: time.Second}},
		{name: "no count bound", o: Options{Workers: 1, MaxDuration: time.Second}},
		{name: "no time bound", o: Options{Workers: 1, MaxRequests: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Run(t.Context(), tc.o, func(context.Context, int) error {
				return errors.New("must not be called")
			})
			require.Error(t, err)
		})
	}
}
