package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
)

// outboxRow is one consent change waiting for delivery.
type outboxRow struct {
	bun.BaseModel `bun:"table:ba_consent_outbox"`

	ID         int64     `bun:"id,pk,autoincrement"`
	UserID     string    `bun:"user_id"`
	Seq        int64     `bun:"seq"`
	Category   string    `bun:"category"`
	Granted    bool      `bun:"granted"`
	Source     string    `bun:"source"`
	RecordedAt time.Time `bun:"recorded_at"`
	DueAt      time.Time `bun:"due_at"`
	Attempts   int       `bun:"attempts"`
}

func (r outboxRow) change() ports.ConsentChange {
	return ports.ConsentChange{ID: r.ID, UserID: r.UserID, Seq: r.Seq, Category: r.Category, Granted: r.Granted,
		Source: r.Source, RecordedAt: utc(r.RecordedAt), Attempts: r.Attempts}
}

// enqueueChanges puts one outbox entry per stored row inside tx, due at once.
func enqueueChanges(ctx context.Context, tx bun.Tx, stored []ports.ConsentRecord) error {
	entries := make([]outboxRow, len(stored))
	for i, r := range stored {
		entries[i] = outboxRow{UserID: r.UserID, Seq: r.Seq, Category: r.Category, Granted: r.Granted,
			Source: r.Source, RecordedAt: r.RecordedAt, DueAt: r.RecordedAt}
	}
	_, err := tx.NewInsert().Model(&entries).ExcludeColumn("id").Exec(ctx)
	return err
}

// claimSQL leases each user's oldest entry when it is due. FOR UPDATE SKIP
// LOCKED lets parallel claimers take disjoint entries; a user whose head is
// leased has nothing due, so their later entries wait (order per user).
const claimSQL = `
UPDATE ba_consent_outbox o SET due_at = ?, attempts = o.attempts + 1
WHERE o.id IN (
    SELECT h.id FROM ba_consent_outbox h
    WHERE h.due_at <= ?
      AND NOT EXISTS (SELECT 1 FROM ba_consent_outbox p WHERE p.user_id = h.user_id AND p.id < h.id)
    ORDER BY h.id
    LIMIT ?
    FOR UPDATE SKIP LOCKED)
RETURNING o.*`

// ClaimConsentChanges leases, oldest first, the oldest undelivered change of
// each user when it is due at now.
func (s *Store) ClaimConsentChanges(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]ports.ConsentChange, error) {
	const op = "claim consent changes"
	ctx, cancel := s.call(ctx)
	defer cancel()
	var rows []outboxRow
	if err := s.conn(ctx).NewRaw(claimSQL, now.Add(lease), now, limit).Scan(ctx, &rows); err != nil {
		return nil, fail(ctx, op, err)
	}
	out := make([]ports.ConsentChange, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.change())
	}
	// RETURNING keeps no order: give the oldest first, as the port promises.
	sortChanges(out)
	return out, nil
}

// AckConsentChange removes a delivered change; a missing one is no error.
func (s *Store) AckConsentChange(ctx context.Context, id int64) error {
	const op = "ack consent change"
	ctx, cancel := s.call(ctx)
	defer cancel()
	if _, err := s.conn(ctx).NewDelete().Model((*outboxRow)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
		return fail(ctx, op, err)
	}
	return nil
}

// RetryConsentChange makes a change due at at; ErrNotFound when it is gone.
func (s *Store) RetryConsentChange(ctx context.Context, id int64, at time.Time) error {
	const op = "retry consent change"
	ctx, cancel := s.call(ctx)
	defer cancel()
	res, err := s.conn(ctx).NewUpdate().Model((*outboxRow)(nil)).Set("due_at = ?", at).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fail(ctx, op, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return notFound(fmt.Sprintf("%s %d", op, id))
	}
	return nil
}

// sortChanges orders changes by ID.
func sortChanges(cs []ports.ConsentChange) {
	slices.SortFunc(cs, func(a, b ports.ConsentChange) int { return cmp.Compare(a.ID, b.ID) })
}
