package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// grievanceTable holds grievances in the order they were filed.
type grievanceTable = rowTable[ports.Grievance]

// CreateGrievance stores g as open. ErrConflict when its ID exists.
func (s *Store) CreateGrievance(ctx context.Context, g ports.Grievance) error {
	g.Status, g.Response, g.RespondedAt = ports.GrievanceOpen, "", time.Time{}
	g.ReceivedAt, g.DueAt = stamp(g.ReceivedAt), stamp(g.DueAt)
	return s.grievances.insert(ctx, "create grievance", g, func(o ports.Grievance) bool { return o.ID == g.ID })
}

// Grievance returns a grievance by ID. ErrNotFound when none.
func (s *Store) Grievance(ctx context.Context, id string) (ports.Grievance, error) {
	return s.grievances.first(ctx, "grievance", func(g ports.Grievance) bool { return g.ID == id })
}

// Grievances lists the user's grievances, newest first.
func (s *Store) Grievances(ctx context.Context, userID string) ([]ports.Grievance, error) {
	return s.grievances.list(ctx, func(g ports.Grievance) bool { return g.UserID == userID },
		func(g ports.Grievance) time.Time { return g.ReceivedAt }, true)
}

// AnswerGrievance records the answer on an open grievance. ErrNotFound for
// an unknown ID, ErrConflict when it was answered already.
func (s *Store) AnswerGrievance(ctx context.Context, id, response string, at time.Time) (ports.Grievance, error) {
	return s.grievances.update(ctx, "answer grievance", func(g ports.Grievance) bool { return g.ID == id },
		func(g *ports.Grievance) error {
			if g.Status != ports.GrievanceOpen {
				return fmt.Errorf("memory: answer grievance: answered already: %w", ports.ErrConflict)
			}
			g.Status, g.Response, g.RespondedAt = ports.GrievanceAnswered, response, stamp(at)
			return nil
		})
}
