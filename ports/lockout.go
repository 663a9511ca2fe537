package ports

import (
	"context"
	"time"
)

// LockPolicy is the brute-force lockout rule a LockoutStore applies atomically
// while counting. Core owns the numbers; the store only applies them.
type LockPolicy struct {
	SoftLockAfter int           // the failure count that starts a soft lock (5)
	SoftLockFor   time.Duration // how long a soft lock lasts (7 minutes)
	// HardLockAfter is the failure count that starts a hard lock (10). Zero:
	// no hard lock; a count at or past SoftLockAfter then admits nothing
	// once its soft lock ends, until the count restarts (ResetAfter).
	HardLockAfter int
	// ResetAfter: a failure this long after the previous one restarts the
	// count at 1 (24 h). Zero: the count never restarts by itself.
	ResetAfter time.Duration
	// PendingFor is how long an admitted attempt that was never finished
	// still holds its place (a process that died between BeginAttempt and
	// FinishAttempt must not hold a key forever). Zero: forever.
	PendingFor time.Duration
}

// LockState is the failure record of one key (an account's identifier, a
// verified device of an account, an account's PIN, or an identifier that
// matches no account: keys are opaque to the store).
type LockState struct {
	Failures      int       // failures in the current run
	LastFailureAt time.Time // the last failure since the count was cleared; zero when none
	LockedUntil   time.Time // end of the soft lock; zero when none was ever set
	HardLocked    bool      // only ClearFailures lifts it
	SoftLocks     int       // soft locks ever started (history, never cleared)
	HardLocks     int       // hard locks ever started (history, never cleared)
	Pending       int       // attempts admitted and not yet finished
	PendingSince  time.Time // when the latest pending attempt was admitted
}

// Locked reports whether the state refuses attempts at now.
func (s LockState) Locked(now time.Time) bool {
	return s.HardLocked || now.Before(s.LockedUntil)
}

// CountAt is the failure count still in force at now: 0 once the last
// failure is more than policy.ResetAfter old.
func (s LockState) CountAt(now time.Time, policy LockPolicy) int {
	if policy.ResetAfter > 0 && !s.LastFailureAt.IsZero() && now.Sub(s.LastFailureAt) > policy.ResetAfter {
		return 0
	}
	return s.Failures
}

// PendingAt is the number of pending attempts still holding a place at now.
func (s LockState) PendingAt(now time.Time, policy LockPolicy) int {
	if policy.PendingFor > 0 && now.Sub(s.PendingSince) > policy.PendingFor {
		return 0
	}
	return s.Pending
}

// Admits is BeginAttempt's verdict on s at now, before anything is written.
func (s LockState) Admits(now time.Time, policy LockPolicy) Admission {
	if s.Locked(now) {
		return RefusedLocked
	}
	failures := s.CountAt(now, policy)
	if failures+s.PendingAt(now, policy) >= policy.NextThreshold(failures) {
		return RefusedBusy
	}
	return Admitted
}

// NextThreshold is the failure count that starts the next lock after
// failures: SoftLockAfter below it, HardLockAfter from it on.
func (p LockPolicy) NextThreshold(failures int) int {
	if failures < p.SoftLockAfter {
		return p.SoftLockAfter
	}
	return p.HardLockAfter
}

// Admission is BeginAttempt's verdict on one attempt.
type Admission int

const (
	// Admitted: the attempt may check its secret, and must be finished.
	Admitted Admission = iota
	// RefusedLocked: the key is locked at now.
	RefusedLocked
	// RefusedBusy: the key is not locked, but the attempts already pending
	// could lock it if they all fail; this one must wait for them.
	RefusedBusy
)

// Outcome is how an admitted attempt ended.
type Outcome int

const (
	// Failed: the secret was wrong. It counts toward the locks.
	Failed Outcome = iota
	// Succeeded: the secret was right. The failure count and any lock are
	// cleared (the history is kept).
	Succeeded
	// Abandoned: the secret was never judged (a cancelled request, a store
	// outage). Nothing is counted.
	Abandoned
)

// LockoutStore counts failed attempts per key in two steps, so that N parallel
// guesses cost at most SoftLockAfter secret checks and yet only attempts that
// really failed ever lock a key: BeginAttempt admits an attempt before its
// secret is checked, FinishAttempt records how it ended.
type LockoutStore interface {
	// BeginAttempt atomically decides whether key admits one more attempt at
	// now under policy. The failure count in force is Failures, or 0 when the
	// last failure is more than policy.ResetAfter before now; the pending
	// count is Pending, or 0 when PendingSince is more than policy.PendingFor
	// before now. The next threshold is SoftLockAfter while the count is
	// below it, HardLockAfter after.
	//   - key locked at now: nothing changes, (state, RefusedLocked);
	//   - count + pending >= next threshold: nothing changes, (state, RefusedBusy);
	//   - otherwise Pending goes up by one, PendingSince becomes now (a
	//     restarted count is written as 0), and it returns (new state, Admitted).
	// Of N concurrent calls on an unlocked key with no failures, exactly
	// SoftLockAfter are admitted.
	BeginAttempt(ctx context.Context, key string, now time.Time, policy LockPolicy) (LockState, Admission, error)
	// FinishAttempt atomically ends one admitted attempt at now: Pending goes
	// down by one (never below 0), then
	//   - Failed: the count goes up by one (restarting at 1 after
	//     policy.ResetAfter) and LastFailureAt becomes now; reaching
	//     HardLockAfter sets HardLocked (HardLocks+1, once), else reaching
	//     exactly SoftLockAfter sets LockedUntil = now + SoftLockFor
	//     (SoftLocks+1);
	//   - Succeeded: as ClearFailures;
	//   - Abandoned: nothing else.
	// It returns the new state.
	FinishAttempt(ctx context.Context, key string, now time.Time, policy LockPolicy, outcome Outcome) (LockState, error)
	// ClearFailures sets Failures to 0, LastFailureAt to zero and lifts both
	// locks; the history (SoftLocks, HardLocks) and pending attempts are kept.
	// Clearing an unknown key is not an error.
	ClearFailures(ctx context.Context, key string) error
	// LockState reads the state of key; an unknown key reads as the zero state.
	LockState(ctx context.Context, key string) (LockState, error)
}
