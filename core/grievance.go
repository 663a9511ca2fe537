package core

import (
	"context"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// Bounds of grievance text, in characters.
const (
	maxGrievanceSubject  = 200
	maxGrievanceMessage  = 5000
	maxGrievanceResponse = 10000
)

// GrievanceInput is a grievance a user files.
type GrievanceInput struct {
	Subject string // one line, up to 200 characters
	Message string // up to 5000 characters
	Client  Client
}

// FileGrievance records the caller's grievance about how their personal data
// is handled (DPDP §13), due Config.GrievancePeriod after it was received,
// records an event and emails a receipt that names the due date and the
// privacy contact. The app's grievance officer answers it with
// RespondGrievance.
//
// Errors: ErrValidation (an empty or over-long subject or message, a
// subject over more than one line), ErrUnauthorized, ErrUnavailable.
func (a *Auth) FileGrievance(ctx context.Context, p Principal, in GrievanceInput) (ports.Grievance, error) {
	const op = "FileGrievance"
	subject, message := strings.TrimSpace(in.Subject), strings.TrimSpace(in.Message)
	if err := checkText(op, "subject", subject, maxGrievanceSubject, true); err != nil {
		return ports.Grievance{}, err
	}
	if err := checkText(op, "message", message, maxGrievanceMessage, false); err != nil {
		return ports.Grievance{}, err
	}
	if _, err := a.activeSession(ctx, op, &p); err != nil {
		return ports.Grievance{}, err
	}
	u, err := a.userByID(ctx, op, p.UserID)
	if err != nil {
		return ports.Grievance{}, err
	}
	now := a.now()
	g := ports.Grievance{ID: newID("grv_"), UserID: u.ID, Subject: subject, Message: message, Status: ports.GrievanceOpen,
		ReceivedAt: now, DueAt: now.Add(a.cfg.GrievancePeriod)}
	if err := a.deps.Grievances.CreateGrievance(ctx, g); err != nil {
		return ports.Grievance{}, storeError(op, err)
	}
	a.event(ctx, u.ID, ports.EventGrievanceFiled, in.Client, g.ID)
	a.send(ctx, u, emails.GrievanceFiled, emails.Data{Title: subject, At: now, DueAt: g.DueAt}, in.Client)
	return g, nil
}

// Grievances lists the caller's grievances, newest first, with their answers.
func (a *Auth) Grievances(ctx context.Context, p Principal) ([]ports.Grievance, error) {
	const op = "Grievances"
	if _, err := a.activeSession(ctx, op, &p); err != nil {
		return nil, err
	}
	list, err := a.deps.Grievances.Grievances(ctx, p.UserID)
	return list, storeError(op, err)
}

// RespondGrievance is the app's grievance officer answering grievance id:
// the grievance is closed with response and the user is emailed the answer,
// in their language, with the privacy contact.
//
// Errors: ErrValidation (an empty or over-long response), ErrNotFound,
// ErrConflict (answered already; the first answer stays), ErrUnavailable.
func (a *Auth) RespondGrievance(ctx context.Context, id, response string) error {
	const op = "RespondGrievance"
	response = strings.TrimSpace(response)
	if err := checkText(op, "response", response, maxGrievanceResponse, false); err != nil {
		return err
	}
	g, err := a.deps.Grievances.AnswerGrievance(ctx, id, response, a.now())
	switch {
	case errors.Is(err, ports.ErrNotFound):
		return newError(op, KindNotFound, "", "no grievance has this ID")
	case errors.Is(err, ports.ErrConflict):
		return newError(op, KindConflict, "grievance_answered", "this grievance was answered already")
	case err != nil:
		return storeError(op, err)
	}
	a.event(ctx, g.UserID, ports.EventGrievanceAnswered, Client{}, g.ID)
	u, err := a.deps.Users.UserByID(ctx, g.UserID)
	if err != nil {
		// Answered and recorded; the user (erased, say) cannot be told.
		a.log.WarnContext(ctx, "bharatauth: a grievance was answered but its user cannot be emailed", "grievance_id", g.ID, "error", err)
		return nil
	}
	a.send(ctx, u, emails.GrievanceAnswered, emails.Data{Title: g.Subject, Body: response, At: g.RespondedAt}, Client{})
	return nil
}

// checkText refuses an empty text, one over max characters, invalid UTF-8,
// and, for a one-line text, any line break or control character.
func checkText(op, field, s string, max int, oneLine bool) error {
	switch {
	case s == "":
		return invalidField(op, field, field+" must not be empty")
	case !utf8.ValidString(s):
		return invalidField(op, field, field+" must be valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		return invalidField(op, field, field+" is too long")
	case oneLine && strings.ContainsFunc(s, unicode.IsControl):
		return invalidField(op, field, field+" must be one line")
	}
	return nil
}
