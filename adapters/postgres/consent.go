package postgres

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/consentchain"
)

// consentRow is one row of the append-only, hash-chained consent log. The
// table refuses UPDATE, DELETE and TRUNCATE by trigger.
type consentRow struct {
	bun.BaseModel `bun:"table:ba_consent_log"`

	ID             int64     `bun:"id,pk,autoincrement"`
	UserID         string    `bun:"user_id"`
	Seq            int64     `bun:"seq"`
	Category       string    `bun:"category"`
	Granted        bool      `bun:"granted"`
	NoticeVersion  string    `bun:"notice_version"`
	NoticeLanguage string    `bun:"notice_language"`
	IPAddress      string    `bun:"ip_address"`
	UserAgent      string    `bun:"user_agent"`
	RecordedAt     time.Time `bun:"recorded_at"`
	PrevHash       string    `bun:"prev_hash"`
	Hash           string    `bun:"hash"`
}

func (r consentRow) record() ports.ConsentRecord {
	return ports.ConsentRecord{
		UserID:         r.UserID,
		Seq:            r.Seq,
		Category:       r.Category,
		Granted:        r.Granted,
		NoticeVersion:  r.NoticeVersion,
		NoticeLanguage: r.NoticeLanguage,
		IPAddress:      r.IPAddress,
		UserAgent:      r.UserAgent,
		RecordedAt:     utc(r.RecordedAt),
		PrevHash:       r.PrevHash,
		Hash:           r.Hash,
	}
}

// consentLockKey names the per-user advisory lock under which the chain grows.
// A transaction-level lock works for a user's first row too, which a
// SELECT ... FOR UPDATE of the last row could not lock.
const consentLockKey = "bharatauth.consent:"

// AppendConsents appends rows for userID in one transaction under a per-user
// advisory lock: read the chain's tail, number and hash the rows, insert them
// in one statement. Either every row is stored or none is.
func (s *Store) AppendConsents(ctx context.Context, userID string, rows []ports.ConsentRecord) ([]ports.ConsentRecord, error) {
	const op = "append consents"
	if len(rows) == 0 {
		return []ports.ConsentRecord{}, nil
	}
	ctx, cancel := s.call(ctx)
	defer cancel()
	var stored []ports.ConsentRecord
	err := s.conn(ctx).RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		stored, err = appendChain(ctx, tx, userID, rows)
		return err
	})
	if err != nil {
		return nil, fail(ctx, op, err)
	}
	return stored, nil
}

// appendChain extends userID's chain with rows inside tx (AppendConsents, and
// CreateUser for the registration consents).
func appendChain(ctx context.Context, tx bun.Tx, userID string, rows []ports.ConsentRecord) ([]ports.ConsentRecord, error) {
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
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
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
		r.PrevHash = prev
		r.Hash = consentchain.Hash(prev, r)
		prev = r.Hash
		stored = append(stored, r)
		models = append(models, consentRow{
			UserID: r.UserID, Seq: r.Seq, Category: r.Category, Granted: r.Granted,
			NoticeVersion: r.NoticeVersion, NoticeLanguage: r.NoticeLanguage,
			IPAddress: r.IPAddress, UserAgent: r.UserAgent, RecordedAt: r.RecordedAt,
			PrevHash: r.PrevHash, Hash: r.Hash,
		})
	}
	if _, err := tx.NewInsert().Model(&models).ExcludeColumn("id").Exec(ctx); err != nil {
		return nil, err
	}
	return stored, nil
}

// ConsentHistory returns the user's rows in Seq order, exactly as stored.
func (s *Store) ConsentHistory(ctx context.Context, userID string) ([]ports.ConsentRecord, error) {
	return listWhere(ctx, s, "consent history", "user_id", userID, "seq ASC", consentRow.record)
}
