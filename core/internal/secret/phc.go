package secret

import (
	"encoding/base64"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argonHash is a decoded argon2id PHC string.
type argonHash struct {
	params Params
	salt   []byte
	key    []byte
}

// maxEncodedLen bounds the input the decoder looks at: the longest hash it
// accepts (64-byte salt, 128-byte key, 7-digit m) is well under this.
const maxEncodedLen = 512

var b64 = base64.RawStdEncoding.Strict()

// encode renders a as $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<key>.
func (a argonHash) encode() string {
	var b strings.Builder
	b.WriteString("$argon2id$v=")
	b.WriteString(strconv.Itoa(argon2.Version))
	b.WriteString("$m=")
	b.WriteString(strconv.FormatUint(uint64(a.params.Memory), 10))
	b.WriteString(",t=")
	b.WriteString(strconv.FormatUint(uint64(a.params.Time), 10))
	b.WriteString(",p=")
	b.WriteString(strconv.FormatUint(uint64(a.params.Threads), 10))
	b.WriteByte('$')
	b.WriteString(b64.EncodeToString(a.salt))
	b.WriteByte('$')
	b.WriteString(b64.EncodeToString(a.key))
	return b.String()
}

// decodeArgon parses an argon2id PHC string strictly: version 19 only, the
// parameters in the order m,t,p, unpadded standard base64, and every value
// within the bounds of params.go. Anything else is ErrMalformedHash; the
// error never echoes the input.
func decodeArgon(encoded string) (argonHash, error) {
	if len(encoded) > maxEncodedLen {
		return argonHash{}, ErrMalformedHash
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" ||
		parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return argonHash{}, ErrMalformedHash
	}
	var a argonHash
	var ok bool
	if a.params, ok = decodeParams(parts[3]); !ok {
		return argonHash{}, ErrMalformedHash
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return argonHash{}, ErrMalformedHash
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < int(testFloor.KeyLen) || len(key) > maxKeyLen {
		return argonHash{}, ErrMalformedHash
	}
	a.salt, a.key = salt, key
	a.params.SaltLen, a.params.KeyLen = uint32(len(salt)), uint32(len(key))
	return a, nil
}

// decodeParams parses "m=<KiB>,t=<passes>,p=<lanes>".
func decodeParams(s string) (Params, bool) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return Params{}, false
	}
	m, okM := decodeField(fields[0], "m=", maxMemoryKiB)
	t, okT := decodeField(fields[1], "t=", maxTime)
	p, okP := decodeField(fields[2], "p=", 255)
	if !okM || !okT || !okP || t == 0 || p == 0 || m < 8*p {
		return Params{}, false
	}
	return Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(p)}, true
}

// decodeField parses "<name><decimal>" with the decimal in 0..limit.
func decodeField(field, name string, limit uint64) (uint64, bool) {
	digits, found := strings.CutPrefix(field, name)
	if !found || digits == "" || len(digits) > 10 {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n > limit {
		return 0, false
	}
	return n, true
}
