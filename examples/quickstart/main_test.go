package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	tokenRE  = regexp.MustCompile(`/verify-email\?token=([A-Za-z0-9_-]+)`)
	stepUpRE = regexp.MustCompile(`Subject: Confirm it's you[^\n]*\n\n(?:[^\n]*\n)*?[^\n]*\b(\d{6})\b`)
	guardRE  = regexp.MustCompile(`/auth/guardian/confirm\?token=([A-Za-z0-9_-]+)`)
)

// The README's curl walk over real HTTP: read the Hindi privacy notice,
// register with it, verify the email with the printed link's token, sign in,
// find the session list and a guarded app route closed to a new device, step
// up with the printed code, use them and set a PIN, withdraw the
// "communications" consent and find /api/newsletter closed, have a child
// register naming the user as guardian and sign in only once the guardian
// confirmed, then shut down cleanly.
func TestQuickstartCurlWalk(t *testing.T) {
	q := startQuickstart(t)
	ctx, base, out := t.Context(), q.base, q.out
	assert.Contains(t, out.String(), "throwaway")

	client := &http.Client{Timeout: 10 * time.Second}
	post := func(path, token string, body any) (int, map[string]any) {
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		req, err := http.NewRequestWithContext(ctx, "POST", base+path, bytes.NewReader(raw))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return send(t, client, req)
	}

	get := func(path, token string) (int, map[string]any) {
		req, err := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return send(t, client, req)
	}

	status, notice := get("/auth/privacy/notice?lang=hi", "")
	require.Equal(t, http.StatusOK, status, "body: %v", notice)
	assert.Equal(t, "hi", notice["language"])
	assert.Contains(t, notice["text"], "गोपनीयता सूचना")
	assert.Equal(t, []any{"en", "hi"}, notice["languages"])

	status, body := post("/auth/register", "", map[string]any{
		"email": "asha@example.in", "password": "correct horse battery staple",
		"notice_version": notice["version"], "notice_language": "hi",
		"consents": []map[string]any{
			{"category": "identity", "granted": true}, {"category": "contact", "granted": true},
			{"category": "location", "granted": false}, {"category": "security", "granted": true},
			{"category": "communications", "granted": true}, {"category": "analytics", "granted": false},
		}})
	require.Equal(t, http.StatusCreated, status, "body: %v", body)

	var m []string
	require.Eventually(t, func() bool { // emails go out in the background
		m = tokenRE.FindStringSubmatch(out.String())
		return m != nil
	}, 10*time.Second, 10*time.Millisecond, "no verification link printed: %s", out.String())
	assert.Contains(t, out.String(), "To: asha@example.in")
	status, body = post("/auth/email/verify", "", map[string]any{"token": m[1]})
	require.Equal(t, http.StatusOK, status, "body: %v", body)

	status, body = post("/auth/login", "", map[string]any{"identifier": "asha@example.in", "password": "correct horse battery staple"})
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	access, _ := body["access_token"].(string)
	require.NotEmpty(t, access)

	status, body = get("/auth/me", access)
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	status, body = get("/auth/sessions", access)
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, "step_up_required", body["code"])

	status, body = get("/api/hello", access)
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	assert.Equal(t, body["trust"], "new_device")
	status, body = post("/api/transfer", access, map[string]any{})
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, "step_up_required", body["code"])

	status, body = post("/auth/step-up/request", access, map[string]any{})
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	var code []string
	require.Eventually(t, func() bool {
		code = stepUpRE.FindStringSubmatch(out.String())
		return code != nil
	}, 10*time.Second, 10*time.Millisecond, "no step-up code printed: %s", out.String())
	status, body = post("/auth/step-up/verify", access, map[string]any{"otp_code": code[1]})
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	status, body = post("/api/transfer", access, map[string]any{})
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	status, body = get("/auth/sessions", access)
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	assert.Len(t, body["sessions"], 1)
	status, body = post("/auth/pin/set", access, map[string]any{"pin": "4829"})
	require.Equal(t, http.StatusOK, status, "body: %v", body)

	status, body = get("/auth/privacy/consents", access)
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	communications := body["data"].([]any)[4].(map[string]any)
	assert.Equal(t, "communications", communications["category"])
	assert.Equal(t, "hi", communications["notice_language"], "the Hindi notice is on record")
	status, body = get("/api/newsletter", access)
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	status, body = post("/auth/privacy/consent/withdraw", access, map[string]any{"category": "communications"})
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	status, body = get("/api/newsletter", access)
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, "consent_withdrawn", body["code"])
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "communications granted=false") },
		10*time.Second, 10*time.Millisecond, "the listener never printed the withdrawal: %s", out.String())

	// A child (12) registers naming Asha as guardian: no sign-in until Asha,
	// signed in and stepped up, confirms with the link printed for her.
	mark := len(out.String())
	printed := func(re *regexp.Regexp, what string) string {
		var m []string
		require.Eventually(t, func() bool {
			m = re.FindStringSubmatch(out.String()[mark:])
			return m != nil
		}, 10*time.Second, 10*time.Millisecond, "no %s printed: %s", what, out.String()[mark:])
		return m[1]
	}
	status, body = post("/auth/register", "", map[string]any{
		"email": "ravi@example.in", "password": "another long passphrase", "date_of_birth": "2014-05-17",
		"guardian_email": "asha@example.in", "notice_language": "hi",
		"consents": []map[string]any{
			{"category": "identity", "granted": true}, {"category": "contact", "granted": true},
			{"category": "location", "granted": false}, {"category": "security", "granted": true},
			{"category": "communications", "granted": true}, {"category": "analytics", "granted": false},
		}})
	require.Equal(t, http.StatusCreated, status, "body: %v", body)
	status, body = post("/auth/email/verify", "", map[string]any{"token": printed(tokenRE, "child's verification link")})
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	guardianLink := printed(guardRE, "guardian link") // sent once the child proved its address
	child := map[string]any{"identifier": "ravi@example.in", "password": "another long passphrase"}
	status, body = post("/auth/login", "", child)
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, "guardian_consent_required", body["code"])
	mark = len(out.String())
	status, body = post("/auth/step-up/request", access, map[string]any{})
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	status, body = post("/auth/step-up/verify", access, map[string]any{"otp_code": printed(stepUpRE, "step-up code")})
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	status, body = post("/auth/guardian/confirm", access, map[string]any{"token": guardianLink})
	require.Equal(t, http.StatusOK, status, "body: %v", body)
	status, body = post("/auth/login", "", child)
	require.Equal(t, http.StatusOK, status, "body: %v", body)

	status, body = get("/auth/.well-known/jwks.json", "")
	require.Equal(t, http.StatusOK, status)
	assert.NotEmpty(t, body["keys"])

	require.NoError(t, q.stop())
	assert.Contains(t, out.String(), "shutting down")
	assert.NotContains(t, strings.ToLower(out.String()), "correct horse")
}

func send(t *testing.T, client *http.Client, req *http.Request) (int, map[string]any) {
	t.Helper()
	res, err := client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.Unmarshal(raw, &body), "body: %s", raw)
	return res.StatusCode, body
}

func TestRunFailsOnABusyAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	err = run(t.Context(), ln.Addr().String(), io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "listen")
}
