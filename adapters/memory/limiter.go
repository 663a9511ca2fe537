package memory

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// sweepEvery is how many Allow calls pass between sweeps of expired keys: often
// enough to bound memory, rare enough that the sweep's cost is amortised.
const sweepEvery = 256

// errRule reports a rule that allows nothing meaningful.
var errRule = errors.New("memory: rate limit: rule needs Limit > 0 and Window > 0")

// Limiter is a sliding-window-log ports.RateLimiter: it keeps the times of
// the requests it allowed within the window, so no window-length interval
// ever holds more than rule.Limit allowed requests, wherever its edges fall.
// Refused requests are not recorded. Keys whose window has passed are
// forgotten, so memory is bounded by the keys active within one window.
// It is safe for concurrent use.
type Limiter struct {
	mu    sync.Mutex
	keys  map[string]*requestLog
	calls int
}

// requestLog is the allowed-request times of one key, oldest first.
type requestLog struct {
	allowed []time.Time
	window  time.Duration
}

// NewLimiter returns an empty Limiter.
func NewLimiter() *Limiter {
	return &Limiter{keys: map[string]*requestLog{}}
}

// Allow counts one request for key at now under rule and reports whether it is
// allowed. A refused decision carries how long until the oldest allowed
// request leaves the window. An invalid rule is an error (core fails open).
func (l *Limiter) Allow(ctx context.Context, key string, rule ports.RateRule, now time.Time) (ports.RateDecision, error) {
	if err := ctx.Err(); err != nil {
		return ports.RateDecision{}, err
	}
	if rule.Limit <= 0 || rule.Window <= 0 {
		return ports.RateDecision{}, errRule
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	if l.calls%sweepEvery == 0 {
		l.sweep(now)
	}
	log, ok := l.keys[key]
	if !ok {
		log = &requestLog{}
		l.keys[key] = log
	}
	log.window = rule.Window
	log.forget(now)
	if n := len(log.allowed); n >= rule.Limit {
		// The request becomes possible when enough old ones have left the
		// window that fewer than Limit remain.
		leaves := log.allowed[n-rule.Limit].Add(rule.Window)
		return ports.RateDecision{RetryAfter: leaves.Sub(now)}, nil
	}
	log.insert(now)
	return ports.RateDecision{Allowed: true, Remaining: rule.Limit - len(log.allowed)}, nil
}

// forget drops the requests that are no longer within the window at now.
func (r *requestLog) forget(now time.Time) {
	keep := 0
	for keep < len(r.allowed) && !now.Before(r.allowed[keep].Add(r.window)) {
		keep++
	}
	r.allowed = r.allowed[keep:]
}

// insert adds at in time order; callers may pass times slightly out of order.
func (r *requestLog) insert(at time.Time) {
	i := len(r.allowed)
	for i > 0 && r.allowed[i-1].After(at) {
		i--
	}
	r.allowed = append(r.allowed, time.Time{})
	copy(r.allowed[i+1:], r.allowed[i:])
	r.allowed[i] = at
}

// sweep forgets every key whose newest allowed request left its window.
func (l *Limiter) sweep(now time.Time) { sweepLogs(l.keys, now) }

// sweepLogs deletes from keys every log whose newest entry left the window
// it was last checked with.
func sweepLogs(keys map[string]*requestLog, now time.Time) {
	for key, log := range keys {
		if n := len(log.allowed); n == 0 || !now.Before(log.allowed[n-1].Add(log.window)) {
			delete(keys, key)
		}
	}
}
