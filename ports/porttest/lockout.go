package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// lockPolicy is the design's default sign-in lockout rule.
var lockPolicy = ports.LockPolicy{
	SoftLockAfter: 5,
	SoftLockFor:   7 * time.Minute,
	HardLockAfter: 10,
	ResetAfter:    24 * time.Hour,
	PendingFor:    time.Minute,
}

// attempts drives one key of a LockoutStore in a test.
type attempts struct {
	t      *testing.T
	store  ports.LockoutStore
	key    string
	policy ports.LockPolicy
}

func newAttempts(t *testing.T, store ports.LockoutStore) *attempts {
	return &attempts{t: t, store: store, key: newID("key_"), policy: lockPolicy}
}

func (a *attempts) begin(now time.Time) (ports.LockState, ports.Admission) {
	a.t.Helper()
	st, verdict, err := a.store.BeginAttempt(a.t.Context(), a.key, now, a.policy)
	require.NoError(a.t, err)
	return st, verdict
}

func (a *attempts) finish(now time.Time, outcome ports.Outcome) ports.LockState {
	a.t.Helper()
	st, err := a.store.FinishAttempt(a.t.Context(), a.key, now, a.policy, outcome)
	require.NoError(a.t, err)
	return st
}

// fail begins an attempt that must be admitted and finishes it as failed.
func (a *attempts) fail(now time.Time) ports.LockState {
	a.t.Helper()
	_, verdict := a.begin(now)
	require.Equal(a.t, ports.Admitted, verdict, "the attempt at %v must be admitted", now)
	return a.finish(now, ports.Failed)
}

func (a *attempts) read() ports.LockState {
	a.t.Helper()
	st, err := a.store.LockState(a.t.Context(), a.key)
	require.NoError(a.t, err)
	return st
}

func testLockoutCancelled(t *testing.T, s ports.LockoutStore) {
	_, _, err := s.BeginAttempt(cancelled(t), newID("key_"), baseTime(), lockPolicy)
	assertCancelled(t, err)
	_, err = s.FinishAttempt(cancelled(t), newID("key_"), baseTime(), lockPolicy, ports.Failed)
	assertCancelled(t, err)
}

func testLockoutUnknownKey(t *testing.T, s ports.LockoutStore) {
	st := newAttempts(t, s).read()
	assert.Equal(t, ports.LockState{}, st)
}

func testLockoutThresholds(t *testing.T, s ports.LockoutStore) {
	a, t0 := newAttempts(t, s), baseTime()
	for i := 1; i <= 4; i++ {
		now := t0.Add(time.Duration(i) * time.Second)
		st := a.fail(now)
		assert.Equal(t, i, st.Failures)
		assert.True(t, now.Equal(st.LastFailureAt), "failure %d: LastFailureAt", i)
		assert.False(t, st.Locked(now), "failure %d: no lock yet", i)
		assert.Zero(t, st.Pending, "failure %d: nothing pending once finished", i)
	}

	fifth := t0.Add(5 * time.Second)
	lockEnd := fifth.Add(lockPolicy.SoftLockFor)
	st := a.fail(fifth)
	assert.Equal(t, 5, st.Failures)
	assert.True(t, lockEnd.Equal(st.LockedUntil), "LockedUntil %v, want %v", st.LockedUntil, lockEnd)
	assert.Equal(t, 1, st.SoftLocks)
	assert.True(t, st.Locked(fifth), "the 5th failure starts the soft lock")

	for _, during := range []time.Time{fifth, fifth.Add(time.Minute), lockEnd.Add(-time.Microsecond)} {
		st, verdict := a.begin(during)
		assert.Equal(t, ports.RefusedLocked, verdict, "an attempt during the soft lock is refused")
		assert.Equal(t, 5, st.Failures, "a refused attempt is not counted")
		assert.Zero(t, st.Pending, "a refused attempt holds no place")
	}

	for i := 6; i <= 9; i++ {
		now := lockEnd.Add(time.Duration(i-6) * time.Second) // the first exactly at the lock's end
		st = a.fail(now)
		assert.Equal(t, i, st.Failures)
		assert.False(t, st.Locked(now), "failure %d after the soft lock", i)
		assert.Equal(t, 1, st.SoftLocks, "only reaching exactly SoftLockAfter soft-locks")
	}

	tenth := lockEnd.Add(time.Minute)
	st = a.fail(tenth)
	assert.Equal(t, 10, st.Failures)
	assert.True(t, st.HardLocked, "the 10th failure starts the hard lock")
	assert.Equal(t, 1, st.HardLocks)

	st, verdict := a.begin(tenth.Add(48 * time.Hour))
	assert.Equal(t, ports.RefusedLocked, verdict, "a hard lock refuses attempts even days later")
	assert.True(t, st.HardLocked)
	assert.True(t, tenth.Equal(a.read().LastFailureAt))
}

func testLockoutResetAfter(t *testing.T, s ports.LockoutStore) {
	a, t0 := newAttempts(t, s), baseTime()
	steps := []struct {
		name string
		at   time.Time
		want int
	}{
		{"first", t0, 1},
		{"second", t0.Add(time.Second), 2},
		{"exactly ResetAfter later still counts on", t0.Add(time.Second + lockPolicy.ResetAfter), 3},
		{"more than ResetAfter later restarts", t0.Add(time.Second + 2*lockPolicy.ResetAfter + time.Microsecond), 1},
		{"and counts on", t0.Add(2*time.Second + 2*lockPolicy.ResetAfter), 2},
	}
	for _, step := range steps {
		assert.Equal(t, step.want, a.fail(step.at).Failures, step.name)
	}
}

func testLockoutNoReset(t *testing.T, s ports.LockoutStore) {
	a, t0 := newAttempts(t, s), baseTime()
	a.policy.ResetAfter = 0
	for i := 1; i <= 4; i++ {
		st := a.fail(t0.Add(time.Duration(i) * 30 * 24 * time.Hour))
		assert.Equal(t, i, st.Failures, "a month apart, failure %d still counts on", i)
	}
	st := a.fail(t0.Add(365 * 24 * time.Hour))
	assert.True(t, st.Locked(t0.Add(365*24*time.Hour)), "the 5th failure locks however late it comes")
}

// testLockoutNoHardLock pins a zero HardLockAfter (core's count of wrong
// texted codes): no hard lock, and once the soft lock ends, nothing is
// admitted on the old count; a failure more than ResetAfter later starts
// afresh.
func testLockoutNoHardLock(t *testing.T, s ports.LockoutStore) {
	a, t0 := newAttempts(t, s), baseTime()
	a.policy = ports.LockPolicy{SoftLockAfter: 3, SoftLockFor: time.Hour, ResetAfter: 2 * time.Hour, PendingFor: time.Minute}
	var st ports.LockState
	for i := range 3 {
		st = a.fail(t0.Add(time.Duration(i) * time.Second))
	}
	last := t0.Add(2 * time.Second)
	require.Equal(t, last.Add(time.Hour), st.LockedUntil.UTC(), "the 3rd failure starts the soft lock")
	_, verdict := a.begin(last.Add(time.Hour - time.Microsecond))
	assert.Equal(t, ports.RefusedLocked, verdict, "within the soft lock")
	_, verdict = a.begin(last.Add(time.Hour))
	assert.Equal(t, ports.RefusedBusy, verdict, "the lock has ended, the count has not restarted")
	_, verdict = a.begin(last.Add(2 * time.Hour))
	assert.Equal(t, ports.RefusedBusy, verdict, "exactly ResetAfter after the last failure")
	st = a.fail(last.Add(2*time.Hour + time.Microsecond))
	assert.Equal(t, 1, st.Failures, "more than ResetAfter later the count restarts")
	assert.False(t, st.HardLocked)
	assert.Zero(t, st.HardLocks)
}

func testLockoutSuccessClears(t *testing.T, s ports.LockoutStore) {
	a, now := newAttempts(t, s), baseTime()
	for range 4 {
		a.fail(now)
	}
	_, verdict := a.begin(now)
	require.Equal(t, ports.Admitted, verdict)
	st := a.finish(now, ports.Succeeded)
	assert.Zero(t, st.Failures)
	assert.True(t, st.LastFailureAt.IsZero())
	assert.Zero(t, st.Pending)
	for range 4 {
		assert.False(t, a.fail(now).Locked(now), "after a success the count starts again")
	}
}

func testLockoutAbandoned(t *testing.T, s ports.LockoutStore) {
	a, now := newAttempts(t, s), baseTime()
	a.fail(now)
	for range 2 * lockPolicy.HardLockAfter {
		_, verdict := a.begin(now)
		require.Equal(t, ports.Admitted, verdict)
		st := a.finish(now, ports.Abandoned)
		assert.Equal(t, 1, st.Failures, "an abandoned attempt is not a failure")
		assert.Zero(t, st.Pending)
	}
}

func testLockoutPendingIsBusy(t *testing.T, s ports.LockoutStore) {
	a, now := newAttempts(t, s), baseTime()
	a.fail(now)
	a.fail(now)
	for i := 1; i <= 3; i++ {
		st, verdict := a.begin(now)
		require.Equal(t, ports.Admitted, verdict, "pending attempt %d", i)
		assert.Equal(t, i, st.Pending)
	}
	st, verdict := a.begin(now)
	assert.Equal(t, ports.RefusedBusy, verdict, "2 failures + 3 pending could reach 5: the next one waits")
	assert.False(t, st.Locked(now), "busy is not locked")
	assert.Equal(t, 3, st.Pending, "a refused attempt holds no place")

	a.finish(now, ports.Succeeded)
	_, verdict = a.begin(now)
	assert.Equal(t, ports.Admitted, verdict, "a finished attempt frees its place")
}

func testLockoutPendingExpires(t *testing.T, s ports.LockoutStore) {
	a, t0 := newAttempts(t, s), baseTime()
	for range lockPolicy.SoftLockAfter {
		_, verdict := a.begin(t0)
		require.Equal(t, ports.Admitted, verdict)
	}
	_, verdict := a.begin(t0.Add(lockPolicy.PendingFor))
	assert.Equal(t, ports.RefusedBusy, verdict, "exactly PendingFor later the places are still held")
	later := t0.Add(lockPolicy.PendingFor + time.Second)
	st, verdict := a.begin(later)
	assert.Equal(t, ports.Admitted, verdict, "attempts of a crashed process stop holding places")
	assert.Equal(t, 1, st.Pending)
	assert.False(t, st.Locked(later))
}

func testLockoutClearKeepsHistory(t *testing.T, s ports.LockoutStore) {
	a, t0 := newAttempts(t, s), baseTime()
	require.NoError(t, s.ClearFailures(t.Context(), newID("key_")), "clearing an unknown key is not an error")
	for round := 1; round <= 2; round++ {
		now := t0.Add(time.Duration(round) * time.Hour)
		var st ports.LockState
		for range lockPolicy.SoftLockAfter {
			st = a.fail(now)
		}
		assert.Equal(t, round, st.SoftLocks, "round %d", round)
		require.NoError(t, s.ClearFailures(t.Context(), a.key))
		read := a.read()
		assert.Zero(t, read.Failures)
		assert.False(t, read.Locked(now), "clear lifts the soft lock")
		assert.Equal(t, round, read.SoftLocks)
	}
	for range lockPolicy.HardLockAfter {
		a.begin(t0.Add(3 * time.Hour))
		a.finish(t0.Add(3*time.Hour), ports.Failed)
	}
	require.True(t, a.read().HardLocked)
	require.NoError(t, s.ClearFailures(t.Context(), a.key))
	read := a.read()
	assert.False(t, read.HardLocked, "clear lifts the hard lock")
	assert.Equal(t, 1, read.HardLocks, "and keeps its history")
}

func testLockoutKeysIndependent(t *testing.T, s ports.LockoutStore) {
	a, b, now := newAttempts(t, s), newAttempts(t, s), baseTime()
	for range lockPolicy.SoftLockAfter {
		a.fail(now)
	}
	assert.Equal(t, 1, b.fail(now).Failures)
	require.NoError(t, s.ClearFailures(t.Context(), b.key))
	assert.Equal(t, lockPolicy.SoftLockAfter, a.read().Failures, "clearing one key leaves another")
}

func testLockoutParallelBegins(t *testing.T, s ports.LockoutStore) {
	a, now := newAttempts(t, s), baseTime()
	const calls = 50
	verdicts := make([]ports.Admission, calls)
	errs := make([]error, calls)
	Together(calls, func(i int) {
		_, verdicts[i], errs[i] = s.BeginAttempt(t.Context(), a.key, now, lockPolicy)
	})
	admitted := 0
	for i := range calls {
		require.NoError(t, errs[i])
		switch verdicts[i] {
		case ports.Admitted:
			admitted++
		case ports.RefusedLocked:
			t.Errorf("call %d: refused as locked, but nothing has failed", i)
		}
	}
	assert.Equal(t, lockPolicy.SoftLockAfter, admitted)
	st := a.read()
	assert.Equal(t, lockPolicy.SoftLockAfter, st.Pending)
	assert.Zero(t, st.Failures, "pending attempts are not failures")
}

// parallelAttempts runs calls begin/finish pairs on one key at once, each
// finishing admitted attempts with outcome, and returns how many were admitted.
func parallelAttempts(t *testing.T, a *attempts, calls int, now time.Time, outcome ports.Outcome) int {
	t.Helper()
	admitted := make([]bool, calls)
	errs := make([]error, calls)
	Together(calls, func(i int) {
		_, verdict, err := a.store.BeginAttempt(t.Context(), a.key, now, a.policy)
		if err != nil || verdict != ports.Admitted {
			errs[i] = err
			return
		}
		admitted[i] = true
		_, errs[i] = a.store.FinishAttempt(t.Context(), a.key, now, a.policy, outcome)
	})
	n := 0
	for i := range calls {
		require.NoError(t, errs[i])
		if admitted[i] {
			n++
		}
	}
	return n
}

func testLockoutParallelSuccesses(t *testing.T, s ports.LockoutStore) {
	a, now := newAttempts(t, s), baseTime()
	for round := range 5 {
		admitted := parallelAttempts(t, a, parallelCalls, now, ports.Succeeded)
		assert.GreaterOrEqual(t, admitted, 1, "round %d: some attempt gets through", round)
		st := a.read()
		assert.False(t, st.Locked(now), "round %d: correct attempts never lock", round)
		assert.Zero(t, st.SoftLocks+st.HardLocks, "round %d: no lock was ever recorded", round)
		assert.Zero(t, st.Pending, "round %d: every attempt finished", round)
	}
}

func testLockoutParallelFailures(t *testing.T, s ports.LockoutStore) {
	a, now := newAttempts(t, s), baseTime()
	admitted := parallelAttempts(t, a, 50, now, ports.Failed)
	assert.LessOrEqual(t, admitted, lockPolicy.SoftLockAfter, "at most SoftLockAfter secret checks")
	st := a.read()
	if admitted == lockPolicy.SoftLockAfter {
		assert.True(t, st.Locked(now), "5 real failures lock")
		assert.Equal(t, 1, st.SoftLocks, "exactly one lock")
	}
	assert.Equal(t, admitted, st.Failures, "every admitted failure counted once")
	assert.Zero(t, st.Pending)
}
