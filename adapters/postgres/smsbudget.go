package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/smscheck"
)

var _ ports.SMSBudget = (*Store)(nil)

// A take is one transaction of two statements (see TakeSMS). The keys and
// their windows (µs) and limits arrive as arrays: ?0 keys, ?1 windows, ?2
// limits, ?3 now.
const (
	// lockSMSKeysSQL creates or locks the budget row of every key, in key
	// order, so two takes with overlapping keys cannot deadlock. The rows
	// stay locked to commit.
	lockSMSKeysSQL = `
INSERT INTO ba_sms_budgets AS b (key, expires_at)
SELECT k.key, ?3::timestamptz + k.window_us * interval '1 microsecond'
FROM unnest(?0::text[], ?1::bigint[]) AS k(key, window_us)
ORDER BY k.key
ON CONFLICT (key) DO UPDATE SET expires_at = GREATEST(b.expires_at, EXCLUDED.expires_at)`

	// takeSMSSQL runs after the locks, in a snapshot of its own, so it sees
	// every send of the takes that held them before. spent finds, for each
	// key, the send that must leave the window before another is allowed:
	// the limit-th newest within the window, read backwards on
	// (key, sent_at) and never further; a key without one is not spent.
	// counted adds one send to every key only when no key is spent. pruned
	// deletes the keys' sends that left their windows, skipping any that
	// Purge or ClearSMS holds: a take never waits on them, so it cannot
	// deadlock with them.
	takeSMSSQL = `
WITH spent AS (
    SELECT k.key, (
        SELECT s.sent_at FROM ba_sms_sends s
        WHERE s.key = k.key AND s.sent_at > ?3::timestamptz - k.window_us * interval '1 microsecond'
        ORDER BY s.sent_at DESC OFFSET k.cap - 1 LIMIT 1
    ) AS leaving
    FROM unnest(?0::text[], ?1::bigint[], ?2::int[]) AS k(key, window_us, cap)
), counted AS (
    INSERT INTO ba_sms_sends (key, sent_at, expires_at)
    SELECT k.key, ?3::timestamptz, ?3::timestamptz + k.window_us * interval '1 microsecond'
    FROM unnest(?0::text[], ?1::bigint[]) AS k(key, window_us)
    WHERE NOT EXISTS (SELECT 1 FROM spent WHERE leaving IS NOT NULL)
), pruned AS (
    DELETE FROM ba_sms_sends WHERE id = ANY (ARRAY(
        SELECT s.id FROM ba_sms_sends s
        JOIN unnest(?0::text[], ?1::bigint[]) AS k(key, window_us) ON s.key = k.key
        WHERE s.sent_at <= ?3::timestamptz - k.window_us * interval '1 microsecond'
        FOR UPDATE OF s SKIP LOCKED))
)
SELECT key, leaving FROM spent`
)

// smsSpent is one key's row of takeSMSSQL.
type smsSpent struct {
	Key     string     `bun:"key"`
	Leaving *time.Time `bun:"leaving"`
}

// TakeSMS checks every limit at now and, when all allow, counts one send
// against each: see ports.SMSBudget. It is one transaction (or joins the one
// ctx carries, see InTransaction) of two statements: lock the keys' rows in
// key order, then find the spent keys and insert the sends only when there
// is none. A refusal writes no send.
func (s *Store) TakeSMS(ctx context.Context, limits []ports.SMSLimit, now time.Time) (ports.SMSDecision, error) {
	const op = "take SMS"
	if err := ctx.Err(); err != nil {
		return ports.SMSDecision{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	if err := smscheck.Limits(limits); err != nil {
		return ports.SMSDecision{}, fmt.Errorf("postgres: %w", err)
	}
	now = utc(now)
	keys := make([]string, len(limits))
	windows := make([]int64, len(limits))
	caps := make([]int64, len(limits))
	byKey := make(map[string]ports.SMSLimit, len(limits))
	for i, l := range limits {
		keys[i], windows[i], caps[i] = l.Key, windowMicros(l), int64(l.Limit)
		byKey[l.Key] = l
	}
	var decision ports.SMSDecision
	err := s.InTransaction(ctx, func(ctx context.Context) error {
		db := s.conn(ctx)
		if _, err := db.NewRaw(lockSMSKeysSQL, pgdialect.Array(keys), pgdialect.Array(windows), nil, now).Exec(ctx); err != nil {
			return fail(ctx, op, err)
		}
		var spent []smsSpent
		if err := db.NewRaw(takeSMSSQL, pgdialect.Array(keys), pgdialect.Array(windows), pgdialect.Array(caps), now).Scan(ctx, &spent); err != nil {
			return fail(ctx, op, err)
		}
		decision = ports.SMSDecision{Allowed: true}
		for _, c := range spent {
			if c.Leaving == nil {
				continue
			}
			l := byKey[c.Key]
			wait := c.Leaving.Add(time.Duration(windowMicros(l)) * time.Microsecond).Sub(now)
			if wait > decision.RetryAfter {
				decision = ports.SMSDecision{RefusedBy: l.Key, RetryAfter: wait}
			}
		}
		return nil
	})
	if err != nil {
		return ports.SMSDecision{}, err
	}
	return decision, nil
}

// windowMicros is l's window in whole microseconds (what PostgreSQL keeps),
// rounded up.
func windowMicros(l ports.SMSLimit) int64 {
	return max(1, (l.Window + time.Microsecond - 1).Microseconds())
}

// ClearSMS deletes every send counted against key.
func (s *Store) ClearSMS(ctx context.Context, key string) error {
	const op = "clear SMS"
	ctx, cancel := s.call(ctx)
	defer cancel()
	_, err := s.conn(ctx).NewRaw(`DELETE FROM ba_sms_sends WHERE key = ?`, key).Exec(ctx)
	return fail(ctx, op, err)
}
