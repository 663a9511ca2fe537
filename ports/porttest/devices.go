package porttest

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// SessionDevices is a DeviceTrust with the SessionRepo whose sessions it
// marks: the two views of one backend.
type SessionDevices struct {
	Sessions ports.SessionRepo
	Devices  ports.DeviceTrust
}

// knows asks whether fingerprint is a known device of user at now.
func knows(t *testing.T, b SessionDevices, user, fingerprint string, now time.Time) bool {
	t.Helper()
	known, err := b.Devices.KnownDevice(t.Context(), user, fingerprint, now)
	require.NoError(t, err)
	return known
}

// markedSession creates a session with a step-up mark (no device
// verification) set a minute after its creation, and returns it with the
// mark's time.
func markedSession(t *testing.T, b SessionDevices) (ports.Session, time.Time) {
	t.Helper()
	sess := newSession(newID("usr_"), baseTime())
	createSessions(t, b.Sessions, sess)
	at := sess.CreatedAt.Add(time.Minute)
	require.NoError(t, b.Devices.MarkStepUp(t.Context(), sess.ID, at, false))
	return sess, at
}

// consumeStepUp consumes the mark of sessionID if one is at or after notBefore.
func consumeStepUp(t *testing.T, b SessionDevices, sessionID string, notBefore time.Time) bool {
	t.Helper()
	used, err := b.Devices.ConsumeStepUp(t.Context(), sessionID, notBefore)
	require.NoError(t, err)
	return used
}

func testDeviceCancelled(t *testing.T, b SessionDevices) {
	_, err := b.Devices.KnownDevice(cancelled(t), newID("usr_"), newHash(), baseTime())
	assertCancelled(t, err)
}

func testKnownDevice(t *testing.T, b SessionDevices) {
	verified := func(s *ports.Session, _ time.Time) { s.IsVerifiedDevice = true }
	cases := []struct {
		name     string
		shape    func(s *ports.Session, now time.Time)
		revoke   bool
		otherFP  bool // ask about a different fingerprint
		asOther  bool // ask about another user
		emptyFP  bool // the session has no fingerprint and the question is ""
		expected bool
	}{
		{name: "an active unverified session is not enough", shape: func(*ports.Session, time.Time) {}},
		{name: "active verified session", shape: verified, expected: true},
		{name: "active public session is not enough", shape: func(s *ports.Session, _ time.Time) { s.IsPublicDevice = true }},
		{name: "active public but verified session", shape: func(s *ports.Session, _ time.Time) {
			s.IsPublicDevice, s.IsVerifiedDevice = true, true
		}, expected: true},
		{name: "revoked unverified session", shape: func(*ports.Session, time.Time) {}, revoke: true},
		{name: "revoked verified session", shape: verified, revoke: true, expected: true},
		{name: "expired unverified session", shape: func(s *ports.Session, now time.Time) { s.ExpiresAt = now }},
		{name: "expired verified session", shape: func(s *ports.Session, now time.Time) {
			s.ExpiresAt, s.IsVerifiedDevice = now.Add(-time.Hour), true
		}, expected: true},
		{name: "another fingerprint", shape: verified, otherFP: true},
		{name: "another user's session", shape: verified, asOther: true},
		{name: "empty fingerprint is never known", shape: func(s *ports.Session, _ time.Time) {
			s.DeviceFingerprint, s.IsVerifiedDevice = "", true
		}, emptyFP: true},
	}
	// Each case has a user of its own, so all share one backend.
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			now := baseTime()
			sess := newSession(newID("usr_"), now.Add(-2*time.Hour))
			c.shape(&sess, now)
			createSessions(t, b.Sessions, sess)
			if c.revoke {
				revokeSessions(t, b.Sessions, ports.Revocation{SessionID: sess.ID}, now.Add(-time.Minute))
			}
			user, fp := sess.UserID, sess.DeviceFingerprint
			if c.otherFP {
				fp = newHash()
			}
			if c.asOther {
				user = newID("usr_")
			}
			if c.emptyFP {
				fp = ""
			}
			assert.Equal(t, c.expected, knows(t, b, user, fp, now))
		})
	}
}

func testStepUpConsumedOnce(t *testing.T, b SessionDevices) {
	sess, at := markedSession(t, b)
	read := readSession(t, b.Sessions, sess.ID)
	assert.True(t, at.Equal(read.StepUpAt), "StepUpAt %v, want %v", read.StepUpAt, at)
	assert.False(t, read.IsVerifiedDevice, "verifyDevice=false leaves the device as it was")

	assert.True(t, consumeStepUp(t, b, sess.ID, at.Add(-5*time.Minute)))
	assert.False(t, consumeStepUp(t, b, sess.ID, at.Add(-5*time.Minute)), "a mark is good for one action")
	assert.True(t, readSession(t, b.Sessions, sess.ID).StepUpAt.IsZero(), "consuming clears the mark")
}

func testStepUpNotBefore(t *testing.T, b SessionDevices) {
	cases := []struct {
		name      string
		notBefore time.Duration // relative to the mark
		want      bool
	}{
		{"mark older than notBefore", time.Microsecond, false},
		{"mark exactly at notBefore", 0, true},
		{"mark after notBefore", -5 * time.Minute, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sess, at := markedSession(t, b)
			assert.Equal(t, c.want, consumeStepUp(t, b, sess.ID, at.Add(c.notBefore)))
		})
	}
}

func testMarkStepUpNeedsActiveSession(t *testing.T, b SessionDevices) {
	now := baseTime()
	assert.ErrorIs(t, b.Devices.MarkStepUp(t.Context(), newID("ses_"), now, false), ports.ErrNotFound)
	sess := newSession(newID("usr_"), now)
	createSessions(t, b.Sessions, sess)
	revokeSessions(t, b.Sessions, ports.Revocation{SessionID: sess.ID}, now.Add(time.Second))
	assert.ErrorIs(t, b.Devices.MarkStepUp(t.Context(), sess.ID, now.Add(2*time.Second), true), ports.ErrNotFound)
}

func testForgetDevicesUnverifiesDevice(t *testing.T, b SessionDevices) {
	now, user := baseTime(), newID("usr_")
	older := newSession(user, now.Add(-time.Hour))
	older.IsVerifiedDevice = true
	current := newSession(user, now)
	current.DeviceFingerprint, current.IsVerifiedDevice = older.DeviceFingerprint, true
	other := newSession(user, now)
	other.IsVerifiedDevice = true // another device of the same user
	createSessions(t, b.Sessions, older, current, other)

	revokeSessions(t, b.Sessions, ports.Revocation{SessionID: older.ID}, now)
	assert.True(t, knows(t, b, user, older.DeviceFingerprint, now), "a plain logout keeps the device known")

	ids := revokeSessions(t, b.Sessions, ports.Revocation{SessionID: current.ID, ForgetDevices: true}, now)
	assert.Equal(t, []string{current.ID}, ids)
	assert.False(t, knows(t, b, user, older.DeviceFingerprint, now), "every session of that device is un-verified")
	assert.True(t, knows(t, b, user, other.DeviceFingerprint, now), "other devices stay known")
}

func testForgetDevicesKeepsCallersDevice(t *testing.T, b SessionDevices) {
	now, user := baseTime(), newID("usr_")
	ended := newSession(user, now.Add(-time.Hour)) // a device whose session already ended
	ended.IsVerifiedDevice = true
	mine := newSession(user, now) // the caller's device, with a second session on it
	mine.IsVerifiedDevice = true
	mineToo := newSession(user, now)
	mineToo.DeviceFingerprint, mineToo.IsVerifiedDevice = mine.DeviceFingerprint, true
	createSessions(t, b.Sessions, ended, mine, mineToo)
	revokeSessions(t, b.Sessions, ports.Revocation{SessionID: ended.ID}, now)

	ids := revokeSessions(t, b.Sessions, ports.Revocation{UserID: user, ExceptSessionID: mine.ID, ForgetDevices: true}, now)
	assert.Equal(t, []string{mineToo.ID}, ids)
	assert.False(t, knows(t, b, user, ended.DeviceFingerprint, now), "a device with no active session is forgotten too")
	assert.True(t, knows(t, b, user, mine.DeviceFingerprint, now), "the caller's own device stays known")
}

func testReuseForgetsDevice(t *testing.T, b SessionDevices) {
	now := baseTime()
	sess := newSession(newID("usr_"), now)
	sess.IsVerifiedDevice = true
	createSessions(t, b.Sessions, sess)
	rotate(t, b.Sessions, sess.RefreshHash, newHash(), now.Add(time.Minute))
	revoked, err := b.Sessions.RotateRefresh(t.Context(), sess.RefreshHash, newHash(), now.Add(2*time.Minute), 0)
	require.ErrorIs(t, err, ports.ErrReused)
	assert.False(t, revoked.IsVerifiedDevice)
	assert.False(t, knows(t, b, sess.UserID, sess.DeviceFingerprint, now.Add(3*time.Minute)))
}

func testVerifyingStepUpKnowsDevice(t *testing.T, b SessionDevices) {
	now := baseTime()
	sess := newSession(newID("usr_"), now)
	sess.IsPublicDevice = true
	createSessions(t, b.Sessions, sess)
	require.False(t, knows(t, b, sess.UserID, sess.DeviceFingerprint, now), "a public session alone does not make a device known")

	require.NoError(t, b.Devices.MarkStepUp(t.Context(), sess.ID, now.Add(time.Second), true))
	assert.True(t, readSession(t, b.Sessions, sess.ID).IsVerifiedDevice)
	assert.True(t, knows(t, b, sess.UserID, sess.DeviceFingerprint, now.Add(time.Minute)))
}

// errMarkTaken stands for a ConsumeStepUp that found no mark left to use.
var errMarkTaken = errors.New("the mark was already used")

func testConsumeStepUpHasOneWinner(t *testing.T, b SessionDevices) {
	sess, _ := markedSession(t, b)
	oneWinner(t, func(int) error {
		used, err := b.Devices.ConsumeStepUp(t.Context(), sess.ID, sess.CreatedAt)
		if err == nil && !used {
			return errMarkTaken
		}
		return err
	}, errMarkTaken)
}
