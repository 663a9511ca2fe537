package core

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIPKey(t *testing.T) {
	t.Parallel()
	testMapping(t, ipKey, []mapCase[string, string]{
		{name: "ipv4", in: "203.0.113.7", want: "203.0.113.7"},
		{name: "mapped ipv4", in: "::ffff:203.0.113.7", want: "203.0.113.7"},
		{name: "ipv6 /64", in: "2001:db8::1", want: "2001:db8::/64"},
		{name: "zone dropped", in: "fe80::1%eth0", want: "fe80::/64"},
		{name: "garbage", in: "not an ip", want: ""},
		{name: "empty", in: "", want: ""},
	})
}

func TestStoredIP(t *testing.T) {
	t.Parallel()
	testMapping(t, storedIP, []mapCase[string, string]{
		{name: "ipv4", in: "203.0.113.7", want: "203.0.113.7"},
		{name: "trimmed", in: " 203.0.113.7\n", want: "203.0.113.7"},
		{name: "ipv4-mapped ipv6 unmapped", in: "::ffff:203.0.113.7", want: "203.0.113.7"},
		{name: "ipv6 canonical", in: "2001:DB8:0:0:0:0:0:1", want: "2001:db8::1"},
		{name: "empty", in: "", want: ""},
		{name: "garbage", in: "203.0.113.7, 10.0.0.1", want: ""},
		{name: "host and port", in: "203.0.113.7:443", want: ""},
	})
}

func TestSessionKeepsTheCanonicalIP(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "ip@example.in")
	e.client.IP = "::ffff:198.51.100.9"
	res := e.knownDeviceLogin("ip@example.in")
	list, err := e.auth.Sessions(t.Context(), e.principal(res))
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "198.51.100.9", list[0].IPAddress)
}

func TestClientUserAgent(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("u", 600)
	// 511 ASCII bytes then a 2-byte rune: byte 512 is the rune's second byte.
	splitRune := strings.Repeat("u", maxUserAgentLen-1) + "é" + "tail"
	// A 3-byte rune starting at byte 511.
	splitThree := strings.Repeat("u", maxUserAgentLen-1) + "क" + "tail"
	for _, tc := range []struct {
		name string
		in   string
		want string
	}{
		{name: "short and clean", in: testUA, want: testUA},
		{name: "empty", in: "", want: ""},
		{name: "exactly 512 bytes", in: long[:maxUserAgentLen], want: long[:maxUserAgentLen]},
		{name: "cut at 512 bytes", in: long, want: long[:maxUserAgentLen]},
		{name: "cut before a split 2-byte rune", in: splitRune, want: strings.Repeat("u", maxUserAgentLen-1)},
		{name: "cut before a split 3-byte rune", in: splitThree, want: strings.Repeat("u", maxUserAgentLen-1)},
		{name: "invalid utf-8 replaced", in: "Bot\xff\xfe/1.0", want: "Bot\uFFFD/1.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Client{UserAgent: tc.in}.userAgent()
			assert.Equal(t, tc.want, got)
			assert.True(t, utf8.ValidString(got))
			assert.LessOrEqual(t, len(got), maxUserAgentLen)
		})
	}
}

func TestHostileUserAgentIsStoredCleanInTheSession(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "ua@example.in")
	e.client.UserAgent = "\xff" + strings.Repeat("क", 400) // 1 + 1200 bytes
	res := e.mustLogin("ua@example.in")
	s, err := e.store.Session(t.Context(), res.SessionID)
	require.NoError(t, err)
	assert.True(t, utf8.ValidString(s.DeviceInfo))
	assert.LessOrEqual(t, len(s.DeviceInfo), maxUserAgentLen)
	assert.True(t, strings.HasPrefix(s.DeviceInfo, "\uFFFDक"))
}
