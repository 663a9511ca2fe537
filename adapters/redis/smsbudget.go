package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/smscheck"
)

// smsBudgetScript checks every key's sliding-window log (a sorted set of
// send times in microseconds, like the Limiter's) and adds this send to all
// of them only when none is spent: all or nothing, in one atomic script.
//
// KEYS[i] the budget keys, all in one hash slot (see keyOf)
// ARGV[1] now (µs)   ARGV[2] a member unique to this send
// then per key i, from ARGV[3i]: the window's start (µs, now - window:
// sends at or before it have left), the limit, the window (ms, rounded up)
// for the key's expiry.
//
// It returns {1, 0, 0} when allowed, else {0, i, retry after (µs)} for the
// spent key i that allows a send last. Times arrive as strings and go to
// Redis untouched, because Lua's number-to-string conversion would round
// microsecond timestamps.
const smsBudgetScript = `
local refused, wait = 0, 0
for i, key in ipairs(KEYS) do
  local start, limit = ARGV[3 * i], tonumber(ARGV[3 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', start)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local nth = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    local retry = tonumber(nth[2]) - tonumber(start)
    if retry < 1 then retry = 1 end
    if retry > wait then refused, wait = i, retry end
  end
end
if refused > 0 then return {0, refused, wait} end
for i, key in ipairs(KEYS) do
  local expire = tonumber(ARGV[3 * i + 2])
  redis.call('ZADD', key, ARGV[1], ARGV[2])
  if redis.call('PTTL', key) < expire then redis.call('PEXPIRE', key, expire) end
end
return {1, 0, 0}
`

// SMSBudgetOptions tunes an SMSBudget. The zero value works.
type SMSBudgetOptions struct {
	// Prefix starts every key; default "ba:sms:". It may not hold braces,
	// spaces or glob characters.
	Prefix string
	// Timeout bounds each call; default 1 s, longer than the other adapters'
	// 200 ms: on timeout the send is refused (the budget fails closed), so a
	// Redis slowed for a moment would otherwise cost people their codes.
	Timeout time.Duration
	// Logger receives the throttled failure lines; default slog.Default().
	Logger *slog.Logger
	// LogInterval is the least time between two failure lines; default 30 s.
	LogInterval time.Duration
	// Clock times the log throttle only (limits use the time passed to
	// TakeSMS); default ports.SystemClock.
	Clock ports.Clock
}

// SMSBudget is a ports.SMSBudget over Redis: a sliding-window log per key,
// checked and counted across all of a take's keys by one Lua script in one
// round trip. It is safe for concurrent use across goroutines and app
// instances, and on Redis Cluster: every key of one prefix carries the
// prefix as its hash tag, so a take's keys share a slot (see the package
// doc). Unlike the Limiter it fails closed: when Redis cannot answer, TakeSMS
// refuses with an error wrapping ports.ErrUnavailable.
type SMSBudget struct {
	health *health
	prefix string // the key prefix and its hash tag
	script *rueidis.Lua
	nonce  string // tells apart two sends of one instance at the same microsecond
	seq    atomic.Uint64
}

var (
	_ ports.SMSBudget = (*SMSBudget)(nil)
	_ ports.Pinger    = (*SMSBudget)(nil)
)

// smsBudgetTimeout is SMSBudgetOptions.Timeout's default.
const smsBudgetTimeout = time.Second

// NewSMSBudget returns an SMSBudget over client. It fails on a nil client, a
// negative duration or a prefix with braces, spaces or glob characters.
func NewSMSBudget(client rueidis.Client, o SMSBudgetOptions) (*SMSBudget, error) {
	if strings.ContainsAny(o.Prefix, "{}") {
		return nil, errors.New("redis: SMS budget prefix must not contain braces: they would change its hash tag")
	}
	if o.Timeout == 0 {
		o.Timeout = smsBudgetTimeout
	}
	h, prefix, err := newKeyed(client, "sms budget", o.Prefix, "ba:sms:", o.Timeout, o.Logger, o.Clock, o.LogInterval)
	if err != nil {
		return nil, err
	}
	nonce, err := newNonce()
	if err != nil {
		return nil, err
	}
	return &SMSBudget{
		health: h,
		prefix: prefix + "{" + prefix + "}",
		script: rueidis.NewLuaScript(smsBudgetScript),
		nonce:  nonce,
	}, nil
}

// keyOf is the Redis key of a budget key: the prefix, the prefix again as
// the hash tag ({…}), then the key. Redis Cluster hashes only the tag, so
// every key of one prefix lives in one slot and one script may touch any
// set of them.
func (b *SMSBudget) keyOf(key string) string { return b.prefix + key }

// Ping checks that Redis answers, within Options.Timeout. An error wraps
// ports.ErrUnavailable.
func (b *SMSBudget) Ping(ctx context.Context) error {
	return b.health.ping(ctx)
}

// TakeSMS checks every limit at now and, when all allow, counts one send
// against each: see ports.SMSBudget. A Redis failure refuses with an error
// wrapping ports.ErrUnavailable; a cancelled ctx returns ctx.Err().
func (b *SMSBudget) TakeSMS(ctx context.Context, limits []ports.SMSLimit, now time.Time) (ports.SMSDecision, error) {
	if err := ctx.Err(); err != nil {
		return ports.SMSDecision{}, err
	}
	if err := smscheck.Limits(limits); err != nil {
		return ports.SMSDecision{}, fmt.Errorf("redis: %w", err)
	}
	nowMicros := now.UnixMicro()
	keys := make([]string, len(limits))
	args := make([]string, 2, 2+3*len(limits))
	args[0] = strconv.FormatInt(nowMicros, 10)
	args[1] = args[0] + "-" + b.nonce + "-" + strconv.FormatUint(b.seq.Add(1), 36)
	for i, l := range limits {
		keys[i] = b.keyOf(l.Key)
		windowMicros := max(1, (l.Window + time.Microsecond - 1).Microseconds())
		expireMillis := (l.Window + time.Millisecond - 1).Milliseconds()
		args = append(args,
			strconv.FormatInt(nowMicros-windowMicros, 10),
			strconv.Itoa(l.Limit),
			strconv.FormatInt(expireMillis, 10))
	}

	cctx, cancel := b.health.callCtx(ctx)
	defer cancel()
	res, err := b.script.Exec(cctx, b.health.client, keys, args).AsIntSlice()
	if err == nil && (len(res) != 3 || res[0] == 0 && (res[1] < 1 || int(res[1]) > len(limits))) {
		err = fmt.Errorf("unexpected script reply %v", res)
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ports.SMSDecision{}, ctxErr
		}
		b.health.failed(ctx, err)
		return ports.SMSDecision{}, unavailable("take SMS", err)
	}
	b.health.ok()
	if res[0] == 1 {
		return ports.SMSDecision{Allowed: true}, nil
	}
	return ports.SMSDecision{
		RefusedBy:  limits[res[1]-1].Key,
		RetryAfter: time.Duration(res[2]) * time.Microsecond,
	}, nil
}

// ClearSMS deletes every send counted against key.
func (b *SMSBudget) ClearSMS(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cctx, cancel := b.health.callCtx(ctx)
	defer cancel()
	if err := b.health.client.Do(cctx, b.health.client.B().Del().Key(b.keyOf(key)).Build()).Error(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		b.health.failed(ctx, err)
		return unavailable("clear SMS", err)
	}
	b.health.ok()
	return nil
}
