package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTrustMatrixSessionLifetimes(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "dev@example.in")
	// signIn signs in from fpA and checks the trust level and the session's
	// lifetime (the clock stands at testStart).
	signIn := func(public bool, trust Trust, lifetime time.Duration) LoginResult {
		t.Helper()
		res := e.loginWithTrust("dev@example.in", fpA, public, trust)
		assert.Equal(t, testStart.Add(lifetime), res.SessionExpiresAt, "session lifetime")
		return res
	}

	first := signIn(false, TrustNewDevice, 7*24*time.Hour)
	assert.False(t, first.IsVerifiedDevice)

	// A second password login does not make the device known: a step-up does.
	second := signIn(false, TrustNewDevice, 7*24*time.Hour)
	e.stepUp(e.principal(second), "dev@example.in")

	again := signIn(false, TrustKnown, 30*24*time.Hour)
	assert.True(t, again.IsVerifiedDevice)

	public := signIn(true, TrustPublic, 2*time.Hour)

	e.clock.Advance(2*time.Hour - time.Second)
	next, err := e.auth.Refresh(t.Context(), RefreshInput{RefreshToken: public.RefreshToken, Client: e.client})
	require.NoError(t, err)
	e.clock.Advance(time.Second)
	_, err = e.auth.Refresh(t.Context(), RefreshInput{RefreshToken: next.RefreshToken, Client: e.client})
	requireKind(t, err, KindTokenExpired) // a public session ends at exactly 2 hours
}

func TestRotationKeepsTheOriginalExpiry(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "rot@example.in")
	res, err := e.loginFrom("rot@example.in", testPassword, "", true)
	require.NoError(t, err)
	token := res.RefreshToken
	for i := 0; i < 3; i++ {
		e.clock.Advance(30 * time.Minute)
		next, err := e.auth.Refresh(t.Context(), RefreshInput{RefreshToken: token, Client: e.client})
		require.NoError(t, err)
		token = next.RefreshToken
	}
	e.clock.Set(testStart.Add(2 * time.Hour))
	requireKind(t, errOf(e.auth.Refresh(t.Context(), RefreshInput{RefreshToken: token, Client: e.client})), KindTokenExpired)
}

func TestNewDeviceStepsUpOnceThenIsKnown(t *testing.T) {
	t.Parallel()
	eachVariant(t, signInReads, testNewDeviceStepsUpOnceThenIsKnown)
}

func testNewDeviceStepsUpOnceThenIsKnown(t *testing.T, e *env) {
	e.register("step@example.in")
	res, err := e.loginFrom("step@example.in", testPassword, fpB, false)
	require.NoError(t, err)
	p := e.principal(res)
	ctx := t.Context()

	requireKind(t, e.auth.RequireStepUp(ctx, p), KindStepUpRequired)
	e.stepUp(p, "step@example.in")
	require.NoError(t, e.auth.RequireStepUp(ctx, p))
	require.NoError(t, e.auth.RequireStepUp(ctx, p), "a new device steps up once")

	// The device is known from now on: the next login gets 30 days.
	e.loginWithTrust("step@example.in", fpB, false, TrustKnown)
}

func TestPublicDeviceStepUpIsGoodForOneActionWithinFiveMinutes(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "kiosk@example.in")
	ctx := t.Context()
	home := e.principal(e.knownDeviceLogin("kiosk@example.in")) // the PIN was set at home
	require.NoError(t, e.auth.SetPIN(ctx, home, SetPINInput{PIN: testPIN, Client: e.client}))
	res, err := e.loginFrom("kiosk@example.in", testPassword, fpB, true)
	require.NoError(t, err)
	p := e.principal(res)

	require.NoError(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: testPIN, Client: e.client}))
	require.NoError(t, e.auth.RequireStepUp(ctx, p))
	requireKind(t, e.auth.RequireStepUp(ctx, p), KindStepUpRequired) // one action per step-up

	require.NoError(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: testPIN, Client: e.client}))
	e.clock.Advance(5 * time.Minute)
	require.NoError(t, e.auth.RequireStepUp(ctx, p), "usable at exactly 5 minutes")

	require.NoError(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: testPIN, Client: e.client}))
	e.clock.Advance(5*time.Minute + time.Second)
	requireKind(t, e.auth.RequireStepUp(ctx, p), KindStepUpRequired)

	// A public device never becomes known.
	e.loginWithTrust("kiosk@example.in", fpB, false, TrustNewDevice)
}

func TestKnownDeviceNeedsNoStepUp(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "home@example.in")
	res := e.knownDeviceLogin("home@example.in")
	for range 3 {
		require.NoError(t, e.auth.RequireStepUp(t.Context(), e.principal(res)))
	}
}

// A device that becomes verified starts with a clean counter of its own: a
// lock left from before it was last forgotten does not greet its owner.
func TestANewlyVerifiedDeviceStartsWithACleanCounter(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "again@example.in")
	p := e.principal(e.knownDeviceLogin(u.Email)) // fpA verified
	for i := 0; i < 5; i++ {
		_, _ = e.loginFrom(u.Email, "a typo on the phone", fpA, false)
	}
	require.True(t, e.deviceLockState(u.ID, fpA).Locked(e.now()), "the phone's own counter is locked")
	require.NoError(t, e.auth.LogoutAll(t.Context(), p, e.client)) // forgets fpA
	e.requestOTP(u.Email, fpA)
	res, err := e.verifyOTP(u.Email, e.lastCode(u.Email), fpA) // proves the inbox from fpA again
	require.NoError(t, err)
	require.Equal(t, TrustKnown, res.Trust)
	assert.False(t, e.deviceLockState(u.ID, fpA).Locked(e.now()), "the re-verified phone starts clean")
	require.NoError(t, errOf(e.loginFrom(u.Email, testPassword, fpA, false)))
}
