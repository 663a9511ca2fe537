package porttest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// openingStorage is a backend that opens sign-in sessions in one call.
func openingStorage(t *testing.T, s ports.Storage) ports.SignInSessions {
	t.Helper()
	o, ok := s.(ports.SignInSessions)
	require.True(t, ok, "the backend does not implement ports.SignInSessions")
	return o
}

// newOpening is the opening of a sign-in of a new user at now, with two
// admitted attempts on the store and its two events. The first key's count
// has soft-locked it once before (a lock now over); the second key holds one
// more pending attempt than the sign-in's own.
func newOpening(t *testing.T, s ports.Storage, now time.Time) ports.SignInOpening {
	t.Helper()
	locked, busy := newAttempts(t, s), newAttempts(t, s)
	for range lockPolicy.SoftLockAfter {
		locked.fail(now.Add(-lockPolicy.SoftLockFor - time.Minute))
	}
	for _, a := range []*attempts{locked, busy, busy} {
		_, verdict := a.begin(now)
		require.Equal(t, ports.Admitted, verdict)
	}
	sess := newSession(newID("usr_"), now)
	sess.AuthMethod = "otp"
	event := func(kind, detail string) ports.SecurityEvent {
		return ports.SecurityEvent{UserID: sess.UserID, Kind: kind, IPAddress: sess.IPAddress,
			UserAgent: sess.DeviceInfo, Detail: detail, At: now}
	}
	return ports.SignInOpening{Attempts: []string{locked.key, busy.key}, Now: now, Policy: lockPolicy, Session: sess,
		Events: []ports.SecurityEvent{event(ports.EventLoginSucceeded, "otp"), event(ports.EventNewDevice, "new_device")}}
}

// lockStates reads the state of each key.
func lockStates(t *testing.T, s ports.LockoutStore, keys []string) []ports.LockState {
	t.Helper()
	states := make([]ports.LockState, len(keys))
	for i, key := range keys {
		var err error
		states[i], err = s.LockState(t.Context(), key)
		require.NoError(t, err)
	}
	return states
}

// assertNotOpened checks that nothing of o was written since before, the
// states of its attempts' keys.
func assertNotOpened(t *testing.T, s ports.Storage, o ports.SignInOpening, before []ports.LockState) {
	t.Helper()
	assert.Equal(t, before, lockStates(t, s, o.Attempts), "the attempts are still pending")
	_, err := s.Session(t.Context(), o.Session.ID)
	assert.ErrorIs(t, err, ports.ErrNotFound, "no session is created")
	events, err := s.Events(t.Context(), o.Session.UserID)
	require.NoError(t, err)
	assert.Empty(t, events, "no event is recorded")
}

func testOpenSignInSessionCancelled(t *testing.T, s ports.Storage) {
	o := newOpening(t, s, baseTime())
	before := lockStates(t, s, o.Attempts)
	assertCancelled(t, openingStorage(t, s).OpenSignInSession(cancelled(t), o))
	assertNotOpened(t, s, o, before)
}

func testOpenSignInSessionWritesAll(t *testing.T, s ports.Storage) {
	now := baseTime()
	o := newOpening(t, s, now)
	before := lockStates(t, s, o.Attempts)
	require.Equal(t, 1, before[0].SoftLocks, "the first key soft-locked once")
	bystander := newAttempts(t, s)
	bystander.begin(now)
	require.NoError(t, openingStorage(t, s).OpenSignInSession(t.Context(), o))

	assert.Equal(t, o.Session, readSession(t, s, o.Session.ID))
	after := lockStates(t, s, o.Attempts)
	for i, st := range after {
		assert.Equal(t, before[i].Pending-1, st.Pending, "the sign-in's attempt ended, another's still pending")
		assert.Zero(t, st.Failures, "a success clears the count")
		assert.True(t, st.LastFailureAt.IsZero())
		assert.True(t, st.LockedUntil.IsZero() || !st.Locked(now), "no lock is left")
		assert.Equal(t, before[i].SoftLocks, st.SoftLocks, "the history is kept")
	}
	assert.Equal(t, 1, bystander.read().Pending, "another key's attempt is untouched")
	events, err := s.Events(t.Context(), o.Session.UserID)
	require.NoError(t, err)
	assert.ElementsMatch(t, o.Events, events)
}

func testOpenSignInSessionAloneCreatesTheSession(t *testing.T, s ports.Storage) {
	sess := newSession(newID("usr_"), baseTime())
	require.NoError(t, openingStorage(t, s).OpenSignInSession(t.Context(), ports.SignInOpening{Now: baseTime(), Session: sess}))
	assert.Equal(t, sess, readSession(t, s, sess.ID))
}

// A key whose record is gone (purged while the attempt ran) ends as nothing:
// the session still opens.
func testOpenSignInSessionWithoutTheKeysRecord(t *testing.T, s ports.Storage) {
	sess, gone := newSession(newID("usr_"), baseTime()), newID("key_")
	o := ports.SignInOpening{Attempts: []string{gone}, Now: baseTime(), Policy: lockPolicy, Session: sess}
	require.NoError(t, openingStorage(t, s).OpenSignInSession(t.Context(), o))
	assert.Equal(t, sess, readSession(t, s, sess.ID))
	assert.Equal(t, []ports.LockState{{}}, lockStates(t, s, o.Attempts))
}

func testOpenSignInSessionTakenChangesNothing(t *testing.T, s ports.Storage) {
	now := baseTime()
	for name, take := range map[string]func(taken, o *ports.SignInOpening){
		"the session ID":   func(taken, o *ports.SignInOpening) { o.Session.ID = taken.Session.ID },
		"the refresh hash": func(taken, o *ports.SignInOpening) { o.Session.RefreshHash = taken.Session.RefreshHash },
	} {
		taken := newOpening(t, s, now)
		createSessions(t, s, taken.Session)
		o := newOpening(t, s, now)
		take(&taken, &o)
		before := lockStates(t, s, o.Attempts)
		err := openingStorage(t, s).OpenSignInSession(t.Context(), o)
		assert.ErrorIs(t, err, ports.ErrConflict, name)
		events, err := s.Events(t.Context(), o.Session.UserID)
		require.NoError(t, err)
		assert.Empty(t, events, "%s: no event is recorded", name)
		assert.Equal(t, before, lockStates(t, s, o.Attempts), "%s: the attempts are still pending", name)
	}
}

// Sign-ins ending on two keys while others are admitted on the same two keys
// in transactions (as core groups a password sign-in's first calls: the
// identifier's key, then the account's) all go through: the ends lock the
// keys in the same order. The second key's record is the older, so that a
// scan in storage order would meet it first.
func testOpenSignInSessionBesideAdmissions(t *testing.T, s ports.Storage) {
	tx, ok := s.(ports.Transactor)
	if !ok {
		t.Skip("the backend groups no calls in transactions")
	}
	now := baseTime()
	for range 10 {
		first, second := newAttempts(t, s), newAttempts(t, s)
		second.begin(now)
		first.begin(now)
		keys := []string{first.key, second.key}
		errs := make([]error, 8)
		Together(len(errs), func(i int) {
			if i%2 == 0 {
				errs[i] = openingStorage(t, s).OpenSignInSession(t.Context(), ports.SignInOpening{
					Attempts: keys, Now: now, Policy: lockPolicy, Session: newSession(newID("usr_"), now)})
				return
			}
			errs[i] = tx.InTransaction(t.Context(), func(ctx context.Context) error {
				for _, key := range keys {
					if _, _, err := s.BeginAttempt(ctx, key, now, lockPolicy); err != nil {
						return err
					}
				}
				return nil
			})
		})
		for i, err := range errs {
			require.NoError(t, err, "call %d", i)
		}
	}
}
