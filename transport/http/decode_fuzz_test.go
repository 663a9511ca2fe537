package http

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzDecodeBody: no body panics, and every refusal is a requestError (a 400
// or 422 that names the problem, never a 500).
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		`{"identifier":"asha@example.in","password":"p"}`, `{}`, `[]`, `{"identifier":1}`,
		`{"identifier":"a"}{"x":1}`, "{\"identifier\":\"\xff\"}", `{"identifier":"a","extra":{"deep":[1,2,3]}}`,
		`{"device_fingerprint":null,"is_public_device":"yes"}`, ``, `   `, `{"identifier":"` + "\u0000" + `"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var dst struct {
			Identifier        string `json:"identifier" check:"required"`
			Password          string `json:"password"`
			DeviceFingerprint string `json:"device_fingerprint"`
			IsPublicDevice    bool   `json:"is_public_device"`
		}
		r := httptest.NewRequest(http.MethodPost, "/login", bytes.NewReader(body))
		err := decodeBody(httptest.NewRecorder(), r, 64<<10, &dst)
		if err == nil {
			return
		}
		var re *requestError
		if !errors.As(err, &re) && statusOf(err) >= http.StatusInternalServerError {
			t.Fatalf("body %q: %v is not a client error", body, err)
		}
	})
}
