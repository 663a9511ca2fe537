package redis

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/redis/rueidis"
)

// IPBlockOptions tunes an IPBlockCache. The zero value works.
type IPBlockOptions struct {
	// Prefix starts every key; default "ba:ipb:".
	Prefix string
	// LocalTTL caps how long an instance keeps an answer in its client-side
	// cache; default 1 minute. Redis invalidates it sooner when the key changes.
	LocalTTL time.Duration
	// Timeout bounds each Redis call; default 200 ms.
	Timeout time.Duration
	// Logger receives the throttled failure lines; default slog.Default().
	Logger *slog.Logger
	// LogInterval is the least time between two failure lines; default 30 s.
	LogInterval time.Duration
	// Clock times the log throttle only; default ports.SystemClock.
	Clock ports.Clock
}

// IPBlockCache is a ports.AbuseGuard in front of the store's guard. The inner
// guard stays the source of truth and does all counting; the cache remembers
// blocks, so IPBlockedUntil for a blocked IP is answered from the instance's
// client-side cache or Redis without a store query. An IP that is not blocked
// is always checked with the inner guard: only positive answers are cached,
// so a block set by any path is never missed.
type IPBlockCache struct {
	inner    ports.AbuseGuard
	health   *health
	prefix   string
	localTTL time.Duration
}

var _ ports.AbuseGuard = (*IPBlockCache)(nil)

// NewIPBlockCache returns an IPBlockCache over inner. It fails on a nil inner
// guard or client, a negative duration or a bad prefix.
func NewIPBlockCache(inner ports.AbuseGuard, client rueidis.Client, o IPBlockOptions) (*IPBlockCache, error) {
	if inner == nil {
		return nil, errors.New("redis: nil inner AbuseGuard")
	}
	h, prefix, err := newKeyed(client, "ip block cache", o.Prefix, "ba:ipb:", o.Timeout, o.Logger, o.Clock, o.LogInterval)
	if err != nil {
		return nil, err
	}
	if o.LocalTTL < 0 {
		return nil, errors.New("redis: negative LocalTTL")
	}
	return &IPBlockCache{inner: inner, health: h, prefix: prefix, localTTL: orDefault(o.LocalTTL, time.Minute)}, nil
}

// RecordIPFailure records the failure with the inner guard and, when the IP is
// blocked after it, caches the block in Redis until it ends.
func (c *IPBlockCache) RecordIPFailure(ctx context.Context, ip, identifier string, now time.Time, policy ports.IPPolicy) (time.Time, error) {
	until, err := c.inner.RecordIPFailure(ctx, ip, identifier, now, policy)
	if err != nil {
		return until, err
	}
	c.remember(ctx, ip, until, now)
	return until, nil
}

// IPBlockedUntil answers from the cache when it holds a block in force at now;
// otherwise (no entry, an ended block, or Redis failing) it asks the inner
// guard and caches a block it reports.
func (c *IPBlockCache) IPBlockedUntil(ctx context.Context, ip string, now time.Time) (time.Time, error) {
	cachedUntil, reachable := c.cached(ctx, ip)
	if cachedUntil.After(now) {
		return cachedUntil, nil
	}
	until, err := c.inner.IPBlockedUntil(ctx, ip, now)
	if err != nil || !reachable {
		// Writing to a Redis that just failed would only add a second wait.
		return until, err
	}
	c.remember(ctx, ip, until, now)
	return until, nil
}

// cached returns the cached end of a block (zero when none) and whether Redis
// answered.
func (c *IPBlockCache) cached(ctx context.Context, ip string) (time.Time, bool) {
	if c.health.bypass() {
		return time.Time{}, false
	}
	cctx, cancel := c.health.callCtx(ctx)
	defer cancel()
	v, err := c.health.client.DoCache(cctx, c.health.client.B().Get().Key(c.prefix+ip).Cache(), c.localTTL).ToString()
	if rueidis.IsRedisNil(err) {
		c.health.ok()
		return time.Time{}, true
	}
	if err != nil {
		c.health.failed(ctx, err)
		return time.Time{}, false
	}
	c.health.ok()
	nanos, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, true
	}
	return time.Unix(0, nanos).UTC(), true
}

// remember caches a block in force at now for its remaining time. A Redis
// failure is logged and ignored: the inner guard already holds the block.
func (c *IPBlockCache) remember(ctx context.Context, ip string, until, now time.Time) {
	ttl := until.Sub(now)
	if until.IsZero() || ttl < time.Millisecond || c.health.bypass() {
		return
	}
	cctx, cancel := c.health.callCtx(ctx)
	defer cancel()
	cmd := c.health.client.B().Set().Key(c.prefix + ip).Value(strconv.FormatInt(until.UnixNano(), 10)).
		Px(ttl).Build()
	if err := c.health.client.Do(cctx, cmd).Error(); err != nil {
		c.health.failed(ctx, err)
		return
	}
	c.health.ok()
}
