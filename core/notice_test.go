package core

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withNotices replaces the test notices.
func withNotices(ns ...Notice) envOption {
	return func(c *Config, _ *Deps) { c.Notices = ns }
}

// newNotice is notice version in language, published at.
func newNotice(version, language string, at time.Time, categories ...string) Notice {
	return Notice{Version: version, Language: language, Text: "notice " + version + " " + language, PublishedAt: at, Categories: categories}
}

func TestNoticeLanguagesAreEnglishAndTheEighthSchedule(t *testing.T) {
	t.Parallel()
	langs := NoticeLanguages()
	assert.Len(t, langs, 23, "English and the 22 languages of the Eighth Schedule")
	for _, l := range []string{"en", "as", "bn", "brx", "doi", "gu", "hi", "kn", "ks", "kok", "mai", "ml", "mni",
		"mr", "ne", "or", "pa", "sa", "sat", "sd", "ta", "te", "ur"} {
		assert.Contains(t, langs, l)
	}
}

func TestNewRefusesBadNotices(t *testing.T) {
	t.Parallel()
	at := testNoticeAt
	for _, tc := range []struct {
		name    string
		notices []Notice
		want    string
	}{
		{name: "none", notices: nil, want: "Notices must not be empty"},
		{name: "a language outside the list", notices: []Notice{newNotice("1", "fr", at)}, want: "Language must be one of"},
		{name: "a region subtag", notices: []Notice{newNotice("1", "hi-IN", at)}, want: "Language must be one of"},
		{name: "no version", notices: []Notice{newNotice("", "en", at)}, want: "Version must be"},
		{name: "a 65-byte version", notices: []Notice{newNotice(strings.Repeat("v", 65), "en", at)}, want: "Version must be"},
		{name: "no text nor URL", notices: []Notice{{Version: "1", Language: "en", PublishedAt: at}}, want: "Text or URL"},
		{name: "URL without hash", notices: []Notice{{Version: "1", Language: "en", URL: "https://example.in/privacy", PublishedAt: at}}, want: "needs SHA256"},
		{name: "URL not http", notices: []Notice{{Version: "1", Language: "en", URL: "ftp://example.in/p", SHA256: sha256Hex("x"), PublishedAt: at}}, want: "absolute http(s) URL"},
		{name: "hash not matching the text", notices: []Notice{{Version: "1", Language: "en", Text: "a", SHA256: sha256Hex("b"), PublishedAt: at}}, want: "does not match Text"},
		{name: "twice", notices: []Notice{newNotice("1", "en", at), newNotice("1", "en", at)}, want: "listed twice"},
		{name: "unknown category", notices: []Notice{newNotice("1", "en", at, "biometrics")}, want: "unknown category"},
		{name: "no published time", notices: []Notice{newNotice("1", "en", time.Time{})}, want: "PublishedAt"},
		{name: "translations differ", notices: []Notice{newNotice("1", "en", at), newNotice("1", "hi", at.Add(time.Hour))}, want: "translations"},
		{name: "two versions at one time", notices: []Notice{newNotice("1", "en", at), newNotice("2", "en", at)}, want: "same time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := DefaultConfig()
			cfg.SecretKey = []byte("test-secret-key-that-is-32-bytes-long!!")
			cfg.Notices = tc.notices
			_, err := New(cfg, Deps{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestNoticeIsTheCurrentOneInTheLanguageAsked(t *testing.T) {
	t.Parallel()
	hindi := Notice{Version: "1.0.0", Language: "hi", URL: "https://example.in/privacy/hi", SHA256: sha256Hex("सूचना"), PublishedAt: testNoticeAt}
	e := newEnv(t, withNotices(newNotice("1.0.0", "en", testNoticeAt), hindi,
		newNotice("0.9", "en", testNoticeAt.Add(-time.Hour)), newNotice("0.9", "ta", testNoticeAt.Add(-time.Hour))))

	n, err := e.auth.Notice("hi")
	require.NoError(t, err)
	assert.Equal(t, "1.0.0", n.Version)
	assert.Equal(t, "https://example.in/privacy/hi", n.URL)
	assert.Equal(t, sha256Hex("सूचना"), n.SHA256)
	assert.Equal(t, []string{"en", "hi"}, n.Languages)
	assert.Equal(t, []string{"identity", "contact", "location", "security", "communications", "analytics"}, n.Categories,
		"a notice naming no category covers all")

	en, err := e.auth.Notice("")
	require.NoError(t, err)
	assert.Equal(t, "en", en.Language, "no language: Config.NoticeLanguage")
	assert.Equal(t, sha256Hex(en.Text), en.SHA256, "the hash of the text")

	_, err = e.auth.Notice("ta")
	assert.Equal(t, codeNoticeNotFound, requireKind(t, err, KindNotFound).Code, "an older version's language is not the current notice")
	_, err = e.auth.Notice("fr")
	assert.Equal(t, "lang", requireKind(t, err, KindValidation).Field)
}

func TestANoticePublishedLaterBecomesCurrentThen(t *testing.T) {
	t.Parallel()
	next := testStart.Add(time.Hour)
	e := newEnv(t, withNotices(newNotice("1", "en", testNoticeAt), newNotice("2", "en", next)))
	n, err := e.auth.Notice("en")
	require.NoError(t, err)
	assert.Equal(t, "1", n.Version, "version 2 is not published yet")
	e.clock.Advance(time.Hour)
	n, err = e.auth.Notice("en")
	require.NoError(t, err)
	assert.Equal(t, "2", n.Version)
}

func TestRegisterRecordsTheNoticeShown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	hi, err := e.auth.Notice("hi")
	require.NoError(t, err)
	u, err := e.auth.Register(t.Context(), RegisterInput{Email: "hindi@example.in", Password: testPassword,
		Consents: allGranted(), NoticeVersion: hi.Version, NoticeLanguage: "hi", Client: e.client})
	require.NoError(t, err)
	history := inStore(e, e.store.ConsentHistory, u.ID)
	require.Len(t, history, 6)
	for _, r := range history {
		assert.Equal(t, "1.0.0", r.NoticeVersion)
		assert.Equal(t, "hi", r.NoticeLanguage)
		assert.Equal(t, hi.SHA256, r.NoticeHash, "every row stores the notice hash")
	}
}

func TestAMissingNoticeLanguageIsTheUsersNeverAnother(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	reg := func(email, language, noticeLanguage string) ([]string, error) {
		u, err := e.auth.Register(ctx, RegisterInput{Email: email, Password: testPassword, Consents: allGranted(),
			Language: language, NoticeLanguage: noticeLanguage, Client: e.client})
		if err != nil {
			return nil, err
		}
		history := inStore(e, e.store.ConsentHistory, u.ID)
		return []string{history[0].NoticeLanguage, history[0].NoticeHash}, nil
	}
	got, err := reg("hi@example.in", "hi-IN", "")
	require.NoError(t, err)
	assert.Equal(t, []string{"hi", sha256Hex(testNotices()[1].Text)}, got, "the user's language")
	got, err = reg("none@example.in", "", "")
	require.NoError(t, err)
	assert.Equal(t, "en", got[0], "no language: Config.NoticeLanguage")
	_, err = reg("ta@example.in", "ta", "")
	assert.Equal(t, "notice_language", requireKind(t, err, KindValidation).Field, "no Tamil notice: refused, not silently English")
	got, err = reg("ta2@example.in", "ta", "en")
	require.NoError(t, err)
	assert.Equal(t, "en", got[0], "the language shown, when named")
}

func TestDecisionsOnAnUnknownOrOutdatedNoticeAreRefused(t *testing.T) {
	t.Parallel()
	e, u, p := newSignedInEnv(t, "decide@example.in", withoutLimiter(), withNotices(newNotice("1", "en", testNoticeAt.Add(-time.Hour)),
		newNotice("2", "en", testNoticeAt), newNotice("2", "hi", testNoticeAt)))
	ctx := t.Context()
	for _, tc := range []struct {
		name           string
		version, lang  string
		kind           Kind
		code, field    string
		recordedInLang string
	}{
		{name: "current notice", version: "2", lang: "hi", recordedInLang: "hi"},
		{name: "defaults", recordedInLang: "en"},
		{name: "unknown version", version: "3", kind: KindValidation, field: "notice_version"},
		{name: "unknown language", version: "2", lang: "ta", kind: KindValidation, field: "notice_language"},
		{name: "outdated version", version: "1", lang: "en", kind: KindConflict, code: codeNoticeOutdated},
	} {
		for _, decide := range []func(context.Context, Principal, ConsentInput) (ConsentState, error){e.auth.Grant, e.auth.Withdraw} {
			before := inStore(e, e.store.ConsentHistory, u.ID)
			st, err := decide(ctx, p, ConsentInput{Category: "analytics", NoticeVersion: tc.version, NoticeLanguage: tc.lang, Client: e.client})
			after, herr := e.store.ConsentHistory(ctx, u.ID)
			require.NoError(t, herr)
			if tc.recordedInLang == "" {
				ce := requireKind(t, err, tc.kind)
				assert.Equal(t, tc.field, ce.Field, tc.name)
				if tc.code != "" {
					assert.Equal(t, tc.code, ce.Code, tc.name)
				}
				assert.Len(t, after, len(before), "%s: nothing recorded", tc.name)
				continue
			}
			require.NoError(t, err, tc.name)
			assert.Equal(t, "2", st.NoticeVersion, tc.name)
			assert.Equal(t, tc.recordedInLang, after[len(after)-1].NoticeLanguage, tc.name)
		}
	}
	_, err := e.auth.Register(ctx, RegisterInput{Email: "old@example.in", Password: testPassword, Consents: allGranted(),
		NoticeVersion: "1", Client: e.client})
	assert.Equal(t, codeNoticeOutdated, requireKind(t, err, KindConflict).Code, "registration too")
}

func TestReconsentIsRequiredWhenACategorysNoticeChanges(t *testing.T) {
	t.Parallel()
	v2At := testStart.Add(time.Hour)
	e := newEnv(t, withNotices(newNotice("1", "en", testNoticeAt), newNotice("2", "en", v2At, "analytics", "location")))
	u := e.register("again@example.in")
	ctx := t.Context()
	required, err := e.auth.ReconsentRequired(ctx, u.ID)
	require.NoError(t, err)
	assert.Empty(t, required, "every decision is on the current notice")

	e.clock.Advance(time.Hour) // version 2 is published, covering two categories
	required, err = e.auth.ReconsentRequired(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"location", "analytics"}, required, "only the categories the new notice covers, in the configured order")
	states, err := e.auth.Admin().Consents(ctx, u.ID)
	require.NoError(t, err)
	for _, s := range states {
		assert.Equal(t, s.Category == "analytics" || s.Category == "location", s.ReconsentRequired, s.Category)
	}

	p := e.principal(e.mustLogin(u.Email))
	st, err := e.auth.Grant(ctx, p, ConsentInput{Category: "analytics", Client: e.client})
	require.NoError(t, err)
	assert.False(t, st.ReconsentRequired, "a new decision clears it")
	required, err = e.auth.ReconsentRequired(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"location"}, required)

	fresh, err := e.auth.ReconsentRequired(ctx, "usr_never_decided")
	require.NoError(t, err)
	assert.Len(t, fresh, 6, "a category never decided needs a decision")
}

// A grant covers the purposes of the notice it was given on: when the
// category's notice changes, RequireConsent refuses (reconsent_required) until
// the user decides on the new one; ReconsentGrace (0 by default) delays that.
func TestRequireConsentRefusesAGrantUnderASupersededNotice(t *testing.T) {
	t.Parallel()
	assert.Zero(t, DefaultConfig().ReconsentGrace)
	v2At := testStart.Add(time.Hour)
	notices := withNotices(newNotice("1", "en", testNoticeAt), newNotice("2", "en", v2At, "communications"))
	for _, tc := range []struct {
		name  string
		grace time.Duration
	}{{name: "no grace"}, {name: "a day's grace", grace: 24 * time.Hour}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, notices, func(c *Config, _ *Deps) { c.ReconsentGrace = tc.grace })
			u := e.register("notice@example.in")
			ctx := t.Context()
			require.NoError(t, e.auth.RequireConsent(ctx, u.ID, "communications"))

			e.clock.Advance(time.Hour) // version 2 now covers communications
			if tc.grace > 0 {
				e.clock.Advance(tc.grace - time.Second)
				require.NoError(t, e.auth.RequireConsent(ctx, u.ID, "communications"), "within the grace")
				e.clock.Advance(time.Second)
			}
			requireCode(t, e.auth.RequireConsent(ctx, u.ID, "communications"), KindForbidden, codeReconsentRequired)
			ok, err := e.auth.HasConsent(ctx, u.ID, "communications")
			require.NoError(t, err)
			assert.False(t, ok)
			require.NoError(t, e.auth.RequireConsent(ctx, u.ID, "location"), "a category the new notice leaves alone")

			p := e.principal(e.mustLogin(u.Email))
			require.NoError(t, errOf(e.auth.Grant(ctx, p, ConsentInput{Category: "communications", NoticeVersion: "2", Client: e.client})))
			require.NoError(t, e.auth.RequireConsent(ctx, u.ID, "communications"), "granted on the current notice")
		})
	}
}
