package postgres

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
)

// lockoutRow is the failure record of one key.
type lockoutRow struct {
	bun.BaseModel `bun:"table:ba_lockouts"`

	Key           string    `bun:"key,pk"`
	Failures      int       `bun:"failures"`
	LastFailureAt time.Time `bun:"last_failure_at,nullzero"`
	LockedUntil   time.Time `bun:"locked_until,nullzero"`
	HardLocked    bool      `bun:"hard_locked"`
	SoftLocks     int       `bun:"soft_locks"`
	HardLocks     int       `bun:"hard_locks"`
}

func (r lockoutRow) state() ports.LockState {
	return ports.LockState{
		Failures:      r.Failures,
		LastFailureAt: utc(r.LastFailureAt),
		LockedUntil:   utc(r.LockedUntil),
		HardLocked:    r.HardLocked,
		SoftLocks:     r.SoftLocks,
		HardLocks:     r.HardLocks,
	}
}

// The failure count after this attempt, and whether it starts a hard or a soft
// lock. They read the row as it was before the update (SET semantics).
// Arguments: ?1 now, ?2 restart-before (now - ResetAfter), ?3 SoftLockAfter,
// ?4 soft-lock end (now + SoftLockFor), ?5 HardLockAfter.
const (
	nextCount  = `(CASE WHEN l.last_failure_at IS NULL OR l.last_failure_at < ?2 THEN 0 ELSE l.failures END + 1)`
	startsHard = `(?5 > 0 AND ` + nextCount + ` >= ?5)`
	startsSoft = `(NOT ` + startsHard + ` AND ` + nextCount + ` = ?3)`
)

// countAttemptSQL counts one failure in a single upsert. The DO UPDATE runs
// only while the key is unlocked (its WHERE), on the row the upsert holds
// locked, so concurrent callers on one key are serialised and each sees the
// previous count. A new key is inserted with the state computed in Go
// (?0 key, ?6..?10).
const countAttemptSQL = `
INSERT INTO ba_lockouts AS l (key, failures, last_failure_at, locked_until, hard_locked, soft_locks, hard_locks)
VALUES (?0, 1, ?1, ?6, ?7, ?8, ?9)
ON CONFLICT (key) DO UPDATE SET
    failures        = ` + nextCount + `,
    last_failure_at = ?1,
    hard_locked     = ` + startsHard + `,
    locked_until    = CASE WHEN ` + startsSoft + ` THEN ?4 ELSE l.locked_until END,
    soft_locks      = l.soft_locks + CASE WHEN ` + startsSoft + ` THEN 1 ELSE 0 END,
    hard_locks      = l.hard_locks + CASE WHEN ` + startsHard + ` THEN 1 ELSE 0 END
WHERE NOT l.hard_locked AND (l.locked_until IS NULL OR l.locked_until <= ?1)
RETURNING l.key, l.failures, l.last_failure_at, l.locked_until, l.hard_locked, l.soft_locks, l.hard_locks`

// CountAttempt applies policy to key at now, atomically: see
// ports.LockoutStore. The common path is one statement; a refused attempt
// costs a second one that reads the lock that refused it.
func (s *Store) CountAttempt(ctx context.Context, key string, now time.Time, policy ports.LockPolicy) (ports.LockState, bool, error) {
	const op = "count attempt"
	ctx, cancel := s.call(ctx)
	defer cancel()
	now = utc(now)
	softUntil := utc(now.Add(policy.SoftLockFor))

	// The state of a key's very first failure.
	firstHard := policy.HardLockAfter > 0 && policy.HardLockAfter <= 1
	firstSoft := !firstHard && policy.SoftLockAfter == 1
	var firstUntil time.Time
	if firstSoft {
		firstUntil = softUntil
	}
	for {
		var rows []lockoutRow
		err := s.db.NewRaw(countAttemptSQL,
			key, now, utc(now.Add(-policy.ResetAfter)), policy.SoftLockAfter, softUntil, policy.HardLockAfter,
			nullTime(firstUntil), firstHard, boolInt(firstSoft), boolInt(firstHard),
		).Scan(ctx, &rows)
		if err != nil {
			return ports.LockState{}, false, fail(ctx, op, err)
		}
		if len(rows) == 1 {
			return rows[0].state(), true, nil
		}
		// The upsert found the key locked and changed nothing. Read the lock
		// in a new statement (a new snapshot); if it was lifted in between,
		// the attempt is no longer refused: count it after all.
		var row lockoutRow
		err = s.db.NewSelect().Model(&row).Where("key = ?", key).Scan(ctx)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return ports.LockState{}, false, fail(ctx, op, err)
		}
		if st := row.state(); st.Locked(now) {
			return st, false, nil
		}
	}
}

// nullTime is t as a query argument, NULL when zero.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ClearFailures sets the count to 0 and lifts both locks, keeping the history.
func (s *Store) ClearFailures(ctx context.Context, key string) error {
	const op = "clear failures"
	ctx, cancel := s.call(ctx)
	defer cancel()
	_, err := s.db.NewUpdate().Model((*lockoutRow)(nil)).
		Set("failures = 0").
		Set("last_failure_at = NULL").
		Set("hard_locked = false").
		Set("locked_until = NULL").
		Where("key = ?", key).
		Exec(ctx)
	return fail(ctx, op, err)
}

// LockState reads the state of key; an unknown key reads as the zero state.
func (s *Store) LockState(ctx context.Context, key string) (ports.LockState, error) {
	const op = "lock state"
	ctx, cancel := s.call(ctx)
	defer cancel()
	var row lockoutRow
	err := s.db.NewSelect().Model(&row).Where("key = ?", key).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return ports.LockState{}, nil
	}
	if err != nil {
		return ports.LockState{}, fail(ctx, op, err)
	}
	return row.state(), nil
}
