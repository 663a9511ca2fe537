package accesstoken

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Parse reads a token with the fixed-shape decoders below instead of
// encoding/json into maps and interfaces: decoding was most of the cost of
// verifying a token. They are stricter than golang-jwt's decoding, never
// laxer (FuzzParse checks that golang-jwt accepts whatever Parse accepts).

// maxTokenLen bounds what one token may cost to look at; ours are about 400
// bytes.
const maxTokenLen = 8 << 10

// maxNesting bounds how deeply the value of a claim we do not know may nest.
const maxNesting = 16

// segmentEncoding is unpadded base64url that refuses trailing bits, so each
// token has one spelling.
var segmentEncoding = base64.RawURLEncoding.Strict()

// compact is a token cut into its three base64url segments.
type compact struct {
	header, payload, signature string
	signingInput               string // header "." payload
}

// split cuts token at its two dots. It refuses a token over maxTokenLen and
// one holding a line break, which the base64 decoder would skip: a token
// with a newline added is not another spelling of a good one.
func split(token string) (compact, bool) {
	if len(token) > maxTokenLen || strings.IndexByte(token, '\n') >= 0 || strings.IndexByte(token, '\r') >= 0 {
		return compact{}, false
	}
	header, rest, ok := strings.Cut(token, ".")
	if !ok {
		return compact{}, false
	}
	payload, signature, ok := strings.Cut(rest, ".")
	if !ok || strings.IndexByte(signature, '.') >= 0 {
		return compact{}, false
	}
	return compact{header: header, payload: payload, signature: signature,
		signingInput: token[:len(header)+1+len(payload)]}, true
}

// decodeSegment decodes seg into buf when it fits there, else into a new
// slice.
func decodeSegment(buf []byte, seg string) ([]byte, bool) {
	n := segmentEncoding.DecodedLen(len(seg))
	if n > len(buf) {
		buf = make([]byte, n)
	}
	n, err := segmentEncoding.Decode(buf, []byte(seg))
	return buf[:n], err == nil
}

// joseHeader is a token's JOSE header.
type joseHeader struct {
	alg, typ, kid string
	hasKid        bool
}

// decodeHeader reads a JSON object holding alg, typ and kid, each at most
// once and each a string, and nothing else: a member we do not know (crit,
// jku, jwk, x5u, b64, …) may change how the token is to be processed, so the
// token is refused rather than the member ignored. alg is required.
func decodeHeader(s string) (joseHeader, bool) {
	var h joseHeader
	var hasAlg, hasTyp bool
	d := decoder{s: s}
	ok := d.object(func(name string) bool {
		var field *string
		var seen *bool
		switch name {
		case "alg":
			field, seen = &h.alg, &hasAlg
		case "typ":
			field, seen = &h.typ, &hasTyp
		case "kid":
			field, seen = &h.kid, &h.hasKid
		default:
			return false
		}
		if *seen {
			return false
		}
		*seen = true
		return d.into(field)
	})
	return h, ok && d.end() && hasAlg
}

// Claims a token may carry, as bits of wireClaims.seen.
const (
	claimIss = 1 << iota
	claimAud
	claimSub
	claimSid
	claimJti
	claimTrust
	claimAMR
	claimExp
	claimIat
	claimNbf
)

// claimNames are the names claimBit knows, for the case check.
var claimNames = [...]string{"iss", "aud", "sub", "sid", "jti", "trust", "amr", "exp", "iat", "nbf"}

// wireClaims are a payload's claims as decoded, before any check. Strings
// share the payload's memory. Times are whole seconds since the epoch.
type wireClaims struct {
	seen                 uint16 // claim* bits
	iss                  string
	audMatch             bool // aud names the audience decodeClaims was given
	sub, sid, jti, trust string
	amr                  []string
	exp, iat, nbf        int64
}

func (c *wireClaims) has(claim uint16) bool { return c.seen&claim != 0 }

// decodeClaims reads a JSON object of claims. iss, sub, sid, jti and trust
// must be strings, aud a string or an array of strings, amr an array of
// strings, exp, iat and nbf numbers (see numericDate); each at most once and
// none null. Other members are skipped, their values checked to be JSON,
// except a name that differs from one of ours only in case: encoding/json
// would have read it as ours. Member names with escapes or bytes outside
// printable ASCII are refused for the same reason.
func decodeClaims(s, audience string) (wireClaims, bool) {
	var c wireClaims
	d := decoder{s: s}
	ok := d.object(func(name string) bool {
		bit := claimBit(name)
		if bit == 0 {
			for _, known := range claimNames {
				if strings.EqualFold(name, known) {
					return false
				}
			}
			return d.skip(maxNesting)
		}
		if c.has(bit) {
			return false
		}
		c.seen |= bit
		switch bit {
		case claimIss:
			return d.into(&c.iss)
		case claimSub:
			return d.into(&c.sub)
		case claimSid:
			return d.into(&c.sid)
		case claimJti:
			return d.into(&c.jti)
		case claimTrust:
			return d.into(&c.trust)
		case claimAud:
			return d.audience(audience, &c.audMatch)
		case claimAMR:
			c.amr = []string{}
			return d.array(func() bool {
				v, ok := d.str()
				c.amr = append(c.amr, v)
				return ok
			})
		case claimExp:
			return d.date(&c.exp)
		case claimIat:
			return d.date(&c.iat)
		default:
			return d.date(&c.nbf)
		}
	})
	return c, ok && d.end()
}

// claimBit is the bit of the claim called name, 0 for a name not ours.
func claimBit(name string) uint16 {
	switch name {
	case "iss":
		return claimIss
	case "aud":
		return claimAud
	case "sub":
		return claimSub
	case "sid":
		return claimSid
	case "jti":
		return claimJti
	case "trust":
		return claimTrust
	case "amr":
		return claimAMR
	case "exp":
		return claimExp
	case "iat":
		return claimIat
	case "nbf":
		return claimNbf
	}
	return 0
}

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
	out := make([]byte, j-start, len(d.s)-start)
	copy(out, d.s[start:j])
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

// date reads a NumericDate into *sec.
func (d *decoder) date(sec *int64) bool {
	text, ok := d.number()
	if !ok {
		return false
	}
	*sec, ok = numericDate(text)
	return ok
}

// numericDate turns a JSON number into whole seconds since the epoch, the
// fraction dropped the way jwt.NumericDate drops it. Only 0 ≤ value < 2^53
// is taken: no token of ours is dated before 1970, and above 2^53 a float64
// no longer holds every second.
func numericDate(text string) (int64, bool) {
	if len(text) <= 15 && text[0] != '-' {
		var n int64
		for i := 0; i < len(text); i++ {
			c := text[i]
			if c < '0' || c > '9' {
				n = -1
				break
			}
			n = n*10 + int64(c-'0')
		}
		if n >= 0 {
			return n, true
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || !(f >= 0 && f < 1<<53) {
		return 0, false
	}
	whole, frac := math.Modf(f)
	return time.Unix(int64(whole), int64(frac*1e9)).Truncate(time.Second).Unix(), true
}

// into reads a string into *field.
func (d *decoder) into(field *string) bool {
	v, ok := d.str()
	*field = v
	return ok
}

// audience reads aud, a string or an array of strings, and sets *match when
// one of them is want.
func (d *decoder) audience(want string, match *bool) bool {
	one := func() bool {
		v, ok := d.str()
		*match = *match || v == want
		return ok
	}
	if d.peek() == '[' {
		return d.array(one)
	}
	return one()
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
