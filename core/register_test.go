package core

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Every length limit of registration, on both sides of the line.
func TestRegisterInputLimits(t *testing.T) {
	t.Parallel()
	// 35 bytes: a language tag as long as one may be.
	tag35 := "abcdefgh-abcdefgh-abcdefgh-abcdefgh"
	for _, tc := range []struct {
		name  string
		in    RegisterInput
		field string // "" when accepted
	}{
		{name: "email of 254 bytes", in: RegisterInput{Email: emailOfLen(254)}},
		{name: "email of 255 bytes", in: RegisterInput{Email: emailOfLen(255)}, field: "email"},
		{name: "username of 3", in: RegisterInput{Email: "a@example.in", Username: "abc"}},
		{name: "username of 2", in: RegisterInput{Email: "a@example.in", Username: "ab"}, field: "username"},
		{name: "username of 32", in: RegisterInput{Email: "a@example.in", Username: strings.Repeat("a", 32)}},
		{name: "username of 33", in: RegisterInput{Email: "a@example.in", Username: strings.Repeat("a", 33)}, field: "username"},
		{name: "display name of 100 code points", in: RegisterInput{Email: "a@example.in", DisplayName: strings.Repeat("अ", 100)}},
		{name: "display name of 101 code points", in: RegisterInput{Email: "a@example.in", DisplayName: strings.Repeat("अ", 101)}, field: "display_name"},
		{name: "display name starting with NUL", in: RegisterInput{Email: "a@example.in", DisplayName: "\x00Asha"}, field: "display_name"},
		{name: "display name starting with ESC", in: RegisterInput{Email: "a@example.in", DisplayName: "\x1b[31mAsha"}, field: "display_name"},
		{name: "display name starting with DEL", in: RegisterInput{Email: "a@example.in", DisplayName: "\x7fAsha"}, field: "display_name"},
		{name: "language tag of 35", in: RegisterInput{Email: "a@example.in", Language: tag35, NoticeLanguage: "en"}},
		{name: "language tag of 36", in: RegisterInput{Email: "a@example.in", Language: tag35 + "a"}, field: "language"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withoutLimiter())
			in := tc.in
			in.Password, in.Consents, in.Client = testPassword, allGranted(), e.client
			u, err := e.auth.Register(t.Context(), in)
			if tc.field == "" {
				require.NoError(t, err)
				assert.Equal(t, in.Email, u.Email)
				assert.Equal(t, in.Username, u.Username)
				assert.Equal(t, in.DisplayName, u.DisplayName)
				assert.Equal(t, in.Language, u.Language)
				return
			}
			ce := requireKind(t, err, KindValidation)
			assert.Equal(t, tc.field, ce.Field)
			assert.Zero(t, e.outbox.Len(), "nothing is written or sent")
		})
	}
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
			_, err := e.auth.Register(t.Context(), in)
			ce := requireKind(t, err, KindValidation)
			assert.Equal(t, tc.field, ce.Field)
			assert.Zero(t, e.outbox.Len(), "nothing is written or sent")
		})
	}
}

func TestRegisterAcceptsAFullProfile(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	ctx := t.Context()
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
	require.NoError(t, errOf(e.login("asha.k-01", testPassword)), "the username signs in too")

	_, err = e.auth.Register(ctx, RegisterInput{Email: "other@example.in", Password: testPassword, Username: "asha.k-01",
		Consents: allGranted(), Client: e.client})
	requireCode(t, err, KindConflict, codeEmailTaken)
	_, err = e.store.UserByEmail(ctx, "other@example.in")
	require.ErrorIs(t, err, ports.ErrNotFound)
}

func TestRegisterInExternalModeIsForbidden(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter(), externalMode())
	_, err := e.auth.Register(t.Context(), RegisterInput{Email: "ext@example.in", Password: testPassword,
		Consents: allGranted(), Client: e.client})
	requireKind(t, err, KindForbidden)
	_, err = e.store.UserByEmail(t.Context(), "ext@example.in")
	require.ErrorIs(t, err, ports.ErrNotFound)
	assert.Zero(t, e.outbox.Len())
}

func TestRegistrationIsLimitedTo20PerHourPerIP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	for i := 0; i < 20; i++ {
		require.NoError(t, errOf(e.auth.Register(ctx, RegisterInput{Email: distinct(i), Password: testPassword, Consents: allGranted(), Client: e.client})), "registration %d", i+1)
	}
	requireKind(t, errOf(e.auth.Register(ctx, RegisterInput{Email: distinct(20), Password: testPassword, Consents: allGranted(), Client: e.client})), KindRateLimited)
	e.clock.Advance(time.Hour - time.Second)
	requireKind(t, errOf(e.auth.Register(ctx, RegisterInput{Email: distinct(20), Password: testPassword, Consents: allGranted(), Client: e.client})), KindRateLimited)
	e.clock.Advance(time.Second)
	require.NoError(t, errOf(e.auth.Register(ctx, RegisterInput{Email: distinct(21), Password: testPassword, Consents: allGranted(), Client: e.client})))
}

func TestRegistrationOfATakenEmailRunsNoHash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.register("taken@example.in")
	before := e.auth.hasher.Hashes()
	requireKind(t, errOf(e.auth.Register(t.Context(), RegisterInput{Email: "Taken@example.in", Password: testPassword, Consents: allGranted(), Client: e.client})), KindConflict)
	assert.Equal(t, before, e.auth.hasher.Hashes())
	require.NoError(t, errOf(e.auth.Register(t.Context(), RegisterInput{Email: "fresh@example.in", Password: testPassword, Consents: allGranted(), Client: e.client})))
	assert.Equal(t, before+1, e.auth.hasher.Hashes(), "the counter sees a registration's hash")
}

func TestRegistrationIsOneWriteWithItsConsents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.register("atomic@example.in")
	history := inStore(e, e.store.ConsentHistory, u.ID)
	require.Len(t, history, len(DefaultCategories()))
	report, err := e.auth.Admin().VerifyConsentChain(t.Context(), u.ID)
	require.NoError(t, err)
	assert.True(t, report.Intact)
	events := inStore(e, e.store.Events, u.ID)
	assert.Len(t, events, len(DefaultCategories()), "one consent_changed event per decision")
}

func TestRegistrationWritesNothingOnBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	for _, tc := range []struct {
		name  string
		in    RegisterInput
		kind  Kind
		field string
	}{
		{name: "bad email", in: RegisterInput{Email: "not-an-email", Password: testPassword, Consents: allGranted()}, kind: KindValidation, field: "email"},
		{name: "display-name email", in: RegisterInput{Email: "Asha <asha@example.in>", Password: testPassword, Consents: allGranted()}, kind: KindValidation, field: "email"},
		{name: "sql in email", in: RegisterInput{Email: "x'; DROP TABLE ba_users;--@example.in", Password: testPassword, Consents: allGranted()}, kind: KindValidation, field: "email"},
		{name: "huge email", in: RegisterInput{Email: strings.Repeat("a", 300) + "@example.in", Password: testPassword, Consents: allGranted()}, kind: KindValidation, field: "email"},
		{name: "short password", in: RegisterInput{Email: "a@example.in", Password: "1234567", Consents: allGranted()}, kind: KindValidation, field: "password"},
		{name: "common password", in: RegisterInput{Email: "a@example.in", Password: "password123", Consents: allGranted()}, kind: KindValidation, field: "password"},
		{name: "bad username", in: RegisterInput{Email: "a@example.in", Username: "a@b", Password: testPassword, Consents: allGranted()}, kind: KindValidation, field: "username"},
		{name: "invalid utf-8 name", in: RegisterInput{Email: "a@example.in", DisplayName: "\xff", Password: testPassword, Consents: allGranted()}, kind: KindValidation, field: "display_name"},
		{name: "old notice", in: RegisterInput{Email: "a@example.in", Password: testPassword, Consents: allGranted(), NoticeVersion: "0.9"}, kind: KindValidation, field: "notice_version"},
		{name: "consent missing", in: RegisterInput{Email: "a@example.in", Password: testPassword}, kind: KindConsentRequired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ce := requireKind(t, mustFail(e.auth.Register(ctx, tc.in)), tc.kind)
			assert.Equal(t, tc.field, ce.Field)
		})
	}
	_, err := e.store.UserByEmail(ctx, "a@example.in")
	assert.ErrorIs(t, err, ports.ErrNotFound)
	assert.Zero(t, e.outbox.Len())
}

func mustFail(_ ports.User, err error) error { return err }

func TestRegisterTakenEmailIsAConflict(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.register("taken@example.in")
	_, err := e.auth.Register(t.Context(), RegisterInput{Email: "TAKEN@example.in", Password: testPassword, Consents: allGranted()})
	assert.Equal(t, codeEmailTaken, requireKind(t, err, KindConflict).Code)
}

// A display name goes into emails and admin screens, so it is plain text:
// a control character is refused wherever it stands, the first position
// included. (Leading whitespace controls such as a tab are trimmed instead.)
func TestRegisterRefusesControlCharacterAtStartOfDisplayName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		display string
	}{
		{name: "escape sequence first", display: "\x1b[2JAsha"},
		{name: "nul first", display: "\x00Asha"},
		{name: "delete first", display: "\x7fAsha"},
		{name: "only a control character", display: "\x1b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withoutLimiter())
			_, err := e.auth.Register(t.Context(), RegisterInput{Email: "asha@example.in", Password: testPassword,
				DisplayName: tc.display, Consents: allGranted(), Client: e.client})
			ce := requireKind(t, err, KindValidation)
			assert.Equal(t, "display_name", ce.Field)
			assert.Zero(t, e.outbox.Len(), "nothing is written or sent")
		})
	}
}

// With phone numbers on, a new username with no letter and 7 or more digits
// is refused: a number typed without "+" is looked up as a username, so the
// username "9876543210" would get the codes the number's owner asks for. A
// username chosen before stays, also through a later profile correction.
func TestUsernameOfDigitsCannotShadowAPhoneNumber(t *testing.T) {
	ctx := t.Context()
	p := newPhoneEnv(t, withoutLimiter())
	for i, tc := range []struct {
		username string
		refused  bool
	}{
		{"9876543210", true}, {"98765-43210", true}, {"098.765.43210", true}, {"1234567", true},
		{"123456", false}, {"12-34-56", false}, {"asha9876543210", false}, {"9876543210a", false},
	} {
		_, err := p.auth.Register(ctx, RegisterInput{Email: fmt.Sprintf("u%d@example.com", i), Username: tc.username,
			Password: testPassword, Consents: allGranted(), Client: p.client})
		if !tc.refused {
			require.NoError(t, err, tc.username)
			continue
		}
		e := requireCode(t, err, KindValidation, codeUsernameLikePhone, tc.username)
		assert.Equal(t, "username", e.Field)
	}
	_, err := p.store.UserByEmail(ctx, "u0@example.com")
	require.ErrorIs(t, err, ports.ErrNotFound, "nothing written")

	off, _ := newUserEnv(t, "asha@example.in")
	_, err = off.auth.Register(ctx, RegisterInput{Email: "ravi@example.in", Username: "9876543210", Password: testPassword,
		Consents: allGranted(), Client: off.client})
	require.NoError(t, err, "without phone numbers a username of digits shadows nothing")

	u := p.register("old@example.com")
	_, err = p.store.UpdateProfile(ctx, u.ID, ports.Profile{Username: "9123456789"}) // chosen before the rule
	require.NoError(t, err)
	pr := p.principal(p.mustLogin(u.Email))
	got, err := p.auth.UpdateProfile(ctx, pr, ProfileInput{DisplayName: ptr("Old"), Client: p.client})
	require.NoError(t, err, "a username chosen before is kept")
	assert.Equal(t, "9123456789", got.Username)
	_, err = p.auth.UpdateProfile(ctx, pr, ProfileInput{Username: ptr("9123456780"), Client: p.client})
	requireCode(t, err, KindValidation, codeUsernameLikePhone)
}

// An email its account never proved does not keep its owner out (DESIGN §4,
// pre-hijacking): beside a verified number it is taken off that account when
// its owner registers with it, and the link mailed for it before no longer
// verifies anything.
func TestRegisterUnprovenEmailBesideAVerifiedNumberDoesNotKeepItsOwnerOut(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	mallory := p.registerEmailAndPhone("asha@example.com")
	p.drain()
	require.NoError(t, p.auth.VerifyPhone(ctx, VerifyPhoneInput{Phone: testPhone, Code: p.sms.lastSMSCode(t, testPhone), Client: p.client}))
	staleLink := p.lastToken("asha@example.com")

	owner, err := p.auth.Register(ctx, RegisterInput{Email: "Asha@example.com", Password: testPassword, Consents: allGranted(), Client: p.client})
	require.NoError(t, err, "the same answer as for a free address")
	p.drain()
	err = p.auth.VerifyEmail(ctx, LinkInput{Token: staleLink, Client: p.client})
	requireCode(t, err, KindUnauthorized, codeInvalidToken)
	require.NoError(t, p.auth.VerifyEmail(ctx, LinkInput{Token: p.lastToken("asha@example.com"), Client: p.client}))
	found, err := p.store.UserByEmail(ctx, "asha@example.com")
	require.NoError(t, err)
	assert.Equal(t, owner.ID, found.ID)
	assert.True(t, found.EmailVerified)
	m, err := p.store.UserByID(ctx, mallory.ID)
	require.NoError(t, err)
	assert.Empty(t, m.Email, "the squatting account keeps its number only")
	assert.False(t, m.EmailVerified)
	assert.Equal(t, testPhone, m.Phone)
	assert.Equal(t, []string{"email"}, p.eventDetails(mallory.ID, ports.EventUnprovenIdentifierReleased))
	_, err = p.login("asha@example.com", testPassword)
	require.NoError(t, err)
}

// A registrant may name two identifiers held unproven, each by an account
// that proved its other one: both are released, not the first alone.
func TestRegisterReleasesBothItsUnprovenIdentifiers(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	phoneHolder := p.registerWithUnprovenPhone("mallory@example.com")
	emailHolder, err := p.auth.Register(ctx, RegisterInput{Email: "asha@example.com", Phone: newPhone, Consents: allGranted(), Client: p.client})
	require.NoError(t, err)
	p.drain()
	require.NoError(t, p.auth.VerifyPhone(ctx, VerifyPhoneInput{Phone: newPhone, Code: p.sms.lastSMSCode(t, newPhone), Client: p.client}))

	owner, err := p.auth.Register(ctx, RegisterInput{Email: "asha@example.com", Phone: testPhoneTyped, Consents: allGranted(), Client: p.client})
	require.NoError(t, err, "the same answer as for two free identifiers")
	assert.Equal(t, "asha@example.com", owner.Email)
	assert.Equal(t, testPhone, owner.Phone)
	assert.Equal(t, []string{"email"}, p.eventDetails(emailHolder.ID, ports.EventUnprovenIdentifierReleased))
	assert.Equal(t, []string{"phone"}, p.eventDetails(phoneHolder.ID, ports.EventUnprovenIdentifierReleased))
}
