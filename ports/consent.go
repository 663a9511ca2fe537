package ports

import (
	"context"
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
	Hash           string    // consentchain.Hash(PrevHash, row), set by the ledger
}

// ConsentLedger is the append-only consent log. No method edits or deletes a row.
type ConsentLedger interface {
	// AppendConsents atomically appends rows for userID in order, under a
	// per-user lock: each row gets the next Seq, PrevHash = the previous row's
	// Hash, RecordedAt truncated to the microsecond, and Hash =
	// consentchain.Hash(PrevHash, row).
	// It returns the stored rows. Either every row is appended or none is.
	AppendConsents(ctx context.Context, userID string, rows []ConsentRecord) ([]ConsentRecord, error)
	// ConsentHistory returns the user's rows in Seq order (empty when none),
	// exactly as stored, so that a verifier can recompute the chain.
	ConsentHistory(ctx context.Context, userID string) ([]ConsentRecord, error)
}
