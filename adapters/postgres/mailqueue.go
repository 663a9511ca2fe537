package postgres

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
)

// mailRow is one email waiting in the outbox; payload is sealed by core.
type mailRow struct {
	bun.BaseModel `bun:"table:ba_mail_outbox,alias:m"`

	ID          string    `bun:"id,pk"`
	Payload     []byte    `bun:"payload"`
	NotAfter    time.Time `bun:"not_after"`
	DueAt       time.Time `bun:"due_at"`
	Attempts    int       `bun:"attempts"`
	Lease       string    `bun:"lease"`
	LeasedUntil time.Time `bun:"leased_until,nullzero"`
}

func (r mailRow) mail() ports.QueuedMail {
	return ports.QueuedMail{ID: r.ID, Payload: r.Payload, NotAfter: utc(r.NotAfter), DueAt: utc(r.DueAt),
		Attempts: r.Attempts, Lease: r.Lease, LeasedUntil: utc(r.LeasedUntil)}
}

// EnqueueMail stores m, leased to m.Lease until m.LeasedUntil. ErrConflict
// when m.ID exists.
func (s *Store) EnqueueMail(ctx context.Context, m ports.QueuedMail) error {
	const op = "enqueue mail"
	ctx, cancel := s.call(ctx)
	defer cancel()
	row := mailRow{ID: m.ID, Payload: m.Payload, NotAfter: utc(m.NotAfter), DueAt: utc(m.DueAt),
		Attempts: m.Attempts, Lease: m.Lease, LeasedUntil: utc(m.LeasedUntil)}
	_, err := s.conn(ctx).NewInsert().Model(&row).Exec(ctx)
	return fail(ctx, op, err)
}

// claimMailSQL leases the due, unleased rows in one statement. FOR UPDATE
// SKIP LOCKED lets instances claim side by side: a row another claimer has
// locked is skipped, not waited for, and a row it has just leased fails the
// re-checked condition, so no two claimers get one message.
const claimMailSQL = `
UPDATE ba_mail_outbox AS m SET lease = ?, leased_until = ?, attempts = m.attempts + 1
FROM (
	SELECT id FROM ba_mail_outbox
	WHERE due_at <= ? AND (leased_until IS NULL OR leased_until <= ?)
	ORDER BY due_at, id
	LIMIT ?
	FOR UPDATE SKIP LOCKED
) AS due
WHERE m.id = due.id
RETURNING m.id, m.payload, m.not_after, m.due_at, m.attempts, m.lease, m.leased_until`

// ClaimMail leases up to limit due, unleased messages to lease, oldest DueAt
// first, counting an attempt on each.
func (s *Store) ClaimMail(ctx context.Context, lease string, now time.Time, leaseFor time.Duration, limit int) ([]ports.QueuedMail, error) {
	const op = "claim mail"
	if limit <= 0 {
		return nil, ctx.Err()
	}
	ctx, cancel := s.call(ctx)
	defer cancel()
	now = utc(now)
	var rows []mailRow
	if err := s.conn(ctx).NewRaw(claimMailSQL, lease, utc(now.Add(leaseFor)), now, now, limit).Scan(ctx, &rows); err != nil {
		return nil, fail(ctx, op, err)
	}
	out := make([]ports.QueuedMail, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.mail())
	}
	slices.SortFunc(out, func(a, b ports.QueuedMail) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// RetryMail ends lease's hold on message id and makes it due at dueAt.
// ErrNotFound when the message is gone or lease no longer holds it.
func (s *Store) RetryMail(ctx context.Context, id, lease string, dueAt time.Time) error {
	const op = "retry mail"
	ctx, cancel := s.call(ctx)
	defer cancel()
	res, err := s.conn(ctx).NewUpdate().Model((*mailRow)(nil)).
		Set("due_at = ?, lease = '', leased_until = NULL", utc(dueAt)).
		Where("id = ? AND lease = ?", id, lease).
		Exec(ctx)
	if err != nil {
		return fail(ctx, op, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return notFound(op)
	}
	return nil
}

// RemoveMail deletes message id, if it is still there.
func (s *Store) RemoveMail(ctx context.Context, id string) error {
	const op = "remove mail"
	ctx, cancel := s.call(ctx)
	defer cancel()
	_, err := s.conn(ctx).NewDelete().Model((*mailRow)(nil)).Where("id = ?", id).Exec(ctx)
	return fail(ctx, op, err)
}
