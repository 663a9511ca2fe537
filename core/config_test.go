package core

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

func TestNewRefusesBadConfiguration(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(*Config, *Deps)
		want   string
	}{
		{name: "missing key", change: func(c *Config, _ *Deps) { c.SecretKey = nil }, want: "SecretKey must be at least 32 bytes"},
		{name: "31-byte key", change: func(c *Config, _ *Deps) { c.SecretKey = make([]byte, 31) }, want: "got 31"},
		{name: "zero TTL", change: func(c *Config, _ *Deps) { c.AccessTokenTTL = 0 }, want: "AccessTokenTTL must be > 0"},
		{name: "negative TTL", change: func(c *Config, _ *Deps) { c.PublicDeviceTTL = -time.Hour }, want: "PublicDeviceTTL must be > 0"},
		{name: "empty categories", change: func(c *Config, _ *Deps) { c.Categories = nil }, want: "Categories must not be empty"},
		{name: "duplicate category", change: func(c *Config, _ *Deps) {
			c.Categories = append(c.Categories, Category{Name: "identity"})
		}, want: `category "identity" is listed twice`},
		{name: "blank category", change: func(c *Config, _ *Deps) { c.Categories = []Category{{Name: " "}} }, want: "must be non-empty"},
		{name: "lock thresholds", change: func(c *Config, _ *Deps) { c.Lockout.HardLockAfter = 5 }, want: "SoftLockAfter < HardLockAfter"},
		{name: "a soft lock at 0 failures", change: func(c *Config, _ *Deps) { c.Lockout.SoftLockAfter = 0 }, want: "0 < SoftLockAfter"},
		{name: "link without token", change: func(c *Config, _ *Deps) { c.Links.Unlock = "https://x/unlock" }, want: "Links.Unlock must contain {token}"},
		{name: "no issuer", change: func(c *Config, _ *Deps) { c.Issuer = "" }, want: "Issuer and Audience"},
		{name: "an adult age of 0", change: func(c *Config, _ *Deps) { c.AdultAge = 0 }, want: "AdultAge must be > 0"},
		{name: "a negative guardian account age", change: func(c *Config, _ *Deps) { c.GuardianAccountAge = -time.Hour }, want: "GuardianAccountAge must be >= 0"},
		{name: "no otp attempts", change: func(c *Config, _ *Deps) { c.OTPMaxAttempts = 0 }, want: "OTPMaxAttempts"},
		{name: "no notice", change: func(c *Config, _ *Deps) { c.Notices = nil }, want: "Notices must not be empty"},
		{name: "no ip threshold", change: func(c *Config, _ *Deps) { c.IPBlock.DistinctIdentifiers = 0 }, want: "DistinctIdentifiers"},
		{name: "missing sessions", change: func(_ *Config, d *Deps) { d.Sessions = nil }, want: "Deps.Sessions is required"},
		{name: "missing mailer", change: func(_ *Config, d *Deps) { d.Mailer = nil }, want: "Deps.Mailer is required"},
		{name: "short HS256 signing key", change: func(c *Config, _ *Deps) {
			c.SigningKeys = []SigningKey{{Algorithm: "HS256", Secret: []byte("short")}}
		}, want: "signing keys"},
		{name: "unknown email language", change: func(c *Config, _ *Deps) { c.EmailLanguage = "xx" }, want: "email templates"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, deps := validConfig(), validDeps()
			tc.change(&cfg, &deps)
			_, err := New(cfg, deps)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), string(validConfig().SecretKey), "the key never appears in errors")
		})
	}
}

func TestNewAcceptsTheDefaultsAndOptionalPortsMayBeNil(t *testing.T) {
	t.Parallel()
	deps := validDeps()
	deps.Registry, deps.Events, deps.Limiter, deps.Clock = nil, nil, nil, nil
	a, err := New(validConfig(), deps)
	require.NoError(t, err)
	assert.Equal(t, 15*time.Minute, a.Config().AccessTokenTTL)
	_, ok := a.JWKS()
	assert.False(t, ok, "no JWKS with HS256")
}

// The waits that may be zero are: no grace for a reused refresh token or a
// re-consent, and a guardian's account of any age.
func TestNewAcceptsZeroForTheWaitsThatMayBeNone(t *testing.T) {
	t.Parallel()
	cfg := validConfig()
	cfg.RefreshReuseGrace, cfg.ReconsentGrace, cfg.GuardianAccountAge = 0, 0, 0
	_, err := New(cfg, validDeps())
	require.NoError(t, err)
}

func TestDefaultNumbers(t *testing.T) {
	t.Parallel()
	c := DefaultConfig()
	assert.Equal(t, 15*time.Minute, c.AccessTokenTTL)
	assert.Equal(t, 30*24*time.Hour, c.RefreshTokenTTL)
	assert.Equal(t, 7*24*time.Hour, c.NewDeviceTTL)
	assert.Equal(t, 2*time.Hour, c.PublicDeviceTTL)
	assert.Equal(t, 10*time.Minute, c.OTPTTL)
	assert.Equal(t, 5, c.OTPMaxAttempts)
	assert.Equal(t, 24*time.Hour, c.EmailVerifyTTL)
	assert.Equal(t, 30*time.Minute, c.ResetTTL)
	assert.Equal(t, 5*time.Minute, c.StepUpWindow)
	assert.Equal(t, 7*24*time.Hour, c.ErasureGrace)
	assert.Equal(t, ports.LockPolicy{SoftLockAfter: 5, SoftLockFor: 7 * time.Minute, HardLockAfter: 10, ResetAfter: 24 * time.Hour, PendingFor: time.Minute}, c.Lockout)
	assert.Equal(t, 3, c.IPBlock.DistinctIdentifiers)
	assert.Equal(t, 24*time.Hour, c.IPBlock.Window)
	assert.Equal(t, 24*time.Hour, c.IPBlock.BlockFor)
	assert.Equal(t, 20, c.RateLimits.LoginPerIP.Limit)
	assert.Equal(t, 15*time.Minute, c.RateLimits.LoginPerIP.Window)
	assert.Equal(t, 5, c.RateLimits.OTPRequestPerIP.Limit)
	assert.Equal(t, 5*time.Minute, c.RateLimits.OTPRequestPerIP.Window)
	assert.Equal(t, 20, c.RateLimits.OTPVerifyPerIP.Limit)
	assert.Equal(t, 15*time.Minute, c.RateLimits.OTPVerifyPerIP.Window)
	assert.Equal(t, 15, c.RateLimits.PINVerifyPerIP.Limit)
	assert.Equal(t, 10*time.Minute, c.RateLimits.PINVerifyPerIP.Window)
	assert.Equal(t, 5, c.RateLimits.RequestPerIdentifier.Limit)
	assert.Equal(t, time.Hour, c.RateLimits.RequestPerIdentifier.Window)
	assert.Equal(t, 20, c.RateLimits.RegisterPerIP.Limit)
	assert.Equal(t, time.Hour, c.RateLimits.RegisterPerIP.Window)
	assert.False(t, c.MailInline, "mail goes out in the background unless a test says otherwise")
	var required []string
	for _, cat := range c.Categories {
		if cat.Required {
			required = append(required, cat.Name)
		}
	}
	assert.Equal(t, []string{"identity", "contact", "security"}, required)
	assert.Len(t, c.Categories, 6)
}

func TestEdDSASigningPublishesJWKS(t *testing.T) {
	t.Parallel()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	cfg := validConfig()
	cfg.SigningKeys = []SigningKey{{ID: "k1", Algorithm: "EdDSA", Private: priv}}
	e := newEnv(t, func(c *Config, _ *Deps) { c.SigningKeys = cfg.SigningKeys })
	doc, ok := e.auth.JWKS()
	require.True(t, ok)
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(doc, &set))
	require.Len(t, set.Keys, 1)
	assert.Equal(t, "k1", set.Keys[0]["kid"])
	e.register("ed@example.in")
	e.principal(e.mustLogin("ed@example.in"))
}

func TestNewUsesProductionHashingUnlessToldOtherwise(t *testing.T) {
	t.Parallel()
	a, err := New(validConfig(), validDeps())
	require.NoError(t, err)
	p := a.hasher.Params()
	assert.GreaterOrEqual(t, p.Memory, uint32(19*1024), "m >= 19 MiB")
	assert.GreaterOrEqual(t, p.Time, uint32(2))
	assert.GreaterOrEqual(t, p.SaltLen, uint32(16))
}

func TestDepsStorageFillsEveryStoragePort(t *testing.T) {
	t.Parallel()
	s := memory.New()
	own := memory.New()
	for _, tc := range []struct {
		name    string
		deps    Deps
		managed bool
	}{
		{name: "one backend: managed mode", deps: Deps{Storage: s, Mailer: memory.NewOutbox()}, managed: true},
		{name: "with the app's own directory: external mode", deps: Deps{Storage: s, Users: own, Mailer: memory.NewOutbox()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := tc.deps.withStorage()
			require.NoError(t, d.validate())
			assert.Equal(t, tc.managed, d.Registry != nil, "the registry comes with the backend's users only")
			assert.Same(t, s, d.Lockouts.(*memory.Store))
			assert.Same(t, s, d.Events.(*memory.Store))
			if !tc.managed {
				assert.Same(t, own, d.Users.(*memory.Store), "a field set beside Storage wins")
			}
		})
	}
}

// New reads in one call what one backend offers to read at once: a session's
// holds (its guardianship and erasure request), and a sign-in's user and
// device. Handed as separate stores, they are read one by one.
func TestNewReadsAtOnceWhereOneStoreOffersIt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		oneByOne  envOption
		readsOnce func(*Auth) bool
	}{
		{name: "session holds", oneByOne: withHoldsOneByOne(), readsOnce: func(a *Auth) bool { return a.holds != nil }},
		{name: "sign-in user and device", oneByOne: withSignInOneByOne(), readsOnce: func(a *Auth) bool { return a.signIns != nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.True(t, tc.readsOnce(newEnv(t).auth), "memory.Store reads both at once")
			assert.False(t, tc.readsOnce(newEnv(t, tc.oneByOne).auth), "two stores")
		})
	}
}

func TestBadEmailTemplateOverrideIsRefusedByNew(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.SecretKey = []byte(strings.Repeat("k", 32))
	cfg.EmailTemplates = map[string]map[emails.Kind]emails.Template{
		"en": {emails.LoginOTP: {Subject: "{{.NoSuchField}}"}},
	}
	e := newEnv(t)
	deps := e.auth.deps
	_, err := New(cfg, deps)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "email templates")
}

// Emailed links may be https or http (a local quickstart) with a host.
func TestNewAcceptsHTTPAndHTTPSLinks(t *testing.T) {
	t.Parallel()
	cfg := validConfig()
	cfg.Links = LinkTemplates{
		VerifyEmail:   "https://auth.example.in/verify-email?token={token}",
		ResetPassword: "https://auth.example.in/reset-password?token={token}",
		ResetPIN:      "http://127.0.0.1:8080/reset-pin?token={token}",
		Unlock:        "https://auth.example.in/unlock?token={token}",
		ChangeEmail:   "https://auth.example.in/change-email?token={token}",

		GuardianConsent: "http://127.0.0.1:8080/guardian/confirm?token={token}",
	}
	require.NoError(t, errOf(New(cfg, validDeps())))
}
