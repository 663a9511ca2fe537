package accesstoken

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

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
