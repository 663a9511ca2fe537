package accesstoken

import (
	"encoding/base64"
	"strconv"
	"strings"
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

// date reads a NumericDate into *sec.
func (d *decoder) date(sec *int64) bool {
	text, ok := d.number()
	if !ok {
		return false
	}
	*sec, ok = numericDate(text)
	return ok
}

// numericDate turns text, a JSON number as number read it, into whole
// seconds since the epoch, the fraction dropped the way jwt.NumericDate drops
// it. Only 0 ≤ value < 2^53 is taken: no token of ours is dated before 1970,
// and above 2^53 a float64 no longer holds every second.
func numericDate(text string) (int64, bool) {
	// Our own dates: an integer of up to 15 digits is below 2^53, so summing
	// its digits gives what its float64 would. number checked the syntax:
	// besides digits, text holds a byte of the case only when it has a sign,
	// a fraction or an exponent, and those go to ParseFloat.
	if len(text) < 16 {
		var n int64
		for i := range len(text) {
			switch text[i] {
			case '-', '.', 'e', 'E':
				return floatDate(text)
			}
			n = n*10 + int64(text[i]-'0')
		}
		return n, true
	}
	return floatDate(text)
}

// floatDate is numericDate for a number with a sign, a fraction or an
// exponent, or of 16 digits or more.
func floatDate(text string) (int64, bool) {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || !(f >= 0 && f < 1<<53) {
		return 0, false
	}
	// jwt.NumericDate keeps time.Unix of f's whole seconds and its
	// fraction's nanoseconds, truncated to the second: for f ≥ 0, int64(f).
	return int64(f), true
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
