package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// DeviceTrust checks known devices and step-up marks; it uses Sessions to
// create the sessions it works on.
func DeviceTrust(t *testing.T, newStores NewStores) {
	t.Helper()
	uses := []string{"Sessions", "Devices"}

	t.Run("a cancelled context is passed through", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		_, err := s.Devices.KnownDevice(cancelled(t), newID("usr_"), newHash(), baseTime())
		assertCancelled(t, err)
	})

	t.Run("KnownDevice", func(t *testing.T) {
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
			{name: "active verified session", shape: func(s *ports.Session, _ time.Time) { s.IsVerifiedDevice = true }, expected: true},
			{name: "active public session is not enough", shape: func(s *ports.Session, _ time.Time) { s.IsPublicDevice = true }},
			{name: "active public but verified session", shape: func(s *ports.Session, _ time.Time) {
				s.IsPublicDevice, s.IsVerifiedDevice = true, true
			}, expected: true},
			{name: "revoked unverified session", shape: func(*ports.Session, time.Time) {}, revoke: true},
			{name: "revoked verified session", shape: func(s *ports.Session, _ time.Time) { s.IsVerifiedDevice = true }, revoke: true, expected: true},
			{name: "expired unverified session", shape: func(s *ports.Session, now time.Time) { s.ExpiresAt = now }},
			{name: "expired verified session", shape: func(s *ports.Session, now time.Time) {
				s.ExpiresAt, s.IsVerifiedDevice = now.Add(-time.Hour), true
			}, expected: true},
			{name: "another fingerprint", shape: func(s *ports.Session, _ time.Time) { s.IsVerifiedDevice = true }, otherFP: true},
			{name: "another user's session", shape: func(s *ports.Session, _ time.Time) { s.IsVerifiedDevice = true }, asOther: true},
			{name: "empty fingerprint is never known", shape: func(s *ports.Session, _ time.Time) {
				s.DeviceFingerprint, s.IsVerifiedDevice = "", true
			}, emptyFP: true},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				s := fresh(t, newStores, uses...)
				ctx := t.Context()
				now := baseTime()
				sess := newSession(newID("usr_"), now.Add(-2*time.Hour))
				c.shape(&sess, now)
				require.NoError(t, s.Sessions.CreateSession(ctx, sess))
				if c.revoke {
					_, err := s.Sessions.RevokeSessions(ctx, ports.Revocation{SessionID: sess.ID}, now.Add(-time.Minute))
					require.NoError(t, err)
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
				known, err := s.Devices.KnownDevice(ctx, user, fp, now)
				require.NoError(t, err)
				assert.Equal(t, c.expected, known)
			})
		}
	})

	t.Run("a step-up mark is consumed once", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		ctx := t.Context()
		sess := newSession(newID("usr_"), baseTime())
		require.NoError(t, s.Sessions.CreateSession(ctx, sess))
		at := sess.CreatedAt.Add(time.Minute)
		require.NoError(t, s.Devices.MarkStepUp(ctx, sess.ID, at, false))
		read, err := s.Sessions.Session(ctx, sess.ID)
		require.NoError(t, err)
		assert.True(t, at.Equal(read.StepUpAt), "StepUpAt %v, want %v", read.StepUpAt, at)
		assert.False(t, read.IsVerifiedDevice, "verifyDevice=false leaves the device as it was")

		used, err := s.Devices.ConsumeStepUp(ctx, sess.ID, at.Add(-5*time.Minute))
		require.NoError(t, err)
		assert.True(t, used)
		used, err = s.Devices.ConsumeStepUp(ctx, sess.ID, at.Add(-5*time.Minute))
		require.NoError(t, err)
		assert.False(t, used, "a mark is good for one action")
		read, err = s.Sessions.Session(ctx, sess.ID)
		require.NoError(t, err)
		assert.True(t, read.StepUpAt.IsZero(), "consuming clears the mark")
	})

	t.Run("notBefore bounds the mark", func(t *testing.T) {
		t.Parallel()
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
				s := fresh(t, newStores, uses...)
				ctx := t.Context()
				sess := newSession(newID("usr_"), baseTime())
				require.NoError(t, s.Sessions.CreateSession(ctx, sess))
				at := sess.CreatedAt.Add(time.Minute)
				require.NoError(t, s.Devices.MarkStepUp(ctx, sess.ID, at, false))
				used, err := s.Devices.ConsumeStepUp(ctx, sess.ID, at.Add(c.notBefore))
				require.NoError(t, err)
				assert.Equal(t, c.want, used)
			})
		}
	})

	t.Run("MarkStepUp on an unknown or revoked session is not found", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		ctx := t.Context()
		now := baseTime()
		assert.ErrorIs(t, s.Devices.MarkStepUp(ctx, newID("ses_"), now, false), ports.ErrNotFound)
		sess := newSession(newID("usr_"), now)
		require.NoError(t, s.Sessions.CreateSession(ctx, sess))
		_, err := s.Sessions.RevokeSessions(ctx, ports.Revocation{SessionID: sess.ID}, now.Add(time.Second))
		require.NoError(t, err)
		assert.ErrorIs(t, s.Devices.MarkStepUp(ctx, sess.ID, now.Add(2*time.Second), true), ports.ErrNotFound)
	})

	t.Run("revoking with ForgetDevices un-verifies the device everywhere; a plain revoke does not", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		ctx := t.Context()
		now := baseTime()
		user := newID("usr_")
		older := newSession(user, now.Add(-time.Hour))
		older.IsVerifiedDevice = true
		current := newSession(user, now)
		current.DeviceFingerprint, current.IsVerifiedDevice = older.DeviceFingerprint, true
		other := newSession(user, now)
		other.IsVerifiedDevice = true // another device of the same user
		for _, x := range []ports.Session{older, current, other} {
			require.NoError(t, s.Sessions.CreateSession(ctx, x))
		}
		known := func(fp string) bool {
			k, err := s.Devices.KnownDevice(ctx, user, fp, now)
			require.NoError(t, err)
			return k
		}
		_, err := s.Sessions.RevokeSessions(ctx, ports.Revocation{SessionID: older.ID}, now)
		require.NoError(t, err)
		assert.True(t, known(older.DeviceFingerprint), "a plain logout keeps the device known")

		ids, err := s.Sessions.RevokeSessions(ctx, ports.Revocation{SessionID: current.ID, ForgetDevices: true}, now)
		require.NoError(t, err)
		assert.Equal(t, []string{current.ID}, ids)
		assert.False(t, known(older.DeviceFingerprint), "every session of that device is un-verified")
		assert.True(t, known(other.DeviceFingerprint), "other devices stay known")
	})

	t.Run("ForgetDevices for a user forgets ended sessions' devices but keeps the caller's", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		ctx := t.Context()
		now := baseTime()
		user := newID("usr_")
		ended := newSession(user, now.Add(-time.Hour)) // a device whose session already ended
		ended.IsVerifiedDevice = true
		mine := newSession(user, now) // the caller's device, with a second session on it
		mine.IsVerifiedDevice = true
		mineToo := newSession(user, now)
		mineToo.DeviceFingerprint, mineToo.IsVerifiedDevice = mine.DeviceFingerprint, true
		for _, x := range []ports.Session{ended, mine, mineToo} {
			require.NoError(t, s.Sessions.CreateSession(ctx, x))
		}
		_, err := s.Sessions.RevokeSessions(ctx, ports.Revocation{SessionID: ended.ID}, now)
		require.NoError(t, err)

		ids, err := s.Sessions.RevokeSessions(ctx, ports.Revocation{UserID: user, ExceptSessionID: mine.ID, ForgetDevices: true}, now)
		require.NoError(t, err)
		assert.Equal(t, []string{mineToo.ID}, ids)
		known := func(fp string) bool {
			k, err := s.Devices.KnownDevice(ctx, user, fp, now)
			require.NoError(t, err)
			return k
		}
		assert.False(t, known(ended.DeviceFingerprint), "a device with no active session is forgotten too")
		assert.True(t, known(mine.DeviceFingerprint), "the caller's own device stays known")
	})

	t.Run("reuse of a rotated refresh token forgets the device", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		ctx := t.Context()
		now := baseTime()
		sess := newSession(newID("usr_"), now)
		sess.IsVerifiedDevice = true
		require.NoError(t, s.Sessions.CreateSession(ctx, sess))
		next := newHash()
		_, err := s.Sessions.RotateRefresh(ctx, sess.RefreshHash, next, now.Add(time.Minute))
		require.NoError(t, err)
		revoked, err := s.Sessions.RotateRefresh(ctx, sess.RefreshHash, newHash(), now.Add(2*time.Minute))
		require.ErrorIs(t, err, ports.ErrReused)
		assert.False(t, revoked.IsVerifiedDevice)
		known, err := s.Devices.KnownDevice(ctx, sess.UserID, sess.DeviceFingerprint, now.Add(3*time.Minute))
		require.NoError(t, err)
		assert.False(t, known)
	})

	t.Run("a verifying step-up makes the device known", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		ctx := t.Context()
		now := baseTime()
		sess := newSession(newID("usr_"), now)
		sess.IsPublicDevice = true
		require.NoError(t, s.Sessions.CreateSession(ctx, sess))
		known, err := s.Devices.KnownDevice(ctx, sess.UserID, sess.DeviceFingerprint, now)
		require.NoError(t, err)
		require.False(t, known, "a public session alone does not make a device known")

		require.NoError(t, s.Devices.MarkStepUp(ctx, sess.ID, now.Add(time.Second), true))
		read, err := s.Sessions.Session(ctx, sess.ID)
		require.NoError(t, err)
		assert.True(t, read.IsVerifiedDevice)
		known, err = s.Devices.KnownDevice(ctx, sess.UserID, sess.DeviceFingerprint, now.Add(time.Minute))
		require.NoError(t, err)
		assert.True(t, known)
	})

	t.Run("parallel ConsumeStepUp: exactly one uses the mark", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		ctx := t.Context()
		sess := newSession(newID("usr_"), baseTime())
		require.NoError(t, s.Sessions.CreateSession(ctx, sess))
		at := sess.CreatedAt.Add(time.Minute)
		require.NoError(t, s.Devices.MarkStepUp(ctx, sess.ID, at, false))
		used := make([]bool, parallelCalls)
		errs := make([]error, parallelCalls)
		together(parallelCalls, func(i int) {
			used[i], errs[i] = s.Devices.ConsumeStepUp(ctx, sess.ID, sess.CreatedAt)
		})
		wins := 0
		for i := range used {
			require.NoError(t, errs[i])
			if used[i] {
				wins++
			}
		}
		assert.Equal(t, 1, wins)
	})
}
