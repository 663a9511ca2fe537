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
	HardLockAfter int           // the failure count that starts a hard lock (10)
	ResetAfter    time.Duration // a failure this long after the previous one restarts the count at 1 (24 h)
}

// LockState is the failure record of one key (an account, or a normalised
// identifier that matches no account).
type LockState struct {
	Failures      int       // failures in the current run
	LastFailureAt time.Time // the last counted attempt since the count was cleared (attempts are counted before their secret is checked); zero when none
	LockedUntil   time.Time // end of the soft lock; zero when none was ever set
	HardLocked    bool      // only ClearFailures lifts it
	SoftLocks     int       // soft locks ever started (history, never cleared)
	HardLocks     int       // hard locks ever started (history, never cleared)
}

// Locked reports whether the state refuses attempts at now.
func (s LockState) Locked(now time.Time) bool {
	return s.HardLocked || now.Before(s.LockedUntil)
}

// LockoutStore counts failed attempts per key. Keys are opaque to the store.
//
// Core counts an attempt BEFORE it checks the secret, so that N parallel guesses
// cost at most SoftLockAfter hash verifications; a correct secret then clears
// the count.
type LockoutStore interface {
	// CountAttempt atomically applies policy to key at now:
	//   - if the key is locked at now, it changes nothing and returns
	//     (state, false): the attempt is refused and not counted;
	//   - otherwise, if the previous failure is more than policy.ResetAfter
	//     before now, the count restarts; the count goes up by one and
	//     LastFailureAt becomes now; reaching HardLockAfter sets HardLocked
	//     (HardLocks+1), else reaching exactly SoftLockAfter sets
	//     LockedUntil = now + SoftLockFor (SoftLocks+1); it returns
	//     (new state, true).
	// N concurrent calls on one key return N distinct counts while unlocked.
	CountAttempt(ctx context.Context, key string, now time.Time, policy LockPolicy) (LockState, bool, error)
	// ClearFailures sets Failures to 0, LastFailureAt to zero and lifts both
	// locks; the history (SoftLocks, HardLocks) is kept. Clearing an unknown
	// key is not an error.
	ClearFailures(ctx context.Context, key string) error
	// LockState reads the state of key; an unknown key reads as the zero state.
	LockState(ctx context.Context, key string) (LockState, error)
}
