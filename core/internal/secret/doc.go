// Package secret hashes and verifies passwords and PINs.
//
// New hashes are argon2id PHC strings
// ($argon2id$v=19$m=19456,t=2,p=1$salt$hash, salt and hash in unpadded
// standard base64). Verification also accepts the legacy bcrypt hashes
// ($2a$, $2b$, $2y$) that the Python package stored, and tells the caller when
// a hash should be replaced (bcrypt, or argon2id weaker than the Hasher's
// parameters).
//
// Every argon2id or bcrypt computation runs under a concurrency cap: one
// argon2id hash at the default parameters needs 19 MiB, so an unbounded login
// burst would exhaust memory. Callers over the cap wait, bounded by their
// context.
//
// Errors: ErrMalformedHash for a stored hash that cannot be decoded (or whose
// parameters exceed sane bounds), and a wrapped context error when the caller
// gave up waiting for a slot. No error ever contains a secret or a hash.
package secret
