package postgres

import (
	"context"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/bharatauth/bharatauth-go/ports"
)

// erasureRow is one erasure request.
type erasureRow struct {
	bun.BaseModel `bun:"table:ba_erasure_requests"`

	ID         string    `bun:"id,pk"`
	UserID     string    `bun:"user_id"`
	Email      string    `bun:"email"`
	Language   string    `bun:"language"`
	StatusHash string    `bun:"status_hash"`
	Status     string    `bun:"status"`
	ReceivedAt time.Time `bun:"received_at"`
	DueAt      time.Time `bun:"due_at"`
	ClosedAt   time.Time `bun:"closed_at,nullzero"`
	Kept       string    `bun:"kept"`
}

func (r erasureRow) record() ports.ErasureRecord {
	return ports.ErasureRecord{ID: r.ID, UserID: r.UserID, Email: r.Email, Language: r.Language,
		StatusHash: r.StatusHash, Status: r.Status, ReceivedAt: utc(r.ReceivedAt), DueAt: utc(r.DueAt),
		ClosedAt: utc(r.ClosedAt), Kept: r.Kept}
}

// CreateErasureRequest stores r as received. ErrConflict (a unique index)
// when its ID or status hash exists or the user has an open request.
func (s *Store) CreateErasureRequest(ctx context.Context, r ports.ErasureRecord) error {
	const op = "create erasure request"
	ctx, cancel := s.call(ctx)
	defer cancel()
	row := erasureRow{ID: r.ID, UserID: r.UserID, Email: r.Email, Language: r.Language, StatusHash: r.StatusHash,
		Status: ports.ErasureReceived, ReceivedAt: utc(r.ReceivedAt), DueAt: utc(r.DueAt)}
	_, err := s.db.NewInsert().Model(&row).Exec(ctx)
	return fail(ctx, op, err)
}

// ErasureRequest returns a request by ID. ErrNotFound when none.
func (s *Store) ErasureRequest(ctx context.Context, id string) (ports.ErasureRecord, error) {
	return s.erasureWhere(ctx, "erasure request", "id = ?", id)
}

// ErasureRequestByStatusHash returns the request with that status hash.
// ErrNotFound when none.
func (s *Store) ErasureRequestByStatusHash(ctx context.Context, hash string) (ports.ErasureRecord, error) {
	return s.erasureWhere(ctx, "erasure request by status", "status_hash = ?", hash)
}

func (s *Store) erasureWhere(ctx context.Context, op, where string, arg any) (ports.ErasureRecord, error) {
	var row erasureRow
	if err := s.get(ctx, op, &row, where, arg); err != nil {
		return ports.ErasureRecord{}, err
	}
	return row.record(), nil
}

// ErasureRequests lists the user's requests, newest first.
func (s *Store) ErasureRequests(ctx context.Context, userID string) ([]ports.ErasureRecord, error) {
	return s.erasureList(ctx, "erasure requests", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("user_id = ?", userID).OrderExpr("received_at DESC, id DESC")
	})
}

// DueErasureRequests lists at most limit open requests due at or before now,
// soonest due first.
func (s *Store) DueErasureRequests(ctx context.Context, now time.Time, limit int) ([]ports.ErasureRecord, error) {
	if limit <= 0 {
		return []ports.ErasureRecord{}, nil
	}
	return s.erasureList(ctx, "due erasure requests", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("status = ? AND due_at <= ?", ports.ErasureReceived, utc(now)).OrderExpr("due_at, id").Limit(int64(limit))
	})
}

func (s *Store) erasureList(ctx context.Context, op string, query func(*bun.SelectQuery) *bun.SelectQuery) ([]ports.ErasureRecord, error) {
	return selectAll(ctx, s, op, query, erasureRow.record)
}

// CancelErasureRequest closes the open request id as cancelled, in one
// statement, in the caller's transaction when there is one (a sign-in that
// cancels the request opens its session in one; waiting there for a
// connection of its own could wait behind sign-ins that wait for it).
// ErrNotFound when it is not open.
func (s *Store) CancelErasureRequest(ctx context.Context, id string, at time.Time) (ports.ErasureRecord, error) {
	const op = "cancel erasure request"
	ctx, cancel := s.call(ctx)
	defer cancel()
	rec, err := closeErasure(ctx, s.conn(ctx), id, "", ports.ErasureCancelled, at, "")
	if noRows(err) {
		return ports.ErasureRecord{}, notFound(op)
	}
	return rec, fail(ctx, op, err)
}

// closeErasure closes the open request id (of userID, when set): sql.ErrNoRows
// when there is none.
func closeErasure(ctx context.Context, db bun.IDB, id, userID, status string, at time.Time, kept string) (ports.ErasureRecord, error) {
	var row erasureRow
	q := db.NewUpdate().Model(&row).
		Set("status = ?", status).Set("closed_at = ?", utc(at)).Set("kept = ?", kept).
		Set("email = ''").Set("language = ''").
		Where("id = ? AND status = ?", id, ports.ErasureReceived)
	if userID != "" {
		q = q.Where("user_id = ?", userID)
	}
	if err := q.Returning("*").Scan(ctx); err != nil {
		return ports.ErasureRecord{}, err
	}
	return row.record(), nil
}

// eraseStatements delete or pseudonymise one user's rows; each takes the user
// ID as ?0 and the IDs of the user's sessions as ?1.
var eraseStatements = []string{
	`DELETE FROM ba_credentials WHERE user_id = ?0`,
	`DELETE FROM ba_refresh_tokens WHERE session_id = ANY (?1)`,
	`DELETE FROM ba_sessions WHERE user_id = ?0`,
	`DELETE FROM ba_otp_tokens WHERE subject = ?0 OR subject = ANY (?1)`,
	`DELETE FROM ba_users WHERE id = ?0`, // ba_accounts goes with it (ON DELETE CASCADE)
	`DELETE FROM ba_activity WHERE user_id = ?0`,
	`UPDATE ba_security_events SET ip_address = '', user_agent = '' WHERE user_id = ?0 AND (ip_address <> '' OR user_agent <> '')`,
	// Only chain version 2 rows: their hash covers keyed digests, not the
	// raw values, and the append-only trigger allows exactly this update.
	`UPDATE ba_consent_log SET ip_address = '', user_agent = '' WHERE user_id = ?0 AND chain_version >= 2 AND (ip_address <> '' OR user_agent <> '')`,
}

// EraseUser erases the user's BharatAuth data and completes the request in
// one transaction. The request's row is closed first, so that of a racing
// cancellation and erasure exactly one wins and the loser changes nothing.
func (s *Store) EraseUser(ctx context.Context, e ports.UserErasure) (ports.ErasureRecord, error) {
	const op = "erase user"
	ctx, cancel := s.call(ctx)
	defer cancel()
	var rec ports.ErasureRecord
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if rec, err = closeErasure(ctx, tx, e.RequestID, e.UserID, ports.ErasureCompleted, e.At, e.Kept); err != nil {
			return err
		}
		sessions := []string{}
		if err := tx.NewSelect().Table("ba_sessions").Column("id").Where("user_id = ?", e.UserID).Scan(ctx, &sessions); err != nil {
			return err
		}
		for _, stmt := range eraseStatements {
			if _, err := tx.NewRaw(stmt, e.UserID, pgdialect.Array(sessions)).Exec(ctx); err != nil {
				return err
			}
		}
		if len(e.LockKeys) > 0 {
			_, err = tx.NewDelete().Table("ba_lockouts").Where("key IN (?)", bun.In(e.LockKeys)).Exec(ctx)
		}
		return err
	})
	if noRows(err) {
		return ports.ErasureRecord{}, notFound(op)
	}
	if err != nil {
		return ports.ErasureRecord{}, fail(ctx, op, err)
	}
	return rec, nil
}
