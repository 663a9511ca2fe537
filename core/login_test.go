package core

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/bharatauth/bharatauth-go/core/internal/secret"
	"github.com/bharatauth/bharatauth-go/ports"
)

func TestLegacyBcryptPasswordIsUpgradedToArgon2id(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "legacy@example.in")
	ctx := t.Context()
	legacy, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(legacy), "$2a$"))
	require.NoError(t, e.store.SetPasswordHash(ctx, u.ID, string(legacy), e.auth.now()))

	requireKind(t, errOf(e.login(u.Email, "not the password")), KindUnauthorized)
	assert.Equal(t, string(legacy), e.passwordHash(u.ID), "a failure changes nothing")

	require.NoError(t, errOf(e.login(u.Email, testPassword)), "the Python seed's bcrypt hashes keep working")
	upgraded := e.passwordHash(u.ID)
	assert.True(t, strings.HasPrefix(upgraded, "$argon2id$v=19$m=64,t=1,p=1$"), upgraded)

	require.NoError(t, errOf(e.login(u.Email, testPassword)))
	assert.Equal(t, upgraded, e.passwordHash(u.ID), "a current hash is not redone")
}

func TestWeakerArgon2HashIsUpgraded(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		params  secret.Params
		upgrade bool
	}{
		{name: "less memory", params: secret.Params{Memory: 32, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, upgrade: true},
		{name: "shorter key", params: secret.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 16}, upgrade: true},
		{name: "the same parameters", params: secret.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, upgrade: false},
		{name: "stronger parameters", params: secret.Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, upgrade: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, u := newUserEnv(t, "weak@example.in")
			ctx := t.Context()
			old, err := secret.NewTestHasher(tc.params, 0).Hash(ctx, testPassword)
			require.NoError(t, err)
			require.NoError(t, e.store.SetPasswordHash(ctx, u.ID, old, e.auth.now()))

			require.NoError(t, errOf(e.login(u.Email, testPassword)))
			now := e.passwordHash(u.ID)
			if !tc.upgrade {
				assert.Equal(t, old, now)
				return
			}
			assert.NotEqual(t, old, now)
			assert.True(t, strings.HasPrefix(now, "$argon2id$v=19$m=64,t=1,p=1$"), now)
			require.NoError(t, errOf(e.login(u.Email, testPassword)), "the new hash verifies")
		})
	}
}

func TestMalformedStoredHashFailsLikeAWrongPassword(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "broken@example.in")
	require.NoError(t, e.store.SetPasswordHash(t.Context(), u.ID, "$argon2id$garbage", e.auth.now()))
	_, err := e.login(u.Email, testPassword)
	ce := requireCode(t, err, KindUnauthorized, codeInvalidCredentials)
	assert.NotContains(t, ce.Error(), "garbage", "the hash is never echoed")
	assert.Equal(t, 1, e.lockState(u.ID).Failures)
}

func TestCleanDevice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
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
			got, err := e.auth.cleanDevice("Login", tc.in)
			if tc.ok {
				require.NoError(t, err)
				want, _ := e.auth.cleanDevice("Login", tc.want)
				if tc.want == "" {
					want = ""
				}
				assert.Equal(t, want, got, "the keyed hash of the normalised fingerprint")
				assert.NotEqual(t, fpA, got, "a fingerprint is never stored as given")
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
	e, _ := newUserEnv(t, "case@example.in")
	first := e.loginWithTrust("case@example.in", strings.ToUpper(fpA), false, TrustNewDevice)
	s, err := e.store.Session(t.Context(), first.SessionID)
	require.NoError(t, err)
	want, err := e.auth.cleanDevice("Login", fpA)
	require.NoError(t, err)
	assert.Equal(t, want, s.DeviceFingerprint, "stored as the keyed hash of the lower-case form")

	p := e.principal(first)
	e.stepUp(p, "case@example.in")
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
	e, u := newUserEnv(t, "big@example.in")
	_, err := e.login(u.Email, strings.Repeat("p", maxSecretInputBytes+1))
	ce := requireKind(t, err, KindValidation)
	assert.Equal(t, "password", ce.Field)
	assert.Zero(t, e.auth.hasher.Verifications())
	lock := e.lockState(u.ID)
	assert.Zero(t, lock.Failures, "a refused input is no attempt")
}

func TestNewDeviceAlertOnPasswordLoginFromUnknownFingerprint(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "alert@example.in")
	before := e.mailsTo("alert@example.in")
	require.NoError(t, errOf(e.loginFrom("alert@example.in", testPassword, fpB, false)))
	assert.Equal(t, before+1, e.mailsTo("alert@example.in"), "unknown fingerprint: an alert")
	e.knownDeviceLogin("alert@example.in") // fpA: verified by a step-up
	before = e.mailsTo("alert@example.in")
	require.NoError(t, errOf(e.loginFrom("alert@example.in", testPassword, fpA, false)))
	assert.Equal(t, before, e.mailsTo("alert@example.in"), "known fingerprint: no alert")
}

func TestNewDeviceAlertDescribesTheSignIn(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "who@example.in")
	e.client = Client{IP: "::ffff:198.51.100.23", UserAgent: "Chrome on Android <b>14</b>"}
	require.NoError(t, errOf(e.loginFrom(u.Email, testPassword, fpB, false)))

	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Equal(t, "New sign-in to your BharatAuth account", m.Subject)
	assert.Contains(t, m.Text, "Chrome on Android <b>14</b>")
	assert.Contains(t, m.Text, "198.51.100.23")
	assert.NotContains(t, m.Text, "::ffff:")
	assert.Contains(t, m.Text, "26 Nov 2026, 15:30 IST", "10:00 UTC shown in IST")
	assert.Contains(t, m.HTML, "Chrome on Android &lt;b&gt;14&lt;/b&gt;", "escaped in HTML")
	assert.NotContains(t, m.Text, testPassword)
	assert.Contains(t, e.eventKinds(u.ID), ports.EventNewDevice)
}

// A password of exactly maxSecretInputBytes is a password like any other: it
// is checked against the hash (and fails as a wrong one), not refused as
// input.
func TestPasswordOfExactlyTheInputLimitIsChecked(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "limit@example.in")
	requireKind(t, errOf(e.login(u.Email, strings.Repeat("p", maxSecretInputBytes))), KindUnauthorized)
	assert.Equal(t, int64(1), e.auth.hasher.Verifications(), "the hash was verified")
}

// A weaker stored hash is replaced after a successful login; a failure to
// store the new one is logged (the old hash stays one more time), a success
// logs nothing.
func TestAHashUpgradeThatFailsIsLogged(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	e, f := newFaultyEnv(t, logTo(logs))
	u := e.register("upgrade@example.in")
	legacy, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	require.NoError(t, err)
	ctx := t.Context()
	require.NoError(t, e.store.SetPasswordHash(ctx, u.ID, string(legacy), e.now()))
	f.failOn("SetPasswordHash", errors.New("postgres: connection reset"))
	require.NoError(t, errOf(e.login(u.Email, testPassword)))
	assert.Contains(t, logs.String(), "upgrading a hash failed")
	f.failOn("", nil)
	before := strings.Count(logs.String(), "upgrading a hash failed")
	require.NoError(t, errOf(e.login(u.Email, testPassword)))
	assert.Equal(t, before, strings.Count(logs.String(), "upgrading a hash failed"), "a stored upgrade logs nothing")
}
