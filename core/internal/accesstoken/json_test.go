package accesstoken

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestObjectMemberNamesArePrintableASCII(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
		want string // the one member's name
		ok   bool
	}{
		{name: "a space, the first printable byte", json: `{"a b":1}`, want: "a b", ok: true},
		{name: "a tilde, the last printable byte", json: `{"~":1}`, want: "~", ok: true},
		{name: "DEL", json: "{\"a\x7f\":1}"},
		{name: "the input ending inside a name", json: `{"ab`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := decoder{s: tt.json}
			var names []string
			ok := d.object(func(name string) bool {
				names = append(names, name)
				return d.skip(maxNesting)
			})
			require.Equal(t, tt.ok, ok)
			if ok {
				assert.Equal(t, []string{tt.want}, names)
				assert.True(t, d.end())
			}
		})
	}
}

func TestStringEscapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
		want string
		ok   bool
	}{
		{name: "U+FFFD after an escape", json: "\"\\n\uFFFD\"", want: "\n\uFFFD", ok: true},
		{name: "invalid UTF-8 after an escape", json: "\"\\n\xff\""},
		{name: "the input ending after an escape", json: `"a\n`},
		{name: "the input ending after a backslash", json: `"a\`},
		{name: "the input ending inside a unicode escape", json: `"\u004`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := decoder{s: tt.json}
			decodesAll(t, &d, tt.ok, tt.want)(d.str())
		})
	}
}

func TestHex4ReadsFourDigits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		want rune
		ok   bool
	}{
		{s: "0041", want: 'A', ok: true},
		{s: "d83Dx", want: 0xd83d, ok: true},
		{s: "004"},
		{s: "00g1"},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			t.Parallel()
			got, ok := hex4(tt.s)
			require.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestNumberStopsAtTheEndOfInput reads numbers that end the input, where
// every part of the grammar has to stop without reading past it.
func TestNumberStopsAtTheEndOfInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		json string
		ok   bool
	}{
		{json: "7", ok: true},
		{json: "0", ok: true},
		{json: "-1.25", ok: true},
		{json: "1e5", ok: true},
		{json: "1E-5", ok: true},
		{json: ""},
		{json: "-"},
		{json: "1."},
		{json: "1e"},
		{json: "1e+"},
	}
	for _, tt := range tests {
		t.Run(tt.json, func(t *testing.T) {
			t.Parallel()
			d := decoder{s: tt.json}
			decodesAll(t, &d, tt.ok, tt.json)(d.number())
		})
	}
}

func TestSkipNestsAtMostMaxNesting(t *testing.T) {
	t.Parallel()
	objects := func(depth int) string {
		return strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
	}
	arrays := func(depth int) string {
		return strings.Repeat("[", depth) + strings.Repeat("]", depth)
	}
	tests := []struct {
		name string
		json string
		ok   bool
	}{
		{name: "objects at the limit", json: objects(maxNesting), ok: true},
		{name: "objects one deeper", json: objects(maxNesting + 1)},
		{name: "arrays at the limit", json: arrays(maxNesting), ok: true},
		{name: "arrays one deeper", json: arrays(maxNesting + 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := decoder{s: tt.json}
			ok := d.skip(maxNesting)
			require.Equal(t, tt.ok, ok)
			if ok {
				assert.True(t, d.end())
			}
		})
	}
}
