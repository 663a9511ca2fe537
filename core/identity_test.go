package core

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCleanIdentifier(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		in      string
		want    string
		message string // "" when accepted
	}{
		{name: "email trimmed", in: "  asha@example.in\t\n", want: "asha@example.in"},
		{name: "email domain lower-cased", in: "Asha@Example.IN", want: "Asha@example.in"},
		{name: "email domain in ASCII form", in: "asha@bücher.example", want: bücherASCII},
		{name: "unicode local part (registration decides)", in: "आशा@example.in", want: "आशा@example.in"},
		{name: "username kept as typed", in: "Asha_01", want: "Asha_01"},
		{name: "devanagari is fine", in: "आशा", want: "आशा"},
		{name: "exactly 320 bytes", in: strings.Repeat("a", 320), want: strings.Repeat("a", 320)},
		{name: "empty", in: "", message: "is required"},
		{name: "only spaces", in: "   ", message: "is required"},
		{name: "321 bytes", in: strings.Repeat("a", 321), message: "is too long"},
		{name: "invalid utf-8", in: "asha\xff@example.in", message: "is not valid UTF-8"},
		{name: "nul byte", in: "asha\x00@example.in", message: "contains control characters"},
		{name: "inner tab", in: "asha\t@example.in", message: "contains control characters"},
		{name: "escape sequence", in: "asha\x1b[2J", message: "contains control characters"},
		{name: "zero-width space in a username", in: "as\u200bha", message: "contains invisible formatting characters"},
		{name: "right-to-left override in a username", in: "\u202eahsa", message: "contains invisible formatting characters"},
		{name: "byte order mark before an email", in: "\ufeffasha@example.in", message: "contains invisible formatting characters"},
		{name: "zero-width joiner in an email domain", in: "asha@exa\u200dmple.in", message: "contains invisible formatting characters"},
		{name: "IP literal", in: "asha@[192.0.2.1]", message: "must name a domain, not an IP address"},
		{name: "dotted quad", in: "asha@192.0.2.1", message: "must name a domain, not an IP address"},
		{name: "email of 255 bytes", in: emailOfLen(255), message: "is too long"},
		{name: "malformed email", in: "asha@@example.in", message: "is not a valid email address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := cleanIdentifier("Login", "identifier", tc.in)
			if tc.message == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			ce := requireKind(t, err, KindValidation)
			assert.Equal(t, "identifier", ce.Field)
			assert.Equal(t, tc.message, ce.Message)
			assert.Empty(t, got)
		})
	}
}

func TestMalformedIdentifierIsRejectedBeforeAnyAttemptIsCounted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	ctx := t.Context()
	for _, tc := range []struct {
		name       string
		identifier string
	}{
		{name: "empty", identifier: " "},
		{name: "too long", identifier: strings.Repeat("x", 400) + "@example.in"},
		{name: "control character", identifier: "mallory\r\n@example.in"},
		{name: "zero-width space", identifier: "mal\u200blory@example.in"},
		{name: "bidi isolate", identifier: "\u2066mallory\u2069"},
		{name: "IPv6 literal", identifier: "mallory@[IPv6:2001:db8::1]"},
	} {
		_, err := e.login(tc.identifier, testPassword)
		ce := requireKind(t, err, KindValidation)
		assert.Equal(t, "identifier", ce.Field, tc.name)
		requireKind(t, errOf(e.auth.VerifyOTP(ctx, VerifyOTPInput{Identifier: tc.identifier, Code: "123456", Client: e.client})), KindValidation)
		err = e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: tc.identifier, Client: e.client})
		requireKind(t, err, KindValidation)
		requireKind(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: tc.identifier, Client: e.client}), KindValidation)
		requireKind(t, e.auth.RequestPINReset(ctx, IdentifierInput{Identifier: tc.identifier, Client: e.client}), KindValidation)
		requireKind(t, e.auth.RequestUnlock(ctx, IdentifierInput{Identifier: tc.identifier, Client: e.client}), KindValidation)
	}
	assert.Zero(t, e.auth.hasher.Verifications(), "no hash work for malformed input")
	assert.Zero(t, e.outbox.Len())
}
