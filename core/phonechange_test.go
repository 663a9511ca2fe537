package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestPhoneChangeMovesTheAccountToTheProvenNumber(t *testing.T) {
	// Six texts reach testPhone here: more than an hour's budget allows.
	p := newPhoneEnv(t, func(c *Config, _ *Deps) { c.Phone.Budgets.PerNumber.Limit = 20 })
	ctx := t.Context()
	u := p.registerPhone(testPhone)
	res, err := p.smsLogin(testPhone)
	require.NoError(t, err)
	pr := p.principal(res)
	other, err := p.smsLogin(testPhone) // another session
	require.NoError(t, err)

	err = p.auth.RequestPhoneChange(ctx, pr, PhoneChangeInput{NewPhone: "98123 45678", Client: p.client})
	requireKind(t, err, KindStepUpRequired)
	stepUp := func() {
		require.NoError(t, p.auth.RequestStepUp(ctx, pr, p.client))
		require.NoError(t, p.auth.VerifyStepUp(ctx, pr, VerifyStepUpInput{Code: p.sms.lastSMSCode(t, testPhone), Client: p.client}))
	}
	stepUp()

	require.NoError(t, p.auth.RequestPhoneChange(ctx, pr, PhoneChangeInput{NewPhone: "98123 45678", Client: p.client}))
	toNew := p.sms.to(newPhone)
	require.Len(t, toNew, 1)
	assert.Equal(t, "verify_phone", toNew[0].Kind)
	toOld := p.sms.to(testPhone)
	assert.Equal(t, "phone_change", toOld[len(toOld)-1].Kind, "the old number is told")

	code := p.sms.lastSMSCode(t, newPhone)
	requireKind(t, p.auth.ConfirmPhoneChange(ctx, p.principal(other), PhoneCodeInput{Code: code, Client: p.client}), KindUnauthorized)
	stepUp() // a fresh step-up is good for one sensitive action
	require.NoError(t, p.auth.RequestPhoneChange(ctx, pr, PhoneChangeInput{NewPhone: newPhone, Client: p.client}))
	code = p.sms.lastSMSCode(t, newPhone)
	require.NoError(t, p.auth.ConfirmPhoneChange(ctx, pr, PhoneCodeInput{Code: code, Client: p.client}))

	got, err := p.store.UserByPhone(ctx, newPhone)
	require.NoError(t, err)
	assert.Equal(t, u.ID, got.ID)
	assert.True(t, got.PhoneVerified)
	_, err = p.store.UserByPhone(ctx, testPhone)
	require.ErrorIs(t, err, ports.ErrNotFound, "the old number no longer signs in")
	_, err = p.auth.Authenticate(ctx, other.AccessToken)
	require.Error(t, err, "every other session ended")
	_, err = p.auth.Authenticate(ctx, res.AccessToken)
	require.NoError(t, err, "the asking session stays")
	assert.Contains(t, p.eventKinds(u.ID), ports.EventPhoneChanged)
}

// Whether a number has an account is told only after a fresh step-up: before
// it, a taken and a free number answer alike.
func TestPhoneChangeRefusesATakenNumberOnlyAfterTheStepUp(t *testing.T) {
	p := newPhoneEnv(t)
	ctx := t.Context()
	p.registerPhone(testPhone)
	p.registerPhone(newPhone)
	pr := p.smsPrincipal(testPhone)
	requireKind(t, p.auth.RequestPhoneChange(ctx, pr, PhoneChangeInput{NewPhone: newPhone, Client: p.client}), KindStepUpRequired)
	requireKind(t, p.auth.RequestPhoneChange(ctx, pr, PhoneChangeInput{NewPhone: "98111 22333", Client: p.client}), KindStepUpRequired)
	assert.Empty(t, p.sms.to("+919811122333"))

	require.NoError(t, p.auth.RequestStepUp(ctx, pr, p.client))
	require.NoError(t, p.auth.VerifyStepUp(ctx, pr, VerifyStepUpInput{Code: p.sms.lastSMSCode(t, testPhone), Client: p.client}))
	err := p.auth.RequestPhoneChange(ctx, pr, PhoneChangeInput{NewPhone: newPhone, Client: p.client})
	assert.Equal(t, codePhoneTaken, requireKind(t, err, KindConflict).Code)
	err = p.auth.RequestPhoneChange(ctx, pr, PhoneChangeInput{NewPhone: testPhone, Client: p.client})
	assert.Equal(t, "new_phone", requireKind(t, err, KindValidation).Field)
	err = p.auth.RequestPhoneChange(ctx, pr, PhoneChangeInput{NewPhone: "not a number", Client: p.client})
	assert.Equal(t, codePhoneInvalid, requireKind(t, err, KindValidation).Code)
	requireKind(t, p.auth.ConfirmPhoneChange(ctx, pr, PhoneCodeInput{Code: "123456", Client: p.client}), KindUnauthorized)
}

// Phone change requests are limited to 5 an hour per account
// (RequestPerIdentifier); the limit comes before the step-up, so a refused
// request spends none, and another account is not limited.
func TestPhoneChangeIsLimitedToFivePerHourPerAccount(t *testing.T) {
	p := newPhoneEnv(t, func(c *Config, _ *Deps) { c.StepUpWindow = 2 * time.Hour }) // the step-up outlives the hour
	ctx := t.Context()
	p.registerPhone(testPhone)
	pr := p.smsPrincipal(testPhone)
	ask := func(pr Principal) error {
		return p.auth.RequestPhoneChange(ctx, pr, PhoneChangeInput{NewPhone: newPhone, Client: p.client})
	}
	for range 5 {
		requireKind(t, ask(pr), KindStepUpRequired)
	}
	requireKind(t, ask(pr), KindRateLimited)
	p.registerPhone(numberOfPrefix(1))
	requireKind(t, ask(p.smsPrincipal(numberOfPrefix(1))), KindStepUpRequired)

	require.NoError(t, p.auth.RequestStepUp(ctx, pr, p.client))
	require.NoError(t, p.auth.VerifyStepUp(ctx, pr, VerifyStepUpInput{Code: p.sms.lastSMSCode(t, testPhone), Client: p.client}))
	requireKind(t, ask(pr), KindRateLimited)
	p.clock.Advance(time.Hour)
	require.NoError(t, ask(pr), "an hour later, with the step-up the 429 did not spend")
}

// Wrong phone change codes count per account as wrong recovery codes count
// per number (smsCodePolicy): the 10th in a run answers 429 with a day's
// Retry-After and even a right code is refused until more than 24 hours
// have passed since it, so an account cannot go on guessing a code texted to
// a stranger's number to hold it.
func TestPhoneChangeTenWrongCodesLockTheAccountsChangeCodesForADay(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	p.registerPhone(testPhone)
	pr := p.smsPrincipal(testPhone)
	askCode := func() string {
		t.Helper()
		require.NoError(t, p.auth.RequestStepUp(ctx, pr, p.client))
		require.NoError(t, p.auth.VerifyStepUp(ctx, pr, VerifyStepUpInput{Code: p.sms.lastSMSCode(t, testPhone), Client: p.client}))
		require.NoError(t, p.auth.RequestPhoneChange(ctx, pr, PhoneChangeInput{NewPhone: newPhone, Client: p.client}))
		return p.sms.lastSMSCode(t, newPhone)
	}
	confirm := func(code string) error {
		return p.auth.ConfirmPhoneChange(ctx, pr, PhoneCodeInput{Code: code, Client: p.client})
	}
	code := askCode()
	for i := 1; i <= 9; i++ {
		requireCode(t, confirm(wrongCode(code)), KindUnauthorized, codeInvalidOTP, "wrong code %d", i)
	}
	tenth := p.now()
	e := requireCode(t, confirm(wrongCode(code)), KindRateLimited, codeTooManyAttempts, "the 10th")
	assert.Equal(t, 24*time.Hour, e.RetryAfter)
	requireCode(t, confirm(askCode()), KindRateLimited, codeTooManyAttempts, "a right code, within the lock")

	p.clock.Set(tenth.Add(24*time.Hour + time.Microsecond))
	require.NoError(t, confirm(askCode()), "more than 24 hours later the run restarts")
	got, err := p.store.UserByPhone(ctx, newPhone)
	require.NoError(t, err)
	assert.True(t, got.PhoneVerified)
}

// A number held unproven beside a verified email keeps nobody out
// (TestPhoneUnprovenBesideAVerifiedEmailDoesNotKeepItsOwnerOut): an owner
// who moves an existing account to it proves it with the texted code, and
// it is taken off the squatting account, as a registration takes it.
func TestPhoneChangeToANumberSquattedUnprovenReachesItsOwner(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	mallory := p.registerWithUnprovenPhone("mallory@example.com")
	owner := p.register("asha@example.com")
	pr := p.principal(p.mustLogin(owner.Email))
	p.stepUp(pr, "asha@example.com")

	require.NoError(t, p.auth.RequestPhoneChange(ctx, pr, PhoneChangeInput{NewPhone: testPhoneTyped, Client: p.client}),
		"the same answer as for a free number")
	p.drain()
	require.NoError(t, p.auth.ConfirmPhoneChange(ctx, pr, PhoneCodeInput{Code: p.sms.lastSMSCode(t, testPhone), Client: p.client}))

	p.requireTakenFromSquatter(testPhone, true, owner.ID, mallory.ID)
}
