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
	"github.com/bharatauth/bharatauth-go/ports/consentchain"
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
	u, err := e.auth.Register(t.Context(), RegisterInput{Email: "dpdp@example.in", Password: testPassword,
		Consents: ds, NoticeLanguage: "hi", Client: e.client})
	require.NoError(t, err)
	history := inStore(e, e.store.ConsentHistory, u.ID)
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
	e, u, p := newSignedInEnv(t, "consent@example.in")
	ctx := t.Context()

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

	requireKind(t, errOf(e.auth.Withdraw(ctx, p, ConsentInput{Category: "biometrics", Client: e.client})), KindValidation)
	requireKind(t, errOf(e.auth.Grant(ctx, p, ConsentInput{Category: "'; DELETE FROM ba_consent_log; --", Client: e.client})), KindValidation)
	report, err := e.auth.Admin().VerifyConsentChain(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, ChainReport{Rows: 8, Intact: true, Checkpointed: true}, report)
}

// The end-user view of consents is the caller's own: what the operator's
// view shows for that user, after the caller's own decision.
func TestConsentsListsTheCallersOwnDecisions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	ctx := t.Context()
	u := e.register("mine@example.in")
	e.register("other@example.in")
	p := e.principal(e.knownDeviceLogin(u.Email))
	require.NoError(t, errOf(e.auth.Withdraw(ctx, p, ConsentInput{Category: "analytics", Client: e.client})))

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
	states, err := e.auth.Admin().Consents(t.Context(), "usr_without_rows")
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
			report, err := e.auth.Admin().VerifyConsentChain(t.Context(), u.ID)
			require.NoError(t, err)
			assert.False(t, report.Intact)
			assert.Equal(t, tc.at, report.BrokenAt)
			assert.Equal(t, tc.reason, report.Reason)
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
			meta: ConsentMeta{NoticeLanguage: "h\xffi"}, field: "notice_language"},
		{name: "overlong notice language", ds: []ConsentDecision{{Category: "analytics"}},
			meta: ConsentMeta{NoticeLanguage: strings.Repeat("x", 36)}, field: "notice_language"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, u := newUserEnv(t, "consent@example.in")
			ctx := t.Context()
			before := inStore(e, e.store.ConsentHistory, u.ID)

			_, err := e.auth.Admin().RecordBulkConsent(ctx, u.ID, tc.ds, tc.meta)
			ce := requireKind(t, err, KindValidation)
			assert.Equal(t, tc.field, ce.Field)
			if len(tc.ds) == 1 {
				requireKind(t, errOf(e.auth.Admin().RecordConsent(ctx, u.ID, tc.ds[0], tc.meta)), KindValidation)
			}
			after := inStore(e, e.store.ConsentHistory, u.ID)
			assert.Len(t, after, len(before), "nothing is written")
		})
	}
}

func TestRecordConsentFillsTheNoticeAndChainsTheRow(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "chain@example.in")
	ctx := t.Context()
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

	_, err = e.auth.Admin().RecordConsent(ctx, u.ID, ConsentDecision{Category: "analytics", Granted: true},
		ConsentMeta{NoticeVersion: "2.0.0", NoticeLanguage: "hi"})
	assert.Equal(t, "notice_version", requireKind(t, err, KindValidation).Field, "an unregistered notice is refused")
	custom, err := e.auth.Admin().RecordConsent(ctx, u.ID, ConsentDecision{Category: "analytics", Granted: true},
		ConsentMeta{NoticeVersion: "1.0.0", NoticeLanguage: "hi"})
	require.NoError(t, err)
	assert.Equal(t, "1.0.0", custom.NoticeVersion)
	assert.Equal(t, "hi", custom.NoticeLanguage)
	assert.Equal(t, row.Hash, custom.PrevHash)

	report, err := e.auth.Admin().VerifyConsentChain(ctx, u.ID)
	require.NoError(t, err)
	assert.True(t, report.Intact)
	assert.Equal(t, 8, report.Rows)

	events := inStore(e, e.store.Events, u.ID)
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
	e, u := newUserEnv(t, "echo@example.in")
	_, err := e.auth.Admin().RecordConsent(t.Context(), u.ID,
		ConsentDecision{Category: strings.Repeat("z", 200) + "\xff", Granted: true}, ConsentMeta{})
	ce := requireKind(t, err, KindValidation)
	assert.Equal(t, "category", ce.Field)
	assert.Contains(t, ce.Message, strings.Repeat("z", 64)+"…")
	assert.NotContains(t, ce.Message, strings.Repeat("z", 65))
	assert.True(t, utf8.ValidString(ce.Message))
}

func TestConsentRowsAreVersion2WithKeyedClientDigests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.register("v2@example.in")
	history := inStore(e, e.store.ConsentHistory, u.ID)
	require.NotEmpty(t, history)
	r := history[0]
	assert.Equal(t, ports.ChainV2, r.ChainVersion)
	assert.Equal(t, ports.SourceSelf, r.Source)
	assert.Len(t, r.IPDigest, 64)
	assert.Len(t, r.UserAgentDigest, 64)
	assert.NotEqual(t, sha256Hex(testIP), r.IPDigest, "keyed: not a plain hash anyone can recompute")
	assert.Equal(t, e.auth.clientDigest(testIP), r.IPDigest)

	pseudonymised := r
	pseudonymised.IPAddress, pseudonymised.UserAgent = "", ""
	assert.Equal(t, r.Hash, consentchain.Hash(r.PrevHash, pseudonymised), "blanking the raw values keeps the row verifying")
}

// rewriteChain recomputes every hash of rows after changing row i, as a writer
// of the database without the server's key would.
func rewriteChain(i int, change func(*ports.ConsentRecord)) func([]ports.ConsentRecord) []ports.ConsentRecord {
	return func(rows []ports.ConsentRecord) []ports.ConsentRecord {
		change(&rows[i])
		prev := ""
		for j := range rows {
			rows[j] = consentchain.Link(prev, rows[j])
			prev = rows[j].Hash
		}
		return rows
	}
}

// cutLedger hides the checkpoint, as a writer who deleted it would.
type cutLedger struct{ ports.ConsentLedger }

func (cutLedger) ConsentCheckpoint(context.Context, string) (ports.ConsentCheckpoint, error) {
	return ports.ConsentCheckpoint{}, ports.ErrNotFound
}

func TestVerifyConsentChainCatchesAChainRewrittenWithoutTheKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		ledger func(ports.ConsentLedger) ports.ConsentLedger
		rows   int
		at     int64
		reason string
	}{
		{name: "a decision flipped and every hash recomputed", rows: 6, at: 6,
			reason: "the chain head does not match its keyed checkpoint (the chain was rewritten or cut without the server's key)",
			ledger: func(l ports.ConsentLedger) ports.ConsentLedger {
				return tamperedLedger{ConsentLedger: l, tamper: rewriteChain(2, func(r *ports.ConsentRecord) { r.Granted = !r.Granted })}
			}},
		{name: "the last row cut off", rows: 5, at: 5,
			reason: "the chain head does not match its keyed checkpoint (the chain was rewritten or cut without the server's key)",
			ledger: func(l ports.ConsentLedger) ports.ConsentLedger {
				return tamperedLedger{ConsentLedger: l, tamper: func(r []ports.ConsentRecord) []ports.ConsentRecord { return r[:5] }}
			}},
		{name: "every row deleted", rows: 0, at: 0,
			reason: "the chain head does not match its keyed checkpoint (the chain was rewritten or cut without the server's key)",
			ledger: func(l ports.ConsentLedger) ports.ConsentLedger {
				return tamperedLedger{ConsentLedger: l, tamper: func([]ports.ConsentRecord) []ports.ConsentRecord { return nil }}
			}},
		{name: "the checkpoint removed", rows: 6, at: 6, reason: "the chain has version-2 rows but no keyed checkpoint (it was removed)",
			ledger: func(l ports.ConsentLedger) ports.ConsentLedger { return cutLedger{l} }},
		{name: "a row downgraded to version 1", rows: 6, at: 3, reason: "a version-1 row follows a version-2 row (a row was rewritten under the old rule)",
			ledger: func(l ports.ConsentLedger) ports.ConsentLedger {
				return tamperedLedger{ConsentLedger: l, tamper: rewriteChain(2, func(r *ports.ConsentRecord) { r.ChainVersion = ports.ChainV1 })}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(_ *Config, d *Deps) { d.Consents = tc.ledger(d.Storage) })
			u := e.register("rewritten@example.in")
			report, err := e.auth.Admin().VerifyConsentChain(t.Context(), u.ID)
			require.NoError(t, err)
			assert.Equal(t, ChainReport{Rows: tc.rows, BrokenAt: tc.at, Reason: tc.reason}, report)
		})
	}
}

func TestVersion1ChainsStillVerify(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	old := []ports.ConsentRecord{
		{Category: "identity", Granted: true, NoticeVersion: "1.0.0", NoticeLanguage: "en", IPAddress: testIP, RecordedAt: testStart},
		{Category: "analytics", Granted: false, NoticeVersion: "1.0.0", NoticeLanguage: "en", IPAddress: testIP, RecordedAt: testStart},
	}
	require.NoError(t, errOf(e.store.AppendConsents(ctx, "usr_old", ports.ConsentAppend{Rows: old})))
	report, err := e.auth.Admin().VerifyConsentChain(ctx, "usr_old")
	require.NoError(t, err)
	assert.Equal(t, ChainReport{Rows: 2, Intact: true}, report, "rows stored before version 2 verify, without a checkpoint")

	require.NoError(t, errOf(e.auth.Admin().RecordConsent(ctx, "usr_old", ConsentDecision{Category: "analytics", Granted: true}, ConsentMeta{})))
	report, err = e.auth.Admin().VerifyConsentChain(ctx, "usr_old")
	require.NoError(t, err)
	assert.Equal(t, ChainReport{Rows: 3, Intact: true, Checkpointed: true}, report, "a version-2 row continues the chain and checkpoints it")
}

func TestHasConsentFollowsTheLatestDecision(t *testing.T) {
	t.Parallel()
	e, u, p := newSignedInEnv(t, "has@example.in")
	ctx := t.Context()
	ok, err := e.auth.HasConsent(ctx, u.ID, "communications")
	require.NoError(t, err)
	assert.True(t, ok)
	require.NoError(t, e.auth.RequireConsent(ctx, u.ID, "communications"))

	require.NoError(t, errOf(e.auth.Withdraw(ctx, p, ConsentInput{Category: "communications", Client: e.client})))
	ok, err = e.auth.HasConsent(ctx, u.ID, "communications")
	require.NoError(t, err)
	assert.False(t, ok)
	requireCode(t, e.auth.RequireConsent(ctx, u.ID, "communications"), KindForbidden, codeConsentWithdrawn)

	ok, err = e.auth.HasConsent(ctx, "usr_unknown", "communications")
	require.NoError(t, err)
	assert.False(t, ok, "never decided: not granted")
	requireKind(t, errOf(e.auth.HasConsent(ctx, u.ID, "biometrics")), KindValidation)
}

func TestWithdrawingARequiredCategoryClosesTheAccountOrNothing(t *testing.T) {
	t.Parallel()
	inbox := &erasureInbox{}
	e, u := newUserEnv(t, "required@example.in", func(_ *Config, d *Deps) { d.Erasure = inbox })
	ctx := t.Context()
	res := e.knownDeviceLogin(u.Email)
	p := e.principal(res)
	rows := func() int {
		h := inStore(e, e.store.ConsentHistory, u.ID)
		return len(h)
	}
	before := rows()

	_, err := e.auth.Withdraw(ctx, p, ConsentInput{Category: "identity", Client: e.client})
	ce := requireCode(t, err, KindConflict, codeConsentForService)
	assert.Contains(t, ce.Message, "closes your account", "the consequence is named")
	requireKind(t, errOf(e.auth.Withdraw(ctx, p, ConsentInput{Category: "identity", CloseAccount: true, Client: e.client})), KindStepUpRequired)
	assert.Equal(t, before, rows(), "nothing recorded without closing")
	assert.Empty(t, inbox.all())

	e.stepUp(p, u.Email)
	st, err := e.auth.Withdraw(ctx, p, ConsentInput{Category: "identity", CloseAccount: true, Client: e.client})
	require.NoError(t, err)
	assert.False(t, st.Granted)
	assert.Equal(t, before+1, rows(), "the withdrawal is recorded")
	require.Len(t, inbox.all(), 1, "the erasure request flow started")
	requireKind(t, errOf(e.auth.Authenticate(ctx, res.AccessToken)), KindUnauthorized)
}

func TestWithdrawalReceiptPromisesOnlyWhatIsWired(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		listener bool
		want     string
		not      string
	}{
		{name: "no listener", want: "has recorded your withdrawal", not: "will stop"},
		{name: "a listener", listener: true, want: "will stop using your data", not: "has recorded your withdrawal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(_ *Config, d *Deps) {
				if tc.listener {
					d.ConsentListener = &listener{}
				}
			})
			u := e.register("receipt@example.in")
			p := e.principal(e.mustLogin(u.Email))
			require.NoError(t, errOf(e.auth.Withdraw(t.Context(), p, ConsentInput{Category: "analytics", Client: e.client})))
			m, ok := e.outbox.Last(u.Email)
			require.True(t, ok)
			assert.Contains(t, m.Text, tc.want)
			assert.NotContains(t, m.Text, tc.not)
		})
	}
}
