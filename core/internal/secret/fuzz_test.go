package secret

import (
	"errors"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// fuzzBudget bounds the argon2 work one fuzz input may ask for (KiB x passes)
// and fuzzMaxBcryptCost the bcrypt work, so that a decodable hash with large
// (but allowed) parameters is only decoded, not computed, and the fuzzer
// keeps its pace: the bounds themselves are covered by TestVerifyMalformed.
const (
	fuzzBudget        = 4 * 1024
	fuzzMaxBcryptCost = 6
)

func FuzzVerify(f *testing.F) {
	h := NewTestHasher(cheap, 0)
	valid, err := h.Hash(testContext(f), "seed")
	if err != nil {
		f.Fatal(err)
	}
	seeds := []string{
		valid,
		"",
		"$",
		"$argon2id$",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$$",
		"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$2a$04$abcdefghijklmnopqrstuu",
		"$2b$31$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyzABCDE",
		"$2y$",
	}
	for _, s := range seeds {
		f.Add(s, "seed")
	}
	f.Fuzz(func(t *testing.T, encoded, secret string) {
		if a, err := decodeArgon(encoded); err == nil && uint64(a.params.Memory)*uint64(a.params.Time) > fuzzBudget {
			return
		}
		if cost, err := bcrypt.Cost([]byte(encoded)); err == nil && cost > fuzzMaxBcryptCost {
			return
		}
		ok, rehash, err := h.Verify(testContext(t), encoded, secret)
		if err != nil && !errors.Is(err, ErrMalformedHash) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if err != nil && (ok || rehash) {
			t.Fatal("an error must come with ok=false, rehash=false")
		}
		if rehash && !ok {
			t.Fatal("rehash without a match")
		}
	})
}
