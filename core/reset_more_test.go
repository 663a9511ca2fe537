package core

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestConfirmPasswordResetInputRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
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
			e := newEnv(t, withoutLimiter())
			u := e.register("reset.me@example.in")
			require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
			link := e.lastToken(u.Email)

			err := errOf(e.auth.ConfirmPasswordReset(ctx, ConfirmPasswordResetInput{Token: tc.token(link), NewPassword: tc.password, Client: e.client}))
			ce := requireKind(t, err, tc.kind)
			assert.Equal(t, tc.field, ce.Field)
			_, err = e.login(u.Email, testPassword)
			require.NoError(t, err, "the password is unchanged")

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
	e := newEnv(t, withoutLimiter())
	u := e.register("hard@example.in")
	ctx := context.Background()
	a := e.mustLogin(u.Email)
	b := e.mustLogin(u.Email)
	for i := 0; i < 5; i++ {
		_, _ = e.login(u.Email, "a wrong password")
	}
	e.clock.Advance(e.auth.cfg.Lockout.SoftLockFor)
	for i := 0; i < 5; i++ {
		_, _ = e.login(u.Email, "a wrong password")
	}
	require.True(t, e.lockState(u.ID).HardLocked)

	require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
	require.NoError(t, errOf(e.auth.ConfirmPasswordReset(ctx, ConfirmPasswordResetInput{Token: e.lastToken(u.Email), NewPassword: newPassword, Client: e.client})))

	for _, res := range []LoginResult{a, b} {
		_, err := e.auth.Authenticate(ctx, res.AccessToken)
		requireKind(t, err, KindUnauthorized)
	}
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Equal(t, "Your BharatAuth password was changed", m.Subject)
	assert.False(t, e.lockState(u.ID).HardLocked)
	_, err := e.login(u.Email, newPassword)
	require.NoError(t, err)
}

func TestRegisterInputRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		in    RegisterInput
		field string
	}{
		{name: "no email", in: RegisterInput{Email: "  "}, field: "email"},
		{name: "domain without a dot", in: RegisterInput{Email: "asha@localhost"}, field: "email"},
		{name: "short username", in: RegisterInput{Email: "a@example.in", Username: "as"}, field: "username"},
		{name: "long username", in: RegisterInput{Email: "a@example.in", Username: strings.Repeat("a", 33)}, field: "username"},
		{name: "non-ascii username", in: RegisterInput{Email: "a@example.in", Username: "आशा_01"}, field: "username"},
		{name: "username with a space", in: RegisterInput{Email: "a@example.in", Username: "asha k"}, field: "username"},
		{name: "password containing the username", in: RegisterInput{Email: "a@example.in", Username: "ashak",
			Password: "i am ASHAK indeed"}, field: "password"},
		{name: "display name of 101 characters", in: RegisterInput{Email: "a@example.in", DisplayName: strings.Repeat("अ", 101)}, field: "display_name"},
		{name: "display name with a newline", in: RegisterInput{Email: "a@example.in", DisplayName: "Asha\nBcc: x"}, field: "display_name"},
		{name: "language with an underscore", in: RegisterInput{Email: "a@example.in", Language: "en_IN"}, field: "language"},
		{name: "overlong language", in: RegisterInput{Email: "a@example.in", Language: strings.Repeat("a", 36)}, field: "language"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withoutLimiter())
			in := tc.in
			if in.Password == "" {
				in.Password = testPassword
			}
			in.Consents = allGranted()
			_, err := e.auth.Register(context.Background(), in)
			ce := requireKind(t, err, KindValidation)
			assert.Equal(t, tc.field, ce.Field)
			assert.Zero(t, e.outbox.Len(), "nothing is written or sent")
		})
	}
}

func TestRegisterAcceptsAFullProfile(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	ctx := context.Background()
	u, err := e.auth.Register(ctx, RegisterInput{Email: " asha@example.in ", Password: testPassword, Username: "asha.k-01",
		DisplayName: " आशा कुमारी ", Language: "hi-IN", Consents: allGranted(), NoticeVersion: "1.0.0", Client: e.client})
	require.NoError(t, err)
	assert.Equal(t, "asha@example.in", u.Email)
	assert.Equal(t, "asha.k-01", u.Username)
	assert.Equal(t, "आशा कुमारी", u.DisplayName)
	assert.Equal(t, "hi-IN", u.Language)

	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Empty(t, m.ToName, "the address is not verified yet: no chosen name in mail to it")

	require.NoError(t, e.auth.VerifyEmail(ctx, LinkInput{Token: e.lastToken(u.Email), Client: e.client}))
	_, err = e.login("asha.k-01", testPassword)
	require.NoError(t, err, "the username signs in too")

	_, err = e.auth.Register(ctx, RegisterInput{Email: "other@example.in", Password: testPassword, Username: "asha.k-01",
		Consents: allGranted(), Client: e.client})
	ce := requireKind(t, err, KindConflict)
	assert.Equal(t, codeEmailTaken, ce.Code)
	_, err = e.store.UserByEmail(ctx, "other@example.in")
	require.ErrorIs(t, err, ports.ErrNotFound)
}
