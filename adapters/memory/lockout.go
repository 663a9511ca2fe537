package memory

import (
	"context"
	"sync"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// lockTable holds the failure record of each lockout key.
type lockTable struct {
	mu     sync.Mutex
	states map[string]ports.LockState
}

// CountAttempt applies policy to key at now, atomically: a locked key refuses
// the attempt without counting it; otherwise the failure is counted (after a
// restart when the previous one is more than policy.ResetAfter old) and the
// hard or soft lock set when its threshold is reached.
func (s *Store) CountAttempt(ctx context.Context, key string, now time.Time, policy ports.LockPolicy) (ports.LockState, bool, error) {
	if err := ctx.Err(); err != nil {
		return ports.LockState{}, false, err
	}
	now = stamp(now)
	l := &s.locks
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.states[key]
	if st.Locked(now) {
		return st, false, nil
	}
	if !st.LastFailureAt.IsZero() && now.Sub(st.LastFailureAt) > policy.ResetAfter {
		st.Failures = 0
	}
	st.Failures++
	st.LastFailureAt = now
	switch {
	case policy.HardLockAfter > 0 && st.Failures >= policy.HardLockAfter:
		st.HardLocked = true
		st.HardLocks++
	case policy.SoftLockAfter > 0 && st.Failures == policy.SoftLockAfter:
		st.LockedUntil = now.Add(policy.SoftLockFor)
		st.SoftLocks++
	}
	l.states[key] = st
	return st, true, nil
}

// ClearFailures resets the count and lifts both locks, keeping the history.
// Clearing an unknown key does nothing.
func (s *Store) ClearFailures(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l := &s.locks
	l.mu.Lock()
	defer l.mu.Unlock()
	st, ok := l.states[key]
	if !ok {
		return nil
	}
	st.Failures = 0
	st.LastFailureAt = time.Time{}
	st.LockedUntil = time.Time{}
	st.HardLocked = false
	l.states[key] = st
	return nil
}

// LockState reads the state of key; an unknown key reads as the zero state.
func (s *Store) LockState(ctx context.Context, key string) (ports.LockState, error) {
	if err := ctx.Err(); err != nil {
		return ports.LockState{}, err
	}
	l := &s.locks
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.states[key], nil
}
