package http

import (
	"net/http"

	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
)

// The routes of this file sit behind RequireAuth: principal(r) is set.

type grievanceBody struct {
	Subject string `json:"subject" check:"required"`
	Message string `json:"message" check:"required"`
}

// grievanceView is one grievance with its answer, if any.
type grievanceView struct {
	ID          string  `json:"id"`
	Status      string  `json:"status"`
	Subject     string  `json:"subject"`
	Message     string  `json:"message"`
	ReceivedAt  *string `json:"received_at"`
	DueAt       *string `json:"due_at"`
	Response    string  `json:"response"`
	RespondedAt *string `json:"responded_at"`
}

func newGrievanceView(g ports.Grievance) grievanceView {
	return grievanceView{ID: g.ID, Status: g.Status, Subject: g.Subject, Message: g.Message,
		ReceivedAt: timestamp(g.ReceivedAt), DueAt: timestamp(g.DueAt), Response: g.Response,
		RespondedAt: timestamp(g.RespondedAt)}
}

type grievancesView struct {
	Grievances []grievanceView `json:"grievances"`
}

func (h *Handler) fileGrievance(w http.ResponseWriter, r *http.Request, in grievanceBody) error {
	return created(w, newGrievanceView)(h.auth.FileGrievance(r.Context(), principal(r),
		core.GrievanceInput{Subject: in.Subject, Message: in.Message, Client: h.client(r)}))
}

func (h *Handler) grievances(w http.ResponseWriter, r *http.Request) error {
	return answer(w, func(list []ports.Grievance) grievancesView {
		return grievancesView{Grievances: mapped(list, newGrievanceView)}
	})(h.auth.Grievances(r.Context(), principal(r)))
}
