package ports

import (
	"context"
	"time"
)

// Sources of a consent decision (DPDP Act 2023 §6(7)–(9) and §9).
const (
	SourceSelf           = "self"            // the user decided through the app
	SourceConsentManager = "consent_manager" // relayed by a registered consent manager
	SourceGuardian       = "guardian"        // decided by the guardian of a child
)

// Chain versions of a consent row. Version 1 hashed the raw IP address and user
// agent; version 2 hashes their keyed digests instead (so that the raw values
// can be pseudonymised later without breaking the chain) and adds the notice
// hash, the source and the consent manager fields.
const (
	ChainV1 = 1
	ChainV2 = 2
)

// ConsentRecord is one row of the append-only DPDP consent log.
type ConsentRecord struct {
	UserID         string
	Seq            int64 // 1-based position in the user's chain, set by the ledger
	ChainVersion   int   // ChainV1 or ChainV2; 0 reads as ChainV1
	Category       string
	Granted        bool
	NoticeVersion  string
	NoticeLanguage string
	NoticeHash     string // hex SHA-256 of the notice shown (version 2)
	Source         string // SourceSelf, SourceConsentManager or SourceGuardian (version 2)
	// ManagerID and ManagerReference name, for a decision relayed by a consent
	// manager, the manager's registration id and its own reference of the
	// decision (version 2).
	ManagerID        string
	ManagerReference string
	IPAddress        string
	UserAgent        string
	// IPDigest and UserAgentDigest are keyed digests of IPAddress and UserAgent,
	// which the version-2 hash covers in their place (version 2).
	IPDigest        string
	UserAgentDigest string
	RecordedAt      time.Time // stored and hashed at microsecond precision
	PrevHash        string    // Hash of the user's previous row; "" for the first
	Hash            string    // consentchain.Hash(PrevHash, row), set by the ledger
}

// ConsentAppend is what one append writes to a user's consent log, all in one
// transaction.
type ConsentAppend struct {
	Rows []ConsentRecord
	// CheckpointKey, when set, makes the ledger store the user's keyed
	// checkpoint, consentchain.Checkpoint(CheckpointKey, userID, seq, hash) of
	// the new head, replacing the previous one. The key is not stored.
	CheckpointKey []byte
	// Notify puts one ConsentChange per row in the ConsentOutbox.
	Notify bool
}

// ConsentCheckpoint is the keyed checkpoint of a user's chain head: a MAC that
// a writer of the database cannot recompute without the server's key.
type ConsentCheckpoint struct {
	UserID string
	Seq    int64  // the head's Seq
	Head   string // the head's Hash
	MAC    string // consentchain.Checkpoint of the three above
}

// ConsentLedger is the append-only consent log. No method of it edits or
// deletes a row; the only change a store ever makes to a stored row is
// EventPseudonymiser's and ErasureStore.EraseUser's emptying of IP address and
// user agent of chain version 2 rows, which their hash does not cover. It is
// safe for concurrent use.
type ConsentLedger interface {
	// AppendConsents atomically appends in.Rows for userID in order, under a
	// per-user lock: each row gets the next Seq, RecordedAt truncated to the
	// microsecond, then consentchain.Link onto the previous row's Hash (a
	// version, PrevHash and Hash); the checkpoint and the outbox entries
	// in asks for are written in the same transaction.
	// It returns the stored rows. Either everything is written or nothing is.
	AppendConsents(ctx context.Context, userID string, in ConsentAppend) ([]ConsentRecord, error)
	// ConsentHistory returns the user's rows in Seq order (empty when none),
	// exactly as stored, so that a verifier can recompute the chain.
	ConsentHistory(ctx context.Context, userID string) ([]ConsentRecord, error)
	// ConsentCheckpoint returns the user's keyed checkpoint, ErrNotFound when
	// none was stored.
	ConsentCheckpoint(ctx context.Context, userID string) (ConsentCheckpoint, error)
}
