package http_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bharatauth/bharatauth-go/core"
)

// BenchmarkRejectMalformed measures the cost of turning away a bad body: it
// never reaches core.
func BenchmarkRejectMalformed(b *testing.B) {
	api := newExampleAPI(b, nil)
	for b.Loop() {
		w := httptest.NewRecorder()
		api.ServeHTTP(w, httptest.NewRequest("POST", "/login", strings.NewReader(`{"identifier":"asha@example.in","password":`)))
		if w.Code != http.StatusBadRequest {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkOTPRequestUnknown measures a full enumeration-safe request through
// the handler and core (rate limits off, so every call does the whole flow).
func BenchmarkOTPRequestUnknown(b *testing.B) {
	api := newExampleAPI(b, func(d *core.Deps) { d.Limiter = nil })
	i := 0
	for b.Loop() {
		i++
		w := httptest.NewRecorder()
		body := fmt.Sprintf(`{"identifier":"nobody%d@example.in"}`, i)
		api.ServeHTTP(w, httptest.NewRequest("POST", "/otp/request", strings.NewReader(body)))
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

func newExampleAPI(b *testing.B, deps func(*core.Deps)) http.Handler {
	b.Helper()
	e := newEnv(b, envConfig{deps: deps})
	return e.api
}
