package secret

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// ErrMalformedHash is returned by Verify when the stored hash is neither a
// decodable argon2id PHC string nor a bcrypt hash, or when its parameters are
// outside the bounds this package is willing to compute.
var ErrMalformedHash = errors.New("secret: malformed hash")

// Hasher hashes and verifies secrets with argon2id under a concurrency cap.
// It is safe for concurrent use.
type Hasher struct {
	params Params
	slots  chan struct{} // one token per computation allowed to run
	dummy  argonHash     // verified by VerifyDummy; never matches any secret

	verifications atomic.Int64
	hashes        atomic.Int64

	// inSlot, when set (by tests in this package only), is called while a
	// computation holds its slot, so a test can observe the cap without timing.
	inSlot func()

	// onWait, when set (ObserveWaits), is told each time a computation
	// starts waiting for a slot; the function it returns is called once the
	// wait is over.
	onWait func(context.Context) func()
}

// NewHasher returns a Hasher with parameters p and at most maxConcurrent
// computations at once (maxConcurrent <= 0 means GOMAXPROCS: argon2id with
// one lane keeps one core busy, so more slots than cores add memory (19 MiB
// each) and no throughput). Callers are
// expected to have checked p.Validate; since NewHasher cannot fail, a field
// outside the allowed range is moved to the nearest allowed value, so the
// hasher is never weaker than MinimumParams.
func NewHasher(p Params, maxConcurrent int) *Hasher {
	return newHasher(p.clamped(MinimumParams), maxConcurrent)
}

// NewTestHasher is NewHasher without the MinimumParams floor, for tests only:
// it lets a test suite hash with, say, 64 KiB and one pass. Never use it in
// production code; hashes it makes are cheap to crack.
func NewTestHasher(p Params, maxConcurrent int) *Hasher {
	return newHasher(p.clamped(testFloor), maxConcurrent)
}

func newHasher(p Params, maxConcurrent int) *Hasher {
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.GOMAXPROCS(0)
	}
	// The dummy needs no argon2 run to make: random salt and random "key" with
	// the hasher's parameters cost exactly one real verification to check,
	// and no secret can match random bytes except by a 2^-128 accident.
	dummy := argonHash{params: p, salt: make([]byte, p.SaltLen), key: make([]byte, p.KeyLen)}
	_, _ = rand.Read(dummy.salt) // crypto/rand.Read never fails (Go 1.24+)
	_, _ = rand.Read(dummy.key)
	return &Hasher{params: p, slots: make(chan struct{}, maxConcurrent), dummy: dummy}
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the argon2id PHC string of secret with a fresh random salt.
// It waits for a slot; the error is then ctx's, wrapped.
func (h *Hasher) Hash(ctx context.Context, secret string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("secret: read salt: %w", err)
	}
	var key []byte
	err := h.withSlot(ctx, func() {
		h.hashes.Add(1)
		key = deriveKey(secret, salt, h.params)
	})
	if err != nil {
		return "", err
	}
	return argonHash{params: h.params, salt: salt, key: key}.encode(), nil
}

// Hashes counts Hash calls that ran a hash (tests assert on it).
func (h *Hasher) Hashes() int64 { return h.hashes.Load() }

// Verify checks secret against encoded, an argon2id PHC string or a legacy
// bcrypt hash ($2a$, $2b$, $2y$). ok reports a match; rehash is true when ok
// and the hash should be replaced by h.Hash(secret): it is bcrypt, or argon2id
// with parameters weaker than h's. A hash that cannot be decoded returns
// (false, false, ErrMalformedHash); waiting for a slot past ctx returns ctx's
// error, wrapped. A wrong secret is (false, false, nil).
//
// bcrypt only reads the first 72 bytes of the secret (as the Python seed's
// passlib did), so legacy hashes keep verifying; the rehash replaces them
// with an argon2id hash of the whole secret.
func (h *Hasher) Verify(ctx context.Context, encoded, secret string) (ok, rehash bool, err error) {
	if isBcrypt(encoded) {
		return h.verifyBcrypt(ctx, encoded, secret)
	}
	stored, err := decodeArgon(encoded)
	if err != nil {
		return false, false, err
	}
	if err := h.withSlot(ctx, func() {
		h.verifications.Add(1)
		ok = stored.matches(secret)
	}); err != nil {
		return false, false, err
	}
	return ok, ok && stored.params.weakerThan(h.params), nil
}

// VerifyDummy runs one verification with h's parameters against a hash no
// secret matches, so that a login for an unknown user costs as much time as
// one for a known user. It reports nothing: the answer is always "no".
func (h *Hasher) VerifyDummy(ctx context.Context, secret string) {
	_ = h.withSlot(ctx, func() {
		h.verifications.Add(1)
		_ = h.dummy.matches(secret)
	})
}

// Verifications counts the Verify and VerifyDummy calls that computed a hash.
func (h *Hasher) Verifications() int64 { return h.verifications.Load() }

func (h *Hasher) verifyBcrypt(ctx context.Context, encoded, secret string) (ok, rehash bool, err error) {
	cost, err := bcrypt.Cost([]byte(encoded))
	if err != nil || cost > maxBcryptCost {
		return false, false, ErrMalformedHash
	}
	var cmpErr error
	if err := h.withSlot(ctx, func() {
		h.verifications.Add(1)
		cmpErr = bcrypt.CompareHashAndPassword([]byte(encoded), []byte(secret))
	}); err != nil {
		return false, false, err
	}
	switch {
	case cmpErr == nil:
		return true, true, nil
	case errors.Is(cmpErr, bcrypt.ErrMismatchedHashAndPassword):
		return false, false, nil
	default:
		return false, false, ErrMalformedHash
	}
}

// withSlot runs compute while holding one of h's slots, or returns ctx's
// error (wrapped) if ctx ends first.
func (h *Hasher) withSlot(ctx context.Context, compute func()) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("secret: waiting for a hashing slot: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return err
	}
	defer func() { <-h.slots }()
	if h.inSlot != nil {
		h.inSlot()
	}
	compute()
	return nil
}

// acquire takes a slot, or returns ctx's error (wrapped) if ctx ends first.
func (h *Hasher) acquire(ctx context.Context) error {
	if h.onWait != nil {
		waited := h.onWait(ctx)
		defer waited()
	}
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("secret: waiting for a hashing slot: %w", ctx.Err())
	}
}

// ObserveWaits has onWait told of every wait for a slot (a metric of how
// long logins queue for hashing). Call it before the Hasher is shared.
func (h *Hasher) ObserveWaits(onWait func(context.Context) (end func())) { h.onWait = onWait }

func isBcrypt(encoded string) bool {
	return strings.HasPrefix(encoded, "$2a$") || strings.HasPrefix(encoded, "$2b$") ||
		strings.HasPrefix(encoded, "$2y$")
}

func deriveKey(secret string, salt []byte, p Params) []byte {
	return argon2.IDKey([]byte(secret), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// matches recomputes the key for secret and compares in constant time.
func (a argonHash) matches(secret string) bool {
	got := deriveKey(secret, a.salt, a.params)
	return subtle.ConstantTimeCompare(got, a.key) == 1
}
