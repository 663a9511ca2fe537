package http

import (
	"net/http"

	"github.com/bharatauth/bharatauth-go/core"
)

// The routes of this file sit behind RequireAuth: principal(r) is set.

type setPINBody struct {
	PIN        string `json:"pin" check:"required"`
	CurrentPIN string `json:"current_pin"`
}

func (h *Handler) setPIN(w http.ResponseWriter, r *http.Request, in setPINBody) error {
	return succeed(w, h.auth.SetPIN(r.Context(), principal(r),
		core.SetPINInput{PIN: in.PIN, CurrentPIN: in.CurrentPIN, Client: h.client(r)}))
}

type pinBody struct {
	PIN string `json:"pin" check:"required"`
}

// verifyPIN says core's answer as is: core makes a locked PIN answer exactly
// like a wrong one, so this route cannot tell them apart either.
func (h *Handler) verifyPIN(w http.ResponseWriter, r *http.Request, in pinBody) error {
	return succeed(w, h.auth.VerifyPIN(r.Context(), principal(r), core.VerifyPINInput{PIN: in.PIN, Client: h.client(r)}))
}

type changePasswordBody struct {
	CurrentPassword  string `json:"current_password" check:"required"`
	NewPassword      string `json:"new_password" check:"required"`
	EndOtherSessions bool   `json:"end_other_sessions"`
}

// changePassword relies on core for the step-up check: wrapping it in
// RequireStepUp as well would use up a public device's step-up twice.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request, in changePasswordBody) error {
	return succeed(w, h.auth.ChangePassword(r.Context(), principal(r), core.ChangePasswordInput{
		CurrentPassword: in.CurrentPassword, NewPassword: in.NewPassword,
		EndOtherSessions: in.EndOtherSessions, Client: h.client(r)}))
}

func (h *Handler) requestStepUp(w http.ResponseWriter, r *http.Request) error {
	return succeed(w, h.auth.RequestStepUp(r.Context(), principal(r), h.client(r)))
}

type stepUpBody struct {
	OTPCode string `json:"otp_code" check:"required"`
}

func (h *Handler) verifyStepUp(w http.ResponseWriter, r *http.Request, in stepUpBody) error {
	return succeed(w, h.auth.VerifyStepUp(r.Context(), principal(r), core.VerifyStepUpInput{Code: in.OTPCode, Client: h.client(r)}))
}

func (h *Handler) logoutAll(w http.ResponseWriter, r *http.Request) error {
	return succeed(w, h.auth.LogoutAll(r.Context(), principal(r), h.client(r)))
}

func (h *Handler) sessions(w http.ResponseWriter, r *http.Request) error {
	return answer(w, newSessionsView)(h.auth.Sessions(r.Context(), principal(r)))
}

func (h *Handler) revokeSession(w http.ResponseWriter, r *http.Request) error {
	return succeed(w, h.auth.RevokeSession(r.Context(), principal(r), core.RevokeSessionInput{SessionID: r.PathValue("id"), Client: h.client(r)}))
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	u, err := h.auth.Me(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, meView{UserID: u.ID, Email: u.Email, DisplayName: u.DisplayName,
		Trust: string(p.Trust), SessionID: p.SessionID})
	return nil
}

func (h *Handler) consents(w http.ResponseWriter, r *http.Request) error {
	return answer(w, newConsentsView)(h.auth.Consents(r.Context(), principal(r)))
}

type categoryBody struct {
	Category string `json:"category" check:"required"`
}

// withdrawConsent and grantConsent serve one POST each (DPDP §6(4)).
func (h *Handler) withdrawConsent(w http.ResponseWriter, r *http.Request, in categoryBody) error {
	return answer(w, newConsentChangeView)(h.auth.Withdraw(r.Context(), principal(r), core.ConsentInput{Category: in.Category, Client: h.client(r)}))
}

func (h *Handler) grantConsent(w http.ResponseWriter, r *http.Request, in categoryBody) error {
	return answer(w, newConsentChangeView)(h.auth.Grant(r.Context(), principal(r), core.ConsentInput{Category: in.Category, Client: h.client(r)}))
}

// requestErasure takes a DPDP erasure request: 202, since the app does the
// erasing after the answer. Core checks the step-up.
func (h *Handler) requestErasure(w http.ResponseWriter, r *http.Request) error {
	if err := h.auth.RequestErasure(r.Context(), principal(r), h.client(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, messageView{Success: true, Message: erasureMessage})
	return nil
}

// export relies on core for the step-up check (see changePassword).
func (h *Handler) export(w http.ResponseWriter, r *http.Request) error {
	return answer(w, newExportView)(h.auth.Export(r.Context(), principal(r), h.client(r)))
}
