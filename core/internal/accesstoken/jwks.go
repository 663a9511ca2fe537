package accesstoken

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
)

// jwk is one public key of a JWKS document (RFC 7517, RFC 8037 for OKP).
type jwk struct {
	KeyType string `json:"kty"`
	Curve   string `json:"crv"`
	X       string `json:"x"`
	Y       string `json:"y,omitempty"`
	KeyID   string `json:"kid"`
	Use     string `json:"use"`
	Alg     string `json:"alg"`
}

// JWKS returns the JSON Web Key Set of the public keys, verify-only ones
// included (tokens they signed are still in circulation), and true; it
// returns (nil, false) when every key is HS256, whose secret is never
// published. The caller may keep or modify the returned bytes.
func (s *Signer) JWKS() ([]byte, bool) {
	if s.jwks == nil {
		return nil, false
	}
	return append([]byte(nil), s.jwks...), true
}

// buildJWKS renders the document once, in NewSigner; nil when there is no
// public key.
func buildJWKS(verifiers []verifier) []byte {
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: []jwk{}}
	b64 := base64.RawURLEncoding
	for _, v := range verifiers {
		switch pub := v.public.(type) {
		case ed25519.PublicKey:
			set.Keys = append(set.Keys, jwk{KeyType: "OKP", Curve: "Ed25519", X: b64.EncodeToString(pub),
				KeyID: v.id, Use: "sig", Alg: v.alg})
		case *ecdsa.PublicKey:
			// Uncompressed point 0x04 || X || Y, each coordinate 32 bytes
			// (left-padded), as RFC 7518 §6.2.1 requires.
			ecdhKey, err := pub.ECDH()
			if err != nil {
				continue // NewSigner only admits P-256 keys, which convert
			}
			point := ecdhKey.Bytes()
			set.Keys = append(set.Keys, jwk{KeyType: "EC", Curve: "P-256",
				X: b64.EncodeToString(point[1:33]), Y: b64.EncodeToString(point[33:65]),
				KeyID: v.id, Use: "sig", Alg: v.alg})
		}
	}
	if len(set.Keys) == 0 {
		return nil
	}
	doc, err := json.Marshal(set)
	if err != nil {
		return nil // plain strings only: Marshal cannot fail here
	}
	return doc
}
