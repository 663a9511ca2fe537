package secret

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A hash at exactly the largest salt, key and pass count this package writes
// (NewHasher clamps to them) must verify: refusing it would fail every
// sign-in of the accounts hashed with those parameters.
func TestHashAtMaximumSaltKeyAndTimeVerifies(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	largest := Params{Memory: 64, Time: maxTime, Threads: 1, SaltLen: maxSaltLen, KeyLen: maxKeyLen}
	h := NewTestHasher(largest, 0)
	require.Equal(t, largest, h.Params(), "the maximum is not clamped")

	encoded, err := h.Hash(ctx, "pw")
	require.NoError(t, err)
	ok, rehash, err := h.Verify(ctx, encoded, "pw")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.False(t, rehash)
}

// Every bound of a stored hash is inclusive: decodeArgon accepts each
// parameter at its maximum and refuses one more. Decoding alone is enough
// here; m=256 MiB or p=255 would be slow to compute.
func TestDecodeArgonBoundsAreInclusive(t *testing.T) {
	t.Parallel()
	salt := func(n int) string { return b64.EncodeToString(make([]byte, n)) }
	hash := func(params string, saltLen, keyLen int) string {
		return "$argon2id$v=19$" + params + "$" + salt(saltLen) + "$" + salt(keyLen)
	}
	tests := []struct {
		name    string
		encoded string
		wantErr bool
	}{
		{name: "largest memory", encoded: hash("m=262144,t=1,p=1", 16, 32)},
		{name: "memory one over", encoded: hash("m=262145,t=1,p=1", 16, 32), wantErr: true},
		{name: "largest time", encoded: hash("m=64,t=64,p=1", 16, 32)},
		{name: "time one over", encoded: hash("m=64,t=65,p=1", 16, 32), wantErr: true},
		{name: "largest parallelism", encoded: hash("m=2040,t=1,p=255", 16, 32)},
		{name: "smallest memory for 255 lanes", encoded: hash("m=2039,t=1,p=255", 16, 32), wantErr: true},
		{name: "largest salt", encoded: hash("m=64,t=1,p=1", maxSaltLen, 32)},
		{name: "salt one over", encoded: hash("m=64,t=1,p=1", maxSaltLen+1, 32), wantErr: true},
		{name: "shortest salt", encoded: hash("m=64,t=1,p=1", minSaltLen, 32)},
		{name: "salt one under", encoded: hash("m=64,t=1,p=1", minSaltLen-1, 32), wantErr: true},
		{name: "largest key", encoded: hash("m=64,t=1,p=1", 16, maxKeyLen)},
		{name: "key one over", encoded: hash("m=64,t=1,p=1", 16, maxKeyLen+1), wantErr: true},
		{name: "shortest key", encoded: hash("m=64,t=1,p=1", 16, 16)},
		{name: "key one under", encoded: hash("m=64,t=1,p=1", 16, 15), wantErr: true},
		{name: "ten-digit field", encoded: hash("m=0000000064,t=1,p=1", 16, 32)},
		{name: "eleven-digit field", encoded: hash("m=00000000064,t=1,p=1", 16, 32), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := decodeArgon(tt.encoded)
			if tt.wantErr {
				require.ErrorIs(t, err, ErrMalformedHash)
				return
			}
			require.NoError(t, err)
			again, err := decodeArgon(a.encode())
			require.NoError(t, err, "what decodes also encodes to a decodable hash")
			assert.Equal(t, a, again)
		})
	}
}

// The longest hash the decoder accepts is far below maxEncodedLen, so that
// bound only cuts the work spent on junk; it never refuses a real hash.
func TestLongestDecodableHashFitsTheInputBound(t *testing.T) {
	t.Parallel()
	longest := argonHash{
		params: Params{Memory: maxMemoryKiB, Time: maxTime, Threads: 255},
		salt:   make([]byte, maxSaltLen), key: make([]byte, maxKeyLen),
	}.encode()
	_, err := decodeArgon(longest)
	require.NoError(t, err)
	assert.Less(t, len(longest), maxEncodedLen)
}
