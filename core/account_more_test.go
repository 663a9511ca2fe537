package core

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestSuspend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("external mode has no registry", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, withoutLimiter())
		u := e.register("ext@example.in")
		e.auth.deps.Registry = nil // the same users, now owned by the app
		requireKind(t, e.auth.Admin().Suspend(ctx, u.ID), KindForbidden)
		got, err := e.store.UserByID(ctx, u.ID)
		require.NoError(t, err)
		assert.False(t, got.Suspended)
	})
	t.Run("unknown user", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, withoutLimiter())
		requireKind(t, e.auth.Admin().Suspend(ctx, "usr_nobody"), KindNotFound)
	})
	t.Run("a suspended user cannot sign in", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, withoutLimiter())
		u := e.register("susp@example.in")
		res := e.mustLogin(u.Email)
		require.NoError(t, e.auth.Admin().Suspend(ctx, u.ID))

		_, err := e.auth.Refresh(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})
		require.Error(t, err, "suspension ended the session")
		_, err = e.login(u.Email, "wrong password!")
		requireKind(t, err, KindUnauthorized) // a wrong password says nothing about suspension
		_, err = e.login(u.Email, testPassword)
		requireKind(t, err, KindSuspended)
		assert.Zero(t, e.lockState(u.ID).Failures, "the right password cleared the count")

		mails := e.mailsTo(u.Email)
		require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: u.Email, Client: e.client}))
		require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
		assert.Equal(t, mails, e.mailsTo(u.Email), "no codes or links for a suspended account")
	})
	t.Run("refresh of a session suspended elsewhere", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, withoutLimiter())
		u := e.register("dir@example.in")
		res := e.mustLogin(u.Email)
		// The directory flags the user without core ending the sessions (an
		// external directory, or an admin tool writing the row).
		require.NoError(t, e.store.SetSuspended(ctx, u.ID, true))

		_, err := e.auth.Refresh(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})
		requireKind(t, err, KindSuspended)
		_, err = e.auth.Authenticate(ctx, res.AccessToken)
		requireKind(t, err, KindUnauthorized)
	})
}

func TestRegisterInExternalModeIsForbidden(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter(), externalMode())
	_, err := e.auth.Register(context.Background(), RegisterInput{Email: "ext@example.in", Password: testPassword,
		Consents: allGranted(), Client: e.client})
	requireKind(t, err, KindForbidden)
	_, err = e.store.UserByEmail(context.Background(), "ext@example.in")
	require.ErrorIs(t, err, ports.ErrNotFound)
	assert.Zero(t, e.outbox.Len())
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

			require.NoError(t, e.auth.VerifyEmail(context.Background(), LinkInput{Token: resent, Client: e.client}))
			res, err := e.login(u.Email, testPassword)
			require.NoError(t, err)
			assert.True(t, res.User.EmailVerified)
			assert.Contains(t, e.eventKinds(u.ID), ports.EventEmailVerified)

			requireKind(t, e.auth.VerifyEmail(context.Background(), LinkInput{Token: link, Client: e.client}), KindUnauthorized)
		})
	}
}

func TestLogoutRecordsAnEvent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	u := e.register("bye@example.in")
	ctx := context.Background()
	res := e.mustLogin(u.Email)
	require.NoError(t, e.auth.Logout(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client}))

	events, err := e.store.Events(ctx, u.ID)
	require.NoError(t, err)
	last := events[len(events)-1]
	assert.Equal(t, ports.EventSessionRevoked, last.Kind)
	assert.Equal(t, res.SessionID, last.Detail)
	assert.Equal(t, testIP, last.IPAddress)
	assert.Equal(t, testUA, last.UserAgent)

	// A second logout, or an unknown token, answers the same and records nothing.
	n := len(events)
	require.NoError(t, e.auth.Logout(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client}))
	require.NoError(t, e.auth.Logout(ctx, RefreshInput{RefreshToken: newToken(), Client: e.client}))
	require.NoError(t, e.auth.Logout(ctx, RefreshInput{RefreshToken: "garbage", Client: e.client}))
	events, err = e.store.Events(ctx, u.ID)
	require.NoError(t, err)
	assert.Len(t, events, n)
}

func TestRecordConsentEdgeCases(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		ds    []ConsentDecision
		meta  ConsentMeta
		field string
	}{
		{name: "no decisions", ds: nil, field: "consents"},
		{name: "empty list", ds: []ConsentDecision{}, field: "consents"},
		{name: "unknown category", ds: []ConsentDecision{{Category: "biometrics", Granted: true}}, field: "category"},
		{name: "unknown category after a good one",
			ds: []ConsentDecision{{Category: "analytics", Granted: true}, {Category: "Analytics", Granted: true}}, field: "category"},
		{name: "overlong notice version", ds: []ConsentDecision{{Category: "analytics"}},
			meta: ConsentMeta{NoticeVersion: strings.Repeat("1", 65)}, field: "notice_version"},
		{name: "control character in the notice version", ds: []ConsentDecision{{Category: "analytics"}},
			meta: ConsentMeta{NoticeVersion: "1.0\n2.0"}, field: "notice_version"},
		{name: "invalid utf-8 notice language", ds: []ConsentDecision{{Category: "analytics"}},
			meta: ConsentMeta{NoticeLanguage: "h\xffi"}, field: "notice_version"},
		{name: "overlong notice language", ds: []ConsentDecision{{Category: "analytics"}},
			meta: ConsentMeta{NoticeLanguage: strings.Repeat("x", 36)}, field: "notice_version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withoutLimiter())
			u := e.register("consent@example.in")
			ctx := context.Background()
			before, err := e.store.ConsentHistory(ctx, u.ID)
			require.NoError(t, err)

			_, err = e.auth.Admin().RecordBulkConsent(ctx, u.ID, tc.ds, tc.meta)
			ce := requireKind(t, err, KindValidation)
			assert.Equal(t, tc.field, ce.Field)
			if len(tc.ds) == 1 {
				_, err = e.auth.Admin().RecordConsent(ctx, u.ID, tc.ds[0], tc.meta)
				requireKind(t, err, KindValidation)
			}
			after, err := e.store.ConsentHistory(ctx, u.ID)
			require.NoError(t, err)
			assert.Len(t, after, len(before), "nothing is written")
		})
	}
}

func TestRecordConsentFillsTheNoticeAndChainsTheRow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	u := e.register("chain@example.in")
	ctx := context.Background()
	e.clock.Advance(time.Hour)

	row, err := e.auth.Admin().RecordConsent(ctx, u.ID, ConsentDecision{Category: "analytics", Granted: false},
		ConsentMeta{Client: Client{IP: "::ffff:198.51.100.4", UserAgent: "App/2.0"}})
	require.NoError(t, err)
	assert.Equal(t, "1.0.0", row.NoticeVersion, "empty means the configured notice")
	assert.Equal(t, "en", row.NoticeLanguage)
	assert.Equal(t, "198.51.100.4", row.IPAddress)
	assert.Equal(t, "App/2.0", row.UserAgent)
	assert.Equal(t, int64(7), row.Seq, "after the six registration rows")
	assert.NotEmpty(t, row.PrevHash)
	assert.Equal(t, testStart.Add(time.Hour), row.RecordedAt)

	custom, err := e.auth.Admin().RecordConsent(ctx, u.ID, ConsentDecision{Category: "analytics", Granted: true},
		ConsentMeta{NoticeVersion: "2.0.0", NoticeLanguage: "hi"})
	require.NoError(t, err)
	assert.Equal(t, "2.0.0", custom.NoticeVersion)
	assert.Equal(t, "hi", custom.NoticeLanguage)
	assert.Equal(t, row.Hash, custom.PrevHash)

	report, err := e.auth.Admin().VerifyConsentChain(ctx, u.ID)
	require.NoError(t, err)
	assert.True(t, report.Intact)
	assert.Equal(t, 8, report.Rows)

	events, err := e.store.Events(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, "analytics=true", events[len(events)-1].Detail)
}
