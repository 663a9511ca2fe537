package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Email verification and the account pre-hijacking defence: anyone can
// register an address they do not own.

func TestAnUnverifiedRegistrantCannotSignInWithThePassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	u := e.registerUnverified("victim@example.in")
	requireKind(t, errOf(e.login(u.Email, testPassword)), KindEmailNotVerified)
	sessions := inStore(e, e.store.Sessions, u.ID)
	assert.Empty(t, sessions, "no session for an unproven address")
}

// preHijacked is an account an attacker registered with the victim's address
// and signed in to, in an app that allows unverified sign-in.
func preHijacked(t *testing.T) (*env, ports.User, LoginResult) {
	t.Helper()
	e := newEnv(t, withoutLimiter(), allowUnverifiedEmail())
	u := e.registerUnverified("victim@example.in")
	attacker, err := e.login(u.Email, testPassword)
	require.NoError(t, err)
	return e, u, attacker
}

func TestProvingTheInboxByCodeEndsTheRegistrantsSessionsAndPassword(t *testing.T) {
	t.Parallel()
	e, u, attacker := preHijacked(t)
	ctx := t.Context()
	owner, err := e.verifyOTP(u.Email, e.requestOTP(u.Email, ""), "")
	require.NoError(t, err)
	assert.True(t, owner.User.EmailVerified)

	requireKind(t, errOf(e.auth.Authenticate(ctx, attacker.AccessToken)), KindUnauthorized)
	requireKind(t, errOf(e.auth.Refresh(ctx, RefreshInput{RefreshToken: attacker.RefreshToken, Client: e.client})), KindUnauthorized)
	_, err = e.login(u.Email, testPassword)
	requireKind(t, err, KindUnauthorized) // the registrant's password is gone
	assert.Empty(t, e.passwordHash(u.ID))
	require.NoError(t, errOf(e.auth.Authenticate(ctx, owner.AccessToken)), "the owner's own session lives")

	require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
	require.NoError(t, errOf(e.auth.ConfirmPasswordReset(ctx, ConfirmPasswordResetInput{Token: e.lastToken(u.Email), NewPassword: newPassword, Client: e.client})))
	require.NoError(t, errOf(e.login(u.Email, newPassword)), "the owner sets a password by reset")
}

func TestProvingTheInboxByResetLinkEndsTheRegistrantsSessions(t *testing.T) {
	t.Parallel()
	e, u, attacker := preHijacked(t)
	ctx := t.Context()
	require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
	require.NoError(t, errOf(e.auth.ConfirmPasswordReset(ctx, ConfirmPasswordResetInput{Token: e.lastToken(u.Email), NewPassword: newPassword, Client: e.client})))
	requireKind(t, errOf(e.auth.Authenticate(ctx, attacker.AccessToken)), KindUnauthorized)
	requireKind(t, errOf(e.login(u.Email, testPassword)), KindUnauthorized)
	res, err := e.login(u.Email, newPassword)
	require.NoError(t, err)
	assert.True(t, res.User.EmailVerified)
}

func TestTheRegistrationsOwnLinkKeepsItsSessionAndPassword(t *testing.T) {
	t.Parallel()
	e, u, registrant := preHijacked(t)
	ctx := t.Context()
	// The link went to the address given at registration: whoever clicks it is
	// the registrant and the owner at once.
	link := tokenRE.FindStringSubmatch(e.outbox.Messages()[0].Text) // the registration's email
	require.Len(t, link, 2)
	require.NoError(t, e.auth.VerifyEmail(ctx, LinkInput{Token: link[1], Client: e.client}))
	require.NoError(t, errOf(e.auth.Authenticate(ctx, registrant.AccessToken)))
	require.NoError(t, errOf(e.login(u.Email, testPassword)))
	assert.Contains(t, e.eventKinds(u.ID), ports.EventEmailVerified)
}

func TestAVerifiedAccountsSessionsSurviveAnOTPLogin(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "settled@example.in")
	first := e.mustLogin(u.Email)
	require.NoError(t, errOf(e.verifyOTP(u.Email, e.requestOTP(u.Email, ""), "")))
	require.NoError(t, errOf(e.auth.Authenticate(t.Context(), first.AccessToken)), "the defence runs only for a first proof")
	assert.NotEmpty(t, e.passwordHash(u.ID))
}

func TestRequireVerifiedEmail(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		opts    []envOption
		blocked bool
	}{
		{name: "required (the default)", opts: []envOption{withoutLimiter()}, blocked: true},
		{name: "not required", opts: []envOption{withoutLimiter(), allowUnverifiedEmail()}, blocked: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.opts...)
			u := e.registerUnverified("verify.me@example.in")
			link := e.lastToken(u.Email)

			_, err := e.login(u.Email, testPassword)
			if !tc.blocked {
				require.NoError(t, err)
				return
			}
			requireKind(t, err, KindEmailNotVerified)
			assert.Equal(t, 2, e.mailsTo(u.Email), "the refusal sent the link again")
			resent := e.lastToken(u.Email)
			_, err = e.login(u.Email, "wrong password!")
			requireKind(t, err, KindUnauthorized) // the check follows the password check

			require.NoError(t, e.auth.VerifyEmail(t.Context(), LinkInput{Token: resent, Client: e.client}))
			res, err := e.login(u.Email, testPassword)
			require.NoError(t, err)
			assert.True(t, res.User.EmailVerified)
			assert.Contains(t, e.eventKinds(u.ID), ports.EventEmailVerified)

			requireKind(t, e.auth.VerifyEmail(t.Context(), LinkInput{Token: link, Client: e.client}), KindUnauthorized)
		})
	}
}

// Pre-hijacking: the registrant of someone else's address loses sessions and
// password at the owner's first OTP login, but the display name they chose
// stays, and from then on (the address is verified) it greets the owner in
// every genuine email from the app.
func TestARegistrantsDisplayNameDoesNotSurviveTheOwnersProof(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	const bait = "Pay Rs 1 at evil.example to keep this account"
	_, err := e.auth.Register(ctx, RegisterInput{Email: "victim@example.in", Password: testPassword,
		Username: "victim_pay", DisplayName: bait, Consents: allGranted(),
		Client: Client{IP: "198.51.100.5", UserAgent: "registrant"}})
	require.NoError(t, err)

	require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: "victim@example.in", DeviceFingerprint: fpA, Client: e.client}))
	_, err = e.auth.VerifyOTP(ctx, VerifyOTPInput{Identifier: "victim@example.in", Code: e.lastCode("victim@example.in"),
		DeviceFingerprint: fpA, Client: e.client})
	require.NoError(t, err)

	require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: "victim@example.in", Client: e.client}))
	m, ok := e.outbox.Last("victim@example.in")
	require.True(t, ok)
	assert.NotContains(t, m.ToName, "evil.example")
	assert.NotContains(t, m.Text, "evil.example")
}

func TestEmailVerificationLinkLasts24Hours(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		after int // hours
		ok    bool
	}{{name: "23h", after: 23, ok: true}, {name: "24h", after: 24, ok: false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			u := e.register("link@example.in")
			token := e.lastToken(u.Email)
			e.clock.Advance(time.Duration(tc.after) * time.Hour)
			err := e.auth.VerifyEmail(t.Context(), LinkInput{Token: token, Client: e.client})
			if !tc.ok {
				requireKind(t, err, KindTokenExpired)
				return
			}
			require.NoError(t, err)
			assert.True(t, mustUser(t, e, u.Email).EmailVerified)
		})
	}
}

// A registrant who hard-locks the account on purpose has the unlock link sent
// to the owner; opening it proves the inbox like any other link.
func TestAnUnlockLinkProvesTheInboxWithTheDefence(t *testing.T) {
	t.Parallel()
	e, u, registrant := preHijacked(t)
	ctx := t.Context()
	require.NoError(t, e.auth.RequestUnlock(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
	res, err := e.auth.ConfirmUnlock(ctx, ConfirmUnlockInput{Token: e.lastToken(u.Email), DeviceFingerprint: fpA, Client: e.client})
	require.NoError(t, err)
	assert.True(t, res.User.EmailVerified)
	assert.Equal(t, TrustKnown, res.Trust)
	requireKind(t, errOf(e.auth.Authenticate(ctx, registrant.AccessToken)), KindUnauthorized)
	assert.Empty(t, e.passwordHash(u.ID), "the registrant's password is gone")
}
