package postgres

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
)

// ipBlockRow is a block on one client IP (an IPv6 address arrives as its /64).
type ipBlockRow struct {
	bun.BaseModel `bun:"table:ba_ip_blocks"`

	IP           string    `bun:"ip,pk"`
	BlockedUntil time.Time `bun:"blocked_until"`
	CreatedAt    time.Time `bun:"created_at"`
}

// ipLockKey names the per-IP advisory lock under which failures are counted,
// so that two failures racing from one IP both see each other.
const ipLockKey = "bharatauth.ip:"

// recordIPFailureSQL records the failure, counts the distinct identifiers that
// failed from the IP within the window (this one included: a CTE's insert is
// invisible to its siblings, hence the UNION), blocks the IP when the count
// reaches the threshold, and reports both the new and any existing block.
// Arguments: ?0 ip, ?1 identifier, ?2 now, ?3 window start, ?4 threshold,
// ?5 block end.
const recordIPFailureSQL = `
WITH recorded AS (
    INSERT INTO ba_ip_failures (ip, identifier, at) VALUES (?0, ?1, ?2)
), distinct_ids AS (
    SELECT count(DISTINCT identifier) AS n FROM (
        SELECT identifier FROM ba_ip_failures WHERE ip = ?0 AND at > ?3
        UNION ALL SELECT ?1
    ) AS recent
), blocked AS (
    INSERT INTO ba_ip_blocks AS b (ip, blocked_until, created_at)
    SELECT ?0, ?5::timestamptz, ?2::timestamptz FROM distinct_ids WHERE ?4 > 0 AND n >= ?4
    ON CONFLICT (ip) DO UPDATE SET blocked_until = GREATEST(b.blocked_until, EXCLUDED.blocked_until)
    RETURNING blocked_until
)
SELECT greatest(
    (SELECT blocked_until FROM blocked),
    (SELECT blocked_until FROM ba_ip_blocks WHERE ip = ?0 AND blocked_until > ?2)
) AS until`

// RecordIPFailure records a failure of identifier from ip at now and blocks
// ip when policy's threshold is reached; see ports.AbuseGuard. One
// transaction: a per-IP advisory lock, then one statement.
func (s *Store) RecordIPFailure(ctx context.Context, ip, identifier string, now time.Time, policy ports.IPPolicy) (time.Time, error) {
	const op = "record ip failure"
	ctx, cancel := s.call(ctx)
	defer cancel()
	now = utc(now)
	var until sql.NullTime
	err := s.conn(ctx).RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(? || ?, 0))", ipLockKey, ip); err != nil {
			return err
		}
		return tx.NewRaw(recordIPFailureSQL,
			ip, identifier, now, utc(now.Add(-policy.Window)), policy.DistinctIdentifiers, utc(now.Add(policy.BlockFor)),
		).Scan(ctx, &until)
	})
	if err != nil {
		return time.Time{}, fail(ctx, op, err)
	}
	if !until.Valid || !until.Time.After(now) {
		return time.Time{}, nil
	}
	return utc(until.Time), nil
}

// IPBlockedUntil returns the end of the block on ip in force at now, or the
// zero time.
func (s *Store) IPBlockedUntil(ctx context.Context, ip string, now time.Time) (time.Time, error) {
	var row ipBlockRow
	err := s.get(ctx, "ip blocked until", &row, "ip = ? AND blocked_until > ?", ip, utc(now))
	if errors.Is(err, ports.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return utc(row.BlockedUntil), nil
}
