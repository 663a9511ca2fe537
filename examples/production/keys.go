package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/bharatauth/bharatauth-go/core"
)

// loadSigningKeys reads BHARATAUTH_SIGNING_KEYS: a comma-separated list of
// PEM files, each an Ed25519 or P-256 private key (PKCS #8 "PRIVATE KEY", or
// SEC 1 "EC PRIVATE KEY"). The first signs, the rest only verify: rotation
// puts a new key first and keeps the old one second for one access-token
// lifetime. Each key's kid is its RFC 7638 thumbprint, so it needs no
// configuration and is the same on every instance. Errors name the file,
// never the key.
func loadSigningKeys(list string) ([]core.SigningKey, error) {
	var keys []core.SigningKey
	var errs []error
	seen := map[string]string{}
	for _, path := range strings.Split(list, ",") {
		if path = strings.TrimSpace(path); path == "" {
			continue
		}
		k, err := loadSigningKey(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("BHARATAUTH_SIGNING_KEYS: %s: %w", path, err))
			continue
		}
		if first, dup := seen[k.ID]; dup {
			errs = append(errs, fmt.Errorf("BHARATAUTH_SIGNING_KEYS: %s holds the same key as %s", path, first))
			continue
		}
		seen[k.ID] = path
		keys = append(keys, k)
	}
	return keys, errors.Join(errs...)
}

func loadSigningKey(path string) (core.SigningKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return core.SigningKey{}, errors.New("cannot be read")
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return core.SigningKey{}, errors.New("is not a PEM file")
	}
	var priv any
	switch block.Type {
	case "PRIVATE KEY":
		priv, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		priv, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return core.SigningKey{}, fmt.Errorf("holds a %q block; want PRIVATE KEY (PKCS #8) or EC PRIVATE KEY", block.Type)
	}
	if err != nil {
		return core.SigningKey{}, errors.New("holds a private key that does not parse")
	}
	switch k := priv.(type) {
	case ed25519.PrivateKey:
		return signingKey("EdDSA", k, map[string]string{"crv": "Ed25519", "kty": "OKP",
			"x": b64(k.Public().(ed25519.PublicKey))}), nil
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return core.SigningKey{}, errors.New("is an EC key on another curve than P-256")
		}
		point, err := k.PublicKey.Bytes() // 0x04 || X || Y, 32 bytes each
		if err != nil {
			return core.SigningKey{}, errors.New("holds an EC key whose public point does not encode")
		}
		return signingKey("ES256", k, map[string]string{"crv": "P-256", "kty": "EC",
			"x": b64(point[1:33]), "y": b64(point[33:65])}), nil
	default:
		return core.SigningKey{}, fmt.Errorf("holds a %T; want an Ed25519 (recommended) or P-256 key", priv)
	}
}

// signingKey names key by the RFC 7638 thumbprint of its public JWK, whose
// required members jwk lists: SHA-256 of their JSON with the names sorted
// and no spaces, which encoding/json writes for a map.
func signingKey(alg string, key crypto.Signer, jwk map[string]string) core.SigningKey {
	canonical, _ := json.Marshal(jwk) // strings only: cannot fail
	sum := sha256.Sum256(canonical)
	return core.SigningKey{ID: b64(sum[:]), Algorithm: alg, Private: key}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
