package http_test

import (
	"net/http"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

func TestXForwardedFor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{opts: bahttp.Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}})
	e.register("asha@example.in")
	login := func(peer, xff string) string {
		r := e.do(req{method: "POST", path: "/login", ip: peer, headers: map[string]string{"X-Forwarded-For": xff},
			body: map[string]any{"identifier": "asha@example.in", "password": testPassword}})
		require.Equal(t, http.StatusOK, r.status, "body: %s", r.raw)
		return r.str("session_id")
	}
	untrusted := login("192.0.2.50", "1.2.3.4")
	proxied := login("10.0.0.5", "1.1.1.1, 203.0.113.9, 10.0.0.2")
	tok := e.trustedToken("asha@example.in")
	r := e.ok(req{method: "GET", path: "/sessions", token: tok})
	ips := map[string]any{}
	for _, s := range r.json["sessions"].([]any) {
		m := s.(map[string]any)
		ips[m["id"].(string)] = m["ip_address"]
	}
	assert.Equal(t, "192.0.2.50", ips[untrusted], "X-Forwarded-For from an untrusted peer is ignored")
	assert.Equal(t, "203.0.113.9", ips[proxied], "the rightmost hop that is not a trusted proxy is the client")
}
