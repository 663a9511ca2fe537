package accesstoken

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// decoder reads JSON (RFC 8259) from s, refusing what RFC 8259 does and also
// invalid UTF-8, lone surrogates, and nesting beyond maxNesting.
type decoder struct {
	s string
	i int
}

// peek skips white space and returns the next byte, or 0 at the end.
func (d *decoder) peek() byte {
	for ; d.i < len(d.s); d.i++ {
		switch c := d.s[d.i]; c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}

// eat consumes c, the next byte after white space, if it is there.
func (d *decoder) eat(c byte) bool {
	if d.peek() != c {
		return false
	}
	d.i++
	return true
}

// end reports whether only white space is left.
func (d *decoder) end() bool { return d.peek() == 0 && d.i == len(d.s) }

// object reads an object, calling member with each member's name, which must
// be printable ASCII without escapes, and leaving member to read its value.
func (d *decoder) object(member func(name string) bool) bool {
	if !d.eat('{') {
		return false
	}
	if d.eat('}') {
		return true
	}
	for {
		if d.peek() != '"' {
			return false
		}
		start := d.i + 1
		end := start
		for end < len(d.s) && d.s[end] != '"' && d.s[end] != '\\' && d.s[end] >= 0x20 && d.s[end] < 0x7f {
			end++
		}
		if end == len(d.s) || d.s[end] != '"' {
			return false
		}
		d.i = end + 1
		if !d.eat(':') || !member(d.s[start:end]) {
			return false
		}
		if !d.eat(',') {
			return d.eat('}')
		}
	}
}

// array reads an array, leaving elem to read each element.
func (d *decoder) array(elem func() bool) bool {
	if !d.eat('[') {
		return false
	}
	if d.eat(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if !d.eat(',') {
			return d.eat(']')
		}
	}
}

// str reads a string. One without escapes is a substring of s, not a copy.
func (d *decoder) str() (string, bool) {
	if d.peek() != '"' {
		return "", false
	}
	start := d.i + 1
	for j := start; j < len(d.s); {
		switch c := d.s[j]; {
		case c == '"':
			d.i = j + 1
			return d.s[start:j], true
		case c == '\\':
			return d.unescape(start, j)
		case c < 0x20:
			return "", false
		case c < utf8.RuneSelf:
			j++
		default:
			r, n := utf8.DecodeRuneInString(d.s[j:])
			if r == utf8.RuneError && n == 1 {
				return "", false
			}
			j += n
		}
	}
	return "", false
}

// unescape finishes reading the string that began at start and has its first
// escape at j.
func (d *decoder) unescape(start, j int) (string, bool) {
	// Unescaping only shortens, so what is left of s bounds the result.
	out := append(make([]byte, 0, len(d.s[start:])), d.s[start:j]...)
	for j < len(d.s) {
		c := d.s[j]
		switch {
		case c == '"':
			d.i = j + 1
			return string(out), true
		case c < 0x20:
			return "", false
		case c != '\\':
			r, n := utf8.DecodeRuneInString(d.s[j:])
			if r == utf8.RuneError && n == 1 {
				return "", false
			}
			out = append(out, d.s[j:j+n]...)
			j += n
			continue
		}
		if j+1 == len(d.s) {
			return "", false
		}
		e := d.s[j+1]
		j += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(d.s[j:])
			j += 4
			if ok && utf16.IsSurrogate(r) {
				// Outside the BMP: a high surrogate, then an escaped low one.
				var low rune
				ok = strings.HasPrefix(d.s[j:], `\u`)
				if ok {
					low, ok = hex4(d.s[j+2:])
					j += 6
				}
				r = utf16.DecodeRune(r, low)
				ok = ok && r != utf8.RuneError
			}
			if !ok {
				return "", false
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	return "", false
}

// hex4 reads the four hex digits that start s.
func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[:4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number reads a number and returns its text.
func (d *decoder) number() (string, bool) {
	d.peek()
	start, s := d.i, d.s
	i := start
	digits := func() bool {
		from := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i > from
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		return "", false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return "", false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return "", false
		}
	}
	d.i = i
	return s[start:i], true
}

// into reads a string into *field.
func (d *decoder) into(field *string) bool {
	v, ok := d.str()
	*field = v
	return ok
}

// skip reads a value of any type, nested at most depth deep.
func (d *decoder) skip(depth int) bool {
	switch d.peek() {
	case '"':
		_, ok := d.str()
		return ok
	case '{':
		return depth > 0 && d.anyObject(depth-1)
	case '[':
		return depth > 0 && d.array(func() bool { return d.skip(depth - 1) })
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	_, ok := d.number()
	return ok
}

// anyObject reads an object nested inside a value being skipped; its member
// names may be any string.
func (d *decoder) anyObject(depth int) bool {
	if !d.eat('{') {
		return false
	}
	if d.eat('}') {
		return true
	}
	for {
		if _, ok := d.str(); !ok || !d.eat(':') || !d.skip(depth) {
			return false
		}
		if !d.eat(',') {
			return d.eat('}')
		}
	}
}

func (d *decoder) literal(word string) bool {
	if !strings.HasPrefix(d.s[d.i:], word) {
		return false
	}
	d.i += len(word)
	return true
}
