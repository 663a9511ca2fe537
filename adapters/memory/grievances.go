package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// grievanceTable holds grievances in the order they were filed.
type grievanceTable struct {
	mu   sync.Mutex
	rows []ports.Grievance
}

// CreateGrievance stores g as open. ErrConflict when its ID exists.
func (s *Store) CreateGrievance(ctx context.Context, g ports.Grievance) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	g.Status, g.Response, g.RespondedAt = ports.GrievanceOpen, "", time.Time{}
	g.ReceivedAt, g.DueAt = stamp(g.ReceivedAt), stamp(g.DueAt)
	gt := &s.grievances
	gt.mu.Lock()
	defer gt.mu.Unlock()
	if slices.ContainsFunc(gt.rows, func(o ports.Grievance) bool { return o.ID == g.ID }) {
		return fmt.Errorf("memory: create grievance: %w", ports.ErrConflict)
	}
	gt.rows = append(gt.rows, g)
	return nil
}

// Grievance returns a grievance by ID. ErrNotFound when none.
func (s *Store) Grievance(ctx context.Context, id string) (ports.Grievance, error) {
	if err := ctx.Err(); err != nil {
		return ports.Grievance{}, err
	}
	gt := &s.grievances
	gt.mu.Lock()
	defer gt.mu.Unlock()
	if i := gt.index(id); i >= 0 {
		return gt.rows[i], nil
	}
	return ports.Grievance{}, fmt.Errorf("memory: grievance: %w", ports.ErrNotFound)
}

func (gt *grievanceTable) index(id string) int {
	return slices.IndexFunc(gt.rows, func(g ports.Grievance) bool { return g.ID == id })
}

// Grievances lists the user's grievances, newest first.
func (s *Store) Grievances(ctx context.Context, userID string) ([]ports.Grievance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	gt := &s.grievances
	gt.mu.Lock()
	defer gt.mu.Unlock()
	return listed(gt.rows, func(g ports.Grievance) bool { return g.UserID == userID },
		func(g ports.Grievance) time.Time { return g.ReceivedAt }, true), nil
}

// AnswerGrievance records the answer on an open grievance. ErrNotFound for
// an unknown ID, ErrConflict when it was answered already.
func (s *Store) AnswerGrievance(ctx context.Context, id, response string, at time.Time) (ports.Grievance, error) {
	if err := ctx.Err(); err != nil {
		return ports.Grievance{}, err
	}
	gt := &s.grievances
	gt.mu.Lock()
	defer gt.mu.Unlock()
	i := gt.index(id)
	switch {
	case i < 0:
		return ports.Grievance{}, fmt.Errorf("memory: answer grievance: %w", ports.ErrNotFound)
	case gt.rows[i].Status != ports.GrievanceOpen:
		return ports.Grievance{}, fmt.Errorf("memory: answer grievance: answered already: %w", ports.ErrConflict)
	}
	g := &gt.rows[i]
	g.Status, g.Response, g.RespondedAt = ports.GrievanceAnswered, response, stamp(at)
	return *g, nil
}
