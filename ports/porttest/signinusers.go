package porttest

import (
	"fmt"
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
	_, err := joinedSignIn(t, s).SignInUser(cancelled(t), ports.SignInLookup{Email: "asha@example.in", DeviceFingerprint: newHash()})
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
		got, err := j.SignInUser(ctx, l)
		require.NoError(t, err)
		require.True(t, got.Found, "%+v", l)
		assertSameUser(t, want, got.User)
		assert.False(t, got.KnownDevice)
	}
	for _, l := range []ports.SignInLookup{
		{Email: "nobody@example.in", DeviceFingerprint: newHash()},
		{Username: "nobody"},
		{},
	} {
		got, err := j.SignInUser(ctx, l)
		require.NoError(t, err, "no user is not an error")
		assert.Equal(t, ports.SignInRecord{}, got, "%+v", l)
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
		got, err := j.SignInUser(ctx, ports.SignInLookup{Email: u.Email, DeviceFingerprint: fp, Now: now})
		require.NoError(t, err)
		assert.Equal(t, want, got.KnownDevice, name)
	}
	got, err := j.SignInUser(ctx, ports.SignInLookup{Email: u.Email, DeviceFingerprint: verified.DeviceFingerprint, Now: now})
	require.NoError(t, err)
	assert.True(t, got.KnownDevice, "the verified device is known")
}

func testSignInUserReadsTheIPBlock(t *testing.T, s ManagedStorage) {
	j, ctx, now := joinedSignIn(t, s), t.Context(), baseTime()
	u := createUser(t, s, ports.NewUser{Email: newID("asha") + "@example.in"})
	blocked, free := newIP(), newIP()
	for i := range ipPolicy.DistinctIdentifiers {
		recordFailure(t, s, blocked, fmt.Sprintf("user%d@example.com", i), now)
	}
	want := blockedUntil(t, s, blocked, now)
	require.False(t, want.IsZero(), "the IP is blocked")
	for name, l := range map[string]ports.SignInLookup{
		"with a user": {Email: u.Email}, "without a user": {Email: "nobody@example.in"}, "with no name": {},
	} {
		l.Now, l.IP = now, blocked
		got, err := j.SignInUser(ctx, l)
		require.NoError(t, err)
		assert.True(t, want.Equal(got.IPBlockedUntil), "%s: %v, want %v", name, got.IPBlockedUntil, want)
		l.IP = free
		got, err = j.SignInUser(ctx, l)
		require.NoError(t, err)
		assert.Zero(t, got.IPBlockedUntil, "%s: an IP without a block", name)
	}
	got, err := j.SignInUser(ctx, ports.SignInLookup{Email: u.Email, IP: blocked, Now: want})
	require.NoError(t, err)
	assert.Zero(t, got.IPBlockedUntil, "the block is over at its end")
}

// testSignInUserReadsTheHolds: asked for, the holds are AccountHolds'
// answer; not asked for, none are read.
func testSignInUserReadsTheHolds(t *testing.T, s ManagedStorage) {
	r, ok := s.(ports.AccountHoldsReader)
	if !ok {
		t.Skip("the backend reads no holds at once (no ports.AccountHoldsReader)")
	}
	j, ctx, at := joinedSignIn(t, s), t.Context(), baseTime()
	users := []ports.User{createUser(t, s, ports.NewUser{Email: newID("adult") + "@example.in"})}
	createErasure(t, s, newErasure(users[0].ID, at))
	if g, ok := s.(GuardianBackend); ok {
		users = append(users, createChild(t, g, at))
	}
	for _, u := range users {
		want, err := r.AccountHolds(ctx, u.ID)
		require.NoError(t, err)
		got, err := j.SignInUser(ctx, ports.SignInLookup{Email: u.Email, Holds: true, Now: at})
		require.NoError(t, err)
		assert.Equal(t, want.Guardianship, got.Holds.Guardianship, u.Email)
		require.Equal(t, want.Erasure == nil, got.Holds.Erasure == nil, u.Email)
		if want.Erasure != nil {
			sameErasure(t, *want.Erasure, *got.Holds.Erasure, u.Email)
		}
		got, err = j.SignInUser(ctx, ports.SignInLookup{Email: u.Email, Now: at})
		require.NoError(t, err)
		assert.Equal(t, ports.AccountHolds{}, got.Holds, "not asked for")
	}
}
