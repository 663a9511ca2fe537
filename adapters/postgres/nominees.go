package postgres

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
)

// nomineeRow is one nomination.
type nomineeRow struct {
	bun.BaseModel `bun:"table:ba_nominees"`

	ID           string    `bun:"id,pk"`
	UserID       string    `bun:"user_id"`
	Name         string    `bun:"name"`
	Email        string    `bun:"email"`
	Relationship string    `bun:"relationship"`
	AddedAt      time.Time `bun:"added_at"`
	RemovedAt    time.Time `bun:"removed_at,nullzero"`
}

func (r nomineeRow) record() ports.Nominee {
	return ports.Nominee{ID: r.ID, UserID: r.UserID, Name: r.Name, Email: r.Email, Relationship: r.Relationship,
		AddedAt: utc(r.AddedAt), RemovedAt: utc(r.RemovedAt)}
}

// AddNominee stores n. ErrConflict when its ID exists.
func (s *Store) AddNominee(ctx context.Context, n ports.Nominee) error {
	const op = "add nominee"
	ctx, cancel := s.call(ctx)
	defer cancel()
	row := nomineeRow{ID: n.ID, UserID: n.UserID, Name: n.Name, Email: n.Email, Relationship: n.Relationship, AddedAt: utc(n.AddedAt)}
	_, err := s.db.NewInsert().Model(&row).Exec(ctx)
	return fail(ctx, op, err)
}

// RemoveNominee marks the user's standing nominee removed, in one
// conditional UPDATE. ErrNotFound for an unknown, another user's or a
// removed nominee.
func (s *Store) RemoveNominee(ctx context.Context, userID, id string, at time.Time) (ports.Nominee, error) {
	const op = "remove nominee"
	ctx, cancel := s.call(ctx)
	defer cancel()
	var row nomineeRow
	err := s.db.NewUpdate().Model(&row).Set("removed_at = ?", utc(at)).
		Where("id = ? AND user_id = ? AND removed_at IS NULL", id, userID).
		Returning("*").Scan(ctx)
	if noRows(err) {
		return ports.Nominee{}, notFound(op)
	}
	if err != nil {
		return ports.Nominee{}, fail(ctx, op, err)
	}
	return row.record(), nil
}

// Nominees lists the user's nominations, removed ones included, oldest first.
func (s *Store) Nominees(ctx context.Context, userID string) ([]ports.Nominee, error) {
	return listWhere(ctx, s, "nominees", "user_id", userID, "added_at, id", nomineeRow.record)
}
