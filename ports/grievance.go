package ports

import (
	"context"
	"time"
)

// Statuses of a grievance.
const (
	GrievanceOpen     = "open"
	GrievanceAnswered = "answered"
)

// Grievance is a complaint a user files with the app's grievance officer
// (DPDP Act 2023 §13).
type Grievance struct {
	ID          string
	UserID      string
	Subject     string
	Message     string
	Status      string // GrievanceOpen or GrievanceAnswered
	ReceivedAt  time.Time
	DueAt       time.Time // by when the app promised an answer
	Response    string    // the grievance officer's answer; "" while open
	RespondedAt time.Time // zero while open
}

// GrievanceStore keeps grievances and their answers.
type GrievanceStore interface {
	// CreateGrievance stores g (Status GrievanceOpen). ErrConflict when the
	// ID exists.
	CreateGrievance(ctx context.Context, g Grievance) error
	// Grievance returns a grievance by ID; ErrNotFound when none.
	Grievance(ctx context.Context, id string) (Grievance, error)
	// Grievances lists the user's grievances, newest first (empty when none).
	Grievances(ctx context.Context, userID string) ([]Grievance, error)
	// AnswerGrievance atomically records response at at on the open
	// grievance id, which becomes GrievanceAnswered, and returns it.
	// ErrNotFound for an unknown ID; ErrConflict when it was already
	// answered (the first answer stays). Of N concurrent calls one wins.
	AnswerGrievance(ctx context.Context, id, response string, at time.Time) (Grievance, error)
}
