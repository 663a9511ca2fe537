package http_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
)

func TestPrivacy(t *testing.T) {
	t.Parallel()
	e := newUserEnv(t, "asha@example.in")
	tok := e.accessToken("asha@example.in")

	r := e.ok(req{method: "GET", path: "/privacy/consents", token: tok})
	assert.Equal(t, true, r.json["success"])
	data := r.json["data"].([]any)
	require.Len(t, data, len(core.DefaultCategories()))
	first := data[0].(map[string]any)
	assert.Equal(t, map[string]any{"category": "identity", "granted": true, "required": true,
		"notice_version": "1.0.0", "notice_language": "en", "source": "self", "reconsent_required": false,
		"consented_at": testStart.Format("2006-01-02T15:04:05Z")}, first)

	tests := []struct {
		name    string
		path    string
		body    any
		status  int
		code    string
		granted bool
	}{
		{name: "withdraw analytics", path: "/privacy/consent/withdraw", body: map[string]any{"category": "analytics"}, status: 200},
		{name: "grant analytics", path: "/privacy/consent/grant", body: map[string]any{"category": "analytics"}, status: 200, granted: true},
		{name: "unknown category", path: "/privacy/consent/grant", body: map[string]any{"category": "mind_reading"}, status: 422, code: "validation_failed"},
		{name: "SQL in a category", path: "/privacy/consent/withdraw", body: map[string]any{"category": "x'); DELETE FROM ba_consent_log;--"}, status: 422, code: "validation_failed"},
		{name: "missing category", path: "/privacy/consent/withdraw", body: map[string]any{}, status: 422, code: "validation_failed"},
		{name: "category of the wrong type", path: "/privacy/consent/withdraw", body: `{"category":["analytics"]}`, status: 400, code: "wrong_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(req{method: "POST", path: tc.path, token: tok, body: tc.body})
			if tc.status != http.StatusOK {
				requireProblem(t, r, tc.status, tc.code)
				assert.Equal(t, "category", r.str("field"))
				return
			}
			require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
			d := r.json["data"].(map[string]any)
			assert.Equal(t, "analytics", d["category"])
			assert.Equal(t, tc.granted, d["granted"])
			assert.Equal(t, false, d["required"])
		})
	}

	t.Run("export needs a step-up, then answers the document", func(t *testing.T) {
		requireProblem(t, e.do(req{method: "GET", path: "/privacy/export", token: tok}), http.StatusForbidden, "step_up_required")
		e.stepUp("asha@example.in", tok)
		e.ok(req{method: "POST", path: "/pin/set", token: tok, body: map[string]any{"pin": testPIN}})
		r := e.ok(req{method: "GET", path: "/privacy/export", token: tok})
		account := r.json["account"].(map[string]any)
		assert.Equal(t, "asha@example.in", account["email"])
		assert.Equal(t, true, account["pin_set"])
		assert.Len(t, r.json["consents"], len(core.DefaultCategories())+2)
		row := r.json["consents"].([]any)[0].(map[string]any)
		assert.Equal(t, "self", row["source"], "each row's source")
		assert.Len(t, row["notice_hash"], 64, "and the notice it was given on")
		assert.Equal(t, "1.0.0", row["notice_version"])
		assert.Equal(t, "en", row["notice_language"])
		assert.EqualValues(t, 2, row["chain_version"])
		assert.NotEmpty(t, r.json["events"])
		assert.NotEmpty(t, r.json["one_time_tokens"])
		assert.NotContains(t, string(r.raw), "argon2")
	})
}

// hindiNotice is notice 1.0.0 in Hindi, beside DefaultNotices' English one.
func hindiNotice() core.Notice {
	n := core.DefaultNotices()[0]
	n.Language, n.Text = "hi", "गोपनीयता सूचना: हम आपके डेटा का इस्तेमाल केवल इन कामों के लिए करते हैं।"
	return n
}

func withHindiNotice(c *core.Config) { c.Notices = append(core.DefaultNotices(), hindiNotice()) }

func TestPrivacyNotice(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{cfg: withHindiNotice})
	r := e.ok(req{method: "GET", path: "/privacy/notice?lang=hi"})
	assert.Equal(t, "1.0.0", r.str("version"))
	assert.Equal(t, "hi", r.str("language"))
	assert.Equal(t, hindiNotice().Text, r.str("text"))
	assert.Len(t, r.str("sha256"), 64)
	assert.Equal(t, []any{"en", "hi"}, r.json["languages"])
	assert.Len(t, r.json["categories"], len(core.DefaultCategories()))
	assert.Equal(t, "en", e.ok(req{method: "GET", path: "/privacy/notice"}).str("language"), "no lang: the default")

	requireProblem(t, e.do(req{method: "GET", path: "/privacy/notice?lang=ta"}), http.StatusNotFound, "notice_not_found")
	requireProblem(t, e.do(req{method: "GET", path: "/privacy/notice?lang=xx"}), http.StatusUnprocessableEntity, "validation_failed")

	t.Run("register, grant and withdraw name the notice shown", func(t *testing.T) {
		r := e.do(req{method: "POST", path: "/register", body: map[string]any{"email": "hindi@example.in", "password": testPassword,
			"consents": consentsBody(false), "notice_version": "1.0.0", "notice_language": "hi"}})
		require.Equal(t, http.StatusCreated, r.status, "body: %s", r.raw)
		requireProblem(t, e.do(req{method: "POST", path: "/register", body: map[string]any{"email": "old@example.in", "password": testPassword,
			"consents": consentsBody(false), "notice_version": "0.9"}}), http.StatusUnprocessableEntity, "validation_failed")
		e.ok(req{method: "POST", path: "/email/verify", body: map[string]any{"token": e.mailed("hindi@example.in", tokenRE)}})
		tok := e.accessToken("hindi@example.in")
		d := e.ok(req{method: "POST", path: "/privacy/consent/withdraw", token: tok,
			body: map[string]any{"category": "analytics", "notice_language": "hi"}}).json["data"].(map[string]any)
		assert.Equal(t, "hi", d["notice_language"])
		requireProblem(t, e.do(req{method: "POST", path: "/privacy/consent/grant", token: tok,
			body: map[string]any{"category": "analytics", "notice_language": "ta"}}), http.StatusUnprocessableEntity, "validation_failed")
	})
}

func TestWithdrawingARequiredCategoryIsAConflict(t *testing.T) {
	t.Parallel()
	e := newUserEnv(t, "asha@example.in")
	tok := e.accessToken("asha@example.in")
	r := e.do(req{method: "POST", path: "/privacy/consent/withdraw", token: tok, body: map[string]any{"category": "identity"}})
	requireProblem(t, r, http.StatusConflict, "consent_required_for_service")
	assert.Contains(t, r.str("detail"), "close_account")
	r = e.do(req{method: "POST", path: "/privacy/consent/withdraw", token: tok, body: map[string]any{"category": "identity", "close_account": true}})
	// Closing the account is an erasure request: irreversible, so it needs a fresh step-up.
	requireProblem(t, r, http.StatusForbidden, "step_up_required")
}

func TestRequireConsentGuardsAppRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	e.root.Handle("GET /api/newsletter", e.api.RequireConsent("communications")(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	e.register("asha@example.in") // communications declined at registration
	tok := e.accessToken("asha@example.in")
	requireProblem(t, e.do(req{method: "GET", abs: "/api/newsletter", token: tok}), http.StatusForbidden, "consent_withdrawn")
	e.ok(req{method: "POST", path: "/privacy/consent/grant", token: tok, body: map[string]any{"category": "communications"}})
	assert.Equal(t, http.StatusNoContent, e.do(req{method: "GET", abs: "/api/newsletter", token: tok}).status)
	requireProblem(t, e.do(req{method: "GET", abs: "/api/newsletter"}), http.StatusUnauthorized, "missing_token")
	e.ok(req{method: "POST", path: "/privacy/consent/withdraw", token: tok, body: map[string]any{"category": "communications"}})
	requireProblem(t, e.do(req{method: "GET", abs: "/api/newsletter", token: tok}), http.StatusForbidden, "consent_withdrawn")
}

// A grant under a notice the category's current one superseded no longer
// passes the guard: 403 reconsent_required until the user decides again.
func TestRequireConsentAsksAgainWhenTheNoticeChanges(t *testing.T) {
	t.Parallel()
	v2 := core.DefaultNotices()[0]
	v2.Version, v2.Categories, v2.PublishedAt = "2.0.0", []string{"communications"}, testStart.Add(time.Minute)
	e := newEnv(t, envConfig{cfg: func(c *core.Config) { c.Notices = append(core.DefaultNotices(), v2) }})
	e.root.Handle("GET /api/newsletter", e.api.RequireConsent("communications")(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	e.register("asha@example.in")
	tok := e.accessToken("asha@example.in")
	e.ok(req{method: "POST", path: "/privacy/consent/grant", token: tok, body: map[string]any{"category": "communications"}})
	assert.Equal(t, http.StatusNoContent, e.do(req{method: "GET", abs: "/api/newsletter", token: tok}).status)
	e.clock.Advance(time.Minute)
	requireProblem(t, e.do(req{method: "GET", abs: "/api/newsletter", token: tok}), http.StatusForbidden, "reconsent_required")
	e.ok(req{method: "POST", path: "/privacy/consent/grant", token: tok, body: map[string]any{"category": "communications", "notice_version": "2.0.0"}})
	assert.Equal(t, http.StatusNoContent, e.do(req{method: "GET", abs: "/api/newsletter", token: tok}).status)
}
