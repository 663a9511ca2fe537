package porttest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// SessionUsersBackend is a managed backend that reads sessions with their
// users: the storage, plus the SessionUsers under test (the storage itself,
// or a cache in front of it).
type SessionUsersBackend struct {
	Storage ManagedStorage
	Joined  ports.SessionUsers
}

// rotateWithUser is a SessionRepo whose RotateRefresh goes through
// RotateRefreshUser, so that SessionRepo's rotation cases check that it keeps
// every outcome and guarantee of RotateRefresh.
type rotateWithUser struct {
	ports.SessionRepo
	joined ports.SessionUsers
}

func (r rotateWithUser) RotateRefresh(ctx context.Context, oldHash, newHash string, now time.Time, grace time.Duration) (ports.Session, error) {
	s, _, err := r.joined.RotateRefreshUser(ctx, oldHash, newHash, now, grace)
	return s, err
}

// sessionOf stores an active session of a new user of b and returns both.
func sessionOf(t *testing.T, b SessionUsersBackend) (ports.Session, ports.User) {
	t.Helper()
	u := createUser(t, b.Storage, ports.NewUser{Email: newID("asha") + "@example.in", Username: newID("asha"),
		DisplayName: "Asha", Language: "hi"})
	s := newSession(u.ID, baseTime())
	createSessions(t, b.Storage, s)
	return s, u
}

func testSessionUserCancelled(t *testing.T, b SessionUsersBackend) {
	s, _ := sessionOf(t, b)
	_, _, err := b.Joined.SessionUser(cancelled(t), s.ID)
	assertCancelled(t, err)
	_, _, err = b.Joined.RotateRefreshUser(cancelled(t), s.RefreshHash, newHash(), baseTime().Add(time.Minute), 0)
	assertCancelled(t, err)
}

func testSessionUserReadsBoth(t *testing.T, b SessionUsersBackend) {
	s, u := sessionOf(t, b)
	gotS, gotU, err := b.Joined.SessionUser(t.Context(), s.ID)
	require.NoError(t, err)
	assertSameSession(t, readSession(t, b.Storage, s.ID), gotS)
	want, err := b.Storage.UserByID(t.Context(), u.ID)
	require.NoError(t, err)
	assertSameUser(t, want, gotU)
}

func testSessionUserSeesUserChanges(t *testing.T, b SessionUsersBackend) {
	s, u := sessionOf(t, b)
	_, _, err := b.Joined.SessionUser(t.Context(), s.ID) // a cache fills here
	require.NoError(t, err)
	changes := []struct {
		name   string
		change func() error
		check  func(ports.User) bool
	}{
		{"verified", func() error { return b.Storage.MarkEmailVerified(t.Context(), u.ID, baseTime()) },
			func(u ports.User) bool { return u.EmailVerified }},
		{"suspended", func() error { return b.Storage.SetSuspended(t.Context(), u.ID, true) },
			func(u ports.User) bool { return u.Suspended }},
		{"profile cleared", func() error { return b.Storage.ClearProfile(t.Context(), u.ID) },
			func(u ports.User) bool { return u.DisplayName == "" && u.Username == "" }},
		{"reinstated", func() error { return b.Storage.SetSuspended(t.Context(), u.ID, false) },
			func(u ports.User) bool { return !u.Suspended }},
	}
	for _, c := range changes {
		require.NoError(t, c.change(), c.name)
		_, got, err := b.Joined.SessionUser(t.Context(), s.ID)
		require.NoError(t, err)
		assert.True(t, c.check(got), "after %s the session's user reads %+v", c.name, got)
	}
}

func testSessionUserUnknownNotFound(t *testing.T, b SessionUsersBackend) {
	_, _, err := b.Joined.SessionUser(t.Context(), newID("ses_"))
	assert.ErrorIs(t, err, ports.ErrNotFound)
}

func testSessionUserWithoutUser(t *testing.T, b SessionUsersBackend) {
	s := newSession(newID("usr_"), baseTime()) // external-mode user IDs need no user row
	createSessions(t, b.Storage, s)
	got, u, err := b.Joined.SessionUser(t.Context(), s.ID)
	require.NoError(t, err)
	assert.Equal(t, s.ID, got.ID)
	assert.Equal(t, ports.User{}, u, "a session whose user does not exist comes with the zero User")
	got, u, err = b.Joined.RotateRefreshUser(t.Context(), s.RefreshHash, newHash(), baseTime().Add(time.Minute), 0)
	require.NoError(t, err)
	assert.Equal(t, s.ID, got.ID)
	assert.Equal(t, ports.User{}, u)
}

func testRotateRefreshUserReturnsUser(t *testing.T, b SessionUsersBackend) {
	s, u := sessionOf(t, b)
	require.NoError(t, b.Storage.SetSuspended(t.Context(), u.ID, true))
	now, next := baseTime().Add(time.Minute), newHash()
	got, gotU, err := b.Joined.RotateRefreshUser(t.Context(), s.RefreshHash, next, now, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, next, got.RefreshHash)
	assert.Equal(t, u.ID, gotU.ID)
	assert.True(t, gotU.Suspended, "the user as it is now")
	// A retry of that rotation within the grace comes with the user too.
	got, gotU, err = b.Joined.RotateRefreshUser(t.Context(), s.RefreshHash, next, now.Add(time.Second), time.Minute)
	require.NoError(t, err)
	assert.Equal(t, next, got.RefreshHash)
	assert.Equal(t, u.ID, gotU.ID)
}
