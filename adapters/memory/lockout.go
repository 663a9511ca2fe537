package memory

import (
	"context"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// lockTable holds the failure record of each lockout key.
type lockTable struct {
	tableLock
	states map[string]ports.LockState
}

// BeginAttempt admits one attempt on key unless it is locked or the attempts
// already pending could lock it: see ports.LockoutStore.
func (s *Store) BeginAttempt(ctx context.Context, key string, now time.Time, policy ports.LockPolicy) (ports.LockState, ports.Admission, error) {
	now = stamp(now)
	l := &s.locks
	if err := l.lock(ctx); err != nil {
		return ports.LockState{}, ports.RefusedBusy, err
	}
	defer l.mu.Unlock()
	st := l.states[key]
	if verdict := st.Admits(now, policy); verdict != ports.Admitted {
		return st, verdict, nil
	}
	if st.CountAt(now, policy) == 0 {
		st.Failures, st.LastFailureAt = 0, time.Time{}
	}
	st.Pending, st.PendingSince = st.PendingAt(now, policy)+1, now
	l.states[key] = st
	return st, ports.Admitted, nil
}

// FinishAttempt ends one admitted attempt with its outcome: see
// ports.LockoutStore.
func (s *Store) FinishAttempt(ctx context.Context, key string, now time.Time, policy ports.LockPolicy, outcome ports.Outcome) (ports.LockState, error) {
	now = stamp(now)
	l := &s.locks
	if err := l.lock(ctx); err != nil {
		return ports.LockState{}, err
	}
	defer l.mu.Unlock()
	st := l.states[key]
	st.Pending = max(st.Pending-1, 0)
	switch outcome {
	case ports.Failed:
		st.Failures = st.CountAt(now, policy) + 1
		st.LastFailureAt = now
		switch {
		case policy.HardLockAfter > 0 && st.Failures >= policy.HardLockAfter:
			if !st.HardLocked {
				st.HardLocked = true
				st.HardLocks++
			}
		case policy.SoftLockAfter > 0 && st.Failures == policy.SoftLockAfter:
			st.LockedUntil = now.Add(policy.SoftLockFor)
			st.SoftLocks++
		}
	case ports.Succeeded:
		st = cleared(st)
	}
	l.states[key] = st
	return st, nil
}

// cleared is st with its count and locks lifted and its history kept.
func cleared(st ports.LockState) ports.LockState {
	st.Failures = 0
	st.LastFailureAt = time.Time{}
	st.LockedUntil = time.Time{}
	st.HardLocked = false
	return st
}

// ClearFailures resets the count and lifts both locks, keeping the history.
// Clearing an unknown key does nothing.
func (s *Store) ClearFailures(ctx context.Context, key string) error {
	l := &s.locks
	if err := l.lock(ctx); err != nil {
		return err
	}
	defer l.mu.Unlock()
	if st, ok := l.states[key]; ok {
		l.states[key] = cleared(st)
	}
	return nil
}

// LockState reads the state of key; an unknown key reads as the zero state.
func (s *Store) LockState(ctx context.Context, key string) (ports.LockState, error) {
	l := &s.locks
	if err := l.lock(ctx); err != nil {
		return ports.LockState{}, err
	}
	defer l.mu.Unlock()
	return l.states[key], nil
}
