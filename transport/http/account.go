package http

import (
	"net/http"
	"net/url"
	"strings"

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
	writeJSON(w, http.StatusOK, newMeView(u, p))
	return nil
}

// profileBody corrects the profile (DPDP §12(1)); a field left out stays.
type profileBody struct {
	DisplayName *string `json:"display_name"`
	Username    *string `json:"username"`
	Language    *string `json:"language"`
}

func (h *Handler) updateProfile(w http.ResponseWriter, r *http.Request, in profileBody) error {
	p := principal(r)
	u, err := h.auth.UpdateProfile(r.Context(), p, core.ProfileInput{DisplayName: in.DisplayName, Username: in.Username,
		Language: in.Language, Client: h.client(r)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newMeView(u, p))
	return nil
}

type emailChangeBody struct {
	NewEmail string `json:"new_email" check:"required"`
}

// requestEmailChange relies on core for the fresh step-up.
func (h *Handler) requestEmailChange(w http.ResponseWriter, r *http.Request, in emailChangeBody) error {
	err := h.auth.RequestEmailChange(r.Context(), principal(r), core.EmailChangeInput{NewEmail: in.NewEmail, Client: h.client(r)})
	return acknowledge(w, emailChangeMessage, err)
}

type phoneChangeBody struct {
	NewPhone string `json:"new_phone" check:"required"`
}

// requestPhoneChange relies on core for the fresh step-up.
func (h *Handler) requestPhoneChange(w http.ResponseWriter, r *http.Request, in phoneChangeBody) error {
	err := h.auth.RequestPhoneChange(r.Context(), principal(r), core.PhoneChangeInput{NewPhone: in.NewPhone, Client: h.client(r)})
	return acknowledge(w, phoneChangeMessage, err)
}

type codeBody struct {
	Code string `json:"code" check:"required"`
}

func (h *Handler) confirmPhoneChange(w http.ResponseWriter, r *http.Request, in codeBody) error {
	return succeed(w, h.auth.ConfirmPhoneChange(r.Context(), principal(r), core.PhoneCodeInput{Code: in.Code, Client: h.client(r)}))
}

func (h *Handler) consents(w http.ResponseWriter, r *http.Request) error {
	return answer(w, each(newConsentView))(h.auth.Consents(r.Context(), principal(r)))
}

type categoryBody struct {
	Category       string `json:"category" check:"required"`
	NoticeVersion  string `json:"notice_version"`
	NoticeLanguage string `json:"notice_language"`
	CloseAccount   bool   `json:"close_account"`
}

// withdrawConsent and grantConsent serve one POST each (DPDP §6(4)).
func (h *Handler) withdrawConsent(w http.ResponseWriter, r *http.Request, in categoryBody) error {
	return answer(w, one(newConsentView))(h.auth.Withdraw(r.Context(), principal(r), in.input(h.client(r))))
}

func (h *Handler) grantConsent(w http.ResponseWriter, r *http.Request, in categoryBody) error {
	return answer(w, one(newConsentView))(h.auth.Grant(r.Context(), principal(r), in.input(h.client(r))))
}

// input is the decision the body asks for.
func (in categoryBody) input(c core.Client) core.ConsentInput {
	return core.ConsentInput{Category: in.Category, NoticeVersion: in.NoticeVersion, NoticeLanguage: in.NoticeLanguage,
		CloseAccount: in.CloseAccount, Client: c}
}

// notice serves the current privacy notice in the language of ?lang (public:
// it is shown before registering).
func (h *Handler) notice(w http.ResponseWriter, r *http.Request) error {
	return answer(w, newNoticeView)(h.auth.Notice(r.URL.Query().Get("lang")))
}

// requestErasure takes a DPDP erasure request: 202, since the erasing
// happens later (the app's handler, or core once the grace period ends).
// Core checks the step-up. The answer carries a status URL, a capability the
// signed-out user keeps to follow the request.
func (h *Handler) requestErasure(w http.ResponseWriter, r *http.Request) error {
	receipt, err := h.auth.RequestErasure(r.Context(), principal(r), h.client(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, erasureReceiptView{
		erasureStatusView: newErasureStatusView(core.ErasureStatus{RequestID: receipt.RequestID, Status: receipt.Status,
			ReceivedAt: receipt.ReceivedAt, DueAt: receipt.DueAt}),
		StatusURL: mountPrefix(r) + "/privacy/erasure/" + receipt.StatusToken,
		Message:   erasureMessage,
	})
	return nil
}

// erasureStatus answers the status URL of an erasure request; the token in
// the path is the capability, so no bearer is needed.
func (h *Handler) erasureStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := h.auth.ErasureStatus(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, newErasureStatusView(st))
	return nil
}

// mountPrefix is the path prefix the handler is mounted under (what
// http.StripPrefix took off), so that URLs it hands out resolve from the
// client: "/auth" for a request to "/auth/privacy/erasure".
func mountPrefix(r *http.Request) string {
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil {
		return ""
	}
	prefix, ok := strings.CutSuffix(u.Path, r.URL.Path)
	if !ok {
		return ""
	}
	return prefix
}

// export relies on core for the step-up check (see changePassword).
func (h *Handler) export(w http.ResponseWriter, r *http.Request) error {
	return answer(w, newExportView)(h.auth.Export(r.Context(), principal(r), h.client(r)))
}

// confirmGuardian is a guardian's consent to a child's account: the bearer is
// the guardian's own account, stepped up (core checks it).
func (h *Handler) confirmGuardian(w http.ResponseWriter, r *http.Request, in tokenBody) error {
	return answer(w, one(newChildView))(h.auth.ConfirmGuardian(r.Context(), principal(r),
		core.LinkInput{Token: in.Token, Client: h.client(r)}))
}

func (h *Handler) guardianChildren(w http.ResponseWriter, r *http.Request) error {
	return answer(w, each(newChildView))(h.auth.GuardianChildren(r.Context(), principal(r)))
}

func (h *Handler) childConsents(w http.ResponseWriter, r *http.Request) error {
	return answer(w, each(newConsentView))(h.auth.ChildConsents(r.Context(), principal(r), r.PathValue("id")))
}

func (h *Handler) withdrawForChild(w http.ResponseWriter, r *http.Request, in categoryBody) error {
	return answer(w, one(newConsentView))(h.auth.WithdrawForChild(r.Context(), principal(r), r.PathValue("id"), in.input(h.client(r))))
}

// grantForChild is the guardian's grant: a child's own grant is refused.
func (h *Handler) grantForChild(w http.ResponseWriter, r *http.Request, in categoryBody) error {
	return answer(w, one(newConsentView))(h.auth.GrantForChild(r.Context(), principal(r), r.PathValue("id"), in.input(h.client(r))))
}
