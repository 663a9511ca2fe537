package http

import (
	"net/http"

	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
)

// The routes of this file sit behind RequireAuth: principal(r) is set.

type nomineeBody struct {
	Name         string `json:"name" check:"required"`
	Email        string `json:"email" check:"required"`
	Relationship string `json:"relationship"`
}

// nomineeView is one nomination; removed_at is null while it stands.
type nomineeView struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	Email        string  `json:"email"`
	Relationship string  `json:"relationship"`
	AddedAt      *string `json:"added_at"`
	RemovedAt    *string `json:"removed_at"`
}

func newNomineeView(n ports.Nominee) nomineeView {
	return nomineeView{ID: n.ID, Name: n.Name, Email: n.Email, Relationship: n.Relationship,
		AddedAt: timestamp(n.AddedAt), RemovedAt: timestamp(n.RemovedAt)}
}

type nomineesView struct {
	Nominees []nomineeView `json:"nominees"`
}

// addNominee relies on core for the step-up check.
func (h *Handler) addNominee(w http.ResponseWriter, r *http.Request, in nomineeBody) error {
	return created(w, newNomineeView)(h.auth.AddNominee(r.Context(), principal(r), core.NomineeInput{Name: in.Name,
		Email: in.Email, Relationship: in.Relationship, Client: h.client(r)}))
}

func (h *Handler) nominees(w http.ResponseWriter, r *http.Request) error {
	return answer(w, func(list []ports.Nominee) nomineesView {
		return nomineesView{Nominees: mapped(list, newNomineeView)}
	})(h.auth.OwnNominees(r.Context(), principal(r)))
}

// removeNominee relies on core for the step-up check.
func (h *Handler) removeNominee(w http.ResponseWriter, r *http.Request) error {
	return succeed(w, h.auth.RemoveNominee(r.Context(), principal(r), r.PathValue("id"), h.client(r)))
}
