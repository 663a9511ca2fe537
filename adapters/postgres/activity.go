package postgres

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
)

// activityRow is one user's last activity.
type activityRow struct {
	bun.BaseModel `bun:"table:ba_activity"`

	UserID       string    `bun:"user_id,pk"`
	LastActiveAt time.Time `bun:"last_active_at"`
	WarnedAt     time.Time `bun:"warned_at,nullzero"`
}

// touchActivitySQL writes only when the recorded time is old enough, so a
// busy user's requests cost a no-op upsert at most.
const touchActivitySQL = `
INSERT INTO ba_activity (user_id, last_active_at) VALUES (?0, ?1)
ON CONFLICT (user_id) DO UPDATE SET last_active_at = EXCLUDED.last_active_at, warned_at = NULL
WHERE ba_activity.last_active_at <= ?2`

// TouchActivity records activity at at unless one after at - every is
// recorded, in one upsert; a write clears the warning.
func (s *Store) TouchActivity(ctx context.Context, userID string, at time.Time, every time.Duration) (bool, error) {
	const op = "touch activity"
	ctx, cancel := s.call(ctx)
	defer cancel()
	res, err := s.db.NewRaw(touchActivitySQL, userID, utc(at), utc(at.Add(-every))).Exec(ctx)
	if err != nil {
		return false, fail(ctx, op, err)
	}
	n, err := res.RowsAffected()
	return n > 0, fail(ctx, op, err)
}

// InactiveUnwarned lists unwarned users last active before before.
func (s *Store) InactiveUnwarned(ctx context.Context, before time.Time, limit int) ([]ports.Activity, error) {
	return s.activityList(ctx, "inactive unwarned", limit, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("warned_at IS NULL AND last_active_at < ?", utc(before)).OrderExpr("last_active_at")
	})
}

// WarnedInactive lists users warned at or before warnedBefore.
func (s *Store) WarnedInactive(ctx context.Context, warnedBefore time.Time, limit int) ([]ports.Activity, error) {
	return s.activityList(ctx, "warned inactive", limit, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("warned_at IS NOT NULL AND warned_at <= ?", utc(warnedBefore)).OrderExpr("warned_at")
	})
}

func (s *Store) activityList(ctx context.Context, op string, limit int, query func(*bun.SelectQuery) *bun.SelectQuery) ([]ports.Activity, error) {
	if limit <= 0 {
		return []ports.Activity{}, nil
	}
	return selectAll(ctx, s, op, func(q *bun.SelectQuery) *bun.SelectQuery { return query(q).Limit(int64(limit)) },
		func(r activityRow) ports.Activity {
			return ports.Activity{UserID: r.UserID, LastActiveAt: utc(r.LastActiveAt), WarnedAt: utc(r.WarnedAt)}
		})
}

// MarkWarned sets warned_at if the user is still unwarned and inactive since
// before, in one conditional UPDATE.
func (s *Store) MarkWarned(ctx context.Context, userID string, at, before time.Time) (bool, error) {
	const op = "mark warned"
	ctx, cancel := s.call(ctx)
	defer cancel()
	res, err := s.db.NewUpdate().Model((*activityRow)(nil)).Set("warned_at = ?", utc(at)).
		Where("user_id = ? AND warned_at IS NULL AND last_active_at < ?", userID, utc(before)).Exec(ctx)
	if err != nil {
		return false, fail(ctx, op, err)
	}
	n, err := res.RowsAffected()
	return n > 0, fail(ctx, op, err)
}
