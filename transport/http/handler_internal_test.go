package http

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

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
