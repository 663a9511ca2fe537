package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// lockPolicy is the design's default lockout rule.
var lockPolicy = ports.LockPolicy{
	SoftLockAfter: 5,
	SoftLockFor:   7 * time.Minute,
	HardLockAfter: 10,
	ResetAfter:    24 * time.Hour,
}

// LockoutStore checks the CountAttempt state machine, ClearFailures and the
// atomicity of counting.
func LockoutStore(t *testing.T, newStores NewStores) {
	t.Helper()

	t.Run("a cancelled context is passed through", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Lockouts")
		_, _, err := s.Lockouts.CountAttempt(cancelled(t), newID("key_"), baseTime(), lockPolicy)
		assertCancelled(t, err)
	})

	t.Run("unknown key reads as the zero state", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Lockouts")
		st, err := s.Lockouts.LockState(t.Context(), newID("key_"))
		require.NoError(t, err)
		assert.Equal(t, 0, st.Failures)
		assert.True(t, st.LastFailureAt.IsZero())
		assert.True(t, st.LockedUntil.IsZero())
		assert.False(t, st.HardLocked)
		assert.Zero(t, st.SoftLocks)
		assert.Zero(t, st.HardLocks)
	})

	t.Run("soft lock, counting after it, hard lock, clear", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Lockouts")
		ctx := t.Context()
		key, t0 := newID("key_"), baseTime()
		count := func(now time.Time) (ports.LockState, bool) {
			t.Helper()
			st, ok, err := s.Lockouts.CountAttempt(ctx, key, now, lockPolicy)
			require.NoError(t, err)
			return st, ok
		}

		for i := 1; i <= 4; i++ {
			now := t0.Add(time.Duration(i) * time.Second)
			st, ok := count(now)
			require.True(t, ok, "failure %d", i)
			assert.Equal(t, i, st.Failures)
			assert.True(t, now.Equal(st.LastFailureAt), "failure %d: LastFailureAt", i)
			assert.True(t, st.LockedUntil.IsZero(), "failure %d: no lock yet", i)
			assert.False(t, st.Locked(now))
		}

		fifth := t0.Add(5 * time.Second)
		lockEnd := fifth.Add(lockPolicy.SoftLockFor)
		st, ok := count(fifth)
		require.True(t, ok, "the 5th attempt is counted and answers with the lock")
		assert.Equal(t, 5, st.Failures)
		assert.True(t, lockEnd.Equal(st.LockedUntil), "LockedUntil %v, want %v", st.LockedUntil, lockEnd)
		assert.Equal(t, 1, st.SoftLocks)
		assert.True(t, st.Locked(fifth))

		for _, during := range []time.Time{fifth, fifth.Add(time.Minute), lockEnd.Add(-time.Microsecond)} {
			st, ok = count(during)
			assert.False(t, ok, "an attempt during the soft lock is refused")
			assert.Equal(t, 5, st.Failures, "a refused attempt is not counted")
			assert.True(t, lockEnd.Equal(st.LockedUntil))
		}

		for i := 6; i <= 9; i++ {
			now := lockEnd.Add(time.Duration(i-6) * time.Second) // the first one exactly at the lock's end
			st, ok = count(now)
			require.True(t, ok, "failure %d after the soft lock", i)
			assert.Equal(t, i, st.Failures)
			assert.False(t, st.HardLocked)
			assert.Equal(t, 1, st.SoftLocks, "only reaching exactly SoftLockAfter soft-locks")
			assert.False(t, st.Locked(now))
		}

		tenth := lockEnd.Add(time.Minute)
		st, ok = count(tenth)
		require.True(t, ok, "the 10th attempt is counted and answers with the hard lock")
		assert.Equal(t, 10, st.Failures)
		assert.True(t, st.HardLocked)
		assert.Equal(t, 1, st.HardLocks)
		assert.True(t, st.Locked(tenth))

		st, ok = count(tenth.Add(48 * time.Hour))
		assert.False(t, ok, "a hard lock refuses attempts even days later")
		assert.Equal(t, 10, st.Failures)
		assert.True(t, st.HardLocked)

		read, err := s.Lockouts.LockState(ctx, key)
		require.NoError(t, err)
		assert.Equal(t, 10, read.Failures)
		assert.True(t, read.HardLocked)
		assert.True(t, tenth.Equal(read.LastFailureAt))

		require.NoError(t, s.Lockouts.ClearFailures(ctx, key))
		read, err = s.Lockouts.LockState(ctx, key)
		require.NoError(t, err)
		assert.Equal(t, 0, read.Failures)
		assert.True(t, read.LastFailureAt.IsZero(), "no failure since the count was cleared")
		assert.False(t, read.HardLocked)
		assert.False(t, read.Locked(tenth.Add(time.Second)))
		assert.Equal(t, 1, read.SoftLocks, "history is kept")
		assert.Equal(t, 1, read.HardLocks, "history is kept")

		st, ok = count(tenth.Add(time.Second))
		require.True(t, ok)
		assert.Equal(t, 1, st.Failures)
	})

	t.Run("a failure more than ResetAfter later restarts the count", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Lockouts")
		ctx := t.Context()
		key, t0 := newID("key_"), baseTime()
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
			st, ok, err := s.Lockouts.CountAttempt(ctx, key, step.at, lockPolicy)
			require.NoError(t, err, step.name)
			require.True(t, ok, step.name)
			assert.Equal(t, step.want, st.Failures, step.name)
		}
	})

	t.Run("clear keeps the history and a second soft lock counts it", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Lockouts")
		ctx := t.Context()
		key, t0 := newID("key_"), baseTime()
		require.NoError(t, s.Lockouts.ClearFailures(ctx, newID("key_")), "clearing an unknown key is not an error")
		for round := 1; round <= 2; round++ {
			var st ports.LockState
			for i := 1; i <= lockPolicy.SoftLockAfter; i++ {
				var ok bool
				var err error
				st, ok, err = s.Lockouts.CountAttempt(ctx, key, t0.Add(time.Duration(round)*time.Hour), lockPolicy)
				require.NoError(t, err)
				require.True(t, ok)
			}
			assert.Equal(t, round, st.SoftLocks, "round %d", round)
			require.NoError(t, s.Lockouts.ClearFailures(ctx, key))
			read, err := s.Lockouts.LockState(ctx, key)
			require.NoError(t, err)
			assert.Equal(t, 0, read.Failures)
			assert.False(t, read.Locked(t0.Add(time.Duration(round)*time.Hour)), "clear lifts the soft lock")
			assert.Equal(t, round, read.SoftLocks)
		}
	})

	t.Run("keys are independent", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Lockouts")
		ctx := t.Context()
		a, b, now := newID("key_"), newID("key_"), baseTime()
		for range lockPolicy.SoftLockAfter {
			_, _, err := s.Lockouts.CountAttempt(ctx, a, now, lockPolicy)
			require.NoError(t, err)
		}
		st, ok, err := s.Lockouts.CountAttempt(ctx, b, now, lockPolicy)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, 1, st.Failures)
		require.NoError(t, s.Lockouts.ClearFailures(ctx, b))
		read, err := s.Lockouts.LockState(ctx, a)
		require.NoError(t, err)
		assert.Equal(t, lockPolicy.SoftLockAfter, read.Failures, "clearing one key leaves another")
	})

	t.Run("parallel attempts on one key admit exactly SoftLockAfter", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Lockouts")
		ctx := t.Context()
		const calls = 50
		key, now := newID("key_"), baseTime()
		states := make([]ports.LockState, calls)
		admitted := make([]bool, calls)
		errs := make([]error, calls)
		together(calls, func(i int) {
			states[i], admitted[i], errs[i] = s.Lockouts.CountAttempt(ctx, key, now, lockPolicy)
		})
		seen := map[int]bool{}
		refused := 0
		for i := range calls {
			require.NoError(t, errs[i])
			if !admitted[i] {
				refused++
				assert.Equal(t, lockPolicy.SoftLockAfter, states[i].Failures)
				continue
			}
			assert.False(t, seen[states[i].Failures], "count %d returned twice", states[i].Failures)
			seen[states[i].Failures] = true
		}
		assert.Equal(t, calls-lockPolicy.SoftLockAfter, refused)
		for n := 1; n <= lockPolicy.SoftLockAfter; n++ {
			assert.True(t, seen[n], "count %d never returned", n)
		}
	})
}
