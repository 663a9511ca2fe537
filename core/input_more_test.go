package core

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

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
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		identifier string
	}{
		{name: "empty", identifier: " "},
		{name: "too long", identifier: strings.Repeat("x", 400) + "@example.in"},
		{name: "control character", identifier: "mallory\r\n@example.in"},
	} {
		_, err := e.login(tc.identifier, testPassword)
		ce := requireKind(t, err, KindValidation)
		assert.Equal(t, "identifier", ce.Field, tc.name)
		err = e.auth.RequestOTP(ctx, OTPRequest{Identifier: tc.identifier, Client: e.client})
		requireKind(t, err, KindValidation)
		requireKind(t, e.auth.RequestPasswordReset(ctx, tc.identifier, e.client), KindValidation)
	}
	assert.Zero(t, e.auth.hasher.Verifications(), "no hash work for malformed input")
	assert.Zero(t, e.outbox.Len())
}

func TestCleanFingerprint(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   string
		want string
		ok   bool
	}{
		{name: "none", in: "", want: "", ok: true},
		{name: "only spaces mean none", in: "   ", want: "", ok: true},
		{name: "lower-case hex", in: fpA, want: fpA, ok: true},
		{name: "upper-case hex is lower-cased", in: strings.ToUpper(fpA), want: fpA, ok: true},
		{name: "mixed case and spaces", in: " " + strings.Repeat("aB", 32) + " ", want: strings.Repeat("ab", 32), ok: true},
		{name: "63 characters", in: fpA[:63]},
		{name: "65 characters", in: fpA + "a"},
		{name: "not hex", in: strings.Repeat("g", 64)},
		{name: "base64 of the right length", in: strings.Repeat("A+/=", 16)},
		{name: "multi-byte runes of 64 bytes", in: strings.Repeat("é", 32)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := cleanFingerprint("Login", tc.in)
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			ce := requireKind(t, err, KindValidation)
			assert.Equal(t, "device_fingerprint", ce.Field)
			assert.Contains(t, ce.Message, "64 hex characters")
		})
	}
}

func TestUpperCaseFingerprintIsTheSameDevice(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.register("case@example.in")
	first, err := e.loginFrom("case@example.in", testPassword, strings.ToUpper(fpA), false)
	require.NoError(t, err)
	assert.Equal(t, TrustNewDevice, first.Trust)
	s, err := e.store.Session(context.Background(), first.SessionID)
	require.NoError(t, err)
	assert.Equal(t, fpA, s.DeviceFingerprint, "stored in lower case")

	p := e.principal(first)
	require.NoError(t, e.auth.RequestStepUp(context.Background(), p, e.client))
	require.NoError(t, e.auth.VerifyStepUp(context.Background(), p, e.lastCode("case@example.in"), e.client))
	again, err := e.loginFrom("case@example.in", testPassword, fpA, false)
	require.NoError(t, err)
	assert.Equal(t, TrustKnown, again.Trust, "the lower-case form is the device verified before")
}

func TestCheckSecretInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		in      string
		message string // "" when accepted
	}{
		{name: "a password", in: testPassword},
		{name: "spaces are a secret too", in: "        "},
		{name: "exactly 1024 bytes", in: strings.Repeat("p", maxSecretInputBytes)},
		{name: "empty", in: "", message: "is required"},
		{name: "1025 bytes", in: strings.Repeat("p", maxSecretInputBytes+1), message: "is too long"},
		{name: "a megabyte", in: strings.Repeat("p", 1<<20), message: "is too long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := checkSecretInput("Login", "password", tc.in)
			if tc.message == "" {
				require.NoError(t, err)
				return
			}
			ce := requireKind(t, err, KindValidation)
			assert.Equal(t, "password", ce.Field)
			assert.Equal(t, tc.message, ce.Message)
		})
	}
}

func TestOversizedPasswordIsRefusedWithoutHashing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	u := e.register("big@example.in")
	_, err := e.login(u.Email, strings.Repeat("p", maxSecretInputBytes+1))
	ce := requireKind(t, err, KindValidation)
	assert.Equal(t, "password", ce.Field)
	assert.Zero(t, e.auth.hasher.Verifications())
	lock, err := e.store.LockState(context.Background(), accountKey(u.ID))
	require.NoError(t, err)
	assert.Zero(t, lock.Failures, "a refused input is no attempt")
}

func TestClientUserAgent(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("u", 600)
	// 511 ASCII bytes then a 2-byte rune: byte 512 is the rune's second byte.
	splitRune := strings.Repeat("u", maxUserAgentLen-1) + "é" + "tail"
	// A 3-byte rune starting at byte 511.
	splitThree := strings.Repeat("u", maxUserAgentLen-1) + "क" + "tail"
	for _, tc := range []struct {
		name string
		in   string
		want string
	}{
		{name: "short and clean", in: testUA, want: testUA},
		{name: "empty", in: "", want: ""},
		{name: "exactly 512 bytes", in: long[:maxUserAgentLen], want: long[:maxUserAgentLen]},
		{name: "cut at 512 bytes", in: long, want: long[:maxUserAgentLen]},
		{name: "cut before a split 2-byte rune", in: splitRune, want: strings.Repeat("u", maxUserAgentLen-1)},
		{name: "cut before a split 3-byte rune", in: splitThree, want: strings.Repeat("u", maxUserAgentLen-1)},
		{name: "invalid utf-8 replaced", in: "Bot\xff\xfe/1.0", want: "Bot\uFFFD/1.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Client{UserAgent: tc.in}.userAgent()
			assert.Equal(t, tc.want, got)
			assert.True(t, utf8.ValidString(got))
			assert.LessOrEqual(t, len(got), maxUserAgentLen)
		})
	}
}

func TestHostileUserAgentIsStoredCleanInTheSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.register("ua@example.in")
	e.client.UserAgent = "\xff" + strings.Repeat("क", 400) // 1 + 1200 bytes
	res := e.mustLogin("ua@example.in")
	s, err := e.store.Session(context.Background(), res.SessionID)
	require.NoError(t, err)
	assert.True(t, utf8.ValidString(s.DeviceInfo))
	assert.LessOrEqual(t, len(s.DeviceInfo), maxUserAgentLen)
	assert.True(t, strings.HasPrefix(s.DeviceInfo, "\uFFFDक"))
}

func TestStoredIP(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   string
		want string
	}{
		{name: "ipv4", in: "203.0.113.7", want: "203.0.113.7"},
		{name: "trimmed", in: " 203.0.113.7\n", want: "203.0.113.7"},
		{name: "ipv4-mapped ipv6 unmapped", in: "::ffff:203.0.113.7", want: "203.0.113.7"},
		{name: "ipv6 canonical", in: "2001:DB8:0:0:0:0:0:1", want: "2001:db8::1"},
		{name: "empty", in: "", want: ""},
		{name: "garbage", in: "203.0.113.7, 10.0.0.1", want: ""},
		{name: "host and port", in: "203.0.113.7:443", want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, storedIP(tc.in))
		})
	}
}

func TestSessionKeepsTheCanonicalIP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.register("ip@example.in")
	e.client.IP = "::ffff:198.51.100.9"
	res := e.mustLogin("ip@example.in")
	list, err := e.auth.Sessions(context.Background(), e.principal(res))
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "198.51.100.9", list[0].IPAddress)
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   string
		n    int
		want string
	}{
		{name: "short", in: "biometrics", n: 64, want: "biometrics"},
		{name: "exactly n", in: strings.Repeat("x", 64), n: 64, want: strings.Repeat("x", 64)},
		{name: "cut with an ellipsis", in: strings.Repeat("x", 100), n: 64, want: strings.Repeat("x", 64) + "…"},
		{name: "invalid utf-8 replaced", in: "bio\xffmetrics", n: 64, want: "bio?metrics"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, truncate(tc.in, tc.n))
		})
	}
}

func TestUnknownCategoryMessageEchoesAShortCleanName(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	u := e.register("echo@example.in")
	_, err := e.auth.RecordConsent(context.Background(), u.ID,
		ConsentDecision{Category: strings.Repeat("z", 200) + "\xff", Granted: true}, ConsentMeta{})
	ce := requireKind(t, err, KindValidation)
	assert.Equal(t, "category", ce.Field)
	assert.Contains(t, ce.Message, strings.Repeat("z", 64)+"…")
	assert.NotContains(t, ce.Message, strings.Repeat("z", 65))
	assert.True(t, utf8.ValidString(ce.Message))
}

// A password of exactly maxSecretInputBytes is a password like any other: it
// is checked against the hash (and fails as a wrong one), not refused as
// input.
func TestPasswordOfExactlyTheInputLimitIsChecked(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	u := e.register("limit@example.in")
	_, err := e.login(u.Email, strings.Repeat("p", maxSecretInputBytes))
	requireKind(t, err, KindUnauthorized)
	assert.Equal(t, int64(1), e.auth.hasher.Verifications(), "the hash was verified")
}
