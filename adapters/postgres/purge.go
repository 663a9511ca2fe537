package postgres

import (
	"context"
	"time"
)

// PurgeStats counts the rows one Purge deleted.
type PurgeStats struct {
	Sessions      int64 // expired sessions
	RefreshTokens int64 // rotated-away hashes of those sessions
	OneTimeTokens int64 // used or expired codes and links
	IPBlocks      int64 // lapsed IP blocks
	IPFailures    int64 // IP failures older than Options.IPFailureRetention
	Lockouts      int64 // failure counters without lock history, idle past Options.CounterRetention
	SMSSends      int64 // SMS sends counted by TakeSMS that left their window
	SMSBudgets    int64 // SMS budget keys whose newest send left its window
}

// The purge statements delete at most ?1 rows chosen through an index, so a
// batch never scans a whole table and never holds many row locks. The chosen
// keys go through = ANY (ARRAY(...)) rather than IN (...): the planner then
// deletes by primary key, where an IN of a large LIMIT tempted it into a
// hash join over a sequential scan. Each statement returns the number of rows
// it deleted.
var (
	// Sessions and their families go together, in one statement. A session
	// that verified its device is the record that the device is known
	// (ports.DeviceTrust.KnownDevice), so it stays 180 days past its expiry:
	// a returning user is not asked to step up again every month.
	purgeSessionsSQL = `
WITH gone AS (
    DELETE FROM ba_sessions WHERE id = ANY (ARRAY(
        SELECT id FROM ba_sessions
        WHERE expires_at <= ?0 AND (NOT is_verified_device OR expires_at <= ?0::timestamptz - interval '180 days')
        ORDER BY expires_at LIMIT ?1))
    RETURNING id
), family AS (
    DELETE FROM ba_refresh_tokens WHERE session_id = ANY (ARRAY(SELECT id FROM gone))
    RETURNING 1
)
SELECT (SELECT count(*) FROM gone) AS main, (SELECT count(*) FROM family) AS extra`

	// Used tokens and expired tokens come from two indexes.
	purgeTokensSQL = `
WITH gone AS (
    DELETE FROM ba_otp_tokens WHERE id = ANY (ARRAY(
        (SELECT id FROM ba_otp_tokens WHERE expires_at <= ?0 ORDER BY expires_at LIMIT ?1)
        UNION
        (SELECT id FROM ba_otp_tokens WHERE used_at IS NOT NULL ORDER BY used_at LIMIT ?1)))
    RETURNING 1
)
SELECT count(*) AS main, 0 AS extra FROM gone`

	purgeIPBlocksSQL = purgeOldestSQL("ba_ip_blocks", "ip", "blocked_until <= ?0", "blocked_until")

	// Counters with no lock history whose last failure is older than the
	// count-restart window are as good as absent (the next failure would
	// restart at 1). Counters with a lock history are kept: they are the
	// escalation history an export shows.
	purgeLockoutsSQL = purgeOldestSQL("ba_lockouts", "key", `soft_locks = 0 AND hard_locks = 0 AND NOT hard_locked
          AND (last_failure_at IS NULL OR last_failure_at <= ?0)
          AND (pending = 0 OR pending_since <= ?0)`, "last_failure_at")

	purgeIPFailuresSQL = purgeOldestSQL("ba_ip_failures", "id", "at <= ?0", "at")

	// SMS budget rows are chosen with SKIP LOCKED, so a purge never waits on
	// a TakeSMS that holds some of them (it could otherwise wait on one key
	// while the take waits on another it had deleted: a deadlock). A key row
	// deleted under a take's feet is simply inserted again by its upsert.
	purgeSMSSendsSQL   = purgeUnlockedSQL("ba_sms_sends", "id")
	purgeSMSBudgetsSQL = purgeUnlockedSQL("ba_sms_budgets", "key")
)

// purgeUnlockedSQL is the purge statement of a table whose rows expire at
// expires_at: it deletes at most ?1 rows expired at ?0, oldest first, among
// those no other transaction holds.
func purgeUnlockedSQL(table, key string) string {
	return `
WITH gone AS (
    DELETE FROM ` + table + ` WHERE ` + key + ` = ANY (ARRAY(
        SELECT ` + key + ` FROM ` + table + `
        WHERE expires_at <= ?0
        ORDER BY expires_at LIMIT ?1
        FOR UPDATE SKIP LOCKED))
    RETURNING 1
)
SELECT count(*) AS main, 0 AS extra FROM gone`
}

// purgeOldestSQL is the purge statement of a table whose old rows one
// condition selects: it deletes at most ?1 rows matching where, oldest by
// orderBy first, choosing them by the key column.
func purgeOldestSQL(table, key, where, orderBy string) string {
	return `
WITH gone AS (
    DELETE FROM ` + table + ` WHERE ` + key + ` = ANY (ARRAY(
        SELECT ` + key + ` FROM ` + table + `
        WHERE ` + where + `
        ORDER BY ` + orderBy + ` LIMIT ?1))
    RETURNING 1
)
SELECT count(*) AS main, 0 AS extra FROM gone`
}

// Purge deletes, in batches of at most batch rows per statement (zero or less
// means 1000): expired sessions with their refresh-token families (a session
// that verified a device stays 180 days past expiry), used or expired one-time
// tokens, lapsed IP blocks, IP failures older than Options.IPFailureRetention,
// failure counters that never locked and have been idle for
// Options.CounterRetention, and SMS sends and budget keys whose window has
// passed. Each kind is deleted until a batch comes back
// short. The consent log is never purged, and neither are security events or
// counters with a lock history (audit history). Run it from a periodic job.
//
// Each batch is its own statement, so an interrupted Purge leaves only whole
// batches done. Options.QueryTimeout bounds each batch; bound the whole run
// with ctx.
func (s *Store) Purge(ctx context.Context, now time.Time, batch int) (PurgeStats, error) {
	if batch <= 0 {
		batch = defaultPurgeBatch
	}
	now = utc(now)
	var stats PurgeStats
	steps := []struct {
		name        string
		sql         string
		before      time.Time
		main, extra *int64
	}{
		{"sessions", purgeSessionsSQL, now, &stats.Sessions, &stats.RefreshTokens},
		{"one-time tokens", purgeTokensSQL, now, &stats.OneTimeTokens, nil},
		{"ip blocks", purgeIPBlocksSQL, now, &stats.IPBlocks, nil},
		{"ip failures", purgeIPFailuresSQL, utc(now.Add(-s.ipFailureRetention)), &stats.IPFailures, nil},
		{"lockout counters", purgeLockoutsSQL, utc(now.Add(-s.counterRetention)), &stats.Lockouts, nil},
		{"SMS sends", purgeSMSSendsSQL, now, &stats.SMSSends, nil},
		{"SMS budgets", purgeSMSBudgetsSQL, now, &stats.SMSBudgets, nil},
	}
	for _, step := range steps {
		for {
			main, extra, err := s.purgeBatch(ctx, "purge "+step.name, step.sql, step.before, batch)
			if err != nil {
				return stats, err
			}
			*step.main += main
			if step.extra != nil {
				*step.extra += extra
			}
			// The token statement may delete up to two batches (expired and
			// used); only a short batch means the table is clean.
			if main < int64(batch) {
				break
			}
		}
	}
	return stats, nil
}

func (s *Store) purgeBatch(ctx context.Context, op, query string, before time.Time, batch int) (main, extra int64, err error) {
	ctx, cancel := s.call(ctx)
	defer cancel()
	var counts struct {
		Main  int64 `bun:"main"`
		Extra int64 `bun:"extra"`
	}
	if err := s.db.NewRaw(query, before, batch).Scan(ctx, &counts); err != nil {
		return 0, 0, fail(ctx, op, err)
	}
	return counts.Main, counts.Extra, nil
}
