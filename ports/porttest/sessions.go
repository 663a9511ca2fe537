package porttest

import (
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

// createSessions stores every session or fails the test.
func createSessions(t *testing.T, repo ports.SessionRepo, sessions ...ports.Session) {
	t.Helper()
	for _, s := range sessions {
		require.NoError(t, repo.CreateSession(t.Context(), s))
	}
}

// readSession reads a session that must exist.
func readSession(t *testing.T, repo ports.SessionRepo, id string) ports.Session {
	t.Helper()
	s, err := repo.Session(t.Context(), id)
	require.NoError(t, err)
	return s
}

// revokeSessions revokes by r at now or fails the test, and returns the IDs.
func revokeSessions(t *testing.T, repo ports.SessionRepo, r ports.Revocation, now time.Time) []string {
	t.Helper()
	ids, err := repo.RevokeSessions(t.Context(), r, now)
	require.NoError(t, err)
	return ids
}

// rotate rotates oldHash to newHash at now; the rotation must succeed.
func rotate(t *testing.T, repo ports.SessionRepo, oldHash, newHash string, now time.Time) ports.Session {
	t.Helper()
	s, err := repo.RotateRefresh(t.Context(), oldHash, newHash, now, 0)
	require.NoError(t, err)
	return s
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

func testSessionCancelled(t *testing.T, repo ports.SessionRepo) {
	assertCancelled(t, repo.CreateSession(cancelled(t), newSession(newID("usr_"), baseTime())))
}

func testSessionReadsBack(t *testing.T, repo ports.SessionRepo) {
	want := newSession(newID("usr_"), baseTime())
	want.IsPublicDevice, want.IsVerifiedDevice, want.AuthMethod = true, true, "otp"
	createSessions(t, repo, want)
	assertSameSession(t, want, readSession(t, repo, want.ID))
}

func testSessionDuplicateConflicts(t *testing.T, repo ports.SessionRepo) {
	first := newSession(newID("usr_"), baseTime())
	createSessions(t, repo, first)
	sameID := newSession(first.UserID, baseTime())
	sameID.ID = first.ID
	assert.ErrorIs(t, repo.CreateSession(t.Context(), sameID), ports.ErrConflict)
	sameHash := newSession(newID("usr_"), baseTime())
	sameHash.RefreshHash = first.RefreshHash
	assert.ErrorIs(t, repo.CreateSession(t.Context(), sameHash), ports.ErrConflict)
	assertSameSession(t, first, readSession(t, repo, first.ID))
}

func testSessionByRefresh(t *testing.T, repo ports.SessionRepo) {
	ctx := t.Context()
	now := baseTime()
	live := newSession(newID("usr_"), now)
	revoked := newSession(live.UserID, now)
	expired := newSession(live.UserID, now.Add(-31*24*time.Hour))
	createSessions(t, repo, live, revoked, expired)
	revokeSessions(t, repo, ports.Revocation{SessionID: revoked.ID}, now)

	got, err := repo.SessionByRefresh(ctx, live.RefreshHash, now.Add(time.Minute))
	require.NoError(t, err)
	assertSameSession(t, live, got)

	old := live.RefreshHash
	rotated := rotate(t, repo, old, newHash(), now.Add(2*time.Minute))
	got, err = repo.SessionByRefresh(ctx, rotated.RefreshHash, now.Add(3*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, live.ID, got.ID, "the new hash finds the session")

	for name, hash := range map[string]string{"a rotated-away hash": old, "a revoked session's hash": revoked.RefreshHash,
		"an expired session's hash": expired.RefreshHash, "an unknown hash": newHash()} {
		_, err := repo.SessionByRefresh(ctx, hash, now.Add(3*time.Minute))
		assert.ErrorIs(t, err, ports.ErrNotFound, name)
	}
	_, err = repo.SessionByRefresh(ctx, rotated.RefreshHash, live.ExpiresAt)
	assert.ErrorIs(t, err, ports.ErrNotFound, "expired at its ExpiresAt")
	assertSameSession(t, rotated, readSession(t, repo, live.ID))
}

func testSessionUnknownNotFound(t *testing.T, repo ports.SessionRepo) {
	ctx := t.Context()
	_, err := repo.Session(ctx, newID("ses_"))
	assert.ErrorIs(t, err, ports.ErrNotFound)
	_, err = repo.RotateRefresh(ctx, newHash(), newHash(), baseTime(), 0)
	assert.ErrorIs(t, err, ports.ErrNotFound)
	list, err := repo.Sessions(ctx, newID("usr_"))
	require.NoError(t, err)
	assert.Empty(t, list)
}

func testSessionsListNewestFirst(t *testing.T, repo ports.SessionRepo) {
	user, t0 := newID("usr_"), baseTime()
	oldest := newSession(user, t0)
	middle := newSession(user, t0.Add(time.Minute))
	newest := newSession(user, t0.Add(2*time.Minute))
	expired := newSession(user, t0.Add(-time.Hour))
	expired.ExpiresAt = t0.Add(-time.Minute)
	createSessions(t, repo, middle, newest, expired, oldest, newSession(newID("usr_"), t0))
	revokeSessions(t, repo, ports.Revocation{SessionID: middle.ID}, t0.Add(3*time.Minute))
	list, err := repo.Sessions(t.Context(), user)
	require.NoError(t, err)
	ids := make([]string, len(list))
	for i, x := range list {
		ids[i] = x.ID
	}
	assert.Equal(t, []string{newest.ID, middle.ID, oldest.ID, expired.ID}, ids)
	require.Len(t, list, 4)
	assert.False(t, list[1].RevokedAt.IsZero(), "revoked sessions are listed with RevokedAt")
}

func testRotateReplacesHash(t *testing.T, repo ports.SessionRepo) {
	sess := newSession(newID("usr_"), baseTime())
	createSessions(t, repo, sess)
	hash := sess.RefreshHash
	for i := 1; i <= 3; i++ {
		now, next := sess.CreatedAt.Add(time.Duration(i)*time.Hour), newHash()
		got := rotate(t, repo, hash, next, now)
		assert.Equal(t, sess.ID, got.ID)
		assert.Equal(t, next, got.RefreshHash)
		assert.True(t, sess.ExpiresAt.Equal(got.ExpiresAt), "rotation keeps ExpiresAt")
		assert.True(t, now.Equal(got.LastUsedAt), "rotation sets LastUsedAt")
		assertSameSession(t, got, readSession(t, repo, sess.ID))
		hash = next
	}
}

func testReusedHashRevokesFamily(t *testing.T, repo ports.SessionRepo) {
	sess := newSession(newID("usr_"), baseTime())
	createSessions(t, repo, sess)
	h2, h3 := newHash(), newHash()
	rotate(t, repo, sess.RefreshHash, h2, sess.CreatedAt.Add(time.Minute))
	rotate(t, repo, h2, h3, sess.CreatedAt.Add(2*time.Minute))

	reuseAt := sess.CreatedAt.Add(3 * time.Minute)
	revoked, err := repo.RotateRefresh(t.Context(), sess.RefreshHash, newHash(), reuseAt, 0)
	require.ErrorIs(t, err, ports.ErrReused)
	assert.Equal(t, sess.ID, revoked.ID, "ErrReused comes with the revoked session")
	assert.Equal(t, sess.UserID, revoked.UserID)
	assert.True(t, reuseAt.Equal(revoked.RevokedAt))
	read := readSession(t, repo, sess.ID)
	assert.True(t, reuseAt.Equal(read.RevokedAt), "RevokedAt %v, want %v", read.RevokedAt, reuseAt)
	assert.False(t, read.Active(reuseAt))

	_, err = repo.RotateRefresh(t.Context(), h3, newHash(), reuseAt.Add(time.Second), 0)
	assert.ErrorIs(t, err, ports.ErrNotFound, "the newest hash of a revoked family no longer rotates")
}

func testExpiredSessionDoesNotRotate(t *testing.T, repo ports.SessionRepo) {
	sess := newSession(newID("usr_"), baseTime())
	createSessions(t, repo, sess)
	_, err := repo.RotateRefresh(t.Context(), sess.RefreshHash, newHash(), sess.ExpiresAt, 0)
	require.ErrorIs(t, err, ports.ErrExpired, "a session is expired at exactly ExpiresAt")
	assert.Equal(t, sess.RefreshHash, readSession(t, repo, sess.ID).RefreshHash, "a refused rotation changes nothing")
	_, err = repo.RotateRefresh(t.Context(), sess.RefreshHash, newHash(), sess.ExpiresAt.Add(-time.Microsecond), 0)
	assert.NoError(t, err, "one microsecond before ExpiresAt the session is active")
}

func testRevokedSessionDoesNotRotate(t *testing.T, repo ports.SessionRepo) {
	sess := newSession(newID("usr_"), baseTime())
	createSessions(t, repo, sess)
	revokeSessions(t, repo, ports.Revocation{SessionID: sess.ID}, sess.CreatedAt.Add(time.Minute))
	_, err := repo.RotateRefresh(t.Context(), sess.RefreshHash, newHash(), sess.CreatedAt.Add(2*time.Minute), 0)
	assert.ErrorIs(t, err, ports.ErrNotFound)
}

func testRotateHasOneWinner(t *testing.T, repo ports.SessionRepo) {
	sess := newSession(newID("usr_"), baseTime())
	createSessions(t, repo, sess)
	next := make([]string, parallelCalls)
	for i := range next {
		next[i] = newHash()
	}
	now := sess.CreatedAt.Add(time.Minute)
	winner := oneWinner(t, func(i int) error {
		_, err := repo.RotateRefresh(t.Context(), sess.RefreshHash, next[i], now, 0)
		return err
	}, ports.ErrReused, ports.ErrNotFound)
	assert.Equal(t, next[winner], readSession(t, repo, sess.ID).RefreshHash)
}

// revocationWorld is what each RevokeSessions selector runs against: user A
// has three active sessions and an expired one; user B has one active session.
type revocationWorld struct {
	a1, a2, a3, aExpired, b ports.Session
}

func newRevocationWorld(t0 time.Time) revocationWorld {
	userA := newID("usr_")
	w := revocationWorld{
		a1: newSession(userA, t0), a2: newSession(userA, t0.Add(time.Second)),
		a3: newSession(userA, t0.Add(2*time.Second)), aExpired: newSession(userA, t0.Add(-time.Hour)),
		b: newSession(newID("usr_"), t0),
	}
	w.aExpired.ExpiresAt = t0.Add(-time.Minute)
	return w
}

func (w revocationWorld) all() []ports.Session {
	return []ports.Session{w.a1, w.a2, w.a3, w.aExpired, w.b}
}

func testRevokeSessionsSelects(t *testing.T, repo ports.SessionRepo) {
	selectors := []struct {
		name string
		sel  func(w revocationWorld) ports.Revocation
		want func(w revocationWorld) []string
	}{
		{"by session ID",
			func(w revocationWorld) ports.Revocation { return ports.Revocation{SessionID: w.a2.ID} },
			func(w revocationWorld) []string { return []string{w.a2.ID} }},
		{"by refresh hash",
			func(w revocationWorld) ports.Revocation { return ports.Revocation{RefreshHash: w.a3.RefreshHash} },
			func(w revocationWorld) []string { return []string{w.a3.ID} }},
		{"by user: every active session",
			func(w revocationWorld) ports.Revocation { return ports.Revocation{UserID: w.a1.UserID} },
			func(w revocationWorld) []string { return []string{w.a1.ID, w.a2.ID, w.a3.ID} }},
		{"by user except one",
			func(w revocationWorld) ports.Revocation {
				return ports.Revocation{UserID: w.a1.UserID, ExceptSessionID: w.a2.ID}
			},
			func(w revocationWorld) []string { return []string{w.a1.ID, w.a3.ID} }},
		{"another user's session ID with the user's ID",
			func(w revocationWorld) ports.Revocation {
				return ports.Revocation{UserID: w.a1.UserID, ExceptSessionID: w.b.ID}
			},
			func(w revocationWorld) []string { return []string{w.a1.ID, w.a2.ID, w.a3.ID} }},
		{"an expired session is not active",
			func(w revocationWorld) ports.Revocation { return ports.Revocation{SessionID: w.aExpired.ID} },
			func(revocationWorld) []string { return nil }},
		{"unknown session",
			func(revocationWorld) ports.Revocation { return ports.Revocation{SessionID: newID("ses_")} },
			func(revocationWorld) []string { return nil }},
		{"unknown refresh hash",
			func(revocationWorld) ports.Revocation { return ports.Revocation{RefreshHash: newHash()} },
			func(revocationWorld) []string { return nil }},
	}
	// Every selector runs on the same repo against a world of its own users,
	// so it also proves that a revocation reaches no one else's sessions.
	for _, s := range selectors {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			t0 := baseTime()
			w := newRevocationWorld(t0)
			createSessions(t, repo, w.all()...)
			now := t0.Add(time.Minute)
			want := s.want(w)
			assert.ElementsMatch(t, want, revokeSessions(t, repo, s.sel(w), now))

			revoked := map[string]bool{}
			for _, id := range want {
				revoked[id] = true
			}
			for _, x := range w.all() {
				read := readSession(t, repo, x.ID)
				if revoked[x.ID] {
					assert.True(t, now.Equal(read.RevokedAt), "session %s: RevokedAt %v, want %v", x.ID, read.RevokedAt, now)
				} else {
					assert.True(t, read.RevokedAt.IsZero(), "session %s must not be revoked", x.ID)
				}
			}
			assert.Empty(t, revokeSessions(t, repo, s.sel(w), now.Add(time.Second)),
				"revoked sessions are not active, so a second revocation selects none")
		})
	}
}

// refreshGrace is the grace the retry cases give: the design's default.
const refreshGrace = 10 * time.Second

func testRotateRetryWithinGrace(t *testing.T, repo ports.SessionRepo) {
	sess := newSession(newID("usr_"), baseTime())
	createSessions(t, repo, sess)
	child, at := newHash(), sess.CreatedAt.Add(time.Minute)
	rotate(t, repo, sess.RefreshHash, child, at)
	for _, retryAt := range []time.Time{at, at.Add(refreshGrace)} {
		again, err := repo.RotateRefresh(t.Context(), sess.RefreshHash, child, retryAt, refreshGrace)
		require.NoError(t, err, "a retry %v after the rotation", retryAt.Sub(at))
		assert.Equal(t, sess.ID, again.ID)
		assert.Equal(t, child, again.RefreshHash)
		assert.True(t, at.Equal(again.LastUsedAt), "a retry changes nothing")
	}
	late := at.Add(refreshGrace + time.Microsecond)
	_, err := repo.RotateRefresh(t.Context(), sess.RefreshHash, child, late, refreshGrace)
	require.ErrorIs(t, err, ports.ErrReused, "past the grace a second use is reuse")
	assert.False(t, readSession(t, repo, sess.ID).Active(late))
}

func testRotateRetryNeedsTheSameChild(t *testing.T, repo ports.SessionRepo) {
	for _, tc := range []struct {
		name  string
		retry func(sess ports.Session, child, grandchild string, at time.Time) error
	}{
		{name: "another new hash", retry: func(sess ports.Session, _, _ string, at time.Time) error {
			_, err := repo.RotateRefresh(t.Context(), sess.RefreshHash, newHash(), at, refreshGrace)
			return err
		}},
		{name: "after the child rotated on", retry: func(sess ports.Session, child, _ string, at time.Time) error {
			_, err := repo.RotateRefresh(t.Context(), sess.RefreshHash, child, at, refreshGrace)
			return err
		}},
		{name: "with no grace", retry: func(sess ports.Session, child, _ string, at time.Time) error {
			_, err := repo.RotateRefresh(t.Context(), sess.RefreshHash, child, at, 0)
			return err
		}},
		{name: "with no grace at the same instant", retry: func(sess ports.Session, child, _ string, _ time.Time) error {
			_, err := repo.RotateRefresh(t.Context(), sess.RefreshHash, child, sess.CreatedAt.Add(time.Minute), 0)
			return err
		}},
	} {
		sess := newSession(newID("usr_"), baseTime())
		createSessions(t, repo, sess)
		child, grandchild, at := newHash(), newHash(), sess.CreatedAt.Add(time.Minute)
		rotate(t, repo, sess.RefreshHash, child, at)
		if tc.name == "after the child rotated on" {
			rotate(t, repo, child, grandchild, at.Add(time.Second))
		}
		err := tc.retry(sess, child, grandchild, at.Add(2*time.Second))
		assert.ErrorIs(t, err, ports.ErrReused, tc.name)
		assert.False(t, readSession(t, repo, sess.ID).Active(at.Add(2*time.Second)), "%s: the family is revoked", tc.name)
	}
}

func testRotateRetriesInParallel(t *testing.T, repo ports.SessionRepo) {
	sess := newSession(newID("usr_"), baseTime())
	createSessions(t, repo, sess)
	child, now := newHash(), sess.CreatedAt.Add(time.Minute)
	got := make([]ports.Session, parallelCalls)
	errs := make([]error, parallelCalls)
	Together(parallelCalls, func(i int) {
		got[i], errs[i] = repo.RotateRefresh(t.Context(), sess.RefreshHash, child, now, refreshGrace)
	})
	for i := range parallelCalls {
		require.NoError(t, errs[i], "call %d", i)
		assert.Equal(t, child, got[i].RefreshHash, "call %d", i)
	}
	assert.True(t, readSession(t, repo, sess.ID).Active(now))
}
