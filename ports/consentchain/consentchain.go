// Package consentchain computes the hash chain of the DPDP consent log: every
// ledger calls Hash when it appends a row, and core's verifier calls it to
// recompute the chain. It lives apart from package ports so that ports itself
// needs nothing beyond the core of the standard library.
package consentchain

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Hash is the chain hash of a consent row: SHA-256 over prev and every
// field of r except Hash and PrevHash, each length-prefixed so that no two
// different rows encode alike. Ledgers call it when appending; verifiers call it
// to recompute. RecordedAt is hashed at microsecond precision (what PostgreSQL
// keeps).
func Hash(prev string, r ports.ConsentRecord) string {
	h := sha256.New()
	field := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field("bharatauth.consent.v1")
	field(prev)
	field(r.UserID)
	field(strconv.FormatInt(r.Seq, 10))
	field(r.Category)
	field(strconv.FormatBool(r.Granted))
	field(r.NoticeVersion)
	field(r.NoticeLanguage)
	field(r.IPAddress)
	field(r.UserAgent)
	field(r.RecordedAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano))
	return hex.EncodeToString(h.Sum(nil))
}
