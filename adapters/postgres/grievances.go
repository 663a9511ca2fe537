package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
)

// grievanceRow is one grievance.
type grievanceRow struct {
	bun.BaseModel `bun:"table:ba_grievances"`

	ID          string    `bun:"id,pk"`
	UserID      string    `bun:"user_id"`
	Subject     string    `bun:"subject"`
	Message     string    `bun:"message"`
	Status      string    `bun:"status"`
	ReceivedAt  time.Time `bun:"received_at"`
	DueAt       time.Time `bun:"due_at"`
	Response    string    `bun:"response"`
	RespondedAt time.Time `bun:"responded_at,nullzero"`
}

func (r grievanceRow) record() ports.Grievance {
	return ports.Grievance{ID: r.ID, UserID: r.UserID, Subject: r.Subject, Message: r.Message, Status: r.Status,
		ReceivedAt: utc(r.ReceivedAt), DueAt: utc(r.DueAt), Response: r.Response, RespondedAt: utc(r.RespondedAt)}
}

// CreateGrievance stores g as open. ErrConflict when its ID exists.
func (s *Store) CreateGrievance(ctx context.Context, g ports.Grievance) error {
	const op = "create grievance"
	ctx, cancel := s.call(ctx)
	defer cancel()
	row := grievanceRow{ID: g.ID, UserID: g.UserID, Subject: g.Subject, Message: g.Message, Status: ports.GrievanceOpen,
		ReceivedAt: utc(g.ReceivedAt), DueAt: utc(g.DueAt)}
	_, err := s.db.NewInsert().Model(&row).Exec(ctx)
	return fail(ctx, op, err)
}

// Grievance returns a grievance by ID. ErrNotFound when none.
func (s *Store) Grievance(ctx context.Context, id string) (ports.Grievance, error) {
	var row grievanceRow
	if err := s.get(ctx, "grievance", &row, "id = ?", id); err != nil {
		return ports.Grievance{}, err
	}
	return row.record(), nil
}

// Grievances lists the user's grievances, newest first.
func (s *Store) Grievances(ctx context.Context, userID string) ([]ports.Grievance, error) {
	return listWhere(ctx, s, "grievances", "user_id", userID, "received_at DESC, id DESC", grievanceRow.record)
}

// AnswerGrievance records the answer on an open grievance with one
// conditional UPDATE, whose row lock picks one winner. ErrNotFound for an
// unknown ID, ErrConflict when it was answered already.
func (s *Store) AnswerGrievance(ctx context.Context, id, response string, at time.Time) (ports.Grievance, error) {
	const op = "answer grievance"
	ctx, cancel := s.call(ctx)
	defer cancel()
	var row grievanceRow
	err := s.db.NewUpdate().Model(&row).
		Set("status = ?", ports.GrievanceAnswered).Set("response = ?", response).Set("responded_at = ?", utc(at)).
		Where("id = ? AND status = ?", id, ports.GrievanceOpen).
		Returning("*").Scan(ctx)
	if noRows(err) {
		if _, err := s.Grievance(ctx, id); err != nil {
			return ports.Grievance{}, err
		}
		return ports.Grievance{}, fmt.Errorf("postgres: %s: answered already: %w", op, ports.ErrConflict)
	}
	if err != nil {
		return ports.Grievance{}, fail(ctx, op, err)
	}
	return row.record(), nil
}
