package http

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
)

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
