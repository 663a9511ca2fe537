package core

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestUpdateProfileCorrectsWhatTheUserChose(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e, u := newUserEnv(t, "asha@example.in")
	e.register("ravi@example.in")
	other := e.principal(e.mustLogin("ravi@example.in"))
	require.NoError(t, errOf(e.auth.UpdateProfile(ctx, other, ProfileInput{Username: ptr("ravi")})))
	p := e.principal(e.mustLogin(u.Email))

	got, err := e.auth.UpdateProfile(ctx, p, ProfileInput{DisplayName: ptr(" आशा "), Language: ptr("hi"), Client: e.client})
	require.NoError(t, err)
	assert.Equal(t, "आशा", got.DisplayName)
	assert.Equal(t, "hi", got.Language)
	assert.Contains(t, e.eventKinds(u.ID), ports.EventProfileChanged)

	for _, tc := range []struct {
		in    ProfileInput
		field string
	}{
		{ProfileInput{Username: ptr("ab")}, "username"},
		{ProfileInput{Username: ptr("asha@home")}, "username"},
		{ProfileInput{DisplayName: ptr(strings.Repeat("x", maxDisplayNameLen+1))}, "display_name"},
		{ProfileInput{DisplayName: ptr("a\nb")}, "display_name"},
		{ProfileInput{Language: ptr("hi_IN!")}, "language"},
	} {
		ce := requireKind(t, errOf(e.auth.UpdateProfile(ctx, p, tc.in)), KindValidation)
		assert.Equal(t, tc.field, ce.Field)
	}
	requireCode(t, errOf(e.auth.UpdateProfile(ctx, p, ProfileInput{Username: ptr("RAVI")})), KindConflict, "username_taken")

	got, err = e.auth.UpdateProfile(ctx, p, ProfileInput{Username: ptr("asha_s")})
	require.NoError(t, err)
	assert.Equal(t, "आशा", got.DisplayName, "a field not given stays")
	require.NoError(t, errOf(e.login("asha_s", testPassword)), "the new username signs in")
}

func TestCorrectionNeedsManagedMode(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t, withoutLimiter(), externalMode()) // the app's own directory: its pages correct its users
	p := Principal{UserID: "usr_app", SessionID: "ses_x"}
	requireKind(t, errOf(e.auth.UpdateProfile(ctx, p, ProfileInput{})), KindForbidden)
	requireKind(t, e.auth.RequestEmailChange(ctx, p, EmailChangeInput{NewEmail: "a@example.in"}), KindForbidden)
	requireKind(t, e.auth.ConfirmEmailChange(ctx, LinkInput{Token: newToken()}), KindForbidden)
}

// changeEmail asks to move email's account to newEmail from a stepped-up
// known device and returns that session and the link token sent.
func (e *env) changeEmail(email, newEmail string) (LoginResult, string) {
	e.t.Helper()
	res := e.knownDeviceLogin(email)
	p := e.principal(res)
	e.stepUp(p, email)
	require.NoError(e.t, e.auth.RequestEmailChange(e.t.Context(), p, EmailChangeInput{NewEmail: newEmail, Client: e.client}))
	return res, e.lastToken(newEmail)
}

func TestEmailChangeMovesTheAccountAndEndsOtherSessions(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e, u := newUserEnv(t, "asha@example.in", withContact())
	elsewhere := e.mustLogin(u.Email)

	mine, token := e.changeEmail(u.Email, "Asha.New@Example.in")
	notice, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Contains(t, notice.Text, "New address: Asha.New@example.in")
	assert.Contains(t, notice.Text, "dpo@acme.example")
	require.NoError(t, errOf(e.login(u.Email, testPassword)), "nothing changes before the new address confirms")

	require.NoError(t, e.auth.ConfirmEmailChange(ctx, LinkInput{Token: token, Client: e.client}))
	requireKind(t, errOf(e.login(u.Email, testPassword)), KindUnauthorized)
	require.NoError(t, errOf(e.login("asha.new@example.in", testPassword)), "the new address signs in")
	requireKind(t, errOf(e.auth.Authenticate(ctx, elsewhere.AccessToken)), KindUnauthorized)
	require.NoError(t, errOf(e.auth.Authenticate(ctx, mine.AccessToken)), "the session that asked stays")
	assert.Contains(t, e.eventKinds(u.ID), ports.EventEmailChanged)
	requireKind(t, e.auth.ConfirmEmailChange(ctx, LinkInput{Token: token}), KindUnauthorized)
}

// An email change takes the account from the session's read where the store
// reads both at once (ports.SessionUsers); with a directory of the app's own
// (external mode), it reads the user apart.
func TestEmailChangeReadsTheUserWithTheSession(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	// Whether the flow reads the user by ID, for each way of storing users.
	readsUser := map[string]bool{"managed store": false, "app's directory": true}
	for name, storing := range map[string]func(*callLog) envOption{"managed store": countedStorage, "app's directory": counted} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			log := &callLog{}
			e, u, p := newSignedInEnv(t, "move@example.in", storing(log), withoutLimiter())
			e.drain() // the new-device notice goes before the code
			require.NoError(t, e.auth.RequestStepUp(ctx, p, e.client))
			e.drain()
			require.NoError(t, e.auth.VerifyStepUp(ctx, p, VerifyStepUpInput{Code: e.lastCode(u.Email), Client: e.client}))
			log.take()
			require.NoError(t, e.auth.RequestEmailChange(ctx, p, EmailChangeInput{NewEmail: "moved@example.in", Client: e.client}))
			calls := log.take()
			assert.Equal(t, readsUser[name], slices.Contains(calls, "UserByID"), "%v", calls)
		})
	}
}

// An email change needs a fresh step-up, and only then says whether the new
// address is taken: a stolen access token alone cannot ask who has an account.
func TestEmailChangeNeedsAFreshStepUpAndAFreeAddress(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e, u := newUserEnv(t, "asha@example.in")
	e.register("ravi@example.in")
	p := e.principal(e.knownDeviceLogin(u.Email))
	requireKind(t, e.auth.RequestEmailChange(ctx, p, EmailChangeInput{NewEmail: "new@example.in"}), KindStepUpRequired)
	requireKind(t, e.auth.RequestEmailChange(ctx, p, EmailChangeInput{NewEmail: "RAVI@example.in"}), KindStepUpRequired)
	e.stepUp(p, u.Email)
	ce := requireCode(t, e.auth.RequestEmailChange(ctx, p, EmailChangeInput{NewEmail: "RAVI@example.in"}), KindConflict, codeEmailTaken)
	ce = requireKind(t, e.auth.RequestEmailChange(ctx, p, EmailChangeInput{NewEmail: "not an email"}), KindValidation)
	assert.Equal(t, "new_email", ce.Field)
	ce = requireKind(t, e.auth.RequestEmailChange(ctx, p, EmailChangeInput{NewEmail: "ASHA@example.in"}), KindValidation)
	assert.Equal(t, "new_email", ce.Field)
	assert.Zero(t, e.mailsTo("new@example.in"))

	_, token := e.changeEmail(u.Email, "new@example.in")
	e.register("new@example.in") // taken meanwhile
	ce = requireCode(t, e.auth.ConfirmEmailChange(ctx, LinkInput{Token: token}), KindConflict, codeEmailTaken)
	require.NoError(t, errOf(e.login(u.Email, testPassword)), "the account keeps its address")
}

// An address held unproven beside a verified number keeps nobody out
// (TestRegisterUnprovenEmailBesideAVerifiedNumberDoesNotKeepItsOwnerOut): an
// owner who moves an existing account to it proves it with the link, and it
// is taken off the squatting account, as a registration takes it.
func TestEmailChangeToAnAddressSquattedUnprovenReachesItsOwner(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	mallory, err := p.auth.Register(ctx, RegisterInput{Email: "asha@example.com", Phone: testPhoneTyped, Consents: allGranted(), Client: p.client})
	require.NoError(t, err)
	p.drain()
	require.NoError(t, p.auth.VerifyPhone(ctx, VerifyPhoneInput{Phone: testPhone, Code: p.sms.lastSMSCode(t, testPhone), Client: p.client}))
	owner := p.registerPhone(newPhone)
	pr := p.smsPrincipal(newPhone)
	require.NoError(t, p.auth.RequestStepUp(ctx, pr, p.client))
	p.drain()
	require.NoError(t, p.auth.VerifyStepUp(ctx, pr, VerifyStepUpInput{Code: p.sms.lastSMSCode(t, newPhone), Client: p.client}))

	require.NoError(t, p.auth.RequestEmailChange(ctx, pr, EmailChangeInput{NewEmail: "asha@example.com", Client: p.client}),
		"the same answer as for a free address")
	p.drain()
	require.NoError(t, p.auth.ConfirmEmailChange(ctx, LinkInput{Token: p.lastToken("asha@example.com"), Client: p.client}))

	p.requireTakenFromSquatter("asha@example.com", false, owner.ID, mallory.ID)
}

// Email change requests are limited to 5 an hour per account
// (RequestPerIdentifier), as phone change requests are: each one mails a
// link to an address the caller names and tells whether it is taken, so an
// account with a PIN (a step-up for the asking) could otherwise walk
// addresses or mail-bomb a stranger's inbox. The limit comes before the
// step-up, so a refused request spends none.
func TestEmailChangeIsLimitedToFivePerHourPerAccount(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *Deps) { c.StepUpWindow = 2 * time.Hour })
	ctx := t.Context()
	u := e.register("asha@example.in")
	res, err := e.loginFrom(u.Email, testPassword, fpA, true) // on a public device every correct PIN is a step-up
	require.NoError(t, err)
	p := e.principal(res)
	e.stepUp(p, u.Email)
	require.NoError(t, e.auth.SetPIN(ctx, p, SetPINInput{PIN: testPIN, Client: e.client}))
	stepUp := func() { require.NoError(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: testPIN, Client: e.client})) }
	ask := func() error {
		return e.auth.RequestEmailChange(ctx, p, EmailChangeInput{NewEmail: "stranger@example.in", Client: e.client})
	}
	for range 5 {
		stepUp()
		require.NoError(t, ask())
	}
	stepUp()
	requireKind(t, ask(), KindRateLimited)
	assert.Equal(t, 5, e.mailsTo("stranger@example.in"))
	e.clock.Advance(time.Hour)
	require.NoError(t, ask(), "an hour later, with the step-up the 429 did not spend")
}
