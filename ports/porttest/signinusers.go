package porttest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func joinedSignIn(t *testing.T, s ManagedStorage) ports.SignInUsers {
	t.Helper()
	j, ok := s.(ports.SignInUsers)
	require.True(t, ok, "the backend does not implement ports.SignInUsers")
	return j
}

func testSignInUserCancelled(t *testing.T, s ManagedStorage) {
	_, _, err := joinedSignIn(t, s).SignInUser(cancelled(t), ports.SignInLookup{Email: "asha@example.in", DeviceFingerprint: newHash()})
	assertCancelled(t, err)
}

func testSignInUserFindsTheUser(t *testing.T, s ManagedStorage) {
	j, ctx := joinedSignIn(t, s), t.Context()
	name := newID("asha")
	u := createUser(t, s, ports.NewUser{Email: name + "@example.in", Username: name, DisplayName: "Asha", Language: "hi"})
	want, err := s.UserByID(ctx, u.ID)
	require.NoError(t, err)
	for _, l := range []ports.SignInLookup{
		{Email: strings.ToUpper(name) + "@example.in"},
		{Username: strings.ToUpper(name), DeviceFingerprint: newHash()},
	} {
		got, known, err := j.SignInUser(ctx, l)
		require.NoError(t, err)
		assertSameUser(t, want, got)
		assert.False(t, known)
	}
	for _, l := range []ports.SignInLookup{
		{Email: "nobody@example.in", DeviceFingerprint: newHash()},
		{Username: "nobody"},
		{},
	} {
		_, known, err := j.SignInUser(ctx, l)
		require.ErrorIs(t, err, ports.ErrNotFound, "%+v", l)
		assert.False(t, known)
	}
}

func testSignInUserKnowsTheDevice(t *testing.T, s ManagedStorage) {
	j, ctx, now := joinedSignIn(t, s), t.Context(), baseTime()
	u := createUser(t, s, ports.NewUser{Email: newID("asha") + "@example.in"})
	other := createUser(t, s, ports.NewUser{Email: newID("ravi") + "@example.in"})
	verified, plain, others := newSession(u.ID, now), newSession(u.ID, now), newSession(other.ID, now)
	verified.IsVerifiedDevice, others.IsVerifiedDevice = true, true
	revoked := newSession(u.ID, now)
	revoked.IsVerifiedDevice = true
	createSessions(t, s, verified, plain, others, revoked)
	_, err := s.RevokeSessions(ctx, ports.Revocation{SessionID: revoked.ID}, now)
	require.NoError(t, err)
	for name, fp := range map[string]string{
		"a verified device": verified.DeviceFingerprint, "a signed-in device only": plain.DeviceFingerprint,
		"another user's device": others.DeviceFingerprint, "a device of an ended session": revoked.DeviceFingerprint,
		"an unknown device": newHash(), "no device": "",
	} {
		want, err := s.KnownDevice(ctx, u.ID, fp, now)
		require.NoError(t, err)
		_, got, err := j.SignInUser(ctx, ports.SignInLookup{Email: u.Email, DeviceFingerprint: fp, Now: now})
		require.NoError(t, err)
		assert.Equal(t, want, got, name)
	}
	_, got, err := j.SignInUser(ctx, ports.SignInLookup{Email: u.Email, DeviceFingerprint: verified.DeviceFingerprint, Now: now})
	require.NoError(t, err)
	assert.True(t, got, "the verified device is known")
}
