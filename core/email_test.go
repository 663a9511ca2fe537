package core

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCanonicalEmailAccepts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   string
		want string
	}{
		{name: "plain", in: "asha@example.in", want: "asha@example.in"},
		{name: "domain lower-cased, local part kept", in: "Asha.K@Example.IN", want: "Asha.K@example.in"},
		{name: "unicode domain to ASCII", in: "asha@bücher.example", want: bücherASCII},
		{name: "upper-case unicode domain", in: "asha@BÜCHER.Example", want: bücherASCII},
		{name: "ASCII form stays", in: "asha@xn--bcher-kva.example", want: bücherASCII},
		{name: "upper-case ASCII form", in: "asha@XN--BCHER-KVA.EXAMPLE", want: bücherASCII},
		{name: "devanagari domain and TLD", in: "asha@उदाहरण.भारत", want: "asha@xn--p1b6ci4b4b3a.xn--h2brj9c"},
		{name: "ideographic full stop is a dot", in: "asha@example。in", want: "asha@example.in"},
		{name: "digits in a label", in: "asha@192-0-2-1.example.in", want: "asha@192-0-2-1.example.in"},
		{name: "plus and dots in the local part", in: "asha.k+otp@example.in", want: "asha.k+otp@example.in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := canonicalEmail(tc.in, false)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// refusedEmails are addresses no account may have, each with the reason given.
var refusedEmails = []struct {
	name   string
	in     string
	reason error
}{
	{name: "zero-width space in the local part", in: "as\u200bha@example.in", reason: errTextInvisible},
	{name: "zero-width space in the domain", in: "asha@exa\u200bmple.in", reason: errTextInvisible},
	{name: "zero-width non-joiner", in: "as\u200cha@example.in", reason: errTextInvisible},
	{name: "zero-width joiner", in: "as\u200dha@example.in", reason: errTextInvisible},
	{name: "left-to-right mark", in: "asha\u200e@example.in", reason: errTextInvisible},
	{name: "right-to-left mark", in: "asha@example.in\u200f", reason: errTextInvisible},
	{name: "left-to-right embedding", in: "\u202aasha@example.in", reason: errTextInvisible},
	{name: "right-to-left override", in: "asha@\u202eni.elpmaxe", reason: errTextInvisible},
	{name: "word joiner", in: "as\u2060ha@example.in", reason: errTextInvisible},
	{name: "invisible plus", in: "asha\u2064@example.in", reason: errTextInvisible},
	{name: "left-to-right isolate", in: "\u2066asha@example.in", reason: errTextInvisible},
	{name: "pop directional isolate", in: "asha@example.in\u2069", reason: errTextInvisible},
	{name: "byte order mark", in: "\ufeffasha@example.in", reason: errTextInvisible},
	{name: "soft hyphen (any Cf)", in: "asha@exam\u00adple.in", reason: errTextInvisible},
	{name: "arabic letter mark (any Cf)", in: "asha\u061c@example.in", reason: errTextInvisible},
	{name: "control character", in: "asha\x07@example.in", reason: errTextControl},
	{name: "invalid UTF-8", in: "asha\xff@example.in", reason: errTextNotUTF8},
	{name: "IPv4 literal", in: "asha@[192.0.2.1]", reason: errEmailIPDomain},
	{name: "IPv6 literal", in: "asha@[IPv6:2001:db8::1]", reason: errEmailIPDomain},
	{name: "IPv4 literal with no local part", in: "@[192.0.2.1]", reason: errEmailIPDomain},
	{name: "bare dotted quad", in: "asha@192.0.2.1", reason: errEmailIPDomain},
	{name: "abbreviated dotted quad", in: "asha@192.0.2", reason: errEmailIPDomain},
	{name: "full-width dotted quad", in: "asha@１９２．０．２．１", reason: errEmailIPDomain},
	{name: "devanagari local part", in: "आशा@example.in", reason: errEmailUnicodeLocal},
	{name: "accented local part", in: "josé@example.in", reason: errEmailUnicodeLocal},
	{name: "underscore in the domain", in: "asha@my_host.example", reason: errEmailBadDomain},
	{name: "broken punycode", in: "asha@xn--zz.example", reason: errEmailBadDomain},
	{name: "label starting with a hyphen", in: "asha@-bad.example", reason: errEmailBadDomain},
	{name: "no @", in: "asha.example.in", reason: errEmailInvalid},
	{name: "domain without a dot", in: "asha@localhost", reason: errEmailInvalid},
	{name: "display name", in: "Asha <asha@example.in>", reason: errEmailInvalid},
	{name: "comment", in: "asha@example.in (work)", reason: errEmailInvalid},
	{name: "quoted local part", in: `"asha k"@example.in`, reason: errEmailInvalid},
	{name: "two @", in: "asha@@example.in", reason: errEmailInvalid},
	{name: "empty label", in: "asha@example..in", reason: errEmailInvalid},
	{name: "255 bytes", in: emailOfLen(255), reason: errEmailTooLong},
	// 249 bytes as typed, 255 once "bücher" is "xn--bcher-kva": the limit
	// holds for the address as sent.
	{name: "255 bytes with the domain in ASCII form", in: strings.Replace(emailOfLen(241), "@", "@bücher.", 1), reason: errEmailTooLong},
}

func TestCanonicalEmailRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range refusedEmails {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := canonicalEmail(tc.in, false)
			assert.ErrorIs(t, err, tc.reason)
			assert.Empty(t, got)
		})
	}
}

func TestRegisterRefusesEmailsWithTheReason(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	for _, tc := range refusedEmails {
		_, err := e.auth.Register(t.Context(), RegisterInput{Email: tc.in, Password: testPassword,
			Consents: allGranted(), Client: e.client})
		ce := requireKind(t, err, KindValidation)
		assert.Equal(t, "email", ce.Field, tc.name)
		assert.Equal(t, tc.reason.Error(), ce.Message, tc.name)
	}
	assert.Zero(t, e.outbox.Len(), "nothing is registered or sent")
}

func TestUnicodeLocalPartNeedsAllowUnicodeLocalPart(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		in   string
		want string // the stored email
	}{
		{name: "ASCII domain", in: "आशा@example.in", want: "आशा@example.in"},
		{name: "unicode domain in ASCII form", in: "आशा@उदाहरण.भारत", want: "आशा@xn--p1b6ci4b4b3a.xn--h2brj9c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			allowed := newEnv(t, func(c *Config, _ *Deps) { c.AllowUnicodeLocalPart = true })
			u, err := allowed.auth.Register(ctx, RegisterInput{Email: tc.in, Password: testPassword, Consents: allGranted(), Client: allowed.client})
			require.NoError(t, err)
			assert.Equal(t, tc.want, u.Email)
			require.NoError(t, allowed.store.MarkEmailVerified(ctx, u.ID, allowed.clock.Now()))
			allowed.mustLogin(tc.in)

			refused := newEnv(t)
			_, err = refused.auth.Register(ctx, RegisterInput{Email: tc.in, Password: testPassword, Consents: allGranted(), Client: refused.client})
			ce := requireKind(t, err, KindValidation)
			assert.Equal(t, "email", ce.Field)
			assert.Equal(t, errEmailUnicodeLocal.Error(), ce.Message)
			// Sign-in does not refuse it (an external directory may hold it):
			// it names nobody here.
			requireKind(t, errOf(refused.login(tc.in, testPassword)), KindUnauthorized)
		})
	}
}

// An internationalised domain is one account in either spelling, for every
// flow that takes an email.
func TestIDNDomainSpellingsAreOneAccount(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, tc := range []struct {
		name       string
		registered string
		other      string // the other spelling, used for everything after registering
	}{
		{name: "registered in Unicode, used in ASCII", registered: "asha@bücher.example", other: "ASHA@xn--bcher-kva.example"},
		{name: "registered in ASCII, used in Unicode", registered: "asha@xn--bcher-kva.example", other: "Asha@BÜCHER.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			u := e.register(tc.registered)
			assert.Equal(t, bücherASCII, u.Email, "stored in ASCII form")

			_, err := e.auth.Register(ctx, RegisterInput{Email: tc.other, Password: testPassword, Consents: allGranted(), Client: e.client})
			assert.Equal(t, codeEmailTaken, requireKind(t, err, KindConflict).Code)

			assert.Equal(t, u.ID, e.principal(e.mustLogin(tc.other)).UserID, "password login")

			require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: tc.other, Client: e.client}))
			res, err := e.auth.VerifyOTP(ctx, VerifyOTPInput{Identifier: tc.other, Code: e.lastCode(bücherASCII), Client: e.client})
			require.NoError(t, err)
			assert.Equal(t, u.ID, e.principal(res).UserID, "OTP login")

			for name, request := range map[string]func(context.Context, IdentifierInput) error{
				"password reset": e.auth.RequestPasswordReset,
				"PIN reset":      e.auth.RequestPINReset,
				"unlock":         e.auth.RequestUnlock,
			} {
				before := e.mailsTo(bücherASCII)
				require.NoError(t, request(ctx, IdentifierInput{Identifier: tc.other, Client: e.client}), name)
				assert.Equal(t, before+1, e.mailsTo(bücherASCII), "%s reaches the account", name)
			}
		})
	}
}

// Counters and limits keyed by identifier see one identifier in both
// spellings, for addresses with no account too.
func TestIDNDomainSpellingsShareCountersAndLimits(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	spellings := []string{"nobody@bücher.example", "NOBODY@xn--bcher-kva.example"}

	t.Run("lockout of an unknown identifier", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		for i := 1; i < e.auth.cfg.Lockout.SoftLockAfter; i++ {
			requireKind(t, errOf(e.login(spellings[i%2], testPassword)), KindUnauthorized)
		}
		requireKind(t, errOf(e.login(spellings[0], testPassword)), KindLocked)
		requireKind(t, errOf(e.login(spellings[1], testPassword)), KindLocked)
	})

	t.Run("per-identifier request limit", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		limit := e.auth.cfg.RateLimits.RequestPerIdentifier.Limit
		for i := range limit {
			// A new IP each time: only the identifier's limit may bite.
			c := Client{IP: fmt.Sprintf("198.51.100.%d", i+1), UserAgent: testUA}
			require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: spellings[i%2], Client: c}))
		}
		for _, s := range spellings {
			err := e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: s, Client: Client{IP: "198.51.100.200", UserAgent: testUA}})
			requireKind(t, err, KindRateLimited)
		}
	})
}

// A domain whose last label is all digits is an IP address in disguise, at
// both ends of the digit range; a label may have 63 characters, not 64.
func TestCanonicalEmailDomainBoundaries(t *testing.T) {
	t.Parallel()
	label63 := strings.Repeat("a", maxLabelLen)
	for _, tc := range []struct {
		email string
		err   error
	}{
		{"asha@host.0", errEmailIPDomain},
		{"asha@host.9", errEmailIPDomain},
		{"asha@host.09", errEmailIPDomain},
		{"asha@host.0a", nil},
		{"asha@" + label63 + ".in", nil},
		{"asha@" + label63 + "a.in", errEmailBadDomain},
	} {
		_, err := canonicalEmail(tc.email, false)
		if tc.err == nil {
			assert.NoError(t, err, tc.email)
			continue
		}
		assert.ErrorIs(t, err, tc.err, tc.email)
	}
}

// The bound of maxIdentifierLen bytes only spares parsing what can never fit:
// full-width letters and dots take 3 bytes each as typed and 1 once folded,
// so an address typed in exactly 320 bytes can fit the 254-byte limit of the
// address as sent, and is accepted; one byte more is refused unparsed.
func TestAnAddressTypedInMaxIdentifierLenBytesIsAcceptedWhenItsASCIIFormFits(t *testing.T) {
	t.Parallel()
	typed := "asha@" + strings.Repeat("ａ", 51) + "．" + strings.Repeat("ｉ", 53)
	require.Len(t, typed, maxIdentifierLen)
	got, err := canonicalEmail(typed, false)
	require.NoError(t, err)
	assert.Equal(t, "asha@"+strings.Repeat("a", 51)+"."+strings.Repeat("i", 53), got)

	_, err = canonicalEmail("a"+typed, false)
	assert.ErrorIs(t, err, errEmailTooLong)
}
