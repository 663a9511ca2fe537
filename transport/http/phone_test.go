package http_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
)

const testPhone = "+919876543210"

// texts captures SMS and allows every send (the budgets are core's rules,
// tested there).
type texts struct {
	mu   sync.Mutex
	sent []ports.SMS
}

func (x *texts) SendSMS(_ context.Context, m ports.SMS) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.sent = append(x.sent, m)
	return nil
}

func (x *texts) TakeSMS(context.Context, []ports.SMSLimit, time.Time) (ports.SMSDecision, error) {
	return ports.SMSDecision{Allowed: true}, nil
}

func (x *texts) ClearSMS(context.Context, string) error { return nil }

var textedCodeRE = regexp.MustCompile(`^(\d{6}) `)

func (x *texts) lastCode(t *testing.T) string {
	t.Helper()
	x.mu.Lock()
	defer x.mu.Unlock()
	for i := len(x.sent) - 1; i >= 0; i-- { // the newest with a code: notices have none
		if m := textedCodeRE.FindStringSubmatch(x.sent[i].Text); m != nil {
			return m[1]
		}
	}
	require.FailNow(t, "no SMS with a code")
	return ""
}

func (x *texts) count() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.sent)
}

func newPhoneEnv(t *testing.T) (*env, *texts) {
	x := &texts{}
	e := newEnv(t, envConfig{
		cfg: func(c *core.Config) {
			c.Phone.Enabled = true
			c.Phone.Domain = "app.example"
		},
		deps: func(d *core.Deps) { d.SMSSender, d.SMSBudget = x, x },
	})
	return e, x
}

func TestPhoneSignUpAndSignInOverHTTP(t *testing.T) {
	t.Parallel()
	e, x := newPhoneEnv(t)
	r := e.do(req{method: "POST", path: "/register", body: map[string]any{"phone": "98765 43210", "consents": consentsBody(true)}})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	user := r.json["user"].(map[string]any)
	assert.Equal(t, testPhone, user["phone"])
	assert.Equal(t, "", user["email"])

	e.ok(req{method: "POST", path: "/phone/verify", body: map[string]any{"phone": "+91 98765 43210", "code": x.lastCode(t)}})

	ack := e.ok(req{method: "POST", path: "/otp/request", body: map[string]any{"phone": "98765 43210", "device_fingerprint": fpA}})
	ghost := e.ok(req{method: "POST", path: "/otp/request", body: map[string]any{"phone": "98123 45678"}})
	assert.Equal(t, ack.raw, ghost.raw, "the same answer for a number nobody has")
	assert.Equal(t, 2, x.count(), "texted to the real number only")

	login := e.ok(req{method: "POST", path: "/otp/verify", body: map[string]any{"phone": "98765 43210", "otp_code": x.lastCode(t), "device_fingerprint": fpA}})
	assert.Equal(t, "known", login.str("trust"), "the code asked and used from one device")
	tok := login.str("access_token")
	me := e.ok(req{method: "GET", path: "/me", token: tok})
	assert.Equal(t, testPhone, me.json["phone"])
	assert.Equal(t, true, me.json["phone_verified"])
	export := e.ok(req{method: "GET", path: "/privacy/export", token: tok})
	account := export.json["account"].(map[string]any)
	assert.Equal(t, testPhone, account["phone"], "the export shows the number")
	assert.Equal(t, true, account["phone_verified"])
}

func TestPhoneBadInputIsAClear422(t *testing.T) {
	t.Parallel()
	e, x := newPhoneEnv(t)
	cases := []bodyCase{
		{"letters", "/register", map[string]any{"phone": "98765abcde", "consents": consentsBody(true)}, http.StatusUnprocessableEntity, "phone_invalid", "phone"},
		{"SQL metacharacters", "/otp/request", map[string]any{"phone": "'; DROP TABLE ba_users; --"}, http.StatusUnprocessableEntity, "phone_invalid", "phone"},
		{"a huge string", "/login", map[string]any{"phone": strings.Repeat("9", 5000), "password": "x"}, http.StatusUnprocessableEntity, "validation_failed", "phone"},
		{"another country", "/otp/request", map[string]any{"phone": "+1 415 555 2671"}, http.StatusUnprocessableEntity, "phone_region_not_allowed", "phone"},
		{"a landline", "/register", map[string]any{"phone": "011 2345 6789", "consents": consentsBody(true)}, http.StatusUnprocessableEntity, "phone_not_mobile", "phone"},
		{"both identifier and phone", "/otp/request", map[string]any{"identifier": "asha@example.in", "phone": "98765 43210"}, http.StatusUnprocessableEntity, "validation_failed", "phone"},
		{"neither", "/otp/request", map[string]any{}, http.StatusUnprocessableEntity, "validation_failed", "identifier"},
		{"a malformed code", "/phone/verify", map[string]any{"phone": "98765 43210", "code": "12ab56"}, http.StatusUnprocessableEntity, "validation_failed", "code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(req{method: "POST", path: c.path, body: c.body})
			requireProblem(t, r, c.status, c.code)
			assert.Equal(t, c.field, r.json["field"])
		})
	}
	assert.Zero(t, x.count(), "nothing sent")
	_, err := e.store.UserByPhone(t.Context(), testPhone)
	assert.ErrorIs(t, err, ports.ErrNotFound, "nothing created")
}

func TestPhoneNumbersAreOffByDefault(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	r := e.do(req{method: "POST", path: "/otp/request", body: map[string]any{"phone": "98765 43210"}})
	requireProblem(t, r, http.StatusUnprocessableEntity, "phone_not_enabled")
	r = e.do(req{method: "POST", path: "/otp/request", body: map[string]any{"identifier": "+919876543210"}})
	assert.Equal(t, http.StatusOK, r.status, "an identifier starting with + is a username lookup, as before")
}

func TestPhoneRecoveryAndChangeOverHTTP(t *testing.T) {
	t.Parallel()
	e, x := newPhoneEnv(t)
	r := e.do(req{method: "POST", path: "/register", body: map[string]any{"phone": "98765 43210", "password": testPassword, "consents": consentsBody(true)}})
	require.Equal(t, http.StatusCreated, r.status, "%s", r.raw)
	e.ok(req{method: "POST", path: "/phone/verify", body: map[string]any{"phone": testPhone, "code": x.lastCode(t)}})

	ack := e.ok(req{method: "POST", path: "/password/reset/request", body: map[string]any{"phone": "98765 43210"}})
	assert.Contains(t, ack.str("message"), "sent by SMS")
	e.ok(req{method: "POST", path: "/password/reset/confirm", body: map[string]any{"phone": testPhone, "code": x.lastCode(t),
		"new_password": "another long passphrase"}})
	e.ok(req{method: "POST", path: "/pin/reset/request", body: map[string]any{"phone": testPhone}})
	e.ok(req{method: "POST", path: "/pin/reset/confirm", body: map[string]any{"phone": testPhone, "code": x.lastCode(t), "new_pin": testPIN}})
	e.ok(req{method: "POST", path: "/unlock/request", body: map[string]any{"phone": testPhone}})
	login := e.ok(req{method: "POST", path: "/unlock/confirm", body: map[string]any{"phone": testPhone, "code": x.lastCode(t), "device_fingerprint": fpA}})
	tok := login.str("access_token")
	require.NotEmpty(t, tok, "the unlock signs the device in")

	r = e.do(req{method: "POST", path: "/phone/change/request", token: tok, body: map[string]any{"new_phone": "98123 45678"}})
	requireProblem(t, r, http.StatusForbidden, "step_up_required")
	e.ok(req{method: "POST", path: "/step-up/request", token: tok})
	e.ok(req{method: "POST", path: "/step-up/verify", token: tok, body: map[string]any{"otp_code": x.lastCode(t)}})
	e.ok(req{method: "POST", path: "/phone/change/request", token: tok, body: map[string]any{"new_phone": "98123 45678"}})
	e.ok(req{method: "POST", path: "/phone/change/confirm", token: tok, body: map[string]any{"code": x.lastCode(t)}})
	me := e.ok(req{method: "GET", path: "/me", token: tok})
	assert.Equal(t, "+919812345678", me.json["phone"])
}
