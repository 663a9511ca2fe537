package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core"
)

// writePEM writes key as a PEM file of type typ (PKCS #8 unless typ says
// otherwise) and returns its path.
func writePEM(t *testing.T, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
	return path
}

func pkcs8(t *testing.T, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return der
}

func newEd25519PEM(t *testing.T, name string) string {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return writePEM(t, name, "PRIVATE KEY", pkcs8(t, key))
}

func TestSigningKeysIssuerAndAudienceFromTheEnvironment(t *testing.T) {
	t.Parallel()
	ed := newEd25519PEM(t, "ed.pem")
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	sec1, err := x509.MarshalECPrivateKey(p256)
	require.NoError(t, err)
	ec := writePEM(t, "ec.pem", "EC PRIVATE KEY", sec1)
	ec8 := writePEM(t, "ec8.pem", "PRIVATE KEY", pkcs8(t, mustP256(t)))

	s, err := loadSettings(baseEnv(map[string]string{"BHARATAUTH_SIGNING_KEYS": ed + ", " + ec + "," + ec8,
		"BHARATAUTH_ISSUER": "https://auth.example.in", "BHARATAUTH_AUDIENCE": "https://api.example.in"}))
	require.NoError(t, err)
	require.Len(t, s.SigningKeys, 3)
	assert.Equal(t, []string{"EdDSA", "ES256", "ES256"}, []string{s.SigningKeys[0].Algorithm, s.SigningKeys[1].Algorithm, s.SigningKeys[2].Algorithm})

	cfg := coreConfig(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	assert.Equal(t, "https://auth.example.in", cfg.Issuer)
	assert.Equal(t, "https://api.example.in", cfg.Audience)
	auth, err := core.New(cfg, core.Deps{Storage: memory.New(), Mailer: memory.NewOutbox()})
	require.NoError(t, err)
	doc, ok := auth.JWKS()
	require.True(t, ok, "asymmetric keys are published")
	for _, k := range s.SigningKeys {
		assert.Contains(t, string(doc), `"kid":"`+k.ID+`"`)
	}

	s, err = loadSettings(baseEnv(nil))
	require.NoError(t, err)
	cfg = coreConfig(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	assert.Empty(t, cfg.SigningKeys, "without keys: HS256 derived from the secret")
	assert.Equal(t, core.DefaultConfig().Issuer, cfg.Issuer)
	assert.Equal(t, core.DefaultConfig().Audience, cfg.Audience)
}

func mustP256(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return k
}

// The kid is the RFC 7638 thumbprint: RFC 8037 appendix A.3 gives it for
// the Ed25519 key of appendix A.1.
func TestSigningKeyIDIsTheRFC7638Thumbprint(t *testing.T) {
	t.Parallel()
	seed, err := base64.RawURLEncoding.DecodeString("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
	require.NoError(t, err)
	path := writePEM(t, "rfc8037.pem", "PRIVATE KEY", pkcs8(t, ed25519.NewKeyFromSeed(seed)))
	keys, err := loadSigningKeys(path)
	require.NoError(t, err)
	assert.Equal(t, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", keys[0].ID)
}

// Rotation: a new key first, the old one second. Tokens the old key signed
// keep verifying; new tokens are signed with the new key.
func TestSigningKeyRotation(t *testing.T) {
	t.Parallel()
	oldKey, newKey := newEd25519PEM(t, "old.pem"), newEd25519PEM(t, "new.pem")
	store := memory.New()
	authWith := func(list string) *core.Auth {
		t.Helper()
		s, err := loadSettings(baseEnv(map[string]string{"BHARATAUTH_SIGNING_KEYS": list}))
		require.NoError(t, err)
		cfg := coreConfig(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
		cfg.RequireVerifiedEmail, cfg.UnsafeFastHashingForTests, cfg.MailInline = false, true, true
		auth, err := core.New(cfg, core.Deps{Storage: store, Mailer: memory.NewOutbox()})
		require.NoError(t, err)
		return auth
	}
	ctx := t.Context()
	before := authWith(oldKey)
	var consents []core.ConsentDecision
	for _, c := range core.DefaultCategories() {
		consents = append(consents, core.ConsentDecision{Category: c.Name, Granted: true})
	}
	_, err := before.Register(ctx, core.RegisterInput{Email: "asha@example.in", Password: "correct horse battery staple", Consents: consents})
	require.NoError(t, err)
	res, err := before.Login(ctx, core.LoginInput{Identifier: "asha@example.in", Password: "correct horse battery staple"})
	require.NoError(t, err)

	after := authWith(newKey + "," + oldKey)
	_, err = after.Authenticate(ctx, res.AccessToken)
	require.NoError(t, err, "a token of the old key verifies during the rotation")
	next, err := after.Refresh(ctx, core.RefreshInput{RefreshToken: res.RefreshToken})
	require.NoError(t, err)
	assert.NotEqual(t, kidOf(t, res.AccessToken), kidOf(t, next.AccessToken), "new tokens carry the new key's kid")

	done := authWith(newKey)
	_, err = done.Authenticate(ctx, res.AccessToken)
	require.Error(t, err, "once the old key is dropped its tokens fail")
	_, err = done.Authenticate(ctx, next.AccessToken)
	require.NoError(t, err)
}

func kidOf(t *testing.T, token string) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	require.NoError(t, err)
	var h struct{ Kid string }
	require.NoError(t, json.Unmarshal(raw, &h))
	return h.Kid
}

func TestSigningKeysThatAreRefused(t *testing.T) {
	t.Parallel()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	garbled := []byte("not DER at all")
	ed := newEd25519PEM(t, "ed.pem")
	edCopy := filepath.Join(t.TempDir(), "copy.pem")
	raw, err := os.ReadFile(ed)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(edCopy, raw, 0o600))
	notPEM := filepath.Join(t.TempDir(), "key.txt")
	require.NoError(t, os.WriteFile(notPEM, []byte("just text"), 0o600))

	for _, tc := range []struct {
		name, list, want string
	}{
		{name: "an RSA key", list: writePEM(t, "rsa.pem", "PRIVATE KEY", pkcs8(t, rsaKey)), want: "want an Ed25519 (recommended) or P-256 key"},
		{name: "a P-384 key", list: writePEM(t, "p384.pem", "PRIVATE KEY", pkcs8(t, p384)), want: "another curve than P-256"},
		{name: "a certificate", list: writePEM(t, "cert.pem", "CERTIFICATE", garbled), want: `holds a "CERTIFICATE" block`},
		{name: "garbled DER", list: writePEM(t, "bad.pem", "PRIVATE KEY", garbled), want: "does not parse"},
		{name: "not PEM", list: notPEM, want: "is not a PEM file"},
		{name: "a missing file", list: filepath.Join(t.TempDir(), "nope.pem"), want: "cannot be read"},
		{name: "one key twice", list: ed + "," + edCopy, want: "holds the same key as " + ed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadSettings(baseEnv(map[string]string{"BHARATAUTH_SIGNING_KEYS": tc.list}))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "BHARATAUTH_SIGNING_KEYS: ")
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "BEGIN", "no key material in the error")
		})
	}
}
