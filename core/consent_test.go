package core

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func decisions(granted map[string]bool) []ConsentDecision {
	var ds []ConsentDecision
	for _, c := range DefaultCategories() {
		if g, ok := granted[c.Name]; ok {
			ds = append(ds, ConsentDecision{Category: c.Name, Granted: g})
		}
	}
	return ds
}

func TestValidateRegistrationConsent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	all := map[string]bool{"identity": true, "contact": true, "location": true, "security": true, "communications": true, "analytics": true}
	with := func(change map[string]bool, drop ...string) []ConsentDecision {
		m := map[string]bool{}
		for k, v := range all {
			m[k] = v
		}
		for k, v := range change {
			m[k] = v
		}
		for _, d := range drop {
			delete(m, d)
		}
		return decisions(m)
	}
	for _, tc := range []struct {
		name string
		ds   []ConsentDecision
		kind Kind
		ok   bool
	}{
		{name: "all granted", ds: with(nil), ok: true},
		{name: "optional ones declined", ds: with(map[string]bool{"location": false, "communications": false, "analytics": false}), ok: true},
		{name: "a decision missing", ds: with(nil, "analytics"), kind: KindConsentRequired},
		{name: "a required one declined", ds: with(map[string]bool{"security": false}), kind: KindConsentRequired},
		{name: "nothing", ds: nil, kind: KindConsentRequired},
		{name: "unknown category", ds: append(with(nil), ConsentDecision{Category: "biometrics", Granted: true}), kind: KindValidation},
		{name: "repeated category", ds: append(with(nil), ConsentDecision{Category: "identity", Granted: true}), kind: KindValidation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := e.auth.ValidateRegistrationConsent(tc.ds)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			requireKind(t, err, tc.kind)
		})
	}
}

func TestRegistrationRecordsEveryDecisionIncludingDeclined(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ds := decisions(map[string]bool{"identity": true, "contact": true, "location": false, "security": true, "communications": false, "analytics": true})
	u, err := e.auth.Register(context.Background(), RegisterInput{Email: "dpdp@example.in", Password: testPassword,
		Consents: ds, NoticeLanguage: "hi", Client: e.client})
	require.NoError(t, err)
	history, err := e.store.ConsentHistory(context.Background(), u.ID)
	require.NoError(t, err)
	require.Len(t, history, 6)
	for i, r := range history {
		assert.Equal(t, ds[i].Category, r.Category)
		assert.Equal(t, ds[i].Granted, r.Granted)
		assert.Equal(t, "1.0.0", r.NoticeVersion)
		assert.Equal(t, "hi", r.NoticeLanguage)
		assert.Equal(t, testIP, r.IPAddress)
		assert.Equal(t, testUA, r.UserAgent)
	}
}

func TestRegistrationWritesNothingOnBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
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
	_, err := e.auth.Register(context.Background(), RegisterInput{Email: "TAKEN@example.in", Password: testPassword, Consents: allGranted()})
	assert.Equal(t, codeEmailTaken, requireKind(t, err, KindConflict).Code)
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
			err := e.auth.VerifyEmail(context.Background(), token, e.client)
			if !tc.ok {
				requireKind(t, err, KindTokenExpired)
				return
			}
			require.NoError(t, err)
			assert.True(t, mustUser(t, e, u.Email).EmailVerified)
		})
	}
}

func TestResetAndUnlockLinksLast30Minutes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		request func(e *env, email string) error
		confirm func(e *env, token string) error
	}{
		{name: "password reset", request: func(e *env, m string) error { return e.auth.RequestPasswordReset(ctx, m, e.client) },
			confirm: func(e *env, tok string) error {
				return e.auth.ConfirmPasswordReset(ctx, tok, "fresh new passphrase", e.client)
			}},
		{name: "pin reset", request: func(e *env, m string) error { return e.auth.RequestPINReset(ctx, m, e.client) },
			confirm: func(e *env, tok string) error { return e.auth.ConfirmPINReset(ctx, tok, "5820", e.client) }},
		{name: "unlock", request: func(e *env, m string) error { return e.auth.RequestUnlock(ctx, m, e.client) },
			confirm: func(e *env, tok string) error { return e.auth.ConfirmUnlock(ctx, tok, e.client) }},
	} {
		for _, wait := range []int{29, 30} {
			t.Run(fmt.Sprintf("%s/%dm", tc.name, wait), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t)
				u := e.register("links@example.in")
				require.NoError(t, tc.request(e, u.Email))
				e.clock.Advance(time.Duration(wait) * time.Minute)
				err := tc.confirm(e, e.lastToken(u.Email))
				if wait < 30 {
					require.NoError(t, err)
				} else {
					requireKind(t, err, KindTokenExpired)
				}
			})
		}
	}
}

func TestWithdrawAndGrantAreOneCallEach(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.register("consent@example.in")
	p := e.principal(e.mustLogin(u.Email))
	ctx := context.Background()

	st, err := e.auth.Withdraw(ctx, p, "analytics", e.client)
	require.NoError(t, err)
	assert.False(t, st.Granted)
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Contains(t, m.Text, "analytics", "a withdrawal receipt is emailed")

	states, err := e.auth.Consents(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, states, 6)
	for _, s := range states {
		assert.Equal(t, s.Category != "analytics", s.Granted, s.Category)
	}
	st, err = e.auth.Grant(ctx, p, "analytics", e.client)
	require.NoError(t, err)
	assert.True(t, st.Granted)

	_, err = e.auth.Withdraw(ctx, p, "biometrics", e.client)
	requireKind(t, err, KindValidation)
	_, err = e.auth.Grant(ctx, p, "'; DELETE FROM ba_consent_log; --", e.client)
	requireKind(t, err, KindValidation)
	report, err := e.auth.VerifyConsentChain(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, ChainReport{Rows: 8, Intact: true}, report)
}

func TestNeverRecordedCategoryReadsAsNotGranted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	states, err := e.auth.Consents(context.Background(), "usr_without_rows")
	require.NoError(t, err)
	for _, s := range states {
		assert.False(t, s.Granted)
		assert.Equal(t, "1.0.0", s.NoticeVersion)
		assert.True(t, s.ConsentedAt.IsZero())
	}
}

// tamperedLedger returns histories changed by tamper, as an attacker with
// database access might leave them.
type tamperedLedger struct {
	ports.ConsentLedger
	tamper func([]ports.ConsentRecord) []ports.ConsentRecord
}

func (l tamperedLedger) ConsentHistory(ctx context.Context, userID string) ([]ports.ConsentRecord, error) {
	rows, err := l.ConsentLedger.ConsentHistory(ctx, userID)
	if err != nil {
		return nil, err
	}
	return l.tamper(rows), nil
}

func TestVerifyConsentChainFindsTheFirstBrokenLink(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		tamper func([]ports.ConsentRecord) []ports.ConsentRecord
		at     int64
		reason string
	}{
		{name: "flipped decision", at: 3, reason: "the row's content does not match its hash", tamper: func(r []ports.ConsentRecord) []ports.ConsentRecord { r[2].Granted = !r[2].Granted; return r }},
		{name: "changed notice", at: 5, reason: "the row's content does not match its hash", tamper: func(r []ports.ConsentRecord) []ports.ConsentRecord { r[4].NoticeVersion = "9"; return r }},
		{name: "deleted row", at: 4, reason: "expected sequence 3, found 4 (a row is missing or inserted)", tamper: func(r []ports.ConsentRecord) []ports.ConsentRecord { return append(r[:2], r[3:]...) }},
		{name: "relinked row", at: 2, reason: "the link to the previous row does not match", tamper: func(r []ports.ConsentRecord) []ports.ConsentRecord { r[1].PrevHash = "00"; return r }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(_ *Config, d *Deps) { d.Consents = tamperedLedger{ConsentLedger: d.Consents, tamper: tc.tamper} })
			u := e.register("chain@example.in")
			report, err := e.auth.VerifyConsentChain(context.Background(), u.ID)
			require.NoError(t, err)
			assert.False(t, report.Intact)
			assert.Equal(t, tc.at, report.BrokenAt)
			assert.Equal(t, tc.reason, report.Reason)
		})
	}
}

// A consent row records the notice version (up to 64 bytes) and language (up
// to maxLanguageLen bytes) it was given under; a value at the limit is
// recorded as is, one byte more is refused before anything is written.
func TestConsentNoticeFieldsAtTheirLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		version  string
		language string
		wantErr  bool
	}{
		{name: "64-byte version", version: strings.Repeat("v", 64), language: "en"},
		{name: "65-byte version", version: strings.Repeat("v", 65), language: "en", wantErr: true},
		{name: "35-byte language", version: "1.0.0", language: strings.Repeat("a", maxLanguageLen)},
		{name: "36-byte language", version: "1.0.0", language: strings.Repeat("a", maxLanguageLen+1), wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withoutLimiter(), func(c *Config, _ *Deps) { c.NoticeVersion = tc.version })
			u, err := e.auth.Register(context.Background(), RegisterInput{Email: "notice@example.in", Password: testPassword,
				Consents: allGranted(), NoticeLanguage: tc.language, Client: e.client})
			if tc.wantErr {
				ce := requireKind(t, err, KindValidation)
				assert.Equal(t, "notice_version", ce.Field)
				assert.Zero(t, e.outbox.Len(), "nothing is written or sent")
				return
			}
			require.NoError(t, err)
			history, err := e.store.ConsentHistory(context.Background(), u.ID)
			require.NoError(t, err)
			require.NotEmpty(t, history)
			assert.Equal(t, tc.version, history[0].NoticeVersion)
			assert.Equal(t, tc.language, history[0].NoticeLanguage)
		})
	}
}
