package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// asha's number as the README's phone walk types it, and as it is stored.
const walkPhone = "+919876543210"

// The root README's phone walk, run line by line with curl against a
// quickstart: register by a 10-digit number alone, confirm it with the
// printed SMS code, ask for a sign-in code by SMS, sign in with it, and
// read /me. The printed codes and the access token are pasted where the
// README says PASTE-…, as a reader would.
func TestQuickstartPhoneWalk(t *testing.T) {
	_, err := exec.LookPath("curl")
	require.NoError(t, err, "this test runs the README's curl lines: apt-get install -y curl")
	q := startQuickstart(t)
	lines := readmeBlock(t, "### Phone sign-in by SMS")
	var (
		vars     []string // the assignments so far, run before each command
		answers  []map[string]any
		sentBase int // SMS printed before the last curl ran: its code is in the next
		access   string
	)
	for _, line := range lines {
		line = strings.ReplaceAll(line, "http://127.0.0.1:8080", q.base)
		if strings.Contains(line, "PASTE-SMS-CODE") {
			line = strings.ReplaceAll(line, "PASTE-SMS-CODE", textedCode(t, q, walkPhone, sentBase))
		}
		line = strings.ReplaceAll(line, "PASTE-ACCESS-TOKEN", access)
		if !strings.HasPrefix(line, "curl ") {
			vars = append(vars, line)
			continue
		}
		sentBase = len(texts(q.out.String(), walkPhone))
		cmd := exec.CommandContext(t.Context(), "bash", "-euc", strings.Join(append(vars, line), "\n"))
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s\n%s", line, out)
		var body map[string]any
		require.NoError(t, json.Unmarshal(out, &body), "%s answered %s", line, out)
		answers = append(answers, body)
		if tok, ok := body["access_token"].(string); ok {
			access = tok
		}
	}

	require.Len(t, answers, 5, "register, phone/verify, otp/request, otp/verify, me")
	user, _ := answers[0]["user"].(map[string]any)
	assert.Equal(t, walkPhone, user["phone"], "the 10-digit number, stored in E.164: %v", answers[0])
	assert.Equal(t, "", user["email"])
	assert.Equal(t, true, answers[1]["success"], "%v", answers[1])
	assert.Equal(t, "If an account exists for this phone number, a sign-in code has been sent by SMS.", answers[2]["message"])
	assert.Equal(t, "known", answers[3]["trust"], "the device that asked for the code: %v", answers[3])
	assert.Equal(t, walkPhone, answers[4]["phone"], "%v", answers[4])
	assert.Equal(t, true, answers[4]["phone_verified"])

	sms := texts(q.out.String(), walkPhone)
	require.Len(t, sms, 2, "the verification code and the sign-in code")
	assert.Contains(t, sms[0], "Kind: verify_phone")
	assert.Contains(t, sms[1], "Kind: signin_code")
	code := smsCodeRE.FindStringSubmatch(sms[1][strings.Index(sms[1], "\n\n")+2:])[1]
	assert.True(t, strings.HasSuffix(strings.TrimSpace(sms[1]), "@127.0.0.1 #"+code), "the WebOTP line ends the SMS: %s", sms[1])

	// The privacy notice's "contact" covers the number, in both languages.
	for lang, says := range map[string]string{"en": "- contact: your email address or mobile number,", "hi": "आपका ईमेल पता या मोबाइल नंबर"} {
		res, err := http.Get(q.base + "/auth/privacy/notice?lang=" + lang)
		require.NoError(t, err)
		var notice struct{ Text string }
		require.NoError(t, json.NewDecoder(res.Body).Decode(&notice))
		_ = res.Body.Close()
		assert.Contains(t, notice.Text, says, lang)
	}

	// A number nobody has gets the same answer, and no SMS.
	status, ghost := postJSON(t, q, "/auth/otp/request", map[string]any{"phone": "98123 45678"})
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, answers[2], ghost)
	assert.Empty(t, texts(q.out.String(), "+919812345678"))
}

// readmeBlock returns the statements of the first ```sh block after heading
// in the root README: comments and blank lines dropped, a line that starts
// with a space joined to the one before it.
func readmeBlock(t *testing.T, heading string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(raw), "\n"+heading+"\n")
	require.True(t, ok, "the README has no %q", heading)
	_, rest, ok = strings.Cut(rest, "```sh\n")
	require.True(t, ok, "no ```sh block after %q", heading)
	block, _, _ := strings.Cut(rest, "```")
	var out []string
	for _, line := range strings.Split(block, "\n") {
		switch {
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, " ") && len(out) > 0:
			out[len(out)-1] += "\n" + line
		default:
			out = append(out, line)
		}
	}
	return out
}

// postJSON posts body to the quickstart's path and returns the status and
// the decoded answer.
func postJSON(t *testing.T, q *quickstart, path string, body any) (int, map[string]any) {
	t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), "POST", q.base+path, strings.NewReader(string(raw)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	return send(t, &http.Client{Timeout: stepTimeout}, req)
}
