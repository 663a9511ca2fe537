package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core"
)

func newTestAuth(t *testing.T) *core.Auth {
	t.Helper()
	store := memory.New()
	cfg := core.DefaultConfig()
	cfg.SecretKey = []byte("test-secret-key-that-is-32-bytes-long!!")
	a, err := core.New(cfg, core.Deps{Storage: store, Mailer: memory.NewOutbox()})
	require.NoError(t, err)
	return a
}

func TestNewValidatesOptions(t *testing.T) {
	t.Parallel()
	auth := newTestAuth(t)
	tests := []struct {
		name    string
		auth    *core.Auth
		opts    Options
		wantErr string
		maxBody int64
	}{
		{name: "zero options", auth: auth, maxBody: DefaultMaxBodyBytes},
		{name: "custom body limit", auth: auth, opts: Options{MaxBodyBytes: 1024}, maxBody: 1024},
		{name: "nil auth", wantErr: "needs a *core.Auth"},
		{name: "negative body limit", auth: auth, opts: Options{MaxBodyBytes: -1}, wantErr: "MaxBodyBytes"},
		{name: "invalid proxy prefix", auth: auth, opts: Options{TrustedProxies: []netip.Prefix{{}}}, wantErr: "trusted proxy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, err := New(tc.auth, tc.opts)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.maxBody, h.maxBody)
		})
	}
}

func TestClientIP(t *testing.T) {
	t.Parallel()
	h := &Handler{trustedProxies: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:1::/48")}}
	tests := []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{name: "no proxy", remote: "203.0.113.7:5555", want: "203.0.113.7"},
		{name: "untrusted peer's header is ignored", remote: "203.0.113.7:5555", xff: []string{"1.2.3.4"}, want: "203.0.113.7"},
		{name: "trusted peer, one hop", remote: "10.1.2.3:80", xff: []string{"198.51.100.1"}, want: "198.51.100.1"},
		{name: "spoofed left hops are skipped", remote: "10.1.2.3:80", xff: []string{"6.6.6.6, 198.51.100.1"}, want: "198.51.100.1"},
		{name: "trusted hops are skipped from the right", remote: "10.1.2.3:80", xff: []string{"198.51.100.1, 10.9.9.9"}, want: "198.51.100.1"},
		{name: "several header lines read as one list", remote: "10.1.2.3:80", xff: []string{"6.6.6.6", "198.51.100.1, 10.0.0.9"}, want: "198.51.100.1"},
		{name: "hops with ports", remote: "10.1.2.3:80", xff: []string{"198.51.100.1:4444"}, want: "198.51.100.1"},
		{name: "IPv6 through an IPv6 proxy", remote: "[2001:db8:1::5]:443", xff: []string{"2001:db8:9::1"}, want: "2001:db8:9::1"},
		{name: "IPv4-mapped peer", remote: "[::ffff:203.0.113.7]:80", want: "203.0.113.7"},
		{name: "trusted peer without a header", remote: "10.1.2.3:80", want: "10.1.2.3"},
		{name: "garbage stops at the last vouched address", remote: "10.1.2.3:80", xff: []string{"198.51.100.1, not-an-ip, 10.0.0.8"}, want: "10.0.0.8"},
		{name: "all hops trusted", remote: "10.1.2.3:80", xff: []string{"10.0.0.7, 10.0.0.8"}, want: "10.0.0.7"},
		{name: "unparsable remote address", remote: "pipe", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			assert.Equal(t, tc.want, h.clientIP(r))
		})
	}
}

func TestPanicIsA500WithoutDetails(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h, err := New(newTestAuth(t), Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	h.mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) {
		panic("secret-ish internal state 0xdeadbeef")
	})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/boom", nil))

	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	var p map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &p))
	assert.Equal(t, map[string]any{"type": "urn:bharatauth:problem:internal_error", "title": "Internal Server Error",
		"status": float64(500), "detail": genericDetail, "code": "internal_error"}, p)
	assert.NotContains(t, w.Body.String(), "deadbeef")
	assert.Contains(t, logs.String(), "panic in handler")
}

func TestStatusOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want int
	}{
		{name: "unauthorized", err: core.ErrUnauthorized, want: 401},
		{name: "token expired", err: core.ErrTokenExpired, want: 401},
		{name: "forbidden", err: core.ErrForbidden, want: 403},
		{name: "suspended", err: core.ErrSuspended, want: 403},
		{name: "email not verified", err: core.ErrEmailNotVerified, want: 403},
		{name: "consent required", err: core.ErrConsentRequired, want: 403},
		{name: "step-up required", err: core.ErrStepUpRequired, want: 403},
		{name: "not found", err: core.ErrNotFound, want: 404},
		{name: "conflict", err: core.ErrConflict, want: 409},
		{name: "validation", err: core.ErrValidation, want: 422},
		{name: "locked", err: core.ErrLocked, want: 423},
		{name: "rate limited", err: core.ErrRateLimited, want: 429},
		{name: "IP blocked", err: core.ErrIPBlocked, want: 429},
		{name: "unavailable", err: core.ErrUnavailable, want: 503},
		{name: "internal", err: core.ErrInternal, want: 500},
		{name: "a wrapped core error keeps its status", err: fmt.Errorf("app: %w", core.ErrLocked), want: 423},
		{name: "a plain error", err: errors.New("boom"), want: 500},
		{name: "a context error", err: context.Canceled, want: 500},
		{name: "a bad request", err: &requestError{code: "malformed_json"}, want: 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, statusOf(tc.err))
		})
	}
}

func TestRetryAfterRoundsUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		d    time.Duration
		want string
	}{
		{name: "zero still waits a second", d: 0, want: "1"},
		{name: "a fraction rounds up", d: 1500 * time.Millisecond, want: "2"},
		{name: "whole seconds stay", d: 24 * time.Hour, want: strconv.Itoa(86400)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, retryAfterSeconds(tc.d))
		})
	}
}

// Every route the handler serves is an operation of the OpenAPI document with
// the responses it can give, and the document describes nothing else.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(openAPIDocument)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	require.Equal(t, "3.1.0", doc.OpenAPI)

	served := map[string]bool{}
	for _, rt := range routes() {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			served[rt.method+" "+rt.path] = true
			item := doc.Paths.Value(rt.path)
			require.NotNil(t, item, "path missing from openapi.json")
			op := item.GetOperation(rt.method)
			require.NotNil(t, op, "method missing from openapi.json")
			want := []int{http.StatusInternalServerError}
			if rt.bearer {
				want = append(want, http.StatusUnauthorized)
				assert.NotEmpty(t, op.Security, "bearer routes declare their security")
			}
			if op.RequestBody != nil {
				want = append(want, http.StatusBadRequest, http.StatusUnprocessableEntity)
			}
			for _, status := range want {
				assert.NotNil(t, op.Responses.Status(status), "response %d undocumented", status)
			}
			assert.NotEmpty(t, op.OperationID)
		})
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			assert.True(t, served[method+" "+path], "%s %s is documented but not served", method, path)
		}
	}
}

// decodeBody with a tiny limit, to see the limit is the one configured.
func TestDecodeBodyHonoursTheLimit(t *testing.T) {
	t.Parallel()
	var dst struct {
		Identifier string `json:"identifier"`
	}
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{"identifier":"asha@example.in"}`))
	err := decodeBody(httptest.NewRecorder(), r, 10, &dst)
	var re *requestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "body_too_large", re.code)
}

func TestConsentViewOfANeverRecordedCategory(t *testing.T) {
	t.Parallel()
	raw, err := json.Marshal(newConsentView(core.ConsentState{Category: "analytics", NoticeVersion: "1.0.0"}))
	require.NoError(t, err)
	assert.JSONEq(t, `{"category":"analytics","granted":false,"required":false,"notice_version":"1.0.0","consented_at":null}`, string(raw))
}

func TestLockedUntilRoundsUp(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 26, 10, 7, 42, 700_000_000, time.FixedZone("IST", 5*3600+1800))
	assert.Equal(t, "2026-11-26T04:37:43Z", ceilSecond(at).Format(time.RFC3339))
	whole := time.Date(2026, 11, 26, 10, 7, 42, 0, time.UTC)
	assert.Equal(t, whole, ceilSecond(whole))
}
