package core

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

func TestMailOutageNeverChangesAnEnumerationSafeAnswer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		request func(e *env, identifier string) error
		kind    emails.Kind
	}{
		{name: "otp request", kind: emails.LoginOTP, request: func(e *env, id string) error {
			return e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: id, Client: e.client})
		}},
		{name: "password reset request", kind: emails.PasswordReset, request: func(e *env, id string) error {
			return e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: id, Client: e.client})
		}},
		{name: "pin reset request", kind: emails.PINReset, request: func(e *env, id string) error {
			return e.auth.RequestPINReset(ctx, IdentifierInput{Identifier: id, Client: e.client})
		}},
		{name: "unlock request", kind: emails.Unlock, request: func(e *env, id string) error {
			return e.auth.RequestUnlock(ctx, IdentifierInput{Identifier: id, Client: e.client})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withoutLimiter())
			u := e.register("outage@example.in")
			e.outbox.FailWith(fmt.Errorf("smtp: dial: %w", ports.ErrUnavailable))

			known := tc.request(e, u.Email)
			unknown := tc.request(e, "nobody@example.in")
			require.NoError(t, known)
			require.NoError(t, unknown)
			assert.Equal(t, []string{string(tc.kind)}, e.mailFailures(u.ID))
			assert.Equal(t, 1, e.outbox.Len(), "only the registration email was delivered")

			e.outbox.FailWith(nil)
			require.NoError(t, tc.request(e, u.Email))
			assert.Equal(t, 2, e.mailsTo(u.Email), "delivery resumes")
		})
	}
}

func TestMailOutageDoesNotFailRegistrationOrLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.outbox.FailWith(fmt.Errorf("ses: throttled: %w", ports.ErrUnavailable))
	u := e.register("quiet@example.in")
	res, err := e.loginFrom(u.Email, testPassword, fpA, false)
	require.NoError(t, err)
	assert.Equal(t, TrustNewDevice, res.Trust)
	assert.Equal(t, []string{string(emails.VerifyEmail), string(emails.NewDevice)}, e.mailFailures(u.ID))
	assert.Zero(t, e.outbox.Len())

	events, err := e.store.Events(context.Background(), u.ID)
	require.NoError(t, err)
	for _, ev := range events {
		assert.NotContains(t, ev.Detail, "throttled", "the mailer's error stays in the log")
	}
}

func TestNewDeviceAlertDescribesTheSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	u := e.register("who@example.in")
	e.client = Client{IP: "::ffff:198.51.100.23", UserAgent: "Chrome on Android <b>14</b>"}
	_, err := e.loginFrom(u.Email, testPassword, fpB, false)
	require.NoError(t, err)

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

func TestEmailTemplateOverridesShowInTheOutbox(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter(), func(c *Config, _ *Deps) {
		c.AppName = "Kirana Pay"
		c.EmailTemplates = map[string]map[emails.Kind]emails.Template{
			"en": {emails.LoginOTP: {Subject: "{{.AppName}}: your code is inside"}},
			"hi": {emails.LoginOTP: {Subject: "{{.AppName}}: आपका कोड"}},
		}
	})
	ctx := context.Background()
	u := e.register("custom@example.in")
	require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: u.Email, Client: e.client}))
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Equal(t, "Kirana Pay: your code is inside", m.Subject)
	assert.Regexp(t, `\b\d{6}\b`, m.Text, "the built-in body with the code is kept")

	hindi, err := e.auth.Register(ctx, RegisterInput{Email: "hindi@example.in", Password: testPassword,
		Language: "hi", Consents: allGranted(), Client: e.client})
	require.NoError(t, err)
	require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: hindi.Email, Client: e.client}))
	m, ok = e.outbox.Last(hindi.Email)
	require.True(t, ok)
	assert.Equal(t, "Kirana Pay: आपका कोड", m.Subject, "the user's language picks the override")

	// Kinds that were not overridden keep the built-in subject.
	require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
	m, _ = e.outbox.Last(u.Email)
	assert.Equal(t, "Reset your Kirana Pay password", m.Subject)
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

func TestExportWithoutAnEventLog(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter(), withoutEventLog())
	u := e.register("noevents@example.in")
	ctx := context.Background()
	res := e.knownDeviceLogin(u.Email)
	_, _ = e.login(u.Email, "a wrong one!")

	doc, err := e.auth.Export(ctx, e.principal(res), e.client)
	require.NoError(t, err)
	assert.Equal(t, u.Email, doc.Account.Email)
	assert.Empty(t, doc.Events)
	assert.Len(t, doc.Sessions, 2)
	assert.Len(t, doc.Consents, 6)
	assert.Equal(t, 1, doc.Account.Lock.Failures)
	assert.True(t, doc.Account.PasswordSet)
	assert.False(t, doc.Account.PINSet)

	kept, err := e.store.Events(ctx, u.ID)
	require.NoError(t, err)
	assert.Empty(t, kept, "no EventLog: nothing is recorded")
}

func TestExportIncludesStepUpCodesAndRecordsAnEvent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	u := e.register("full@example.in")
	ctx := context.Background()
	p := e.principal(e.mustLogin(u.Email))
	require.NoError(t, e.auth.RequestStepUp(ctx, p, e.client))
	require.NoError(t, e.auth.VerifyStepUp(ctx, p, VerifyStepUpInput{Code: e.lastCode(u.Email), Client: e.client}))

	doc, err := e.auth.Export(ctx, p, e.client)
	require.NoError(t, err)
	var stepUps int
	for _, tok := range doc.OneTimeTokens {
		if tok.Purpose == ports.PurposeStepUpOTP {
			stepUps++
			assert.False(t, tok.UsedAt.IsZero())
		}
	}
	assert.Equal(t, 1, stepUps)
	kinds := e.eventKinds(u.ID)
	assert.Equal(t, ports.EventDataExported, kinds[len(kinds)-1])
}
