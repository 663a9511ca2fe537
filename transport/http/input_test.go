package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Bad input never reaches a 500: 400 for what cannot be read as the expected
// JSON object, 422 for a well-formed object with bad values.
func TestBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	huge := `{"identifier":"` + strings.Repeat("a", 70<<10) + `","password":"x"}`
	tests := []bodyCase{
		{name: "malformed JSON", path: "/login", body: `{"identifier":`, status: 400, code: "malformed_json"},
		{name: "empty body", path: "/login", body: ``, status: 400, code: "malformed_json"},
		{name: "an array, not an object", path: "/login", body: `[]`, status: 400, code: "malformed_json"},
		{name: "a string, not an object", path: "/otp/request", body: `"asha@example.in"`, status: 400, code: "malformed_json"},
		{name: "over 64 KiB", path: "/login", body: huge, status: 400, code: "body_too_large"},
		{name: "wrong type: number for a string", path: "/login", body: `{"identifier":5,"password":"x"}`,
			status: 400, code: "wrong_type", field: "identifier"},
		{name: "wrong type: string for a boolean", path: "/login",
			body: `{"identifier":"a@b.in","password":"x","is_public_device":"yes"}`, status: 400, code: "wrong_type", field: "is_public_device"},
		{name: "invalid UTF-8", path: "/login", body: []byte("{\"identifier\":\"asha\xff\xfe\",\"password\":\"x\"}"),
			status: 400, code: "invalid_utf8"},
		{name: "trailing data", path: "/login", body: `{"identifier":"a@b.in","password":"x"} {"again":1}`,
			status: 400, code: "malformed_json"},
		{name: "trailing garbage", path: "/otp/request", body: `{"identifier":"a@b.in"}}`, status: 400, code: "malformed_json"},
		{name: "missing identifier", path: "/login", body: `{"password":"x"}`, status: 422, code: "validation_failed", field: "identifier"},
		{name: "missing password", path: "/login", body: `{"identifier":"a@b.in"}`, status: 422, code: "validation_failed", field: "password"},
		{name: "an empty object after whitespace", path: "/otp/request", body: ` {}`, status: 422, code: "validation_failed", field: "identifier"},
		{name: "blank identifier", path: "/otp/request", body: `{"identifier":"   "}`, status: 422, code: "validation_failed", field: "identifier"},
		{name: "over-long identifier", path: "/otp/request", body: `{"identifier":"` + strings.Repeat("x", 2000) + `"}`,
			status: 422, code: "validation_failed", field: "identifier"},
		{name: "over-long password", path: "/login", body: `{"identifier":"a@b.in","password":"` + strings.Repeat("p", 1500) + `"}`,
			status: 422, code: "validation_failed", field: "password"},
		{name: "over-long notice language", path: "/register",
			body:   `{"email":"a@b.in","password":"x","notice_language":"` + strings.Repeat("h", 1100) + `"}`,
			status: 422, code: "validation_failed", field: "notice_language"},
		{name: "bad fingerprint: short", path: "/login",
			body: `{"identifier":"a@b.in","password":"xxxxxxxxxx","device_fingerprint":"abc"}`, status: 422, code: "validation_failed", field: "device_fingerprint"},
		{name: "bad fingerprint: not hex", path: "/otp/request",
			body: `{"identifier":"a@b.in","device_fingerprint":"` + strings.Repeat("z", 64) + `"}`, status: 422, code: "validation_failed", field: "device_fingerprint"},
		{name: "control characters in the identifier", path: "/otp/verify", body: `{"identifier":"a\u0000b","otp_code":"123456"}`,
			status: 422, code: "validation_failed", field: "identifier"},
		{name: "OTP code not 6 digits", path: "/otp/verify", body: `{"identifier":"a@b.in","otp_code":"12ab56"}`,
			status: 422, code: "validation_failed", field: "otp_code"},
		{name: "missing refresh token", path: "/refresh", body: `{}`, status: 422, code: "validation_failed", field: "refresh_token"},
		{name: "missing refresh token on logout", path: "/logout", body: `{}`, status: 422, code: "validation_failed", field: "refresh_token"},
		{name: "missing new PIN", path: "/pin/reset/confirm", body: `{"token":"x"}`, status: 422, code: "validation_failed", field: "new_pin"},
		{name: "missing new password", path: "/password/reset/confirm", body: `{"token":"x"}`, status: 422, code: "validation_failed", field: "new_password"},
		{name: "SQL metacharacters log in like any unknown identifier", path: "/login",
			body: `{"identifier":"admin'--; DROP TABLE ba_users; --","password":"' OR '1'='1"}`, status: 401, code: "invalid_credentials"},
		{name: "unknown fields are ignored", path: "/pin/reset/request",
			body: `{"identifier":"someone@example.in","extra":{"nested":[1,"two",null]},"admin":true}`, status: 200},
		{name: "SQL metacharacters in an OTP request get the usual answer", path: "/unlock/request",
			body: `{"identifier":"\"; DELETE FROM ba_sessions; --"}`, status: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(req{method: "POST", path: tc.path, body: tc.body, ip: "198.51.100.20"})
			if tc.status == http.StatusOK {
				assert.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
				return
			}
			requireProblem(t, r, tc.status, tc.code)
			assert.Equal(t, tc.field, r.str("field"))
			assert.NotContains(t, string(r.raw), "DROP TABLE")
		})
	}
}

// The body limit is exactly 64 KiB: a body of that size is read, one byte
// more is refused before any JSON is looked at.
func TestBodyOfExactly64KiBIsReadAndOneByteMoreIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	const limit = 64 << 10
	body := func(size int) string {
		head, tail := `{"identifier":"someone@example.in","pad":"`, `"}`
		return head + strings.Repeat("a", size-len(head)-len(tail)) + tail
	}
	r := e.do(req{method: "POST", path: "/otp/request", body: body(limit), ip: "198.51.100.21"})
	assert.Equal(t, http.StatusOK, r.status, "a body of exactly 64 KiB is read: %s", r.raw)
	requireProblem(t, e.do(req{method: "POST", path: "/otp/request", body: body(limit + 1), ip: "198.51.100.21"}),
		http.StatusBadRequest, "body_too_large")
}

func TestUnroutedAnswersAreProblems(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	tests := []struct {
		name   string
		method string
		path   string
		status int
		code   string
		allow  string
	}{
		{name: "unknown path", method: "GET", path: "/nope", status: 404, code: "route_not_found"},
		{name: "wrong method", method: "GET", path: "/login", status: 405, code: "method_not_allowed", allow: "POST"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := e.do(req{method: tc.method, path: tc.path})
			requireProblem(t, r, tc.status, tc.code)
			assert.Equal(t, tc.allow, r.header.Get("Allow"))
		})
	}
}
