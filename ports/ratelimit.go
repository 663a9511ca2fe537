package ports

import (
	"context"
	"time"
)

// RateRule allows Limit requests per Window for one key.
type RateRule struct {
	Limit  int
	Window time.Duration
}

// RateDecision is the answer of a RateLimiter.
type RateDecision struct {
	Allowed    bool
	RetryAfter time.Duration // when refused: how long until a request is allowed again
	Remaining  int           // requests still allowed now
}

// RateLimiter is Layer 1 of brute-force protection: per-IP and per-identifier
// request limits. Optional in core, which fails open: any error allows the
// request.
type RateLimiter interface {
	// Allow atomically counts one request for key at now under rule (a sliding
	// window or GCRA, so a burst cannot straddle a window edge for double the
	// limit) and reports whether it is allowed. A refused request does not use
	// up capacity. N concurrent calls on one key allow at most rule.Limit.
	Allow(ctx context.Context, key string, rule RateRule, now time.Time) (RateDecision, error)
}
