package secret

import "fmt"

// Params are the argon2id cost parameters of a Hasher.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8  // lanes (parallelism)
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes of derived key
}

// DefaultParams is OWASP's first argon2id recommendation (m=19 MiB, t=2, p=1),
// which is also BharatAuth's floor. One hash takes ~22 ms and 19 MiB here.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// MinimumParams is the floor BharatAuth accepts: m=19 MiB, t=2, p=1, 16-byte salt,
// and a 16-byte key (shorter keys make collisions of stored hashes plausible).
var MinimumParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 16}

// Upper bounds on the parameters accepted anywhere: in Params.Validate and when
// decoding a stored hash. A stored hash is data, and a hash that claims m=4 GiB
// or t=10^6 would let whoever wrote the row stall or exhaust the server on
// every login; such a hash is reported as malformed instead.
const (
	maxMemoryKiB = 256 * 1024 // 256 MiB; times the concurrency cap it must still fit in RAM
	maxTime      = 64
	maxSaltLen   = 64
	maxKeyLen    = 128
	minSaltLen   = 8 // RFC 9106 §3.1: the salt is at least 8 bytes
	// maxBcryptCost bounds legacy bcrypt hashes for the same reason: cost 31
	// is 2^31 rounds (hours). passlib's default was 12.
	maxBcryptCost = 16
)

// Validate reports whether p meets MinimumParams and stays within the bounds a
// stored hash may have; the error names the first failing parameter.
func (p Params) Validate() error {
	switch {
	case p.Memory < MinimumParams.Memory:
		return fmt.Errorf("secret: memory %d KiB is below the minimum %d KiB", p.Memory, MinimumParams.Memory)
	case p.Memory > maxMemoryKiB:
		return fmt.Errorf("secret: memory %d KiB is above the maximum %d KiB", p.Memory, maxMemoryKiB)
	case p.Time < MinimumParams.Time:
		return fmt.Errorf("secret: time %d is below the minimum %d", p.Time, MinimumParams.Time)
	case p.Time > maxTime:
		return fmt.Errorf("secret: time %d is above the maximum %d", p.Time, maxTime)
	case p.Threads < MinimumParams.Threads:
		return fmt.Errorf("secret: threads must be at least %d", MinimumParams.Threads)
	case p.SaltLen < MinimumParams.SaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("secret: salt length %d is outside %d..%d bytes", p.SaltLen, MinimumParams.SaltLen, maxSaltLen)
	case p.KeyLen < MinimumParams.KeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("secret: key length %d is outside %d..%d bytes", p.KeyLen, MinimumParams.KeyLen, maxKeyLen)
	}
	return nil
}

// clamped returns p with every field moved into [floor, maximum]. NewHasher
// has no error result, so a caller that skipped Validate still gets a hasher
// that is never weaker than floor and never writes a hash it cannot decode.
func (p Params) clamped(floor Params) Params {
	p.Memory = min(max(p.Memory, floor.Memory, 8*uint32(max(p.Threads, 1))), maxMemoryKiB)
	p.Time = min(max(p.Time, floor.Time), maxTime)
	p.Threads = max(p.Threads, floor.Threads)
	p.SaltLen = min(max(p.SaltLen, floor.SaltLen), maxSaltLen)
	p.KeyLen = min(max(p.KeyLen, floor.KeyLen), maxKeyLen)
	return p
}

// testFloor is the least NewTestHasher accepts: what argon2 and the decoder
// need to run at all (argon2.IDKey panics on t=0 or p=0).
var testFloor = Params{Memory: 8, Time: 1, Threads: 1, SaltLen: minSaltLen, KeyLen: 16}

// weakerThan reports whether a hash made with p should be redone with want.
// Parallelism is not compared: fewer lanes do not make the hash cheaper to
// attack, they only change how the work is split.
func (p Params) weakerThan(want Params) bool {
	return p.Memory < want.Memory || p.Time < want.Time ||
		p.SaltLen < want.SaltLen || p.KeyLen < want.KeyLen
}
