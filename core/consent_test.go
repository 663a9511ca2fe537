package core

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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

func TestWithdrawAndGrantAreOneCallEach(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.register("consent@example.in")
	p := e.principal(e.mustLogin(u.Email))
	ctx := context.Background()

	st, err := e.auth.Withdraw(ctx, p, ConsentInput{Category: "analytics", Client: e.client})
	require.NoError(t, err)
	assert.False(t, st.Granted)
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Contains(t, m.Text, "analytics", "a withdrawal receipt is emailed")

	states, err := e.auth.Admin().Consents(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, states, 6)
	for _, s := range states {
		assert.Equal(t, s.Category != "analytics", s.Granted, s.Category)
	}
	st, err = e.auth.Grant(ctx, p, ConsentInput{Category: "analytics", Client: e.client})
	require.NoError(t, err)
	assert.True(t, st.Granted)

	_, err = e.auth.Withdraw(ctx, p, ConsentInput{Category: "biometrics", Client: e.client})
	requireKind(t, err, KindValidation)
	_, err = e.auth.Grant(ctx, p, ConsentInput{Category: "'; DELETE FROM ba_consent_log; --", Client: e.client})
	requireKind(t, err, KindValidation)
	report, err := e.auth.Admin().VerifyConsentChain(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, ChainReport{Rows: 8, Intact: true}, report)
}

// The end-user view of consents is the caller's own: what the operator's
// view shows for that user, after the caller's own decision.
func TestConsentsListsTheCallersOwnDecisions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	ctx := context.Background()
	u := e.register("mine@example.in")
	e.register("other@example.in")
	p := e.principal(e.knownDeviceLogin(u.Email))
	_, err := e.auth.Withdraw(ctx, p, ConsentInput{Category: "analytics", Client: e.client})
	require.NoError(t, err)

	mine, err := e.auth.Consents(ctx, p)
	require.NoError(t, err)
	asOperator, err := e.auth.Admin().Consents(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, asOperator, mine)
	for _, s := range mine {
		assert.Equal(t, s.Category != "analytics", s.Granted, s.Category)
	}
}

func TestNeverRecordedCategoryReadsAsNotGranted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	states, err := e.auth.Admin().Consents(context.Background(), "usr_without_rows")
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
			e := newEnv(t, func(_ *Config, d *Deps) { d.Consents = tamperedLedger{ConsentLedger: d.Storage, tamper: tc.tamper} })
			u := e.register("chain@example.in")
			report, err := e.auth.Admin().VerifyConsentChain(context.Background(), u.ID)
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
		{name: "cut before a split rune", in: "a" + strings.Repeat("é", 40), n: 64, want: "a" + strings.Repeat("é", 31) + "…"},
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
	_, err := e.auth.Admin().RecordConsent(context.Background(), u.ID,
		ConsentDecision{Category: strings.Repeat("z", 200) + "\xff", Granted: true}, ConsentMeta{})
	ce := requireKind(t, err, KindValidation)
	assert.Equal(t, "category", ce.Field)
	assert.Contains(t, ce.Message, strings.Repeat("z", 64)+"…")
	assert.NotContains(t, ce.Message, strings.Repeat("z", 65))
	assert.True(t, utf8.ValidString(ce.Message))
}
