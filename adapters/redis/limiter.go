package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/redis/rueidis"
)

// slidingWindowScript is a sliding-window log: one sorted-set member per
// allowed request, scored by its time in microseconds. It drops the members
// that left the window, then either adds this request (allowed) or leaves the
// set untouched (refused, so a refusal uses no capacity).
//
// KEYS[1] the limit key
// ARGV[1] now (µs)   ARGV[2] the window's start (µs, now - window: members at or
// before it have left)   ARGV[3] limit   ARGV[4] unique member
// ARGV[5] window (ms, rounded up) for the key's expiry
//
// It returns {allowed (0/1), remaining, retry after (µs)}. Times arrive as
// strings and are handed to Redis untouched, because Lua's number-to-string
// conversion would round microsecond timestamps.
const slidingWindowScript = `
local key = KEYS[1]
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[2])
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, ARGV[1], ARGV[4])
  redis.call('PEXPIRE', key, ARGV[5])
  return {1, limit - count - 1, 0}
end
local nth = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
local retry = tonumber(nth[2]) - tonumber(ARGV[2])
if retry < 1 then retry = 1 end
return {0, 0, retry}
`

// LimiterOptions tunes a Limiter. The zero value works.
type LimiterOptions struct {
	// Prefix starts every key; default "ba:rl:".
	Prefix string
	// Timeout bounds each check; default 200 ms. On timeout the check fails open.
	Timeout time.Duration
	// Logger receives the throttled failure lines; default slog.Default().
	Logger *slog.Logger
	// LogInterval is the least time between two failure lines; default 30 s.
	LogInterval time.Duration
	// Clock times the log throttle only (rules use the time passed to Allow);
	// default ports.SystemClock.
	Clock ports.Clock
}

// Limiter is a ports.RateLimiter over Redis: a sliding-window log per key,
// counted atomically by one Lua script in one round trip. It is safe for
// concurrent use across goroutines and app instances.
type Limiter struct {
	health *health
	prefix string
	script *rueidis.Lua
	nonce  string // tells apart two requests of one instance at the same microsecond
	seq    atomic.Uint64
}

var (
	_ ports.RateLimiter = (*Limiter)(nil)
	_ ports.Pinger      = (*Limiter)(nil)
)

// Ping checks that Redis answers, within Options.Timeout: core's readiness
// check reports a failing limiter as degraded (the limiter fails open). An
// error wraps ports.ErrUnavailable.
func (l *Limiter) Ping(ctx context.Context) error {
	return l.health.ping(ctx)
}

// NewLimiter returns a Limiter over client. It fails on a nil client, a
// negative duration or a prefix with spaces or glob characters.
func NewLimiter(client rueidis.Client, o LimiterOptions) (*Limiter, error) {
	h, prefix, err := newKeyed(client, "limiter", o.Prefix, "ba:rl:", o.Timeout, o.Logger, o.Clock, o.LogInterval)
	if err != nil {
		return nil, err
	}
	nonce, err := newNonce()
	if err != nil {
		return nil, err
	}
	return &Limiter{
		health: h,
		prefix: prefix,
		script: rueidis.NewLuaScript(slidingWindowScript),
		nonce:  nonce,
	}, nil
}

// Allow counts one request for key at now under rule. It fails open: when
// Redis cannot answer within the timeout it returns Allowed=true with an error
// wrapping ports.ErrUnavailable. A rule with a non-positive limit or a window
// under one millisecond is a caller bug: it is refused with an error and
// Allowed=true as well, because core treats every limiter error as "allow".
func (l *Limiter) Allow(ctx context.Context, key string, rule ports.RateRule, now time.Time) (ports.RateDecision, error) {
	open := ports.RateDecision{Allowed: true}
	if rule.Limit <= 0 || rule.Window < time.Millisecond {
		return open, errors.New("redis: rate rule needs a positive limit and a window of at least 1ms")
	}
	if l.health.bypass() {
		return open, unavailable("rate limit check", errBypassed)
	}
	nowMicros := now.UnixMicro()
	windowMicros := rule.Window.Microseconds()
	expireMillis := (rule.Window + time.Millisecond - 1).Milliseconds()
	member := strconv.FormatInt(nowMicros, 10) + "-" + l.nonce + "-" + strconv.FormatUint(l.seq.Add(1), 36)

	cctx, cancel := l.health.callCtx(ctx)
	defer cancel()
	res, err := l.script.Exec(cctx, l.health.client, []string{l.prefix + key}, []string{
		strconv.FormatInt(nowMicros, 10),
		strconv.FormatInt(nowMicros-windowMicros, 10),
		strconv.Itoa(rule.Limit),
		member,
		strconv.FormatInt(expireMillis, 10),
	}).AsIntSlice()
	if err == nil && len(res) != 3 {
		err = fmt.Errorf("unexpected script reply of %d values", len(res))
	}
	if err != nil {
		l.health.failed(ctx, err)
		return open, unavailable("rate limit check", err)
	}
	l.health.ok()
	return ports.RateDecision{
		Allowed:    res[0] == 1,
		Remaining:  int(res[1]),
		RetryAfter: time.Duration(res[2]) * time.Microsecond,
	}, nil
}
