package accesstoken

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		token string
		ok    bool
	}{
		{name: "three segments", token: "a.b.c", ok: true},
		{name: "empty segments", token: "..", ok: true},
		{name: "two segments", token: "a.b"},
		{name: "four segments", token: "a.b.c.d"},
		{name: "a line feed", token: "a.b.c\n"},
		{name: "a line feed first", token: "\na.b.c"},
		{name: "a carriage return", token: "a\r.b.c"},
		{name: "a carriage return first", token: "\ra.b.c"},
		{name: "a third dot right after the second", token: "a.b..c"},
		{name: "exactly 8 KiB", token: "a.b." + strings.Repeat("c", 8<<10-4), ok: true},
		{name: "over 8 KiB", token: "a.b." + strings.Repeat("c", 8<<10-3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			parts, ok := split(tt.token)
			require.Equal(t, tt.ok, ok)
			if ok {
				assert.Equal(t, tt.token, parts.signingInput+"."+parts.signature)
				assert.Equal(t, parts.signingInput, parts.header+"."+parts.payload)
			}
		})
	}
}

func TestDecodeSegmentIsStrict(t *testing.T) {
	t.Parallel()
	var buf [4]byte
	got, ok := decodeSegment(buf[:], "aGk")
	require.True(t, ok)
	assert.Equal(t, "hi", string(got))
	_, ok = decodeSegment(buf[:], "aGl") // the same bytes with trailing bits set
	assert.False(t, ok)
	_, ok = decodeSegment(buf[:], "aGk=")
	assert.False(t, ok, "padding")
	_, ok = decodeSegment(buf[:], "aG+/")
	assert.False(t, ok, "the standard alphabet")
	got, ok = decodeSegment(buf[:], "aGVsbG8")
	require.True(t, ok, "longer than buf")
	assert.Equal(t, "hello", string(got))
}

func TestDecodeSegmentUsesBufThatFitsExactly(t *testing.T) {
	t.Parallel()
	var buf [2]byte
	got, ok := decodeSegment(buf[:], "aGk")
	require.True(t, ok)
	assert.Equal(t, "hi", string(got))
	assert.Same(t, &buf[0], &got[0], "decoded into buf, not into a new slice")
}

func TestDecodeHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
		want joseHeader
		ok   bool
	}{
		{name: "alg and typ", json: `{"alg":"HS256","typ":"at+jwt"}`, want: joseHeader{alg: "HS256", typ: "at+jwt"}, ok: true},
		{name: "kid", json: `{"alg":"EdDSA","kid":"k"}`, want: joseHeader{alg: "EdDSA", kid: "k", hasKid: true}, ok: true},
		{name: "an empty kid is read, and refused by verify", json: `{"alg":"EdDSA","kid":""}`, want: joseHeader{alg: "EdDSA", hasKid: true}, ok: true},
		{name: "no alg", json: `{"typ":"at+jwt"}`},
		{name: "alg not a string", json: `{"alg":1}`},
		{name: "kid null", json: `{"alg":"EdDSA","kid":null}`},
		{name: "unknown member", json: `{"alg":"HS256","cty":"JWT"}`},
		{name: "member twice", json: `{"alg":"HS256","alg":"none"}`},
		{name: "not an object", json: `["alg","HS256"]`},
		{name: "trailing data", json: `{"alg":"HS256"}{}`},
		{name: "empty", json: ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			decodes(t, tt.ok, tt.want)(decodeHeader(tt.json))
		})
	}
}

func TestDecodeClaims(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
		want wireClaims
		ok   bool
	}{
		{name: "every claim",
			json: `{"iss":"i","aud":"a","sub":"s","sid":"d","jti":"j","trust":"t","amr":["pwd","otp"],"exp":20,"iat":10,"nbf":10}`,
			want: wireClaims{seen: 1<<len(claimNames) - 1, iss: "i", audMatch: true, sub: "s", sid: "d", jti: "j", trust: "t",
				amr: []string{"pwd", "otp"}, exp: 20, iat: 10, nbf: 10}, ok: true},
		{name: "aud not naming us", json: `{"aud":["b","c"]}`, want: wireClaims{seen: claimAud}, ok: true},
		{name: "an empty object", json: ` {} `, ok: true},
		{name: "every escape", json: `{"sub":"\"\\\/\b\f\n\r\t\u0041\u00e9\ud83d\ude00"}`,
			want: wireClaims{seen: claimSub, sub: "\"\\/\b\f\n\r\tAé\U0001F600"}, ok: true},
		{name: "a raw control character", json: "{\"sub\":\"a\tb\"}"},
		{name: "an unknown escape", json: `{"sub":"\x41"}`},
		{name: "a short unicode escape", json: `{"sub":"\u41"}`},
		{name: "a low surrogate first", json: `{"sub":"\udc00\ud800"}`},
		{name: "a high surrogate without its low one", json: `{"sub":"\ud83dx"}`},
		{name: "an unterminated string", json: `{"sub":"abc`},
		{name: "a number with a leading zero", json: `{"exp":0123}`},
		{name: "a number ending in a point", json: `{"exp":1.}`},
		{name: "a number with an empty exponent", json: `{"exp":1e}`},
		{name: "a bare minus sign", json: `{"exp":-}`},
		{name: "a date of 2^53", json: `{"exp":9007199254740992}`},
		{name: "a date out of float range", json: `{"exp":1e400}`},
		{name: "a date as a string", json: `{"exp":"10"}`},
		{name: "a date null", json: `{"exp":null}`},
		{name: "a date true", json: `{"iat":true}`},
		{name: "amr a string", json: `{"amr":"pwd"}`},
		{name: "aud a number", json: `{"aud":5}`},
		{name: "a misspelt literal", json: `{"x":nul}`},
		{name: "a literal run on", json: `{"x":truex}`},
		{name: "a trailing comma", json: `{"sub":"s",}`},
		{name: "a missing colon", json: `{"sub" "s"}`},
		{name: "single quotes", json: `{'sub':'s'}`},
		{name: "a byte order mark", json: "\ufeff{}"},
		{name: "an unknown claim with an unknown escape", json: `{"x":"\q"}`},
		{name: "an unknown claim nested to the limit", json: `{"x":` + strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting) + `}`, ok: true},
		{name: "a name with a control character", json: "{\"s\x01\":1}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			decodes(t, tt.ok, tt.want)(decodeClaims(tt.json, "a"))
		})
	}
}

func TestNumericDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want int64
		ok   bool
	}{
		{text: "0", want: 0, ok: true},
		{text: "1796205600", want: 1796205600, ok: true},
		{text: "999999999999999", want: 999999999999999, ok: true},
		{text: "1000000000000000", want: 1000000000000000, ok: true},
		{text: "9007199254740991", want: 9007199254740991, ok: true},
		{text: "9007199254740992"},
		{text: "1796205600.999", want: 1796205600, ok: true},
		{text: "1.7962056e9", want: 1796205600, ok: true},
		{text: "17962056E2", want: 1796205600, ok: true},
		{text: "-0", want: 0, ok: true},
		{text: "-1"},
		{text: "-0.5"},
		{text: "1e400"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			got, ok := numericDate(tt.text)
			require.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}
