package porttest

import (
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
// admitted attempts on the store (one key with failures before it) and its
// two events.
func newOpening(t *testing.T, s ports.Storage, now time.Time) ports.SignInOpening {
	t.Helper()
	failed, fresh := newAttempts(t, s), newAttempts(t, s)
	for range 3 {
		failed.fail(now.Add(-time.Minute))
	}
	for _, a := range []*attempts{failed, fresh} {
		_, verdict := a.begin(now)
		require.Equal(t, ports.Admitted, verdict)
	}
	sess := newSession(newID("usr_"), now)
	sess.AuthMethod = "otp"
	event := func(kind, detail string) ports.SecurityEvent {
		return ports.SecurityEvent{UserID: sess.UserID, Kind: kind, IPAddress: sess.IPAddress,
			UserAgent: sess.DeviceInfo, Detail: detail, At: now}
	}
	return ports.SignInOpening{Attempts: []string{failed.key, fresh.key}, Now: now, Policy: lockPolicy, Session: sess,
		Events: []ports.SecurityEvent{event(ports.EventLoginSucceeded, "otp"), event(ports.EventNewDevice, "new_device")}}
}

// assertNotOpened checks that nothing of o was written.
func assertNotOpened(t *testing.T, s ports.Storage, o ports.SignInOpening) {
	t.Helper()
	for _, key := range o.Attempts {
		st, err := s.LockState(t.Context(), key)
		require.NoError(t, err)
		assert.Equal(t, 1, st.Pending, "the attempt is still pending")
	}
	events, err := s.Events(t.Context(), o.Session.UserID)
	require.NoError(t, err)
	assert.Empty(t, events, "no event is recorded")
}

func testOpenSignInSessionCancelled(t *testing.T, s ports.Storage) {
	o := newOpening(t, s, baseTime())
	assertCancelled(t, openingStorage(t, s).OpenSignInSession(cancelled(t), o))
	_, err := s.Session(t.Context(), o.Session.ID)
	assert.ErrorIs(t, err, ports.ErrNotFound, "no session is created")
	assertNotOpened(t, s, o)
}

func testOpenSignInSessionWritesAll(t *testing.T, s ports.Storage) {
	now := baseTime()
	o := newOpening(t, s, now)
	before, err := s.LockState(t.Context(), o.Attempts[0])
	require.NoError(t, err)
	bystander := newAttempts(t, s)
	bystander.begin(now)
	require.NoError(t, openingStorage(t, s).OpenSignInSession(t.Context(), o))

	assert.Equal(t, o.Session, readSession(t, s, o.Session.ID))
	for _, key := range o.Attempts {
		st, err := s.LockState(t.Context(), key)
		require.NoError(t, err)
		assert.Zero(t, st.Pending, "the attempt ended")
		assert.Zero(t, st.Failures, "a success clears the count")
		assert.False(t, st.Locked(now))
	}
	after, err := s.LockState(t.Context(), o.Attempts[0])
	require.NoError(t, err)
	assert.Equal(t, before.SoftLocks, after.SoftLocks, "the history is kept")
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
		err := openingStorage(t, s).OpenSignInSession(t.Context(), o)
		assert.ErrorIs(t, err, ports.ErrConflict, name)
		assertNotOpened(t, s, o)
	}
}
