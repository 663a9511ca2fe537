package postgres

import (
	"context"
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
	Pending       int       `bun:"pending"`
	PendingSince  time.Time `bun:"pending_since,nullzero"`
}

func (r lockoutRow) state() ports.LockState {
	return ports.LockState{
		Failures:      r.Failures,
		LastFailureAt: utc(r.LastFailureAt),
		LockedUntil:   utc(r.LockedUntil),
		HardLocked:    r.HardLocked,
		SoftLocks:     r.SoftLocks,
		HardLocks:     r.HardLocks,
		Pending:       r.Pending,
		PendingSince:  utc(r.PendingSince),
	}
}

// Arguments shared by the lockout statements: ?0 key, ?1 now, ?2 the time
// before which a last failure restarts the count (NULL: never), ?3 the time
// before which a pending attempt no longer holds a place (NULL: never).
const (
	staleCount   = `(l.last_failure_at IS NOT NULL AND l.last_failure_at < ?2)`
	countInForce = `(CASE WHEN ` + staleCount + ` THEN 0 ELSE l.failures END)`
	pendingNow   = `(CASE WHEN l.pending_since IS NULL OR l.pending_since < ?3 THEN 0 ELSE l.pending END)`
	lockoutCols  = `l.key, l.failures, l.last_failure_at, l.locked_until, l.hard_locked, l.soft_locks, l.hard_locks, l.pending, l.pending_since`
)

// beginAttemptSQL admits one attempt in a single upsert (?4 SoftLockAfter, ?5
// HardLockAfter). The DO UPDATE runs only while the key is unlocked and the
// pending attempts could not reach the next threshold (its WHERE), on the row
// the upsert holds locked, so concurrent callers on one key are serialised.
const beginAttemptSQL = `
INSERT INTO ba_lockouts AS l (key, pending, pending_since) VALUES (?0, 1, ?1)
ON CONFLICT (key) DO UPDATE SET
    failures        = ` + countInForce + `,
    last_failure_at = CASE WHEN ` + staleCount + ` THEN NULL ELSE l.last_failure_at END,
    pending         = ` + pendingNow + ` + 1,
    pending_since   = ?1
WHERE NOT l.hard_locked AND (l.locked_until IS NULL OR l.locked_until <= ?1)
  AND ` + countInForce + ` + ` + pendingNow + ` < CASE WHEN ` + countInForce + ` < ?4 THEN ?4 ELSE ?5 END
RETURNING ` + lockoutCols

// The failure count after a failed attempt, and whether it starts a hard or a
// soft lock, read from the row as it was before the update (SET semantics).
// ?4 SoftLockAfter, ?5 HardLockAfter, ?6 soft-lock end (now + SoftLockFor).
const (
	nextCount  = `(` + countInForce + ` + 1)`
	startsHard = `(?5 > 0 AND ` + nextCount + ` >= ?5)`
	startsSoft = `(NOT ` + startsHard + ` AND ` + nextCount + ` = ?4)`
)

// failAttemptSQL records a failed attempt in a single upsert. A missing row
// (purged while the attempt ran) is written with the state computed in Go
// (?7..?10).
const failAttemptSQL = `
INSERT INTO ba_lockouts AS l (key, failures, last_failure_at, locked_until, hard_locked, soft_locks, hard_locks)
VALUES (?0, 1, ?1, ?7, ?8, ?9, ?10)
ON CONFLICT (key) DO UPDATE SET
    pending         = GREATEST(l.pending - 1, 0),
    failures        = ` + nextCount + `,
    last_failure_at = ?1,
    hard_locked     = l.hard_locked OR ` + startsHard + `,
    locked_until    = CASE WHEN ` + startsSoft + ` THEN ?6 ELSE l.locked_until END,
    soft_locks      = l.soft_locks + CASE WHEN ` + startsSoft + ` THEN 1 ELSE 0 END,
    hard_locks      = l.hard_locks + CASE WHEN ` + startsHard + ` AND NOT l.hard_locked THEN 1 ELSE 0 END
RETURNING ` + lockoutCols

// succeedAttemptSQL and abandonAttemptSQL end an attempt that did not fail;
// succeededSet is what a success sets (OpenSignInSession sets it too).
const (
	succeededSet = `pending = GREATEST(l.pending - 1, 0),
    failures = 0, last_failure_at = NULL, hard_locked = false, locked_until = NULL`
	succeedAttemptSQL = `
UPDATE ba_lockouts AS l SET ` + succeededSet + `
WHERE l.key = ?0 RETURNING ` + lockoutCols
	abandonAttemptSQL = `
UPDATE ba_lockouts AS l SET pending = GREATEST(l.pending - 1, 0)
WHERE l.key = ?0 RETURNING ` + lockoutCols
)

// policyBounds are the ?2 and ?3 arguments of the lockout statements.
func policyBounds(now time.Time, policy ports.LockPolicy) (resetBefore, pendingBefore any) {
	if policy.ResetAfter > 0 {
		resetBefore = utc(now.Add(-policy.ResetAfter))
	}
	if policy.PendingFor > 0 {
		pendingBefore = utc(now.Add(-policy.PendingFor))
	}
	return resetBefore, pendingBefore
}

// BeginAttempt admits one attempt on key unless it is locked or its pending
// attempts could lock it: see ports.LockoutStore. The common path is one
// statement; a refusal costs a second one that reads what refused it.
func (s *Store) BeginAttempt(ctx context.Context, key string, now time.Time, policy ports.LockPolicy) (ports.LockState, ports.Admission, error) {
	const op = "begin attempt"
	ctx, cancel := s.call(ctx)
	defer cancel()
	now = utc(now)
	resetBefore, pendingBefore := policyBounds(now, policy)
	for {
		row, admitted, err := firstRow[lockoutRow](ctx, s.conn(ctx), beginAttemptSQL, key, now, resetBefore, pendingBefore,
			policy.SoftLockAfter, policy.HardLockAfter)
		if err != nil {
			return ports.LockState{}, ports.RefusedBusy, fail(ctx, op, err)
		}
		if admitted {
			return row.state(), ports.Admitted, nil
		}
		// The upsert found the key refusing and changed nothing. Read it in a
		// new statement (a new snapshot); if it admits attempts again by now
		// (a lock lifted, an attempt finished), try once more.
		err = getRow(ctx, s.conn(ctx), op, &row, "key = ?", key)
		if err != nil && !errors.Is(err, ports.ErrNotFound) {
			return ports.LockState{}, ports.RefusedBusy, err
		}
		st := row.state()
		if verdict := st.Admits(now, policy); verdict != ports.Admitted {
			return st, verdict, nil
		}
	}
}

// FinishAttempt ends one admitted attempt with its outcome: see
// ports.LockoutStore. One statement.
func (s *Store) FinishAttempt(ctx context.Context, key string, now time.Time, policy ports.LockPolicy, outcome ports.Outcome) (ports.LockState, error) {
	const op = "finish attempt"
	ctx, cancel := s.call(ctx)
	defer cancel()
	now = utc(now)
	var rows []lockoutRow
	var err error
	switch outcome {
	case ports.Failed:
		resetBefore, _ := policyBounds(now, policy)
		// The state of a key's very first failure, for a row that is gone.
		firstHard := policy.HardLockAfter > 0 && policy.HardLockAfter <= 1
		firstSoft := !firstHard && policy.SoftLockAfter == 1
		var firstUntil time.Time
		if firstSoft {
			firstUntil = now.Add(policy.SoftLockFor)
		}
		err = s.conn(ctx).NewRaw(failAttemptSQL, key, now, resetBefore, nil,
			policy.SoftLockAfter, policy.HardLockAfter, utc(now.Add(policy.SoftLockFor)),
			nullTime(firstUntil), firstHard, boolInt(firstSoft), boolInt(firstHard)).Scan(ctx, &rows)
	case ports.Succeeded:
		err = s.conn(ctx).NewRaw(succeedAttemptSQL, key).Scan(ctx, &rows)
	default:
		err = s.conn(ctx).NewRaw(abandonAttemptSQL, key).Scan(ctx, &rows)
	}
	if err != nil {
		return ports.LockState{}, fail(ctx, op, err)
	}
	if len(rows) == 0 {
		return ports.LockState{}, nil
	}
	return rows[0].state(), nil
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
	_, err := s.conn(ctx).NewUpdate().Model((*lockoutRow)(nil)).
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
	var row lockoutRow
	err := s.get(ctx, "lock state", &row, "key = ?", key)
	if errors.Is(err, ports.ErrNotFound) {
		return ports.LockState{}, nil
	}
	if err != nil {
		return ports.LockState{}, err
	}
	return row.state(), nil
}
