package core

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestChangePasswordNeedsAStepUpOnANewDevice(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "newdev@example.in")
	p := e.principal(e.mustLogin(u.Email)) // no fingerprint: a new device

	requireKind(t, e.changePassword(p, testPassword, newPassword, false), KindStepUpRequired)
	require.NoError(t, errOf(e.login(u.Email, testPassword)), "refused: the password is unchanged")

	e.stepUp(p, u.Email)
	require.NoError(t, e.changePassword(p, testPassword, newPassword, false))
	require.NoError(t, errOf(e.login(u.Email, newPassword)))
}

func TestChangePasswordWrongCurrentPasswordCountsTowardTheLock(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "wrongcur@example.in")
	p := e.principal(e.knownDeviceLogin(u.Email)) // on device fpA

	for i := 1; i <= 4; i++ {
		requireCode(t, e.changePassword(p, "not my password", newPassword, false), KindUnauthorized, codeInvalidCredentials, "attempt %d", i)
		assert.Equal(t, i, e.deviceLockState(u.ID, fpA).Failures, "counted on the session's verified device")
	}
	ce := requireKind(t, e.changePassword(p, "not my password", newPassword, false), KindLocked)
	assert.Equal(t, testStart.Add(7*time.Minute), ce.LockedUntil, "the 5th answers 423")
	assert.False(t, ce.RequiresEmailVerify)

	requireKind(t, e.changePassword(p, testPassword, newPassword, false), KindLocked)
	assert.Equal(t, 5, e.deviceLockState(u.ID, fpA).Failures, "a refused attempt is not counted")
	requireKind(t, errOf(e.loginFrom(u.Email, testPassword, fpA, false)), KindLocked)
	assert.Contains(t, e.eventKinds(u.ID), ports.EventAccountLocked)
	assert.Zero(t, e.lockState(u.ID).Failures, "the account's other clients are not locked by this device")

	e.clock.Advance(7 * time.Minute)
	requireKind(t, errOf(e.loginFrom(u.Email, newPassword, fpA, false)), KindUnauthorized)
	require.NoError(t, errOf(e.loginFrom(u.Email, testPassword, fpA, false)), "nothing was changed")
}

func TestChangePasswordRejectsABadNewPasswordWithoutCounting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		next    string
		current string
		field   string
		reason  string
	}{
		{name: "too short", current: testPassword, next: "short1", field: "new_password", reason: "too short"},
		{name: "too common", current: testPassword, next: "password123", field: "new_password", reason: "too common"},
		{name: "contains the email", current: testPassword, next: "x-ravi.kumar@example.in-x", field: "new_password", reason: "email"},
		{name: "contains the local part", current: testPassword, next: "RAVI.KUMAR forever and ever", field: "new_password", reason: "email"},
		{name: "too long", current: testPassword, next: strings.Repeat("ab", 200), field: "new_password", reason: "too long"},
		{name: "no current password", current: "", next: newPassword, field: "current_password", reason: "required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, u := newUserEnv(t, "ravi.kumar@example.in")
			p := e.principal(e.knownDeviceLogin(u.Email))
			mails := e.mailsTo(u.Email)
			hash := e.passwordHash(u.ID)

			ce := requireKind(t, e.changePassword(p, tc.current, tc.next, true), KindValidation)
			assert.Equal(t, tc.field, ce.Field)
			assert.Contains(t, ce.Message, tc.reason, "a rejection says why")
			assert.Zero(t, e.lockState(u.ID).Failures)
			assert.Equal(t, hash, e.passwordHash(u.ID))
			assert.Equal(t, mails, e.mailsTo(u.Email), "no change, no email")
			assert.NotContains(t, e.eventKinds(u.ID), ports.EventPasswordChanged)
			e.principal(e.mustLogin(u.Email))
		})
	}
}

func TestChangePasswordCanEndTheOtherSessions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		endOthers bool
	}{
		{name: "end the others", endOthers: true},
		{name: "keep the others", endOthers: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, u := newUserEnv(t, "others@example.in")
			ctx := t.Context()
			phone := e.mustLogin(u.Email)
			laptop := e.mustLogin(u.Email)
			current := e.knownDeviceLogin(u.Email)

			require.NoError(t, e.changePassword(e.principal(current), testPassword, newPassword, tc.endOthers))

			e.principal(current)
			require.NoError(t, errOf(e.auth.Refresh(ctx, RefreshInput{RefreshToken: current.RefreshToken, Client: e.client})), "the current session always survives")
			for _, other := range []LoginResult{phone, laptop} {
				_, err := e.auth.Authenticate(ctx, other.AccessToken)
				_, refreshErr := e.auth.Refresh(ctx, RefreshInput{RefreshToken: other.RefreshToken, Client: e.client})
				if tc.endOthers {
					requireKind(t, err, KindUnauthorized)
					requireKind(t, refreshErr, KindUnauthorized)
				} else {
					require.NoError(t, err)
					require.NoError(t, refreshErr)
				}
			}
		})
	}
}

func TestChangePasswordEmailsAndRecordsTheChange(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "notify@example.in")
	p := e.principal(e.knownDeviceLogin(u.Email))
	_, _ = e.login(u.Email, "one wrong guess")
	require.Equal(t, 1, e.lockState(u.ID).Failures)

	require.NoError(t, e.changePassword(p, testPassword, newPassword, false))

	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Equal(t, "Your BharatAuth password was changed", m.Subject)
	assert.Contains(t, m.Text, testIP)
	assert.NotContains(t, m.Text, newPassword)
	assert.NotContains(t, m.HTML, newPassword)
	assert.Contains(t, e.eventKinds(u.ID), ports.EventPasswordChanged)
	assert.Equal(t, 1, e.lockState(u.ID).Failures,
		"a change from a verified device clears that device's counter, not the failures others caused")

	requireKind(t, errOf(e.login(u.Email, testPassword)), KindUnauthorized)
	require.NoError(t, errOf(e.login(u.Email, newPassword)))
}

func TestChangePasswordOfAnEndedSession(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "ended@example.in")
	res := e.knownDeviceLogin(u.Email)
	p := e.principal(res)
	require.NoError(t, e.auth.Logout(t.Context(), RefreshInput{RefreshToken: res.RefreshToken, Client: e.client}))
	requireCode(t, e.changePassword(p, testPassword, newPassword, false), KindUnauthorized, codeInvalidToken)
}

func TestConfirmPasswordResetInputRules(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, tc := range []struct {
		name       string
		token      func(link string) string
		password   string
		kind       Kind
		field      string
		linkBurned bool
	}{
		{name: "too short keeps the link", token: func(l string) string { return l }, password: "short",
			kind: KindValidation, field: "new_password"},
		{name: "too common keeps the link", token: func(l string) string { return l }, password: "password123",
			kind: KindValidation, field: "new_password"},
		{name: "containing the email uses up the link", token: func(l string) string { return l },
			password: "reset.me@example.in is mine", kind: KindValidation, field: "new_password", linkBurned: true},
		{name: "malformed token", token: func(string) string { return "not-a-token" }, password: newPassword,
			kind: KindValidation, field: "token"},
		{name: "unknown token", token: func(string) string { return newToken() }, password: newPassword,
			kind: KindUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, u := newUserEnv(t, "reset.me@example.in")
			require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
			link := e.lastToken(u.Email)

			err := errOf(e.auth.ConfirmPasswordReset(ctx, ConfirmPasswordResetInput{Token: tc.token(link), NewPassword: tc.password, Client: e.client}))
			ce := requireKind(t, err, tc.kind)
			assert.Equal(t, tc.field, ce.Field)
			require.NoError(t, errOf(e.login(u.Email, testPassword)), "the password is unchanged")

			err = errOf(e.auth.ConfirmPasswordReset(ctx, ConfirmPasswordResetInput{Token: link, NewPassword: newPassword, Client: e.client}))
			if tc.linkBurned {
				requireKind(t, err, KindUnauthorized)
				return
			}
			require.NoError(t, err)
		})
	}
}

func TestConfirmPasswordResetClearsAHardLockAndEndsEverySession(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "hard@example.in")
	ctx := t.Context()
	a := e.mustLogin(u.Email)
	b := e.mustLogin(u.Email)
	e.hardLock(u.Email)
	require.True(t, e.lockState(u.ID).HardLocked)

	require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
	require.NoError(t, errOf(e.auth.ConfirmPasswordReset(ctx, ConfirmPasswordResetInput{Token: e.lastToken(u.Email), NewPassword: newPassword, Client: e.client})))

	for _, res := range []LoginResult{a, b} {
		requireKind(t, errOf(e.auth.Authenticate(ctx, res.AccessToken)), KindUnauthorized)
	}
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Equal(t, "Your BharatAuth password was changed", m.Subject)
	assert.False(t, e.lockState(u.ID).HardLocked)
	require.NoError(t, errOf(e.login(u.Email, newPassword)))
}

// A public device's one-action step-up is not used up by a typo.
func TestBadNewPasswordDoesNotUseUpAPublicStepUp(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "kiosk@example.in")
	home := e.principal(e.knownDeviceLogin("kiosk@example.in"))
	ctx := t.Context()
	require.NoError(t, e.auth.SetPIN(ctx, home, SetPINInput{PIN: testPIN, Client: e.client}))
	res, err := e.loginFrom("kiosk@example.in", testPassword, fpB, true)
	require.NoError(t, err)
	p := e.principal(res)
	require.NoError(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: testPIN, Client: e.client}))
	requireKind(t, e.changePassword(p, testPassword, "short", false), KindValidation)
	require.NoError(t, e.changePassword(p, testPassword, "a brand new passphrase", false))
}
