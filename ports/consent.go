package ports

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"time"
)

// ConsentRecord is one row of the append-only DPDP consent log.
type ConsentRecord struct {
	UserID         string
	Seq            int64 // 1-based position in the user's chain, set by the ledger
	Category       string
	Granted        bool
	NoticeVersion  string
	NoticeLanguage string
	IPAddress      string
	UserAgent      string
	RecordedAt     time.Time // stored and hashed at microsecond precision
	PrevHash       string    // Hash of the user's previous row; "" for the first
	Hash           string    // ConsentHash(PrevHash, row), set by the ledger
}

// ConsentLedger is the append-only consent log. No method edits or deletes a row.
type ConsentLedger interface {
	// AppendConsents atomically appends rows for userID in order, under a
	// per-user lock: each row gets the next Seq, PrevHash = the previous row's
	// Hash, RecordedAt truncated to the microsecond, and Hash = ConsentHash.
	// It returns the stored rows. Either every row is appended or none is.
	AppendConsents(ctx context.Context, userID string, rows []ConsentRecord) ([]ConsentRecord, error)
	// ConsentHistory returns the user's rows in Seq order (empty when none),
	// exactly as stored, so that a verifier can recompute the chain.
	ConsentHistory(ctx context.Context, userID string) ([]ConsentRecord, error)
}

// ConsentHash is the chain hash of a consent row: SHA-256 over prev and every
// field of r except Hash and PrevHash, each length-prefixed so that no two
// different rows encode alike. Ledgers call it when appending; verifiers call it
// to recompute. RecordedAt is hashed at microsecond precision (what PostgreSQL
// keeps).
func ConsentHash(prev string, r ConsentRecord) string {
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
