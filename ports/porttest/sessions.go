package porttest

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// newSession returns an active 30-day session of userID created at created.
func newSession(userID string, created time.Time) ports.Session {
	return ports.Session{
		ID:                newID("ses_"),
		UserID:            userID,
		RefreshHash:       newHash(),
		DeviceFingerprint: newHash(),
		DeviceInfo:        "Mozilla/5.0 (Linux; Android 14)",
		IPAddress:         "203.0.113.7",
		AuthMethod:        "pwd",
		CreatedAt:         created,
		ExpiresAt:         created.Add(30 * 24 * time.Hour),
		LastUsedAt:        created,
	}
}

// assertSameSession compares every field, times with Equal.
func assertSameSession(t *testing.T, want, got ports.Session) {
	t.Helper()
	times := []struct {
		name      string
		want, got time.Time
	}{
		{"CreatedAt", want.CreatedAt, got.CreatedAt},
		{"ExpiresAt", want.ExpiresAt, got.ExpiresAt},
		{"LastUsedAt", want.LastUsedAt, got.LastUsedAt},
		{"RevokedAt", want.RevokedAt, got.RevokedAt},
		{"StepUpAt", want.StepUpAt, got.StepUpAt},
	}
	for _, tm := range times {
		assert.Truef(t, tm.want.Equal(tm.got), "%s: got %v, want %v", tm.name, tm.got, tm.want)
	}
	want.CreatedAt, want.ExpiresAt, want.LastUsedAt, want.RevokedAt, want.StepUpAt = got.CreatedAt, got.ExpiresAt, got.LastUsedAt, got.RevokedAt, got.StepUpAt
	assert.Equal(t, want, got)
}

// SessionRepo checks sessions, refresh rotation with reuse detection and
// revocation.
func SessionRepo(t *testing.T, newStores NewStores) {
	t.Helper()

	t.Run("a cancelled context is passed through", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Sessions")
		assertCancelled(t, s.Sessions.CreateSession(cancelled(t), newSession(newID("usr_"), baseTime())))
	})

	t.Run("create and read back", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Sessions")
		ctx := t.Context()
		want := newSession(newID("usr_"), baseTime())
		want.IsPublicDevice, want.IsVerifiedDevice, want.AuthMethod = true, true, "otp"
		require.NoError(t, s.Sessions.CreateSession(ctx, want))
		got, err := s.Sessions.Session(ctx, want.ID)
		require.NoError(t, err)
		assertSameSession(t, want, got)
	})

	t.Run("duplicate ID or refresh hash is a conflict", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Sessions")
		ctx := t.Context()
		first := newSession(newID("usr_"), baseTime())
		require.NoError(t, s.Sessions.CreateSession(ctx, first))
		sameID := newSession(first.UserID, baseTime())
		sameID.ID = first.ID
		assert.ErrorIs(t, s.Sessions.CreateSession(ctx, sameID), ports.ErrConflict)
		sameHash := newSession(newID("usr_"), baseTime())
		sameHash.RefreshHash = first.RefreshHash
		assert.ErrorIs(t, s.Sessions.CreateSession(ctx, sameHash), ports.ErrConflict)
		got, err := s.Sessions.Session(ctx, first.ID)
		require.NoError(t, err)
		assertSameSession(t, first, got)
	})

	t.Run("unknown session or hash is not found", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Sessions")
		ctx := t.Context()
		_, err := s.Sessions.Session(ctx, newID("ses_"))
		assert.ErrorIs(t, err, ports.ErrNotFound)
		_, err = s.Sessions.RotateRefresh(ctx, newHash(), newHash(), baseTime())
		assert.ErrorIs(t, err, ports.ErrNotFound)
		list, err := s.Sessions.Sessions(ctx, newID("usr_"))
		require.NoError(t, err)
		assert.Empty(t, list)
	})

	t.Run("Sessions lists all of one user's sessions newest first", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Sessions")
		ctx := t.Context()
		user, t0 := newID("usr_"), baseTime()
		oldest := newSession(user, t0)
		middle := newSession(user, t0.Add(time.Minute))
		newest := newSession(user, t0.Add(2*time.Minute))
		expired := newSession(user, t0.Add(-time.Hour))
		expired.ExpiresAt = t0.Add(-time.Minute)
		for _, x := range []ports.Session{middle, newest, expired, oldest, newSession(newID("usr_"), t0)} {
			require.NoError(t, s.Sessions.CreateSession(ctx, x))
		}
		_, err := s.Sessions.RevokeSessions(ctx, ports.Revocation{SessionID: middle.ID}, t0.Add(3*time.Minute))
		require.NoError(t, err)
		list, err := s.Sessions.Sessions(ctx, user)
		require.NoError(t, err)
		ids := make([]string, len(list))
		for i, x := range list {
			ids[i] = x.ID
		}
		assert.Equal(t, []string{newest.ID, middle.ID, oldest.ID, expired.ID}, ids)
		require.Len(t, list, 4)
		assert.False(t, list[1].RevokedAt.IsZero(), "revoked sessions are listed with RevokedAt")
	})

	t.Run("rotation replaces the hash, keeps expiry, sets LastUsedAt", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Sessions")
		ctx := t.Context()
		sess := newSession(newID("usr_"), baseTime())
		require.NoError(t, s.Sessions.CreateSession(ctx, sess))
		hash := sess.RefreshHash
		for i := 1; i <= 3; i++ {
			now, next := sess.CreatedAt.Add(time.Duration(i)*time.Hour), newHash()
			got, err := s.Sessions.RotateRefresh(ctx, hash, next, now)
			require.NoError(t, err, "rotation %d", i)
			assert.Equal(t, sess.ID, got.ID)
			assert.Equal(t, next, got.RefreshHash)
			assert.True(t, sess.ExpiresAt.Equal(got.ExpiresAt), "rotation keeps ExpiresAt")
			assert.True(t, now.Equal(got.LastUsedAt), "rotation sets LastUsedAt")
			read, err := s.Sessions.Session(ctx, sess.ID)
			require.NoError(t, err)
			assertSameSession(t, got, read)
			hash = next
		}
	})

	t.Run("reuse of a rotated hash revokes the family", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Sessions")
		ctx := t.Context()
		sess := newSession(newID("usr_"), baseTime())
		require.NoError(t, s.Sessions.CreateSession(ctx, sess))
		h2, h3 := newHash(), newHash()
		_, err := s.Sessions.RotateRefresh(ctx, sess.RefreshHash, h2, sess.CreatedAt.Add(time.Minute))
		require.NoError(t, err)
		_, err = s.Sessions.RotateRefresh(ctx, h2, h3, sess.CreatedAt.Add(2*time.Minute))
		require.NoError(t, err)

		reuseAt := sess.CreatedAt.Add(3 * time.Minute)
		revoked, err := s.Sessions.RotateRefresh(ctx, sess.RefreshHash, newHash(), reuseAt)
		require.ErrorIs(t, err, ports.ErrReused)
		assert.Equal(t, sess.ID, revoked.ID, "ErrReused comes with the revoked session")
		assert.Equal(t, sess.UserID, revoked.UserID)
		assert.True(t, reuseAt.Equal(revoked.RevokedAt))
		read, err := s.Sessions.Session(ctx, sess.ID)
		require.NoError(t, err)
		assert.True(t, reuseAt.Equal(read.RevokedAt), "RevokedAt %v, want %v", read.RevokedAt, reuseAt)
		assert.False(t, read.Active(reuseAt))

		_, err = s.Sessions.RotateRefresh(ctx, h3, newHash(), reuseAt.Add(time.Second))
		assert.ErrorIs(t, err, ports.ErrNotFound, "the newest hash of a revoked family no longer rotates")
	})

	t.Run("expired session does not rotate", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Sessions")
		ctx := t.Context()
		sess := newSession(newID("usr_"), baseTime())
		require.NoError(t, s.Sessions.CreateSession(ctx, sess))
		_, err := s.Sessions.RotateRefresh(ctx, sess.RefreshHash, newHash(), sess.ExpiresAt)
		require.ErrorIs(t, err, ports.ErrExpired, "a session is expired at exactly ExpiresAt")
		read, err := s.Sessions.Session(ctx, sess.ID)
		require.NoError(t, err)
		assert.Equal(t, sess.RefreshHash, read.RefreshHash, "a refused rotation changes nothing")
		_, err = s.Sessions.RotateRefresh(ctx, sess.RefreshHash, newHash(), sess.ExpiresAt.Add(-time.Microsecond))
		assert.NoError(t, err, "one microsecond before ExpiresAt the session is active")
	})

	t.Run("revoked session does not rotate", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Sessions")
		ctx := t.Context()
		sess := newSession(newID("usr_"), baseTime())
		require.NoError(t, s.Sessions.CreateSession(ctx, sess))
		_, err := s.Sessions.RevokeSessions(ctx, ports.Revocation{SessionID: sess.ID}, sess.CreatedAt.Add(time.Minute))
		require.NoError(t, err)
		_, err = s.Sessions.RotateRefresh(ctx, sess.RefreshHash, newHash(), sess.CreatedAt.Add(2*time.Minute))
		assert.ErrorIs(t, err, ports.ErrNotFound)
	})

	t.Run("parallel rotation of one hash: exactly one wins", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Sessions")
		ctx := t.Context()
		sess := newSession(newID("usr_"), baseTime())
		require.NoError(t, s.Sessions.CreateSession(ctx, sess))
		next := make([]string, parallelCalls)
		for i := range next {
			next[i] = newHash()
		}
		errs := make([]error, parallelCalls)
		now := sess.CreatedAt.Add(time.Minute)
		together(parallelCalls, func(i int) {
			_, errs[i] = s.Sessions.RotateRefresh(ctx, sess.RefreshHash, next[i], now)
		})
		winner := -1
		for i, err := range errs {
			if err == nil {
				require.Equal(t, -1, winner, "two rotations of one hash succeeded")
				winner = i
				continue
			}
			assert.Truef(t, errors.Is(err, ports.ErrReused) || errors.Is(err, ports.ErrNotFound),
				"call %d: %v, want ErrReused or ErrNotFound", i, err)
		}
		require.NotEqual(t, -1, winner, "no rotation succeeded")
		read, err := s.Sessions.Session(ctx, sess.ID)
		require.NoError(t, err)
		assert.Equal(t, next[winner], read.RefreshHash)
	})

	t.Run("RevokeSessions", revokeSessions(newStores))
}

// revokeSessions checks each Revocation selector. User A has three active
// sessions and an expired one; user B has one active session.
func revokeSessions(newStores NewStores) func(t *testing.T) {
	type world struct {
		a1, a2, a3, aExpired, b ports.Session
	}
	cases := []struct {
		name string
		sel  func(w world) ports.Revocation
		want func(w world) []string
	}{
		{"by session ID",
			func(w world) ports.Revocation { return ports.Revocation{SessionID: w.a2.ID} },
			func(w world) []string { return []string{w.a2.ID} }},
		{"by refresh hash",
			func(w world) ports.Revocation { return ports.Revocation{RefreshHash: w.a3.RefreshHash} },
			func(w world) []string { return []string{w.a3.ID} }},
		{"by user: every active session",
			func(w world) ports.Revocation { return ports.Revocation{UserID: w.a1.UserID} },
			func(w world) []string { return []string{w.a1.ID, w.a2.ID, w.a3.ID} }},
		{"by user except one",
			func(w world) ports.Revocation {
				return ports.Revocation{UserID: w.a1.UserID, ExceptSessionID: w.a2.ID}
			},
			func(w world) []string { return []string{w.a1.ID, w.a3.ID} }},
		{"another user's session ID with the user's ID",
			func(w world) ports.Revocation { return ports.Revocation{UserID: w.a1.UserID, ExceptSessionID: w.b.ID} },
			func(w world) []string { return []string{w.a1.ID, w.a2.ID, w.a3.ID} }},
		{"an expired session is not active",
			func(w world) ports.Revocation { return ports.Revocation{SessionID: w.aExpired.ID} },
			func(world) []string { return nil }},
		{"unknown session",
			func(world) ports.Revocation { return ports.Revocation{SessionID: newID("ses_")} },
			func(world) []string { return nil }},
		{"unknown refresh hash",
			func(world) ports.Revocation { return ports.Revocation{RefreshHash: newHash()} },
			func(world) []string { return nil }},
	}
	return func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				s := fresh(t, newStores, "Sessions")
				ctx := t.Context()
				t0, userA := baseTime(), newID("usr_")
				w := world{
					a1: newSession(userA, t0), a2: newSession(userA, t0.Add(time.Second)),
					a3: newSession(userA, t0.Add(2*time.Second)), aExpired: newSession(userA, t0.Add(-time.Hour)),
					b: newSession(newID("usr_"), t0),
				}
				w.aExpired.ExpiresAt = t0.Add(-time.Minute)
				for _, x := range []ports.Session{w.a1, w.a2, w.a3, w.aExpired, w.b} {
					require.NoError(t, s.Sessions.CreateSession(ctx, x))
				}
				now := t0.Add(time.Minute)
				ids, err := s.Sessions.RevokeSessions(ctx, c.sel(w), now)
				require.NoError(t, err)
				want := c.want(w)
				assert.ElementsMatch(t, want, ids)

				revoked := map[string]bool{}
				for _, id := range want {
					revoked[id] = true
				}
				for _, x := range []ports.Session{w.a1, w.a2, w.a3, w.aExpired, w.b} {
					read, err := s.Sessions.Session(ctx, x.ID)
					require.NoError(t, err)
					if revoked[x.ID] {
						assert.True(t, now.Equal(read.RevokedAt), "session %s: RevokedAt %v, want %v", x.ID, read.RevokedAt, now)
					} else {
						assert.True(t, read.RevokedAt.IsZero(), "session %s must not be revoked", x.ID)
					}
				}

				again, err := s.Sessions.RevokeSessions(ctx, c.sel(w), now.Add(time.Second))
				require.NoError(t, err)
				assert.Empty(t, again, "revoked sessions are not active, so a second revocation selects none")
			})
		}
	}
}
