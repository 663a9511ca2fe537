package accesstoken

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// strictReference checks token the way Parse did before it had its own
// decoders: golang-jwt's strict parser (pinned algorithms, iss, aud, exp
// required, iat checked, 30 s leeway, strict base64) into tokenClaims, a key
// function choosing keys as Parse does, then Parse's own rules on top. It is
// the oracle Parse is held to: whatever Parse accepts, it accepts.
func strictReference(s *Signer, token string, now time.Time) (Claims, error) {
	var algs []string
	for _, v := range s.verifiers {
		algs = append(algs, v.alg)
	}
	if s.legacy.Secret != nil {
		algs = append(algs, HS256)
	}
	parser := jwt.NewParser(jwt.WithValidMethods(algs), jwt.WithIssuer(s.issuer), jwt.WithAudience(s.audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(clockSkew), jwt.WithStrictDecoding(),
		jwt.WithTimeFunc(func() time.Time { return now }))
	var wire tokenClaims
	parsed, err := parser.ParseWithClaims(token, &wire, func(t *jwt.Token) (any, error) {
		alg := t.Method.Alg()
		if kid, ok := t.Header["kid"]; ok {
			for _, v := range s.verifiers {
				if id, _ := kid.(string); id != "" && id == v.id && alg == v.alg {
					return v.public, nil
				}
			}
			return nil, errors.New("no key")
		}
		var set jwt.VerificationKeySet
		for _, v := range s.verifiers {
			if v.id == "" && v.alg == alg {
				set.Keys = append(set.Keys, v.public)
			}
		}
		if alg == HS256 && s.legacy.Secret != nil && now.Before(s.legacy.Until) &&
			wire.IssuedAt != nil && wire.IssuedAt.Before(s.legacy.IssuedBefore) {
			set.Keys = append(set.Keys, s.legacy.Secret)
		}
		return set, nil
	})
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return Claims{}, ErrExpired
	case err != nil:
		return Claims{}, ErrInvalid
	}
	if typ, _ := parsed.Header["typ"].(string); typ != TokenType || wire.IssuedAt == nil ||
		wire.ExpiresAt.After(wire.IssuedAt.Add(s.ttl+clockSkew)) || wire.Subject == "" || wire.SessionID == "" {
		return Claims{}, ErrInvalid
	}
	if !now.Before(wire.ExpiresAt.Time) {
		return Claims{}, ErrExpired
	}
	return Claims{Subject: wire.Subject, SessionID: wire.SessionID, Trust: wire.Trust, AMR: wire.AMR, ID: wire.ID,
		IssuedAt: wire.IssuedAt.Time, ExpiresAt: wire.ExpiresAt.Time}, nil
}

// requireAgrees parses token with Parse and with strictReference and
// requires that an accepted token is one the reference accepts, with the
// same claims, and that an expired one is expired for the reference too.
// It returns Parse's answer.
func requireAgrees(t *testing.T, s *Signer, token string, now time.Time) (Claims, error) {
	t.Helper()
	got, err := s.Parse(token, now)
	want, refErr := strictReference(s, token, now)
	switch {
	case err == nil:
		require.NoError(t, refErr, "Parse accepted a token golang-jwt refuses")
		assert.True(t, want.IssuedAt.Equal(got.IssuedAt), "iat")
		assert.True(t, want.ExpiresAt.Equal(got.ExpiresAt), "exp")
		got.IssuedAt, got.ExpiresAt, want.IssuedAt, want.ExpiresAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		assert.Equal(t, want, got)
	case errors.Is(err, ErrExpired):
		require.ErrorIs(t, refErr, ErrExpired, "Parse said expired where golang-jwt does not")
		assert.NotErrorIs(t, err, ErrInvalid)
	default:
		require.ErrorIs(t, err, ErrInvalid)
		for _, part := range strings.Split(token, ".") {
			if len(part) > 8 {
				require.NotContains(t, err.Error(), part, "errors never carry token text")
			}
		}
	}
	return got, err
}

// The differential signer's keys are fixed, so that fuzz corpus entries stay
// meaningful from run to run.
const (
	keyMain   = iota // HS256 without kid
	keyHSKid         // HS256 with kid "hs-1"
	keyLegacy        // the legacy HS256 secret
	keyEd            // EdDSA with kid "ed-1"
	keyCount
)

var (
	diffSecrets = [...][]byte{
		keyMain:   []byte("differential-main-hs256-secret!!"),
		keyHSKid:  []byte("differential-kid-hs256-secret!!!"),
		keyLegacy: []byte("differential-legacy-hs256-secret"),
	}
	diffEd = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	// diffNow is inside the legacy window: tokens issued before t0 verify
	// with the legacy secret.
	diffNow = t0.Add(time.Minute)
)

func diffSigner(t testing.TB) *Signer {
	t.Helper()
	ec, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), bytes.Repeat([]byte{9}, 32))
	require.NoError(t, err)
	s, err := NewSigner(testIssuer, testAudience, testTTL, []Key{
		{Algorithm: HS256, Secret: diffSecrets[keyMain]},
		{ID: "hs-1", Algorithm: HS256, Secret: diffSecrets[keyHSKid]},
		{ID: "ed-1", Algorithm: EdDSA, Private: diffEd},
		{ID: "ec-1", Algorithm: ES256, Private: ec},
	}, Options{Legacy: LegacyKey{Secret: diffSecrets[keyLegacy], IssuedBefore: t0, Until: t0.Add(testTTL)}})
	require.NoError(t, err)
	return s
}

// signRaw makes a token of exactly header and payload, signed with the
// differential key key (taken modulo keyCount).
func signRaw(t testing.TB, key uint8, header, payload string) string {
	t.Helper()
	b64 := base64.RawURLEncoding
	input := b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(payload))
	var sig []byte
	var err error
	if k := key % keyCount; k == keyEd {
		sig, err = jwt.SigningMethodEdDSA.Sign(input, diffEd)
	} else {
		sig, err = jwt.SigningMethodHS256.Sign(input, diffSecrets[k])
	}
	require.NoError(t, err)
	return input + "." + b64.EncodeToString(sig)
}

const hsHeader = `{"alg":"HS256","typ":"at+jwt"}`

// claimsJSON is the payload of a valid token at diffNow with extra members
// appended and the named members left out.
func claimsJSON(extra string, leaveOut ...string) string {
	members := []struct{ name, value string }{
		{"iss", strconv.Quote(testIssuer)}, {"sub", `"user-42"`}, {"aud", `["` + testAudience + `"]`},
		{"exp", strconv.FormatInt(t0.Add(testTTL).Unix(), 10)}, {"nbf", strconv.FormatInt(t0.Unix(), 10)},
		{"iat", strconv.FormatInt(t0.Unix(), 10)}, {"jti", `"jti-1"`}, {"sid", `"sess-7"`},
		{"trust", `"known"`}, {"amr", `["pwd"]`},
	}
	var b strings.Builder
	b.WriteString("{")
	for _, m := range members {
		if !contains(leaveOut, m.name) {
			b.WriteString(`"` + m.name + `":` + m.value + ",")
		}
	}
	b.WriteString(extra)
	return strings.TrimSuffix(b.String(), ",") + "}"
}

// issuedBeforeCutOver are claims the legacy secret may verify at diffNow.
var issuedBeforeCutOver = claimsJSON(`"iat":`+strconv.FormatInt(t0.Unix()-60, 10)+
	`,"exp":`+strconv.FormatInt(t0.Add(testTTL).Unix()-60, 10), "iat", "exp")

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestParseAgainstGolangJWT(t *testing.T) {
	t.Parallel()
	s := diffSigner(t)
	iat := t0.Unix()
	deep := strings.Repeat("[", maxNesting+1) + strings.Repeat("]", maxNesting+1)
	tests := []struct {
		name    string
		key     uint8
		header  string
		payload string
		mangle  func(token string) string
		accept  bool // every case is a token golang-jwt's strict parser accepts
	}{
		{name: "our claims", payload: claimsJSON(""), accept: true},
		{name: "aud a string", payload: claimsJSON(`"aud":"`+testAudience+`"`, "aud"), accept: true},
		{name: "aud naming others too", payload: claimsJSON(`"aud":["other","`+testAudience+`"]`, "aud"), accept: true},
		{name: "claims we do not know, of every JSON type, skipped",
			payload: claimsJSON(`"cnf":{"jkt":"x","n":[1,-2.5e-3,true,false,null,"\u00e9\"",{}],"":[]},"zz":null`), accept: true},
		{name: "escapes and characters beyond the BMP in strings",
			payload: claimsJSON(`"sub":"user\u002d42\t\/\ud83d\ude00é","trust":"n\\d"`, "sub", "trust"), accept: true},
		{name: "white space around every token",
			payload: " {\t\"sub\" : \"u\" ,\n\"sid\":\"s\",\r\"iss\":\"" + testIssuer + "\", \"aud\" : [ \"" + testAudience +
				"\" ] ,\"exp\": " + strconv.FormatInt(t0.Add(testTTL).Unix(), 10) + " ,\"iat\":" + strconv.FormatInt(iat, 10) + "} ",
			accept: true},
		{name: "dates with fractions, dropped", payload: claimsJSON(`"iat":`+strconv.FormatInt(iat, 10)+`.75,"exp":`+
			strconv.FormatInt(t0.Add(testTTL).Unix(), 10)+`.5`, "iat", "exp"), accept: true},
		{name: "dates in exponent form", payload: claimsJSON(`"iat":`+strconv.FormatFloat(float64(iat), 'e', -1, 64)+
			`,"nbf":0e0`, "iat", "nbf"), accept: true},
		{name: "no nbf, jti, trust or amr", payload: claimsJSON("", "nbf", "jti", "trust", "amr"), accept: true},
		{name: "an empty amr", payload: claimsJSON(`"amr":[]`, "amr"), accept: true},
		{name: "header members in another order, kid naming an HS256 key", key: keyHSKid,
			header: `{"kid":"hs-1","typ":"at+jwt","alg":"HS256"}`, payload: claimsJSON(""), accept: true},
		{name: "EdDSA by kid", key: keyEd, header: `{"alg":"EdDSA","kid":"ed-1","typ":"at+jwt"}`, payload: claimsJSON(""), accept: true},
		{name: "legacy secret, issued before the cut-over", key: keyLegacy, payload: issuedBeforeCutOver, accept: true},
		{name: "escaped header values", header: `{"alg":"HS\u0032\u0035\u0036","typ":"at\u002bjwt"}`, payload: claimsJSON(""), accept: true},

		// Tightenings: golang-jwt takes these, Parse does not.
		{name: "a claim twice", payload: claimsJSON(`"sub":"admin"`)},
		{name: "a claim named in another case", payload: claimsJSON(`"Sid":"sess-7"`, "sid")},
		{name: "a claim name with an escape", payload: claimsJSON(`"\u0073id":"sess-7"`, "sid")},
		{name: "a claim name with a letter folding to ASCII", payload: claimsJSON(`"ſid":"sess-7"`, "sid")},
		{name: "an optional claim null", payload: claimsJSON(`"jti":null`, "jti")},
		{name: "amr holding null", payload: claimsJSON(`"amr":["pwd",null]`, "amr")},
		{name: "invalid UTF-8 in a claim", payload: claimsJSON("\"trust\":\"\xff\"", "trust")},
		{name: "a lone surrogate in a claim", payload: claimsJSON(`"trust":"\ud800"`, "trust")},
		{name: "a negative date", payload: claimsJSON(`"nbf":-1`, "nbf")},
		{name: "an unknown claim nested too deep", payload: claimsJSON(`"deep":` + deep)},
		{name: "an unknown header member", header: `{"alg":"HS256","typ":"at+jwt","jku":"https://evil.example/keys"}`, payload: claimsJSON("")},
		{name: "crit in the header", header: `{"alg":"HS256","typ":"at+jwt","crit":["exp"]}`, payload: claimsJSON("")},
		{name: "a header member twice", header: `{"alg":"HS256","typ":"JWT","typ":"at+jwt"}`, payload: claimsJSON("")},
		{name: "a line break in the signature", payload: claimsJSON(""),
			mangle: func(tok string) string { return tok[:len(tok)-10] + "\r\n" + tok[len(tok)-10:] }},
		{name: "a token over 8 KiB", payload: claimsJSON(`"pad":"` + strings.Repeat("x", maxTokenLen) + `"`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			header := tt.header
			if header == "" {
				header = hsHeader
			}
			token := signRaw(t, tt.key, header, tt.payload)
			if tt.mangle != nil {
				token = tt.mangle(token)
			}
			_, refErr := strictReference(s, token, diffNow)
			require.NoError(t, refErr, "golang-jwt accepts the case")
			_, err := requireAgrees(t, s, token, diffNow)
			if tt.accept {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, ErrInvalid)
			}
		})
	}
}

// FuzzParse holds Parse to strictReference: every token Parse accepts,
// golang-jwt's strict parser accepts with the same claims, and nothing
// panics. Each input is tried twice: as the token given, and as header and
// payload JSON signed with one of the differential keys, so that the fuzzer
// reaches the claim checks behind a good signature.
func FuzzParse(f *testing.F) {
	s := diffSigner(f)
	own, err := s.Sign(sampleClaims())
	require.NoError(f, err)
	parts := strings.Split(own, ".")
	b64 := base64.RawURLEncoding
	ownHeader, _ := b64.DecodeString(parts[0])
	ownPayload, _ := b64.DecodeString(parts[1])
	seeds := []struct {
		token, header, payload string
		key                    uint8
	}{
		{token: own, header: string(ownHeader), payload: string(ownPayload)},
		{token: parts[0] + "." + parts[1] + ".", header: `{"alg":"none","typ":"at+jwt"}`, payload: string(ownPayload)},
		{token: parts[0] + "." + b64.EncodeToString([]byte(claimsJSON(`"sub":"admin"`, "sub"))) + "." + parts[2],
			header: hsHeader, payload: claimsJSON(`"Sub":"admin"`)},
		{token: signRaw(f, keyHSKid, `{"alg":"HS256","typ":"at+jwt","kid":"hs-1"}`, claimsJSON("")),
			header: `{"alg":"HS256","typ":"at+jwt","kid":"ed-1"}`, payload: claimsJSON(""), key: keyEd},
		{token: signRaw(f, keyEd, `{"alg":"EdDSA","typ":"at+jwt","kid":"ed-1"}`, claimsJSON("")),
			header: `{"alg":"EdDSA","typ":"at+jwt","kid":"ed-1"}`, payload: claimsJSON(`"x":{"y":[1e400]}`), key: keyEd},
		{token: signRaw(f, keyLegacy, hsHeader, issuedBeforeCutOver), header: hsHeader, payload: issuedBeforeCutOver, key: keyLegacy},
		{token: "..", header: hsHeader, payload: claimsJSON(`"trust":"n\u00e9w\ud83d\ude00","amr":[]`, "trust", "amr")},
		{token: "not-a-jwt", header: hsHeader, payload: claimsJSON(`"exp":"9999999999"`, "exp")},
		{header: `{"alg":"HS256","typ":"at+jwt"} `, payload: claimsJSON(`"iat":1.7e9,"nbf":-0`, "iat", "nbf")},
	}
	for _, seed := range seeds {
		f.Add(seed.token, seed.header, seed.payload, seed.key)
	}
	f.Fuzz(func(t *testing.T, token, header, payload string, key uint8) {
		requireAgrees(t, s, token, diffNow)
		requireAgrees(t, s, signRaw(t, key, header, payload), diffNow)
	})
}

// rawClaims is what a plain golang-jwt user would decode our tokens into.
type rawClaims struct {
	jwt.RegisteredClaims
	SessionID string   `json:"sid"`
	Trust     string   `json:"trust"`
	AMR       []string `json:"amr"`
}

// BenchmarkGolangJWTStrictHS256 is the yardstick for BenchmarkParseHS256:
// golang-jwt's own strict HS256 parse of the same token, its parser built
// once.
func BenchmarkGolangJWTStrictHS256(b *testing.B) {
	key := hsKey(b, "")
	token, err := newSigner(b, key).Sign(sampleClaims())
	if err != nil {
		b.Fatal(err)
	}
	now := t0.Add(time.Minute)
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{HS256}),
		jwt.WithIssuer(testIssuer),
		jwt.WithAudience(testAudience),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	keyFunc := func(*jwt.Token) (any, error) { return key.Secret, nil }
	b.ReportAllocs()
	for b.Loop() {
		var c rawClaims
		if _, err := parser.ParseWithClaims(token, &c, keyFunc); err != nil {
			b.Fatal(err)
		}
	}
}
