package accesstoken

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testIssuer   = "https://auth.example.in"
	testAudience = "example-app"
	testTTL      = 15 * time.Minute
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func hsKey(t testing.TB, id string) Key {
	t.Helper()
	secret := make([]byte, 32)
	_, err := rand.Read(secret)
	require.NoError(t, err)
	return Key{ID: id, Algorithm: HS256, Secret: secret}
}

func edKey(t testing.TB, id string) Key {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return Key{ID: id, Algorithm: EdDSA, Private: priv}
}

func ecKey(t testing.TB, id string) Key {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return Key{ID: id, Algorithm: ES256, Private: priv}
}

func newSigner(t testing.TB, keys ...Key) *Signer {
	t.Helper()
	s, err := NewSigner(testIssuer, testAudience, testTTL, keys, Options{})
	require.NoError(t, err)
	return s
}

func sampleClaims() Claims {
	return Claims{
		Subject:   "user-42",
		SessionID: "sess-7",
		Trust:     "new_device",
		AMR:       []string{"pwd"},
		ID:        "jti-1",
		IssuedAt:  t0,
		ExpiresAt: t0.Add(testTTL),
	}
}

// header and payload decode a token's first and second segments unverified.
func header(t *testing.T, token string) map[string]any  { t.Helper(); return segment(t, token, 0) }
func payload(t *testing.T, token string) map[string]any { t.Helper(); return segment(t, token, 1) }

func segment(t *testing.T, token string, i int) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[i])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

func TestSignParseRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		key     Key
		wantKid bool
	}{
		{name: "HS256 without kid", key: hsKey(t, "")},
		{name: "HS256 with kid", key: hsKey(t, "hs-1"), wantKid: true},
		{name: "EdDSA", key: edKey(t, "ed-1"), wantKid: true},
		{name: "ES256", key: ecKey(t, "ec-1"), wantKid: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSigner(t, tt.key)
			want := sampleClaims()
			want.IssuedAt = t0.Add(400 * time.Millisecond) // sub-second parts are dropped on the wire
			token, err := s.Sign(want)
			require.NoError(t, err)

			h := header(t, token)
			assert.Equal(t, "at+jwt", h["typ"])
			assert.Equal(t, tt.key.Algorithm, h["alg"])
			if tt.wantKid {
				assert.Equal(t, tt.key.ID, h["kid"])
			} else {
				assert.NotContains(t, h, "kid")
			}

			got, err := s.Parse(token, t0.Add(time.Minute))
			require.NoError(t, err)
			want.IssuedAt = t0
			assert.Equal(t, want.Subject, got.Subject)
			assert.Equal(t, want.SessionID, got.SessionID)
			assert.Equal(t, want.Trust, got.Trust)
			assert.Equal(t, want.AMR, got.AMR)
			assert.Equal(t, want.ID, got.ID)
			assert.True(t, want.IssuedAt.Equal(got.IssuedAt), "iat")
			assert.True(t, want.ExpiresAt.Equal(got.ExpiresAt), "exp")
		})
	}
}

func TestSignClaimsOnTheWire(t *testing.T) {
	t.Parallel()
	s := newSigner(t, hsKey(t, ""))
	c := sampleClaims()
	c.ID = ""
	token, err := s.Sign(c)
	require.NoError(t, err)
	claims := payload(t, token)
	for _, name := range []string{"sub", "sid", "iss", "aud", "exp", "iat", "nbf", "jti", "trust", "amr", "client_id"} {
		assert.Contains(t, claims, name)
	}
	assert.Equal(t, testAudience, claims["client_id"], "client_id defaults to the audience")
	assert.Equal(t, claims["iat"], claims["nbf"])
	assert.Len(t, claims["jti"], 32, "a random 128-bit jti when none was given")
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	s := newSigner(t, hsKey(t, ""))
	c := sampleClaims()
	token, err := s.Sign(c)
	require.NoError(t, err)
	tests := []struct {
		name string
		now  time.Time
		want error
	}{
		{name: "just issued", now: t0},
		{name: "one second before exp", now: c.ExpiresAt.Add(-time.Second)},
		{name: "exactly at exp", now: c.ExpiresAt, want: ErrExpired},
		{name: "inside jwt's leeway is still expired", now: c.ExpiresAt.Add(10 * time.Second), want: ErrExpired},
		{name: "long expired", now: c.ExpiresAt.Add(24 * time.Hour), want: ErrExpired},
		{name: "clock 30 s behind", now: t0.Add(-30 * time.Second)},
		{name: "clock 31 s behind", now: t0.Add(-31 * time.Second), want: ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.Parse(token, tt.now)
			if requireParseError(t, err, tt.want) && tt.want == ErrExpired {
				assert.NotErrorIs(t, err, ErrInvalid)
			}
		})
	}
}

// forge signs arbitrary claims and headers with jwt directly, as an attacker
// holding (or guessing) key material would.
func forge(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims, headers map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["typ"] = "at+jwt"
	for k, v := range headers {
		if v == nil {
			delete(tok.Header, k)
			continue
		}
		tok.Header[k] = v
	}
	signed, err := tok.SignedString(key)
	require.NoError(t, err)
	return signed
}

func validMapClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"sub": "user-42", "sid": "sess-7", "iss": testIssuer, "aud": testAudience,
		"exp": t0.Add(testTTL).Unix(), "iat": t0.Unix(), "nbf": t0.Unix(), "jti": "j",
	}
}

func without(name string) jwt.MapClaims {
	c := validMapClaims()
	delete(c, name)
	return c
}

func with(name string, value any) jwt.MapClaims {
	c := validMapClaims()
	c[name] = value
	return c
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	hs := hsKey(t, "")
	ed := edKey(t, "ed-1")
	ec := ecKey(t, "ec-1")
	s := newSigner(t, hs, ed, ec)
	edPublic := []byte(ed.Private.Public().(ed25519.PublicKey))
	otherEC := ecKey(t, "ec-1")
	valid, err := s.Sign(sampleClaims())
	require.NoError(t, err)
	parts := strings.Split(valid, ".")
	tamperedPayload, err := json.Marshal(map[string]any(with("sub", "admin")))
	require.NoError(t, err)

	tests := []struct {
		name  string
		token string
	}{
		{name: "empty", token: ""},
		{name: "garbage", token: "not-a-jwt"},
		{name: "three empty segments", token: ".."},
		{name: "alg none", token: forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, validMapClaims(), nil)},
		{name: "alg none with the signature stripped", token: parts[0] + "." + parts[1] + "."},
		{name: "alg confusion: HS256 keyed with the Ed25519 public key, by kid",
			token: forge(t, jwt.SigningMethodHS256, edPublic, validMapClaims(), map[string]any{"kid": "ed-1"})},
		{name: "alg confusion: HS256 keyed with the Ed25519 public key, no kid",
			token: forge(t, jwt.SigningMethodHS256, edPublic, validMapClaims(), nil)},
		{name: "EdDSA token naming the ES256 kid",
			token: forge(t, jwt.SigningMethodEdDSA, ed.Private, validMapClaims(), map[string]any{"kid": "ec-1"})},
		{name: "HS384 with the right secret", token: forge(t, jwt.SigningMethodHS384, hs.Secret, validMapClaims(), nil)},
		{name: "tampered payload", token: parts[0] + "." + base64.RawURLEncoding.EncodeToString(tamperedPayload) + "." + parts[2]},
		{name: "tampered signature", token: parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))},
		{name: "wrong typ", token: forge(t, jwt.SigningMethodHS256, hs.Secret, validMapClaims(), map[string]any{"typ": "JWT"})},
		{name: "no typ", token: forge(t, jwt.SigningMethodHS256, hs.Secret, validMapClaims(), map[string]any{"typ": nil})},
		{name: "unknown kid", token: forge(t, jwt.SigningMethodEdDSA, ed.Private, validMapClaims(), map[string]any{"kid": "ed-9"})},
		{name: "kid not a string", token: forge(t, jwt.SigningMethodEdDSA, ed.Private, validMapClaims(), map[string]any{"kid": 7})},
		{name: "ES256 signed by another key with the same kid",
			token: forge(t, jwt.SigningMethodES256, otherEC.Private, validMapClaims(), map[string]any{"kid": "ec-1"})},
		{name: "HS256 with another secret", token: forge(t, jwt.SigningMethodHS256, hsKey(t, "").Secret, validMapClaims(), nil)},
		{name: "wrong issuer", token: forge(t, jwt.SigningMethodHS256, hs.Secret, with("iss", "https://evil.example"), nil)},
		{name: "missing issuer", token: forge(t, jwt.SigningMethodHS256, hs.Secret, without("iss"), nil)},
		{name: "wrong audience", token: forge(t, jwt.SigningMethodHS256, hs.Secret, with("aud", "other-app"), nil)},
		{name: "missing audience", token: forge(t, jwt.SigningMethodHS256, hs.Secret, without("aud"), nil)},
		{name: "missing exp", token: forge(t, jwt.SigningMethodHS256, hs.Secret, without("exp"), nil)},
		{name: "exp not a number", token: forge(t, jwt.SigningMethodHS256, hs.Secret, with("exp", "tomorrow"), nil)},
		{name: "nbf in the future", token: forge(t, jwt.SigningMethodHS256, hs.Secret, with("nbf", t0.Add(time.Hour).Unix()), nil)},
		{name: "iat in the future", token: forge(t, jwt.SigningMethodHS256, hs.Secret, with("iat", t0.Add(time.Hour).Unix()), nil)},
		{name: "missing sub", token: forge(t, jwt.SigningMethodHS256, hs.Secret, without("sub"), nil)},
		{name: "missing sid", token: forge(t, jwt.SigningMethodHS256, hs.Secret, without("sid"), nil)},
		{name: "amr of the wrong type", token: forge(t, jwt.SigningMethodHS256, hs.Secret, with("amr", 5), nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.Parse(tt.token, t0.Add(time.Minute))
			require.ErrorIs(t, err, ErrInvalid)
			assert.NotErrorIs(t, err, ErrExpired)
			for _, part := range strings.Split(tt.token, ".") {
				if len(part) > 8 {
					assert.NotContains(t, err.Error(), part, "errors never carry token text")
				}
			}
		})
	}
}

func TestForgedValidTokenIsAccepted(t *testing.T) {
	t.Parallel()
	// The positive control for TestParseRejects: forge with the real key and
	// valid claims, and Parse accepts it, so each rejection above is caused
	// by the one thing its case changes.
	hs := hsKey(t, "")
	ed := edKey(t, "ed-1")
	s := newSigner(t, hs, ed)
	tests := []struct {
		name  string
		token string
	}{
		{name: "HS256", token: forge(t, jwt.SigningMethodHS256, hs.Secret, validMapClaims(), nil)},
		{name: "EdDSA", token: forge(t, jwt.SigningMethodEdDSA, ed.Private, validMapClaims(), map[string]any{"kid": "ed-1"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := s.Parse(tt.token, t0.Add(time.Minute))
			require.NoError(t, err)
			assert.Equal(t, "user-42", c.Subject)
		})
	}
}

func TestParseDatesAndLifetime(t *testing.T) {
	t.Parallel()
	hs := hsKey(t, "")
	s := newSigner(t, hs)
	iat := t0.Unix()
	longest := t0.Add(testTTL + clockSkew).Unix() // iat + TTL + the parser's leeway
	tests := []struct {
		name   string
		claims jwt.MapClaims
		want   error
	}{
		{name: "exp at iat + TTL", claims: validMapClaims()},
		{name: "exp at iat + TTL + leeway", claims: with("exp", longest)},
		{name: "exp one second past iat + TTL + leeway", claims: with("exp", longest+1), want: ErrInvalid},
		{name: "exp years away, validly signed", claims: with("exp", int64(9999999999)), want: ErrInvalid},
		{name: "exp a string holding a far number", claims: with("exp", "9999999999"), want: ErrInvalid},
		{name: "exp a string holding a good number", claims: with("exp", strconv.FormatInt(t0.Add(testTTL).Unix(), 10)), want: ErrInvalid},
		{name: "exp null", claims: with("exp", nil), want: ErrInvalid},
		{name: "iat missing", claims: without("iat"), want: ErrInvalid},
		{name: "iat null", claims: with("iat", nil), want: ErrInvalid},
		{name: "iat a string", claims: with("iat", strconv.FormatInt(iat, 10)), want: ErrInvalid},
		{name: "iat a bool", claims: with("iat", true), want: ErrInvalid},
		{name: "nbf a string", claims: with("nbf", strconv.FormatInt(iat, 10)), want: ErrInvalid},
		{name: "iat a whole TTL before a good exp", claims: with("iat", iat-int64(testTTL/time.Second)), want: ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.Parse(forge(t, jwt.SigningMethodHS256, hs.Secret, tt.claims, nil), t0.Add(time.Minute))
			if requireParseError(t, err, tt.want) {
				assert.NotErrorIs(t, err, ErrExpired, "a token that was never valid is not merely expired")
			}
		})
	}
}

// legacySigner signs with current and lets old verify what it signed before
// t0, until t0 + TTL: core's cut-over from a raw SecretKey.
func legacySigner(t *testing.T, current Key, old []byte) *Signer {
	t.Helper()
	s, err := NewSigner(testIssuer, testAudience, testTTL, []Key{current},
		Options{Legacy: LegacyKey{Secret: old, IssuedBefore: t0, Until: t0.Add(testTTL)}})
	require.NoError(t, err)
	return s
}

func claimsAt(iat, exp time.Time) jwt.MapClaims {
	c := validMapClaims()
	c["iat"], c["nbf"], c["exp"] = iat.Unix(), iat.Unix(), exp.Unix()
	return c
}

func TestLegacyKey(t *testing.T) {
	t.Parallel()
	current := hsKey(t, "")
	old := hsKey(t, "").Secret
	until := t0.Add(testTTL)
	// Issued a second before the cut-over with the longest lifetime Parse
	// takes, so it outlives the window and the window alone decides.
	lastOld := claimsAt(t0.Add(-time.Second), t0.Add(-time.Second+testTTL+clockSkew))
	tests := []struct {
		name    string
		method  jwt.SigningMethod // HS256 when nil
		key     []byte
		claims  jwt.MapClaims
		headers map[string]any
		now     time.Time
		want    error
	}{
		{name: "old token just after the cut-over", key: old, claims: claimsAt(t0.Add(-time.Minute), t0.Add(-time.Minute+testTTL)), now: t0},
		{name: "old token in the window's last second", key: old, claims: lastOld, now: until.Add(-time.Second)},
		{name: "old token once the window has closed", key: old, claims: lastOld, now: until, want: ErrInvalid},
		{name: "old key, iat at the cut-over", key: old, claims: claimsAt(t0, t0.Add(testTTL)), now: t0.Add(time.Minute), want: ErrInvalid},
		{name: "old key, iat after the cut-over", key: old, claims: claimsAt(t0.Add(time.Minute), t0.Add(2*time.Minute)), now: t0.Add(time.Minute), want: ErrInvalid},
		{name: "old key, no iat", key: old, claims: without("iat"), now: t0, want: ErrInvalid},
		{name: "old key with a kid", key: old, claims: claimsAt(t0.Add(-time.Minute), t0.Add(time.Minute)), headers: map[string]any{"kid": "legacy"}, now: t0, want: ErrInvalid},
		{name: "old key, lifetime over the TTL", key: old, claims: claimsAt(t0.Add(-time.Minute), t0.Add(time.Hour)), now: t0, want: ErrInvalid},
		{name: "old key, HS384", method: jwt.SigningMethodHS384, key: old, claims: claimsAt(t0.Add(-time.Minute), t0.Add(time.Minute)), now: t0, want: ErrInvalid},
		{name: "current key before the window closes", key: current.Secret, claims: claimsAt(t0, t0.Add(testTTL)), now: t0.Add(time.Minute)},
		{name: "current key after the window closed", key: current.Secret, claims: claimsAt(until, until.Add(testTTL)), now: until.Add(time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			method := tt.method
			if method == nil {
				method = jwt.SigningMethodHS256
			}
			token := forge(t, method, tt.key, tt.claims, tt.headers)
			_, err := legacySigner(t, current, old).Parse(token, tt.now)
			requireParseError(t, err, tt.want)
		})
	}
}

func TestLegacyKeyNeverReturns(t *testing.T) {
	t.Parallel()
	current := hsKey(t, "")
	old := hsKey(t, "").Secret
	s := legacySigner(t, current, old)
	token := forge(t, jwt.SigningMethodHS256, old, claimsAt(t0.Add(-time.Minute), t0.Add(-time.Minute+testTTL)), nil)
	early := t0.Add(time.Minute)

	_, err := s.Parse(token, early)
	require.NoError(t, err, "inside the window")
	_, err = s.Parse(token, t0.Add(testTTL))
	require.ErrorIs(t, err, ErrInvalid, "the window has closed")
	_, err = s.Parse(token, early)
	require.ErrorIs(t, err, ErrInvalid, "a clock set back does not reopen it")

	fresh, err := s.Sign(Claims{Subject: "u", SessionID: "s", IssuedAt: early, ExpiresAt: early.Add(testTTL)})
	require.NoError(t, err)
	_, err = s.Parse(fresh, early)
	require.NoError(t, err, "the current key is untouched")
}

func TestSignNeverUsesLegacyKey(t *testing.T) {
	t.Parallel()
	current := hsKey(t, "")
	old := hsKey(t, "").Secret
	token, err := legacySigner(t, current, old).Sign(sampleClaims())
	require.NoError(t, err)
	_, err = newSigner(t, current).Parse(token, t0)
	require.NoError(t, err, "signed with the current key")
	_, err = newSigner(t, Key{Algorithm: HS256, Secret: old}).Parse(token, t0)
	require.ErrorIs(t, err, ErrInvalid, "not with the legacy one")
}

func TestRotation(t *testing.T) {
	t.Parallel()
	oldHS := hsKey(t, "")
	newHS := hsKey(t, "")
	oldEd := edKey(t, "2026-10")
	newEd := edKey(t, "2026-11")
	tests := []struct {
		name       string
		signedBy   []Key
		verifiedBy []Key
		want       error
	}{
		{name: "HS256 old key kept verify-only", signedBy: []Key{oldHS}, verifiedBy: []Key{newHS, oldHS}},
		{name: "HS256 old key dropped", signedBy: []Key{oldHS}, verifiedBy: []Key{newHS}, want: ErrInvalid},
		{name: "EdDSA old key kept verify-only", signedBy: []Key{oldEd}, verifiedBy: []Key{newEd, oldEd}},
		{name: "EdDSA old key dropped", signedBy: []Key{oldEd}, verifiedBy: []Key{newEd}, want: ErrInvalid},
		{name: "HS256 to EdDSA migration", signedBy: []Key{oldHS}, verifiedBy: []Key{newEd, oldHS}},
		{name: "new key signs", signedBy: []Key{newEd, oldHS}, verifiedBy: []Key{newEd}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			token, err := newSigner(t, tt.signedBy...).Sign(sampleClaims())
			require.NoError(t, err)
			_, err = newSigner(t, tt.verifiedBy...).Parse(token, t0)
			requireParseError(t, err, tt.want)
		})
	}
}

func TestJWKS(t *testing.T) {
	t.Parallel()
	ed := edKey(t, "ed-1")
	ec := ecKey(t, "ec-1")
	s := newSigner(t, hsKey(t, "hs"), ed, ec)
	doc, ok := s.JWKS()
	require.True(t, ok)

	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(doc, &set))
	require.Len(t, set.Keys, 2, "the HS256 secret is never published")
	b64 := base64.RawURLEncoding

	okp := set.Keys[0]
	assert.Equal(t, map[string]string{"kty": "OKP", "crv": "Ed25519", "kid": "ed-1", "use": "sig", "alg": "EdDSA", "x": okp["x"]}, okp)
	x, err := b64.DecodeString(okp["x"])
	require.NoError(t, err)
	assert.Equal(t, []byte(ed.Private.Public().(ed25519.PublicKey)), x)

	ecJWK := set.Keys[1]
	assert.Equal(t, "EC", ecJWK["kty"])
	assert.Equal(t, "P-256", ecJWK["crv"])
	assert.Equal(t, "ec-1", ecJWK["kid"])
	assert.Equal(t, "sig", ecJWK["use"])
	assert.Equal(t, "ES256", ecJWK["alg"])
	ex, err := b64.DecodeString(ecJWK["x"])
	require.NoError(t, err)
	ey, err := b64.DecodeString(ecJWK["y"])
	require.NoError(t, err)
	require.Len(t, ex, 32)
	require.Len(t, ey, 32)
	fromJWK, err := ecdh.P256().NewPublicKey(append(append([]byte{4}, ex...), ey...))
	require.NoError(t, err)
	want, err := ec.Private.(*ecdsa.PrivateKey).PublicKey.ECDH()
	require.NoError(t, err)
	assert.True(t, want.Equal(fromJWK), "x and y name the ES256 public key")

	doc[0] = 'X'
	again, _ := s.JWKS()
	assert.Equal(t, byte('{'), again[0], "callers get a copy")
}

func TestJWKSWithOnlyHS256(t *testing.T) {
	t.Parallel()
	doc, ok := newSigner(t, hsKey(t, ""), hsKey(t, "old")).JWKS()
	assert.False(t, ok)
	assert.Nil(t, doc)
}

func TestNewSignerErrors(t *testing.T) {
	t.Parallel()
	ed := edKey(t, "ed-1")
	short := Key{Algorithm: HS256, Secret: make([]byte, 31)}
	legacy := func(secret []byte, issuedBefore, until time.Time) Options {
		return Options{Legacy: LegacyKey{Secret: secret, IssuedBefore: issuedBefore, Until: until}}
	}
	tests := []struct {
		name     string
		issuer   string
		audience string
		ttl      time.Duration
		keys     []Key
		opts     Options
		wantErr  string
	}{
		{name: "no keys", issuer: testIssuer, audience: testAudience, ttl: testTTL, wantErr: "at least one key"},
		{name: "no issuer", audience: testAudience, ttl: testTTL, keys: []Key{hsKey(t, "")}, wantErr: "issuer"},
		{name: "no audience", issuer: testIssuer, ttl: testTTL, keys: []Key{hsKey(t, "")}, wantErr: "audience"},
		{name: "short HS256 secret", issuer: testIssuer, audience: testAudience, ttl: testTTL, keys: []Key{short}, wantErr: "at least 32 bytes"},
		{name: "short verify-only secret", issuer: testIssuer, audience: testAudience, ttl: testTTL, keys: []Key{hsKey(t, ""), short}, wantErr: "key 1"},
		{name: "EdDSA without kid", issuer: testIssuer, audience: testAudience, ttl: testTTL, keys: []Key{{Algorithm: EdDSA, Private: ed.Private}}, wantErr: "needs an ID"},
		{name: "EdDSA without key", issuer: testIssuer, audience: testAudience, ttl: testTTL, keys: []Key{{ID: "x", Algorithm: EdDSA}}, wantErr: "private key"},
		{name: "EdDSA given an ECDSA key", issuer: testIssuer, audience: testAudience, ttl: testTTL, keys: []Key{{ID: "x", Algorithm: EdDSA, Private: ecKey(t, "").Private}}, wantErr: "Ed25519"},
		{name: "ES256 given an Ed25519 key", issuer: testIssuer, audience: testAudience, ttl: testTTL, keys: []Key{{ID: "x", Algorithm: ES256, Private: ed.Private}}, wantErr: "P-256"},
		{name: "ES256 on P-384", issuer: testIssuer, audience: testAudience, ttl: testTTL, keys: []Key{p384Key(t)}, wantErr: "P-256"},
		{name: "unknown algorithm", issuer: testIssuer, audience: testAudience, ttl: testTTL, keys: []Key{{Algorithm: "RS256"}}, wantErr: "unsupported"},
		{name: "none", issuer: testIssuer, audience: testAudience, ttl: testTTL, keys: []Key{{Algorithm: "none"}}, wantErr: "unsupported"},
		{name: "duplicate kid", issuer: testIssuer, audience: testAudience, ttl: testTTL, keys: []Key{ed, edKey(t, "ed-1")}, wantErr: "duplicate"},
		{name: "zero TTL", issuer: testIssuer, audience: testAudience, keys: []Key{hsKey(t, "")}, wantErr: "lifetime"},
		{name: "short legacy secret", issuer: testIssuer, audience: testAudience, ttl: testTTL, keys: []Key{hsKey(t, "")},
			opts: legacy(make([]byte, 31), t0, t0.Add(testTTL)), wantErr: "legacy secret must be at least 32 bytes"},
		{name: "legacy key without IssuedBefore", issuer: testIssuer, audience: testAudience, ttl: testTTL, keys: []Key{hsKey(t, "")},
			opts: legacy(hsKey(t, "").Secret, time.Time{}, t0.Add(testTTL)), wantErr: "IssuedBefore and Until"},
		{name: "legacy key without Until", issuer: testIssuer, audience: testAudience, ttl: testTTL, keys: []Key{hsKey(t, "")},
			opts: legacy(hsKey(t, "").Secret, t0, time.Time{}), wantErr: "IssuedBefore and Until"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := NewSigner(tt.issuer, tt.audience, tt.ttl, tt.keys, tt.opts)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func p384Key(t *testing.T) Key {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	return Key{ID: "p384", Algorithm: ES256, Private: priv}
}

func TestSignClientIDOption(t *testing.T) {
	t.Parallel()
	s, err := NewSigner(testIssuer, testAudience, testTTL, []Key{hsKey(t, "")}, Options{ClientID: "web-app"})
	require.NoError(t, err)
	token, err := s.Sign(sampleClaims())
	require.NoError(t, err)
	assert.Equal(t, "web-app", payload(t, token)["client_id"])
}

func TestSignAppClaims(t *testing.T) {
	t.Parallel()
	s := newSigner(t, edKey(t, "k1"))
	c := sampleClaims()
	c.Extra = map[string]any{"tenant": "asha-shop", "roles": []string{"seller"}, "plan": 2}
	token, err := s.Sign(c)
	require.NoError(t, err)
	claims := payload(t, token)
	assert.Equal(t, "asha-shop", claims["tenant"])
	assert.Equal(t, []any{"seller"}, claims["roles"])
	assert.Equal(t, float64(2), claims["plan"])
	assert.Equal(t, "user-42", claims["sub"], "ours are still there")
	got, err := s.Parse(token, t0)
	require.NoError(t, err, "Parse skips app claims")
	assert.Equal(t, "user-42", got.Subject)
}

func TestSignRefusesReservedAppClaims(t *testing.T) {
	t.Parallel()
	s := newSigner(t, hsKey(t, ""))
	for _, name := range []string{"sub", "SUB", "Client_ID", "scope", "auth_time", "acr", "amr", "sid", "trust", "cnf", "nonce",
		"", "a\"b", "a\\b", "é", "tab\tname", "a<b", "a>b", "a&b"} {
		c := sampleClaims()
		c.Extra = map[string]any{name: "x"}
		token, err := s.Sign(c)
		require.Error(t, err, "%q", name)
		assert.Empty(t, token)
	}
	for _, name := range reservedClaims {
		c := sampleClaims()
		c.Extra = map[string]any{name: 1}
		_, err := s.Sign(c)
		require.ErrorContains(t, err, "reserved claim name", name)
	}
}

func TestSignRefusesATokenParseWouldNotRead(t *testing.T) {
	t.Parallel()
	s := newSigner(t, hsKey(t, ""))
	c := sampleClaims()
	c.Extra = map[string]any{"blob": strings.Repeat("x", maxTokenLen)}
	_, err := s.Sign(c)
	require.ErrorContains(t, err, "app claims too large")
	c.Extra = map[string]any{"bad": func() {}}
	_, err = s.Sign(c)
	require.ErrorContains(t, err, "app claims")
}

// Every printable ASCII byte that encoding/json writes as itself may name an
// app claim, the space (0x20) and the tilde (0x7e) at the ends of the range
// included: Parse reads such names, so Sign must not refuse them.
func TestSignAcceptsAppClaimNamesOfEveryPrintableASCIIByte(t *testing.T) {
	t.Parallel()
	s := newSigner(t, hsKey(t, ""))
	c := sampleClaims()
	c.Extra = map[string]any{}
	for b := byte(0x20); b <= 0x7e; b++ {
		if !strings.ContainsRune(`"\<>&`, rune(b)) {
			c.Extra["x"+string(b)] = int(b)
		}
	}
	token, err := s.Sign(c)
	require.NoError(t, err)
	claims := payload(t, token)
	assert.Equal(t, float64(' '), claims["x "])
	assert.Equal(t, float64('~'), claims["x~"])
	_, err = s.Parse(token, t0)
	require.NoError(t, err)
}

// Sign's bound on a token's length is Parse's: a token of exactly maxTokenLen
// bytes is signed, and read.
func TestSignAcceptsATokenOfExactlyTheLengthParseReads(t *testing.T) {
	t.Parallel()
	s := newSigner(t, hsKey(t, ""))
	c := sampleClaims()
	signedWith := func(pad int) (string, error) {
		c.Extra = map[string]any{"blob": strings.Repeat("x", pad)}
		return s.Sign(c)
	}
	// Each byte of padding adds one or two base64 characters: counting up from
	// a little below the bound meets maxTokenLen (the claims are chosen so),
	// and the first token that long must be signed.
	short, err := signedWith(0)
	require.NoError(t, err)
	pad := (maxTokenLen-len(short))*3/4 - 8
	var token string
	for ; len(token) < maxTokenLen; pad++ {
		token, err = signedWith(pad)
		require.NoError(t, err, "padded with %d bytes", pad)
	}
	require.Len(t, token, maxTokenLen)
	got, err := s.Parse(token, t0)
	require.NoError(t, err)
	assert.Equal(t, "user-42", got.Subject)
}

func TestSignErrors(t *testing.T) {
	t.Parallel()
	s := newSigner(t, hsKey(t, ""))
	change := func(f func(*Claims)) Claims {
		c := sampleClaims()
		f(&c)
		return c
	}
	tests := []struct {
		name   string
		claims Claims
	}{
		{name: "no subject", claims: change(func(c *Claims) { c.Subject = "" })},
		{name: "no session", claims: change(func(c *Claims) { c.SessionID = "" })},
		{name: "no issued-at", claims: change(func(c *Claims) { c.IssuedAt = time.Time{} })},
		{name: "no expiry", claims: change(func(c *Claims) { c.ExpiresAt = time.Time{} })},
		{name: "expiry not after issued-at", claims: change(func(c *Claims) { c.ExpiresAt = c.IssuedAt })},
		{name: "lifetime over the TTL", claims: change(func(c *Claims) { c.ExpiresAt = c.IssuedAt.Add(testTTL + time.Second) })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			token, err := s.Sign(tt.claims)
			require.Error(t, err)
			assert.Empty(t, token)
		})
	}
}

func BenchmarkParseHS256(b *testing.B) {
	s := newSigner(b, hsKey(b, ""))
	token, err := s.Sign(sampleClaims())
	if err != nil {
		b.Fatal(err)
	}
	now := t0.Add(time.Minute)
	for b.Loop() {
		if _, err := s.Parse(token, now); err != nil {
			b.Fatal(err)
		}
	}
}
