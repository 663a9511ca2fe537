package postgres

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/consentchain"
)

// consentRow is one row of the append-only, hash-chained consent log. The
// table refuses UPDATE, DELETE and TRUNCATE by trigger.
type consentRow struct {
	bun.BaseModel `bun:"table:ba_consent_log"`

	ID               int64     `bun:"id,pk,autoincrement"`
	UserID           string    `bun:"user_id"`
	Seq              int64     `bun:"seq"`
	ChainVersion     int       `bun:"chain_version"`
	Category         string    `bun:"category"`
	Granted          bool      `bun:"granted"`
	NoticeVersion    string    `bun:"notice_version"`
	NoticeLanguage   string    `bun:"notice_language"`
	NoticeHash       string    `bun:"notice_hash"`
	Source           string    `bun:"source"`
	ManagerID        string    `bun:"manager_id"`
	ManagerReference string    `bun:"manager_reference"`
	IPAddress        string    `bun:"ip_address"`
	UserAgent        string    `bun:"user_agent"`
	IPDigest         string    `bun:"ip_digest"`
	UserAgentDigest  string    `bun:"user_agent_digest"`
	RecordedAt       time.Time `bun:"recorded_at"`
	PrevHash         string    `bun:"prev_hash"`
	Hash             string    `bun:"hash"`
}

func (r consentRow) record() ports.ConsentRecord {
	return ports.ConsentRecord{
		UserID:           r.UserID,
		Seq:              r.Seq,
		ChainVersion:     r.ChainVersion,
		Category:         r.Category,
		Granted:          r.Granted,
		NoticeVersion:    r.NoticeVersion,
		NoticeLanguage:   r.NoticeLanguage,
		NoticeHash:       r.NoticeHash,
		Source:           r.Source,
		ManagerID:        r.ManagerID,
		ManagerReference: r.ManagerReference,
		IPAddress:        r.IPAddress,
		UserAgent:        r.UserAgent,
		IPDigest:         r.IPDigest,
		UserAgentDigest:  r.UserAgentDigest,
		RecordedAt:       utc(r.RecordedAt),
		PrevHash:         r.PrevHash,
		Hash:             r.Hash,
	}
}

// newConsentRow is the row of a stored record.
func newConsentRow(r ports.ConsentRecord) consentRow {
	return consentRow{
		UserID: r.UserID, Seq: r.Seq, ChainVersion: r.ChainVersion, Category: r.Category, Granted: r.Granted,
		NoticeVersion: r.NoticeVersion, NoticeLanguage: r.NoticeLanguage, NoticeHash: r.NoticeHash,
		Source: r.Source, ManagerID: r.ManagerID, ManagerReference: r.ManagerReference,
		IPAddress: r.IPAddress, UserAgent: r.UserAgent, IPDigest: r.IPDigest, UserAgentDigest: r.UserAgentDigest,
		RecordedAt: r.RecordedAt, PrevHash: r.PrevHash, Hash: r.Hash,
	}
}

// consentLockKey names the per-user advisory lock under which the chain grows.
// A transaction-level lock works for a user's first row too, which a
// SELECT ... FOR UPDATE of the last row could not lock.
const consentLockKey = "bharatauth.consent:"

// AppendConsents appends rows for userID in one transaction under a per-user
// advisory lock: read the chain's tail, number and hash the rows, insert them
// in one statement. Either every row is stored or none is.
func (s *Store) AppendConsents(ctx context.Context, userID string, in ports.ConsentAppend) ([]ports.ConsentRecord, error) {
	const op = "append consents"
	if len(in.Rows) == 0 {
		return []ports.ConsentRecord{}, nil
	}
	ctx, cancel := s.call(ctx)
	defer cancel()
	var stored []ports.ConsentRecord
	err := s.conn(ctx).RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		stored, err = appendChain(ctx, tx, userID, in)
		return err
	})
	if err != nil {
		return nil, fail(ctx, op, err)
	}
	return stored, nil
}

// appendChain extends userID's chain with in.Rows inside tx, with the
// checkpoint and outbox entries in asks for (AppendConsents, and CreateUser for
// the registration consents).
func appendChain(ctx context.Context, tx bun.Tx, userID string, in ports.ConsentAppend) ([]ports.ConsentRecord, error) {
	rows := in.Rows
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(? || ?, 0))",
		consentLockKey, userID); err != nil {
		return nil, err
	}
	// A new statement after the lock: its snapshot sees every row the
	// previous lock holder committed.
	var tail consentRow
	err := tx.NewSelect().Model(&tail).Column("seq", "hash").
		Where("user_id = ?", userID).
		OrderExpr("seq DESC").
		Limit(1).
		Scan(ctx)
	if err != nil && !noRows(err) {
		return nil, err
	}
	seq, prev := tail.Seq, tail.Hash
	stored := make([]ports.ConsentRecord, 0, len(rows))
	models := make([]consentRow, 0, len(rows))
	for _, r := range rows {
		seq++
		r.UserID = userID
		r.Seq = seq
		r.RecordedAt = utc(r.RecordedAt)
		r = consentchain.Link(prev, r)
		prev = r.Hash
		stored = append(stored, r)
		models = append(models, newConsentRow(r))
	}
	if _, err := tx.NewInsert().Model(&models).ExcludeColumn("id").Exec(ctx); err != nil {
		return nil, err
	}
	if err := writeCheckpoint(ctx, tx, userID, in.CheckpointKey, stored[len(stored)-1]); err != nil {
		return nil, err
	}
	if in.Notify {
		if err := enqueueChanges(ctx, tx, stored); err != nil {
			return nil, err
		}
	}
	return stored, nil
}

// checkpointRow is the keyed checkpoint of a user's chain head.
type checkpointRow struct {
	bun.BaseModel `bun:"table:ba_consent_checkpoints"`

	UserID string `bun:"user_id,pk"`
	Seq    int64  `bun:"seq"`
	Head   string `bun:"head"`
	MAC    string `bun:"mac"`
}

// writeCheckpoint replaces userID's checkpoint with one of head, when a key
// is given.
func writeCheckpoint(ctx context.Context, tx bun.Tx, userID string, key []byte, head ports.ConsentRecord) error {
	if len(key) == 0 {
		return nil
	}
	cp := checkpointRow{UserID: userID, Seq: head.Seq, Head: head.Hash,
		MAC: consentchain.Checkpoint(key, userID, head.Seq, head.Hash)}
	_, err := tx.NewInsert().Model(&cp).
		On("CONFLICT (user_id) DO UPDATE").
		Set("seq = EXCLUDED.seq, head = EXCLUDED.head, mac = EXCLUDED.mac").
		Exec(ctx)
	return err
}

// ConsentCheckpoint returns the user's keyed checkpoint; ErrNotFound when none.
func (s *Store) ConsentCheckpoint(ctx context.Context, userID string) (ports.ConsentCheckpoint, error) {
	ctx, cancel := s.call(ctx)
	defer cancel()
	var cp checkpointRow
	if err := getRow(ctx, s.conn(ctx), "consent checkpoint", &cp, "user_id = ?", userID); err != nil {
		return ports.ConsentCheckpoint{}, err
	}
	return ports.ConsentCheckpoint{UserID: cp.UserID, Seq: cp.Seq, Head: cp.Head, MAC: cp.MAC}, nil
}

// ConsentHistory returns the user's rows in Seq order, exactly as stored.
func (s *Store) ConsentHistory(ctx context.Context, userID string) ([]ports.ConsentRecord, error) {
	return listWhere(ctx, s, "consent history", "user_id", userID, "seq ASC", consentRow.record)
}
