// Package loadgen drives a closed-loop load: each of Workers sends its next
// request only when its previous one has answered, so at most Workers
// requests are in flight and a slow server slows the load instead of queueing
// it. A run ends when MaxRequests have been sent or MaxDuration has passed,
// whichever comes first; a request in flight at the deadline still finishes
// and counts. Every latency is kept, for exact percentiles.
//
// Run returns an error only for invalid Options; failed requests are counted
// in the Result.
package loadgen

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options bound a run. Both bounds are required: a count keeps fast
// workloads short, a duration keeps slow ones from running away.
type Options struct {
	Workers     int
	MaxRequests int
	MaxDuration time.Duration
	// Now reads the clock for the deadline and every latency; nil means
	// time.Now. Tests pass a fake clock.
	Now func() time.Time
}

// Request sends one request on behalf of worker (0 ≤ worker < Workers) and
// returns when its answer has arrived. A worker's requests never overlap, so
// a Request may keep per-worker state (a refresh-token chain) without locks.
type Request func(ctx context.Context, worker int) error

// Result is what a run measured.
type Result struct {
	Requests  int           // requests answered, failed ones included
	Errors    int           // requests that returned an error
	FirstErr  error         // the first of them, for the report
	Elapsed   time.Duration // from the start to the last answer
	Latencies []time.Duration
}

// Run sends requests with o.Workers workers until a bound is reached or ctx
// ends; requests cut short by ctx are not counted. Latencies holds the
// successful requests' latencies in ascending order.
func Run(ctx context.Context, o Options, req Request) (Result, error) {
	if o.Workers < 1 || o.MaxRequests < 1 || o.MaxDuration <= 0 {
		return Result{}, errors.New("loadgen: Workers, MaxRequests and MaxDuration must be positive")
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	deadline := start.Add(o.MaxDuration)
	var claimed atomic.Int64
	perWorker := make([]workerResult, o.Workers)
	var wg sync.WaitGroup
	for w := range o.Workers {
		wg.Go(func() {
			r := &perWorker[w]
			for ctx.Err() == nil && now().Before(deadline) && claimed.Add(1) <= int64(o.MaxRequests) {
				sent := now()
				err := req(ctx, w)
				took := now().Sub(sent)
				if ctx.Err() != nil {
					return
				}
				r.requests++
				if err != nil {
					r.errors++
					if r.firstErr == nil {
						r.firstErr = err
					}
					continue
				}
				r.latencies = append(r.latencies, took)
			}
		})
	}
	wg.Wait()
	res := Result{Elapsed: now().Sub(start)}
	for _, r := range perWorker {
		res.Requests += r.requests
		res.Errors += r.errors
		if res.FirstErr == nil {
			res.FirstErr = r.firstErr
		}
		res.Latencies = append(res.Latencies, r.latencies...)
	}
	slices.Sort(res.Latencies)
	return res, nil
}

// workerResult is one worker's tally, merged when the run ends so that
// workers never contend on a shared slice.
type workerResult struct {
	requests, errors int
	firstErr         error
	latencies        []time.Duration
}

// Rate is answered requests per second of the run.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of the successful
// latencies by the nearest-rank method: the smallest latency that at least p
// percent of the requests did not exceed. It is 0 when nothing succeeded.
func (r Result) Percentile(p float64) time.Duration {
	return Percentile(r.Latencies, p)
}

// Percentile is the nearest-rank p-th percentile of sorted (ascending).
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	// The epsilon keeps float error from pushing an exact rank (p99 of 100
	// latencies is the 99th) up by one.
	rank := int(math.Ceil(p*float64(len(sorted))/100 - 1e-9))
	return sorted[min(max(rank, 1), len(sorted))-1]
}
