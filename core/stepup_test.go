package core

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestRequestStepUpEmailsACodeBoundToTheSession(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "ask@example.in")
	ctx := t.Context()
	p := e.principal(e.mustLogin(u.Email))
	other := e.principal(e.mustLogin(u.Email))

	require.NoError(t, e.auth.RequestStepUp(ctx, p, e.client))
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Equal(t, "Confirm it's you on BharatAuth", m.Subject)
	code := e.lastCode(u.Email)

	tokens := inStore(e, e.store.Tokens, p.SessionID)
	require.Len(t, tokens, 1)
	assert.Equal(t, ports.PurposeStepUpOTP, tokens[0].Purpose)
	assert.Equal(t, testStart.Add(10*time.Minute), tokens[0].ExpiresAt)

	requireCode(t, e.auth.VerifyStepUp(ctx, other, VerifyStepUpInput{Code: code, Client: e.client}), KindUnauthorized, codeInvalidOTP, "another session's code does not work here")
	_, err := e.auth.VerifyOTP(ctx, VerifyOTPInput{Identifier: u.Email, Code: code, Client: e.client})
	requireKind(t, err, KindUnauthorized) // a step-up code is no login code
	require.NoError(t, e.auth.VerifyStepUp(ctx, p, VerifyStepUpInput{Code: code, Client: e.client}))
	assert.Contains(t, e.eventKinds(u.ID), ports.EventStepUp)
}

func TestRequestStepUpRefusesAnEndedSession(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "gone@example.in")
	ctx := t.Context()
	res := e.mustLogin(u.Email)
	p := e.principal(res)
	e.logout(res)
	mails := e.mailsTo(u.Email)

	requireCode(t, e.auth.RequestStepUp(ctx, p, e.client), KindUnauthorized, codeInvalidToken)
	requireKind(t, e.auth.VerifyStepUp(ctx, p, VerifyStepUpInput{Code: "123456", Client: e.client}), KindUnauthorized)
	assert.Equal(t, mails, e.mailsTo(u.Email))
}

func TestRequestStepUpIsLimitedPerAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // with the limiter
	u := e.register("bomb@example.in")
	ctx := t.Context()
	p := e.principal(e.mustLogin(u.Email))
	for i := 0; i < 5; i++ {
		require.NoError(t, e.auth.RequestStepUp(ctx, p, e.client), "request %d", i+1)
	}
	mails := e.mailsTo(u.Email)
	ce := requireKind(t, e.auth.RequestStepUp(ctx, p, e.client), KindRateLimited)
	assert.Positive(t, ce.RetryAfter)
	assert.Equal(t, mails, e.mailsTo(u.Email), "no sixth email within the hour")
	e.clock.Advance(time.Hour)
	require.NoError(t, e.auth.RequestStepUp(ctx, p, e.client))
}

func TestVerifyStepUpWrongCodeCountsTowardTheLock(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "guess@example.in")
	ctx := t.Context()
	p := e.principal(e.mustLogin(u.Email))
	require.NoError(t, e.auth.RequestStepUp(ctx, p, e.client))
	bad := wrongCode(e.lastCode(u.Email))

	for i := 1; i <= 4; i++ {
		requireCode(t, e.auth.VerifyStepUp(ctx, p, VerifyStepUpInput{Code: bad, Client: e.client}), KindUnauthorized, codeInvalidOTP)
		assert.Equal(t, i, e.lockState(u.ID).Failures)
	}
	assert.Contains(t, e.eventKinds(u.ID), ports.EventLoginFailed)
	requireKind(t, e.auth.RequireStepUp(ctx, p), KindStepUpRequired)

	ce := requireKind(t, e.auth.VerifyStepUp(ctx, p, VerifyStepUpInput{Code: bad, Client: e.client}), KindLocked)
	assert.Equal(t, e.auth.now().Add(7*time.Minute), ce.LockedUntil)
	requireKind(t, errOf(e.login(u.Email, testPassword)), KindLocked)
}

func TestVerifyStepUpMalformedCodeIsNotCounted(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "typo@example.in")
	ctx := t.Context()
	p := e.principal(e.mustLogin(u.Email))
	for _, tc := range []struct {
		name string
		code string
	}{
		{name: "empty", code: ""},
		{name: "five digits", code: "12345"},
		{name: "letters", code: "12a456"},
		{name: "arabic-indic digits", code: "١٢٣٤٥٦"},
	} {
		ce := requireKind(t, e.auth.VerifyStepUp(ctx, p, VerifyStepUpInput{Code: tc.code, Client: e.client}), KindValidation)
		assert.Equal(t, "otp_code", ce.Field, tc.name)
	}
	assert.Zero(t, e.lockState(u.ID).Failures)
}

// revokingDevices ends the session just before a step-up is recorded: the race
// between a logout elsewhere and a step-up in flight.
type revokingDevices struct {
	ports.DeviceTrust
	sessions ports.SessionRepo
}

func (r revokingDevices) MarkStepUp(ctx context.Context, sessionID string, at time.Time, verifyDevice bool) error {
	if _, err := r.sessions.RevokeSessions(ctx, ports.Revocation{SessionID: sessionID}, at); err != nil {
		return err
	}
	return r.DeviceTrust.MarkStepUp(ctx, sessionID, at, verifyDevice)
}

func TestStepUpOnASessionRevokedMeanwhile(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter(), func(_ *Config, d *Deps) {
		d.Devices = revokingDevices{DeviceTrust: d.Storage, sessions: d.Storage}
	})
	u := e.register("race@example.in")
	ctx := t.Context()
	res, err := e.loginFrom(u.Email, testPassword, fpA, false)
	require.NoError(t, err)
	p := e.principal(res)
	require.NoError(t, e.auth.RequestStepUp(ctx, p, e.client))

	requireCode(t, e.auth.VerifyStepUp(ctx, p, VerifyStepUpInput{Code: e.lastCode(u.Email), Client: e.client}), KindUnauthorized, codeInvalidToken)
	assert.NotContains(t, e.eventKinds(u.ID), ports.EventStepUp)
	known, err := e.store.KnownDevice(ctx, u.ID, e.device(fpA), e.auth.now())
	require.NoError(t, err)
	assert.False(t, known, "an ended session's device is not made known")
}

// A step-up code goes by the proven channel: an account whose number is
// verified and whose email is not (mistyped, or a stranger's) gets it by SMS,
// never at the unverified address; once the email is verified too, by email.
func TestStepUpCodeGoesByTheProvenChannel(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	u := p.registerEmailAndPhone("typo@example.com")
	require.NoError(t, p.auth.VerifyPhone(ctx, VerifyPhoneInput{Phone: u.Phone, Code: p.sms.lastSMSCode(t, u.Phone), Client: p.client}))
	res, err := p.smsLogin(testPhone)
	require.NoError(t, err)
	pr := p.principal(res)

	texts, mails := len(p.sms.to(testPhone)), p.mailsTo("typo@example.com")
	require.NoError(t, p.auth.RequestStepUp(ctx, pr, p.client))
	assert.Equal(t, mails, p.mailsTo("typo@example.com"), "no step-up code to the unverified address")
	require.Len(t, p.sms.to(testPhone), texts+1, "the step-up code goes to the proven number")
	require.NoError(t, p.auth.VerifyStepUp(ctx, pr, VerifyStepUpInput{Code: p.sms.lastSMSCode(t, testPhone), Client: p.client}))

	require.NoError(t, p.store.MarkEmailVerified(ctx, u.ID, p.now()))
	texts, mails = len(p.sms.to(testPhone)), p.mailsTo("typo@example.com")
	require.NoError(t, p.auth.RequestStepUp(ctx, pr, p.client))
	assert.Equal(t, mails+1, p.mailsTo("typo@example.com"), "both proven: by email")
	assert.Len(t, p.sms.to(testPhone), texts, "and no SMS")
}
