package secret

import (
	"context"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// cheap keeps argon2 fast under -race; production parameters are exercised
// by BenchmarkHashDefault and TestNewHasherDefault.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	h := NewTestHasher(cheap, 0)
	tests := []struct {
		name   string
		secret string
	}{
		{name: "ascii password", secret: "correct horse battery staple"},
		{name: "pin", secret: "4829"},
		{name: "multibyte", secret: "पासवर्ड-पक्का-123"},
		{name: "empty", secret: ""},
		{name: "longer than bcrypt's 72 bytes", secret: strings.Repeat("a", 200)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t)
			encoded, err := h.Hash(ctx, tt.secret)
			require.NoError(t, err)
			assert.Regexp(t, phcPattern, encoded)

			ok, rehash, err := h.Verify(ctx, encoded, tt.secret)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.False(t, rehash)

			ok, rehash, err = h.Verify(ctx, encoded, tt.secret+"x")
			require.NoError(t, err)
			assert.False(t, ok, "wrong secret")
			assert.False(t, rehash)
		})
	}
}

func TestHashUsesFreshSalt(t *testing.T) {
	t.Parallel()
	h := NewTestHasher(cheap, 0)
	a, err := h.Hash(testContext(t), "same secret")
	require.NoError(t, err)
	b, err := h.Hash(testContext(t), "same secret")
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
}

func TestVerifyBcrypt(t *testing.T) {
	t.Parallel()
	const password = "legacy-password-1"
	long := strings.Repeat("b", 72)
	legacy, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	require.NoError(t, err)
	legacyLong, err := bcrypt.GenerateFromPassword([]byte(long), bcrypt.MinCost)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(legacy), "$2a$"))
	// $2b$ and $2y$ name the same algorithm as $2a$ (they differ only in
	// historical bug fixes of other implementations), so a prefix swap makes
	// valid hashes of the other variants.
	variant := func(hash []byte, prefix string) string { return prefix + string(hash[4:]) }

	h := NewTestHasher(cheap, 0)
	tests := []struct {
		name       string
		encoded    string
		secret     string
		wantOK     bool
		wantRehash bool
	}{
		{name: "2a match", encoded: string(legacy), secret: password, wantOK: true, wantRehash: true},
		{name: "2b match", encoded: variant(legacy, "$2b$"), secret: password, wantOK: true, wantRehash: true},
		{name: "2y match", encoded: variant(legacy, "$2y$"), secret: password, wantOK: true, wantRehash: true},
		{name: "2b wrong secret", encoded: variant(legacy, "$2b$"), secret: "legacy-password-2"},
		{name: "empty secret", encoded: string(legacy), secret: ""},
		// passlib cut at 72 bytes too, so a seed user whose password was
		// longer still gets in; the rehash then covers the whole secret.
		{name: "cut at 72 bytes like passlib", encoded: string(legacyLong), secret: long + "ignored tail", wantOK: true, wantRehash: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, rehash, err := h.Verify(testContext(t), tt.encoded, tt.secret)
			require.NoError(t, err)
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.wantRehash, rehash)
		})
	}
}

// A legacy bcrypt hash up to maxBcryptCost is computed; one above is refused
// before any work. Computing cost 16 for real takes ~16 s here (minutes under
// -race), so the hashes carry a salt that is not bcrypt's base64: bcrypt
// rejects it before its key schedule, and Verifications tells whether Verify
// handed the hash to bcrypt at all.
func TestVerifyBcryptCostBound(t *testing.T) {
	t.Parallel()
	junkSalt := strings.Repeat("*", 22) + strings.Repeat("a", 31)
	tests := []struct {
		name         string
		cost         int
		wantComputed bool
	}{
		{name: "cost 16 is computed", cost: maxBcryptCost, wantComputed: true},
		{name: "cost 17 is refused unseen", cost: maxBcryptCost + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := NewTestHasher(cheap, 0)
			encoded := fmt.Sprintf("$2b$%02d$%s", tt.cost, junkSalt)
			cost, err := bcrypt.Cost([]byte(encoded))
			require.NoError(t, err)
			require.Equal(t, tt.cost, cost)

			ok, rehash, err := h.Verify(testContext(t), encoded, "pw")
			require.ErrorIs(t, err, ErrMalformedHash, "the salt is not base64")
			assert.False(t, ok)
			assert.False(t, rehash)
			assert.Equal(t, tt.wantComputed, h.Verifications() == 1)
		})
	}
}

func TestVerifyAsksRehashForWeakerArgon(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	stronger := Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	tests := []struct {
		name       string
		hashWith   Params
		verifyWith Params
		wantRehash bool
	}{
		{name: "same params", hashWith: cheap, verifyWith: cheap},
		{name: "less memory", hashWith: cheap, verifyWith: Params{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, wantRehash: true},
		{name: "fewer passes", hashWith: cheap, verifyWith: Params{Memory: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, wantRehash: true},
		{name: "shorter salt", hashWith: Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 32}, verifyWith: cheap, wantRehash: true},
		{name: "shorter key", hashWith: Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 16}, verifyWith: cheap, wantRehash: true},
		{name: "stronger than the hasher", hashWith: stronger, verifyWith: cheap},
		{name: "more lanes is not weaker", hashWith: Params{Memory: 64, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}, verifyWith: cheap},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			encoded, err := NewTestHasher(tt.hashWith, 0).Hash(ctx, "s3cret-value")
			require.NoError(t, err)
			h := NewTestHasher(tt.verifyWith, 0)

			ok, rehash, err := h.Verify(ctx, encoded, "s3cret-value")
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, tt.wantRehash, rehash)

			ok, rehash, err = h.Verify(ctx, encoded, "wrong")
			require.NoError(t, err)
			assert.False(t, ok)
			assert.False(t, rehash, "a failed verify never asks for a rehash")
		})
	}
}

func TestVerifyMalformed(t *testing.T) {
	t.Parallel()
	h := NewTestHasher(cheap, 0)
	valid, err := h.Hash(testContext(t), "x")
	require.NoError(t, err)
	parts := strings.Split(valid, "$") // "", argon2id, v=19, params, salt, key
	join := func(p ...string) string { return strings.Join(p, "$") }
	legacy, err := bcrypt.GenerateFromPassword([]byte("x"), bcrypt.MinCost)
	require.NoError(t, err)

	tests := []struct {
		name    string
		encoded string
	}{
		{name: "empty", encoded: ""},
		{name: "garbage", encoded: "not a hash at all"},
		{name: "dollar only", encoded: "$"},
		{name: "too few fields", encoded: join(parts[:5]...)},
		{name: "too many fields", encoded: valid + "$extra"},
		{name: "argon2i", encoded: join("", "argon2i", parts[2], parts[3], parts[4], parts[5])},
		{name: "argon2d", encoded: join("", "argon2d", parts[2], parts[3], parts[4], parts[5])},
		{name: "version 16", encoded: join("", "argon2id", "v=16", parts[3], parts[4], parts[5])},
		{name: "missing version", encoded: join("", "argon2id", parts[3], parts[4], parts[5])},
		{name: "huge m", encoded: join("", "argon2id", parts[2], "m=4294967295,t=1,p=1", parts[4], parts[5])},
		{name: "m overflows uint64", encoded: join("", "argon2id", parts[2], "m=99999999999999999999,t=1,p=1", parts[4], parts[5])},
		{name: "huge t", encoded: join("", "argon2id", parts[2], "m=64,t=100000,p=1", parts[4], parts[5])},
		{name: "t zero", encoded: join("", "argon2id", parts[2], "m=64,t=0,p=1", parts[4], parts[5])},
		{name: "p zero", encoded: join("", "argon2id", parts[2], "m=64,t=1,p=0", parts[4], parts[5])},
		{name: "p above 255", encoded: join("", "argon2id", parts[2], "m=4096,t=1,p=256", parts[4], parts[5])},
		{name: "m below 8p", encoded: join("", "argon2id", parts[2], "m=8,t=1,p=4", parts[4], parts[5])},
		{name: "negative m", encoded: join("", "argon2id", parts[2], "m=-64,t=1,p=1", parts[4], parts[5])},
		{name: "params out of order", encoded: join("", "argon2id", parts[2], "t=1,m=64,p=1", parts[4], parts[5])},
		{name: "extra param", encoded: join("", "argon2id", parts[2], "m=64,t=1,p=1,k=2", parts[4], parts[5])},
		{name: "empty param", encoded: join("", "argon2id", parts[2], "m=,t=1,p=1", parts[4], parts[5])},
		{name: "bad base64 salt", encoded: join("", "argon2id", parts[2], parts[3], "!!!!not*base64", parts[5])},
		{name: "padded base64 key", encoded: join("", "argon2id", parts[2], parts[3], parts[4], parts[5]+"=")},
		{name: "short salt", encoded: join("", "argon2id", parts[2], parts[3], "c2FsdA", parts[5])},
		{name: "short key", encoded: join("", "argon2id", parts[2], parts[3], parts[4], "a2V5")},
		{name: "empty key", encoded: join("", "argon2id", parts[2], parts[3], parts[4], "")},
		{name: "oversized input", encoded: valid + strings.Repeat("A", 1000)},
		{name: "bcrypt truncated", encoded: string(legacy[:20])},
		{name: "bcrypt bad cost", encoded: "$2a$xx$" + string(legacy[7:])},
		// Cost 31 would take hours: a stored hash must not be able to do that.
		{name: "bcrypt cost 31", encoded: "$2b$31$" + string(legacy[7:])},
		{name: "bcrypt unknown minor", encoded: "$2x$04$" + string(legacy[7:])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, rehash, err := h.Verify(testContext(t), tt.encoded, "x")
			require.ErrorIs(t, err, ErrMalformedHash)
			assert.False(t, ok)
			assert.False(t, rehash)
			if len(tt.encoded) > 3 {
				assert.NotContains(t, err.Error(), tt.encoded, "errors never echo a hash")
			}
		})
	}
}

// capProbe records how many computations hold a slot at once. It blocks every
// computation until released, so the test sees the cap filled without
// relying on timing.
type capProbe struct {
	active, peak atomic.Int64
	entered      chan struct{}
	release      chan struct{}
	releaseOnce  sync.Once
}

// newCapProbe returns a probe for up to callers computations whose blocked
// computations are released when the test ends, even if it failed early.
func newCapProbe(t *testing.T, callers int) *capProbe {
	p := &capProbe{entered: make(chan struct{}, callers), release: make(chan struct{})}
	t.Cleanup(p.releaseAll)
	return p
}

func (p *capProbe) releaseAll() { p.releaseOnce.Do(func() { close(p.release) }) }

// awaitEntry waits until one more computation holds a slot. While the probe
// blocks every computation no caller can return, so a receive on returned
// fails the test at once (the hasher answered without computing); nothing
// within testWait fails it too.
func (p *capProbe) awaitEntry(t *testing.T, returned <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-p.entered:
	case <-returned:
		t.Fatalf("a caller returned before %s", what)
	case <-time.After(testWait):
		t.Fatalf("waited %s for %s; it never happened", testWait, what)
	}
}

func (p *capProbe) hook() {
	n := p.active.Add(1)
	for {
		old := p.peak.Load()
		if n <= old || p.peak.CompareAndSwap(old, n) {
			break
		}
	}
	// Both waits are bounded: a hasher that lets in more computations than
	// the test expects (more slots than it was given) must fail the test,
	// not block them, and the test, for ever.
	select {
	case p.entered <- struct{}{}:
	case <-time.After(testWait):
	}
	select {
	case <-p.release:
	case <-time.After(testWait):
	}
	p.active.Add(-1)
}

func TestConcurrencyCap(t *testing.T) {
	t.Parallel()
	const callers, limit = 8, 2
	h := NewTestHasher(cheap, limit)
	ctx := testContext(t)
	encoded, err := h.Hash(ctx, "pw")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait) // after the probe's cleanup has released the callers
	probe := newCapProbe(t, callers)
	h.inSlot = probe.hook

	results := make(chan bool, callers)
	returned := make(chan struct{}, callers)
	for range callers {
		wg.Go(func() {
			ok, _, err := h.Verify(ctx, encoded, "pw")
			assert.NoError(t, err)
			results <- ok
			returned <- struct{}{}
		})
	}
	probe.awaitEntry(t, returned, "the first computation took a slot")
	probe.awaitEntry(t, returned, "the second computation took a slot")
	// Both slots are held and blocked in the probe: the channel is full, so
	// the other six callers can only be waiting.
	assert.Len(t, h.slots, limit)
	assert.Equal(t, int64(limit), probe.active.Load())
	probe.releaseAll()
	wg.Wait() // bounded: every Verify gives up when ctx ends
	close(results)

	assert.LessOrEqual(t, probe.peak.Load(), int64(limit))
	assert.Equal(t, int64(callers), h.Verifications())
	for ok := range results {
		assert.True(t, ok)
	}
}

func TestContextEndsWait(t *testing.T) {
	t.Parallel()
	h := NewTestHasher(cheap, 1)
	ctx := testContext(t)
	encoded, err := h.Hash(ctx, "pw")
	require.NoError(t, err)
	holder := make(chan struct{})
	t.Cleanup(func() { waitOrFail(t, holder, testWait, "the slot holder to finish") })
	probe := newCapProbe(t, 1) // its cleanup runs first and lets the holder finish
	h.inSlot = probe.hook

	go func() {
		defer close(holder)
		_, _, _ = h.Verify(ctx, encoded, "pw")
	}()
	probe.awaitEntry(t, holder, "the holder took the only slot")

	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{name: "cancelled before the call", ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, want: context.Canceled},
		{name: "deadline while waiting", ctx: func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 20*time.Millisecond)
		}, want: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			before := h.Verifications()

			ok, rehash, err := h.Verify(ctx, encoded, "pw")
			require.ErrorIs(t, err, tt.want)
			assert.False(t, ok)
			assert.False(t, rehash)

			_, err = h.Hash(ctx, "pw")
			require.ErrorIs(t, err, tt.want)

			h.VerifyDummy(ctx, "pw")
			assert.Equal(t, before, h.Verifications(), "nothing ran")
		})
	}
}

func TestVerifications(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	h := NewTestHasher(cheap, 0)
	encoded, err := h.Hash(ctx, "pw")
	require.NoError(t, err)
	legacy, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	require.NoError(t, err)
	require.Equal(t, int64(0), h.Verifications(), "Hash is not a verification")

	steps := []struct {
		name string
		run  func()
		want int64
	}{
		{name: "argon match", run: func() { _, _, _ = h.Verify(ctx, encoded, "pw") }, want: 1},
		{name: "argon mismatch", run: func() { _, _, _ = h.Verify(ctx, encoded, "nope") }, want: 2},
		{name: "bcrypt", run: func() { _, _, _ = h.Verify(ctx, string(legacy), "pw") }, want: 3},
		{name: "malformed costs nothing", run: func() { _, _, _ = h.Verify(ctx, "junk", "pw") }, want: 3},
		{name: "dummy", run: func() { h.VerifyDummy(ctx, "pw") }, want: 4},
		{name: "hash", run: func() { _, _ = h.Hash(ctx, "pw") }, want: 4},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			step.run()
			assert.Equal(t, step.want, h.Verifications())
		})
	}
}

func TestVerifyDummyMatchesHasherCost(t *testing.T) {
	t.Parallel()
	h := NewTestHasher(cheap, 0)
	assert.Equal(t, h.Params(), h.dummy.params, "same parameters, so the same time")
	assert.Len(t, h.dummy.salt, int(cheap.SaltLen))
	// The dummy is a well-formed hash: it survives an encode/decode round trip.
	decoded, err := decodeArgon(h.dummy.encode())
	require.NoError(t, err)
	assert.Equal(t, h.dummy, decoded)
	for _, secret := range []string{"", "pw", "anything"} {
		assert.False(t, h.dummy.matches(secret))
	}
}

func TestNewHasher(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		params        Params
		maxConcurrent int
		wantParams    Params
		wantSlots     int
	}{
		{name: "defaults", params: DefaultParams, maxConcurrent: 0, wantParams: DefaultParams, wantSlots: runtime.GOMAXPROCS(0)},
		{name: "negative cap", params: DefaultParams, maxConcurrent: -3, wantParams: DefaultParams, wantSlots: runtime.GOMAXPROCS(0)},
		{name: "explicit cap", params: DefaultParams, maxConcurrent: 5, wantParams: DefaultParams, wantSlots: 5},
		{name: "weak params raised to the floor", params: cheap, maxConcurrent: 1,
			wantParams: Params{Memory: MinimumParams.Memory, Time: MinimumParams.Time, Threads: 1, SaltLen: 16, KeyLen: 32}, wantSlots: 1},
		{name: "oversized params lowered", params: Params{Memory: 1 << 31, Time: 1000, Threads: 4, SaltLen: 1000, KeyLen: 1000}, maxConcurrent: 1,
			wantParams: Params{Memory: maxMemoryKiB, Time: maxTime, Threads: 4, SaltLen: maxSaltLen, KeyLen: maxKeyLen}, wantSlots: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := NewHasher(tt.params, tt.maxConcurrent)
			assert.Equal(t, tt.wantParams, h.Params())
			assert.Equal(t, tt.wantSlots, cap(h.slots))
			require.NoError(t, h.Params().Validate())
		})
	}
}

// The production parameters are the documented ones (m=19 MiB, t=2, p=1,
// 16-byte salt, 32-byte key), in the stored hash as well as in the Params.
func TestNewHasherDefault(t *testing.T) {
	t.Parallel()
	assert.Equal(t, Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, DefaultParams)
	assert.Equal(t, Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 16}, MinimumParams)
	h := NewHasher(DefaultParams, 1)
	encoded, err := h.Hash(testContext(t), "correct horse battery staple")
	require.NoError(t, err)
	assert.Regexp(t, `^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`, encoded)
}

func TestNewTestHasherMakesZeroParamsUsable(t *testing.T) {
	t.Parallel()
	requireHashVerifies(t, NewTestHasher(Params{}, 1), "pw")
}

// argon2 needs 8 KiB of memory per lane, and decodeArgon refuses a hash with
// less: a hasher given more lanes than its memory allows raises the memory,
// so it never writes a hash it cannot verify.
func TestHasherRaisesMemoryToEightKiBPerLane(t *testing.T) {
	t.Parallel()
	h := NewTestHasher(Params{Memory: 8, Time: 1, Threads: 4, SaltLen: 16, KeyLen: 16}, 1)
	assert.Equal(t, uint32(8*4), h.Params().Memory)
	requireHashVerifies(t, h, "pw")
}

func TestParamsValidate(t *testing.T) {
	t.Parallel()
	with := func(change func(*Params)) Params {
		p := DefaultParams
		change(&p)
		return p
	}
	tests := []struct {
		name    string
		params  Params
		wantErr string
	}{
		{name: "default", params: DefaultParams},
		{name: "minimum", params: MinimumParams},
		{name: "stronger", params: Params{Memory: 64 * 1024, Time: 3, Threads: 4, SaltLen: 32, KeyLen: 64}},
		{name: "memory too low", params: with(func(p *Params) { p.Memory = 19*1024 - 1 }), wantErr: "memory"},
		{name: "memory too high", params: with(func(p *Params) { p.Memory = maxMemoryKiB + 1 }), wantErr: "memory"},
		{name: "one pass", params: with(func(p *Params) { p.Time = 1 }), wantErr: "time"},
		{name: "too many passes", params: with(func(p *Params) { p.Time = maxTime + 1 }), wantErr: "time"},
		{name: "no threads", params: with(func(p *Params) { p.Threads = 0 }), wantErr: "threads"},
		{name: "short salt", params: with(func(p *Params) { p.SaltLen = 8 }), wantErr: "salt"},
		{name: "salt one byte under 16", params: with(func(p *Params) { p.SaltLen = 15 }), wantErr: "salt"},
		{name: "short key", params: with(func(p *Params) { p.KeyLen = 15 }), wantErr: "key"},
		{name: "long key", params: with(func(p *Params) { p.KeyLen = maxKeyLen + 1 }), wantErr: "key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.params.Validate()
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func BenchmarkHashDefault(b *testing.B) {
	h := NewHasher(DefaultParams, 0)
	ctx := b.Context()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestHashesCountsHashComputations(t *testing.T) {
	t.Parallel()
	h := NewTestHasher(Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 1)
	for i := 0; i < 3; i++ {
		_, err := h.Hash(testContext(t), "secret")
		require.NoError(t, err)
	}
	assert.Equal(t, int64(3), h.Hashes())
	assert.Equal(t, int64(0), h.Verifications())
}
