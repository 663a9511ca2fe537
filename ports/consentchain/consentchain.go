// Package consentchain computes the hash chain of the DPDP consent log and
// the keyed checkpoint of a chain's head: every ledger calls Hash when it
// appends a row (and Checkpoint when asked to), and core's verifier calls them
// to recompute. It lives apart from package ports so that ports itself needs
// nothing beyond the core of the standard library.
package consentchain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"strconv"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Hash is the chain hash of a consent row: SHA-256 over prev and the row's
// fields, each length-prefixed so that no two different rows encode alike.
// Which fields depends on r.ChainVersion:
//
//   - version 1 (or 0): every field of a version-1 row, the raw IP address and
//     user agent included;
//   - version 2: the version-1 fields with the keyed digests of the IP address
//     and user agent in place of the raw values (so that blanking the raw
//     values keeps the row verifying), plus the notice hash, the source and
//     the consent manager's registration id and reference.
//
// Ledgers call it when appending; verifiers call it to recompute. RecordedAt
// is hashed at microsecond precision (what PostgreSQL keeps).
func Hash(prev string, r ports.ConsentRecord) string {
	h := sha256.New()
	field := fielder(h)
	if r.ChainVersion >= ports.ChainV2 {
		field("bharatauth.consent.v2")
	} else {
		field("bharatauth.consent.v1")
	}
	field(prev)
	field(r.UserID)
	field(strconv.FormatInt(r.Seq, 10))
	field(r.Category)
	field(strconv.FormatBool(r.Granted))
	field(r.NoticeVersion)
	field(r.NoticeLanguage)
	if r.ChainVersion >= ports.ChainV2 {
		field(r.IPDigest)
		field(r.UserAgentDigest)
		field(r.NoticeHash)
		field(r.Source)
		field(r.ManagerID)
		field(r.ManagerReference)
	} else {
		field(r.IPAddress)
		field(r.UserAgent)
	}
	field(r.RecordedAt.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano))
	return hex.EncodeToString(h.Sum(nil))
}

// Link chains r onto a chain whose head hash is prev, as every ledger does
// when appending: an unversioned row becomes version 1, PrevHash is prev and
// Hash is Hash(prev, r).
func Link(prev string, r ports.ConsentRecord) ports.ConsentRecord {
	if r.ChainVersion == 0 {
		r.ChainVersion = ports.ChainV1
	}
	r.PrevHash = prev
	r.Hash = Hash(prev, r)
	return r
}

// Checkpoint is the keyed checkpoint of a chain whose head is the row seq of
// userID with hash head: HMAC-SHA256 under key. Without the key, a writer of
// the database who rewrites a chain and recomputes every Hash cannot make a
// matching checkpoint.
func Checkpoint(key []byte, userID string, seq int64, head string) string {
	m := hmac.New(sha256.New, key)
	field := fielder(m)
	field("bharatauth.consent.checkpoint.v1")
	field(userID)
	field(strconv.FormatInt(seq, 10))
	field(head)
	return hex.EncodeToString(m.Sum(nil))
}

// fielder writes length-prefixed fields to h.
func fielder(h hash.Hash) func(string) {
	return func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
}
