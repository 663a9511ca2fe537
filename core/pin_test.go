package core

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPINLockAnswersExactlyLikeAWrongPINAndRevokesTheSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.register("pin@example.in")
	res := e.knownDeviceLogin("pin@example.in")
	p := e.principal(res)
	ctx := context.Background()
	require.NoError(t, e.auth.SetPIN(ctx, p, SetPINInput{PIN: testPIN, Client: e.client}))

	var answers []*Error
	for i := 0; i < 5; i++ {
		answers = append(answers, requireKind(t, e.auth.VerifyPIN(ctx, p, "9157", e.client), KindUnauthorized))
	}
	for _, a := range answers[1:] {
		assert.Equal(t, answers[0].Code, a.Code)
		assert.Equal(t, answers[0].Message, a.Message)
		assert.True(t, a.LockedUntil.IsZero())
	}
	assert.Equal(t, codeInvalidPIN, answers[4].Code)

	// The 5th failure locked the PIN and revoked the session that made the attempts.
	_, err := e.auth.Authenticate(ctx, res.AccessToken)
	requireKind(t, err, KindUnauthorized)

	// From another session, during the lock, even the right PIN answers like a wrong one.
	other := e.principal(e.mustLogin("pin@example.in"))
	ce := requireKind(t, e.auth.VerifyPIN(ctx, other, testPIN, e.client), KindUnauthorized)
	assert.Equal(t, answers[0].Code, ce.Code)
	assert.Equal(t, answers[0].Message, ce.Message)
}

func (e *env) now() time.Time { return e.clock.Now() }

func TestChangingAnExistingPINNeedsTheCurrentPINOrAStepUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.register("change@example.in")
	res, err := e.loginFrom("change@example.in", testPassword, fpA, false) // a new device
	require.NoError(t, err)
	p := e.principal(res)
	ctx := context.Background()
	set := func(pin, current string) error {
		return e.auth.SetPIN(ctx, p, SetPINInput{PIN: pin, CurrentPIN: current, Client: e.client})
	}

	// A first PIN needs a trusted session: a password thief on a new device
	// must not set a PIN and step up with it.
	requireKind(t, set(testPIN, ""), KindStepUpRequired)
	require.NoError(t, e.auth.RequestStepUp(ctx, p, e.client))
	require.NoError(t, e.auth.VerifyStepUp(ctx, p, e.lastCode("change@example.in"), e.client))
	require.NoError(t, set(testPIN, ""))

	// Changing it: the current PIN, or a fresh step-up, even on this now known device.
	e.clock.Advance(5*time.Minute + time.Second)
	requireKind(t, set("8351", ""), KindStepUpRequired)
	requireKind(t, set("8351", "7777"), KindUnauthorized)
	require.NoError(t, set("8351", testPIN))
	// The app unlock on a known phone leaves no step-up behind: whoever picks
	// up the unlocked phone cannot change the PIN.
	require.NoError(t, e.auth.VerifyPIN(ctx, p, "8351", e.client))
	requireKind(t, set("6042", ""), KindStepUpRequired)
	// An emailed code is a fresh step-up, good for one change.
	require.NoError(t, e.auth.RequestStepUp(ctx, p, e.client))
	require.NoError(t, e.auth.VerifyStepUp(ctx, p, e.lastCode("change@example.in"), e.client))
	require.NoError(t, set("6042", ""))
	requireKind(t, set("7150", ""), KindStepUpRequired) // that step-up is used up
}

func TestCommonAndMalformedPINsAreRejected(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.register("weak@example.in")
	p := e.principal(e.mustLogin("weak@example.in"))
	for _, pin := range []string{"0000", "1234", "1111", "123456", "123", "123456789", "12a4", ""} {
		ce := requireKind(t, e.auth.SetPIN(context.Background(), p, SetPINInput{PIN: pin, Client: e.client}), KindValidation)
		assert.Equal(t, "pin", ce.Field, pin)
	}
}

func TestPINResetWorksWhileLockedAndEmailsTheChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	u := e.register("reset@example.in")
	p := e.principal(e.knownDeviceLogin(u.Email))
	ctx := context.Background()
	require.NoError(t, e.auth.SetPIN(ctx, p, SetPINInput{PIN: testPIN, Client: e.client}))
	for i := 0; i < 5; i++ {
		_, _ = e.login(u.Email, "wrong-password")
	}
	require.NoError(t, e.auth.RequestPINReset(ctx, u.Email, e.client))
	require.NoError(t, e.auth.RequestPINReset(ctx, "nobody@example.in", e.client), "the same answer for everyone")
	token := e.lastToken(u.Email)
	requireKind(t, e.auth.ConfirmPINReset(ctx, token, "1234", e.client), KindValidation) // checked before the link is used
	require.NoError(t, e.auth.ConfirmPINReset(ctx, token, "5820", e.client))
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.NotContains(t, m.Text, "5820", "an email never carries the PIN")

	// The PIN reset left the lock alone (only the unlock link or a password
	// reset lifts locks): sign in once the soft lock is over.
	_, err := e.login(u.Email, testPassword)
	requireKind(t, err, KindLocked)
	e.clock.Advance(7 * time.Minute)
	p2 := e.principal(e.mustLogin(u.Email))
	require.NoError(t, e.auth.VerifyPIN(ctx, p2, "5820", e.client))
	requireKind(t, e.auth.ConfirmPINReset(ctx, token, "5821", e.client), KindUnauthorized)
}

func TestVerifyPINWithoutAPINSet(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.register("nopin@example.in")
	p := e.principal(e.mustLogin("nopin@example.in"))
	assert.Equal(t, codeInvalidPIN, requireKind(t, e.auth.VerifyPIN(context.Background(), p, testPIN, e.client), KindUnauthorized).Code)
}
