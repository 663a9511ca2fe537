package http

import (
	"net/http"
	"time"

	"github.com/bharatauth/bharatauth-go/core"
)

// route is one entry of the API: a ServeMux pattern, whether it needs a
// bearer token, and the function serving it.
type route struct {
	method string
	path   string
	bearer bool
	serve  serveFunc
}

// serveFunc serves one route; an error it returns becomes the problem answer.
type serveFunc func(*Handler, http.ResponseWriter, *http.Request) error

// withBody serves a route that takes a JSON body: serve runs only on a body
// that decodes into B and passes its checks; any other body is the caller's
// 400.
func withBody[B any](serve func(*Handler, http.ResponseWriter, *http.Request, B) error) serveFunc {
	return func(h *Handler, w http.ResponseWriter, r *http.Request) error {
		var in B
		if err := h.decode(w, r, &in); err != nil {
			return err
		}
		return serve(h, w, r, in)
	}
}

// routes is the whole HTTP API. The OpenAPI test checks every entry is
// documented in openapi.json. The routes that may set or clear the refresh
// cookie are wrapped in provesOrigin.
func routes() []route {
	return []route{
		{"POST", "/register", false, withBody((*Handler).register)},
		{"POST", "/email/verify", false, withBody((*Handler).verifyEmail)},
		{"POST", "/phone/verify", false, withBody((*Handler).verifyPhone)},
		{"POST", "/login", false, provesOrigin(withBody((*Handler).login))},
		{"POST", "/otp/request", false, withBody((*Handler).requestOTP)},
		{"POST", "/otp/verify", false, provesOrigin(withBody((*Handler).verifyOTP))},
		{"POST", "/pin/set", true, withBody((*Handler).setPIN)},
		{"POST", "/pin/verify", true, withBody((*Handler).verifyPIN)},
		{"POST", "/pin/reset/request", false, withBody((*Handler).requestPINReset)},
		{"POST", "/pin/reset/confirm", false, withBody((*Handler).confirmPINReset)},
		{"POST", "/password/reset/request", false, withBody((*Handler).requestPasswordReset)},
		{"POST", "/password/reset/confirm", false, provesOrigin(withBody((*Handler).confirmPasswordReset))},
		{"POST", "/password/change", true, withBody((*Handler).changePassword)},
		{"POST", "/unlock/request", false, withBody((*Handler).requestUnlock)},
		{"POST", "/unlock/confirm", false, provesOrigin(withBody((*Handler).confirmUnlock))},
		{"POST", "/step-up/request", true, (*Handler).requestStepUp},
		{"POST", "/step-up/verify", true, withBody((*Handler).verifyStepUp)},
		{"POST", "/refresh", false, provesOrigin((*Handler).refresh)}, // the body is optional in cookie mode
		{"POST", "/logout", false, provesOrigin((*Handler).logout)},
		{"POST", "/logout-all", true, (*Handler).logoutAll},
		{"GET", "/sessions", true, (*Handler).sessions},
		{"DELETE", "/sessions/{id}", true, (*Handler).revokeSession},
		{"GET", "/me", true, (*Handler).me},
		{"PATCH", "/me", true, withBody((*Handler).updateProfile)},
		{"POST", "/email/change/request", true, withBody((*Handler).requestEmailChange)},
		{"POST", "/email/change/confirm", false, withBody((*Handler).confirmEmailChange)},
		{"POST", "/phone/change/request", true, withBody((*Handler).requestPhoneChange)},
		{"POST", "/phone/change/confirm", true, withBody((*Handler).confirmPhoneChange)},
		{"GET", "/privacy/notice", false, (*Handler).notice},
		{"GET", "/privacy/consents", true, (*Handler).consents},
		{"POST", "/privacy/consent/withdraw", true, withBody((*Handler).withdrawConsent)},
		{"POST", "/privacy/consent/grant", true, withBody((*Handler).grantConsent)},
		{"GET", "/privacy/export", true, (*Handler).export},
		{"POST", "/guardian/confirm", true, withBody((*Handler).confirmGuardian)},
		{"GET", "/guardian/children", true, (*Handler).guardianChildren},
		{"GET", "/guardian/children/{id}/consents", true, (*Handler).childConsents},
		{"POST", "/guardian/children/{id}/consent/withdraw", true, withBody((*Handler).withdrawForChild)},
		{"POST", "/guardian/children/{id}/consent/grant", true, withBody((*Handler).grantForChild)},
		{"POST", "/privacy/erasure", true, (*Handler).requestErasure},
		{"GET", "/privacy/erasure/{token}", false, (*Handler).erasureStatus},
		{"GET", "/privacy/rights", false, (*Handler).rights},
		{"POST", "/privacy/grievances", true, withBody((*Handler).fileGrievance)},
		{"GET", "/privacy/grievances", true, (*Handler).grievances},
		{"POST", "/privacy/nominees", true, withBody((*Handler).addNominee)},
		{"GET", "/privacy/nominees", true, (*Handler).nominees},
		{"DELETE", "/privacy/nominees/{id}", true, (*Handler).removeNominee},
		{"GET", "/.well-known/jwks.json", false, (*Handler).jwks},
		{"GET", "/.well-known/oauth-authorization-server", false, (*Handler).metadata},
		{"GET", "/openapi.json", false, (*Handler).openAPI},
		{"GET", "/health/live", false, (*Handler).live},
		{"GET", "/health/ready", false, (*Handler).ready},
	}
}

// Messages of the enumeration-safe routes: one per route, whoever is asked for.
const (
	otpSentMessage       = "If an account exists for this identifier, a sign-in code has been emailed."
	pinResetMessage      = "If an account exists for this identifier, a PIN reset link has been emailed."
	passwordResetMessage = "If an account exists for this identifier, a password reset link has been emailed."
	unlockMessage        = "If an account exists for this identifier, an unlock link has been emailed."
	// The same routes asked with a phone number.
	otpTextedMessage           = "If an account exists for this phone number, a sign-in code has been sent by SMS."
	pinResetTextedMessage      = "If an account exists for this phone number, a PIN reset code has been sent by SMS, or a link to its verified email."
	passwordResetTextedMessage = "If an account exists for this phone number, a password reset code has been sent by SMS."
	unlockTextedMessage        = "If an account exists for this phone number, an unlock code has been sent by SMS."
	emailChangeMessage         = "A confirmation link has been emailed to the new address, and a notice to the current one."
	phoneChangeMessage         = "A code has been sent by SMS to the new number, and a notice to the current one, if any."
	erasureMessage             = "Your request to erase your data was received; a receipt has been emailed, and you have been signed out. Keep status_url to follow the request."
)

type consentDecisionBody struct {
	Category string `json:"category" check:"required"`
	Granted  *bool  `json:"granted" check:"required"`
}

type registerBody struct {
	Email          string                `json:"email" check:"required_or=phone"`
	Phone          string                `json:"phone"`
	Password       string                `json:"password"` // optional: an account without one signs in by code
	Username       string                `json:"username"`
	DisplayName    string                `json:"display_name"`
	Language       string                `json:"language"`
	Consents       []consentDecisionBody `json:"consents"`
	NoticeVersion  string                `json:"notice_version"`
	NoticeLanguage string                `json:"notice_language"`
	DateOfBirth    string                `json:"date_of_birth"` // YYYY-MM-DD
	GuardianEmail  string                `json:"guardian_email"`
}

func (h *Handler) register(w http.ResponseWriter, r *http.Request, in registerBody) error {
	// A missing consents array is a missing decision on every category: core
	// answers consent_required (403): every category needs an explicit decision.
	decisions := make([]core.ConsentDecision, len(in.Consents))
	for i, c := range in.Consents {
		decisions[i] = core.ConsentDecision{Category: c.Category, Granted: *c.Granted}
	}
	dob, err := dateOfBirth(in.DateOfBirth)
	if err != nil {
		return err
	}
	u, err := h.auth.Register(r.Context(), core.RegisterInput{Email: in.Email, Phone: in.Phone, Password: in.Password,
		Username: in.Username, DisplayName: in.DisplayName, Language: in.Language, Consents: decisions,
		NoticeVersion: in.NoticeVersion, NoticeLanguage: in.NoticeLanguage, DateOfBirth: dob,
		GuardianEmail: in.GuardianEmail, Client: h.client(r)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, registerView{User: newUserView(u)})
	return nil
}

// dateOfBirth parses a YYYY-MM-DD date of birth; "" is none given.
func dateOfBirth(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, &core.Error{Op: "Register", Kind: core.KindValidation, Field: "date_of_birth",
			Message: "must be a date as YYYY-MM-DD"}
	}
	return t, nil
}

type tokenBody struct {
	Token string `json:"token" check:"required"`
}

func (h *Handler) verifyEmail(w http.ResponseWriter, r *http.Request, in tokenBody) error {
	return succeed(w, h.auth.VerifyEmail(r.Context(), core.LinkInput{Token: in.Token, Client: h.client(r)}))
}

func (h *Handler) confirmEmailChange(w http.ResponseWriter, r *http.Request, in tokenBody) error {
	return succeed(w, h.auth.ConfirmEmailChange(r.Context(), core.LinkInput{Token: in.Token, Client: h.client(r)}))
}

type loginBody struct {
	Identifier        string `json:"identifier" check:"required_or=phone"`
	Phone             string `json:"phone"`
	Password          string `json:"password" check:"required"`
	DeviceFingerprint string `json:"device_fingerprint"`
	IsPublicDevice    bool   `json:"is_public_device"`
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request, in loginBody) error {
	return answer(w, h.loginView(w))(h.auth.Login(r.Context(), core.LoginInput{Identifier: in.Identifier, Phone: in.Phone, Password: in.Password,
		DeviceFingerprint: in.DeviceFingerprint, IsPublicDevice: in.IsPublicDevice, Client: h.client(r)}))
}

type otpRequestBody struct {
	Identifier        string `json:"identifier" check:"required_or=phone"`
	Phone             string `json:"phone"`
	DeviceFingerprint string `json:"device_fingerprint"`
}

func (h *Handler) requestOTP(w http.ResponseWriter, r *http.Request, in otpRequestBody) error {
	err := h.auth.RequestOTP(r.Context(), core.RequestOTPInput{Identifier: in.Identifier, Phone: in.Phone,
		DeviceFingerprint: in.DeviceFingerprint, Client: h.client(r)})
	return acknowledge(w, byPhone(in.Phone, otpSentMessage, otpTextedMessage), err)
}

type otpVerifyBody struct {
	Identifier        string `json:"identifier" check:"required_or=phone"`
	Phone             string `json:"phone"`
	OTPCode           string `json:"otp_code" check:"required"`
	DeviceFingerprint string `json:"device_fingerprint"`
	IsPublicDevice    bool   `json:"is_public_device"`
}

func (h *Handler) verifyOTP(w http.ResponseWriter, r *http.Request, in otpVerifyBody) error {
	return answer(w, h.loginView(w))(h.auth.VerifyOTP(r.Context(), core.VerifyOTPInput{Identifier: in.Identifier, Phone: in.Phone, Code: in.OTPCode,
		DeviceFingerprint: in.DeviceFingerprint, IsPublicDevice: in.IsPublicDevice, Client: h.client(r)}))
}

type identifierBody struct {
	Identifier string `json:"identifier" check:"required_or=phone"`
	Phone      string `json:"phone"`
}

func (in identifierBody) input(r *http.Request, h *Handler) core.IdentifierInput {
	return core.IdentifierInput{Identifier: in.Identifier, Phone: in.Phone, Client: h.client(r)}
}

// byPhone picks a route's acknowledgement by what the request named: the
// same for every number, known or not.
func byPhone(phone, identifierMessage, phoneMessage string) string {
	if phone != "" {
		return phoneMessage
	}
	return identifierMessage
}

// The "email me a link" routes are enumeration-safe: see acknowledge.

func (h *Handler) requestPINReset(w http.ResponseWriter, r *http.Request, in identifierBody) error {
	return acknowledge(w, byPhone(in.Phone, pinResetMessage, pinResetTextedMessage), h.auth.RequestPINReset(r.Context(), in.input(r, h)))
}

func (h *Handler) requestPasswordReset(w http.ResponseWriter, r *http.Request, in identifierBody) error {
	return acknowledge(w, byPhone(in.Phone, passwordResetMessage, passwordResetTextedMessage), h.auth.RequestPasswordReset(r.Context(), in.input(r, h)))
}

func (h *Handler) requestUnlock(w http.ResponseWriter, r *http.Request, in identifierBody) error {
	return acknowledge(w, byPhone(in.Phone, unlockMessage, unlockTextedMessage), h.auth.RequestUnlock(r.Context(), in.input(r, h)))
}

type pinResetBody struct {
	Token  string `json:"token" check:"required_or=phone"`
	Phone  string `json:"phone"` // with code, instead of token: the PIN reset code texted to the number
	Code   string `json:"code"`
	NewPIN string `json:"new_pin" check:"required"`
}

func (h *Handler) confirmPINReset(w http.ResponseWriter, r *http.Request, in pinResetBody) error {
	return succeed(w, h.auth.ConfirmPINReset(r.Context(), core.ConfirmPINResetInput{Token: in.Token, Phone: in.Phone, Code: in.Code,
		NewPIN: in.NewPIN, Client: h.client(r)}))
}

type phoneCodeBody struct {
	Phone string `json:"phone" check:"required"`
	Code  string `json:"code" check:"required"`
}

func (h *Handler) verifyPhone(w http.ResponseWriter, r *http.Request, in phoneCodeBody) error {
	return succeed(w, h.auth.VerifyPhone(r.Context(), core.VerifyPhoneInput{Phone: in.Phone, Code: in.Code, Client: h.client(r)}))
}

type passwordResetBody struct {
	Token             string `json:"token" check:"required_or=phone"`
	Phone             string `json:"phone"` // with code, instead of token: the password reset code texted to the number
	Code              string `json:"code"`
	NewPassword       string `json:"new_password" check:"required"`
	DeviceFingerprint string `json:"device_fingerprint"`
	IsPublicDevice    bool   `json:"is_public_device"`
}

func (h *Handler) confirmPasswordReset(w http.ResponseWriter, r *http.Request, in passwordResetBody) error {
	return h.succeedOrSignIn(w)(h.auth.ConfirmPasswordReset(r.Context(), core.ConfirmPasswordResetInput{Token: in.Token, Phone: in.Phone, Code: in.Code,
		NewPassword: in.NewPassword, DeviceFingerprint: in.DeviceFingerprint, IsPublicDevice: in.IsPublicDevice, Client: h.client(r)}))
}

type unlockBody struct {
	Token             string `json:"token" check:"required_or=phone"`
	Phone             string `json:"phone"` // with code, instead of token: the unlock code texted to the number
	Code              string `json:"code"`
	DeviceFingerprint string `json:"device_fingerprint"`
	IsPublicDevice    bool   `json:"is_public_device"`
}

func (h *Handler) confirmUnlock(w http.ResponseWriter, r *http.Request, in unlockBody) error {
	return h.succeedOrSignIn(w)(h.auth.ConfirmUnlock(r.Context(), core.ConfirmUnlockInput{Token: in.Token, Phone: in.Phone, Code: in.Code,
		DeviceFingerprint: in.DeviceFingerprint, IsPublicDevice: in.IsPublicDevice, Client: h.client(r)}))
}

func (h *Handler) refresh(w http.ResponseWriter, r *http.Request) error {
	token, fromCookie, err := h.refreshToken(w, r)
	switch {
	case err != nil:
		return err
	case token == "":
		return errNoRefreshToken
	}
	t, err := h.auth.Refresh(r.Context(), core.RefreshInput{RefreshToken: token, Client: h.client(r)})
	if err != nil && fromCookie && statusOf(err) == http.StatusUnauthorized {
		h.cookies.clear(w) // a dead token: the browser need not keep sending it
	}
	return answer(w, h.tokensView(w))(t, err)
}

// logout ends the session of the refresh token. In cookie mode it clears the
// cookie, and a request without any token has nothing to end: it succeeds.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	token, _, err := h.refreshToken(w, r)
	if err != nil {
		return err
	}
	if token != "" {
		if err := h.auth.Logout(r.Context(), core.RefreshInput{RefreshToken: token, Client: h.client(r)}); err != nil {
			return err
		}
	}
	if h.cookies != nil {
		h.cookies.clear(w)
	}
	return succeed(w, nil)
}

func (h *Handler) jwks(w http.ResponseWriter, _ *http.Request) error {
	doc, ok := h.auth.JWKS()
	if !ok {
		return &core.Error{Kind: core.KindNotFound, Code: "jwks_not_configured",
			Message: "access tokens are signed with HS256; there are no public keys to publish"}
	}
	writeDocument(w, "application/jwk-set+json", 300, doc)
	return nil
}

// answer writes view(res) with 200 when err is nil, and hands err on otherwise:
// return answer(w, newTokensView)(h.auth.Refresh(...)).
func answer[T, V any](w http.ResponseWriter, view func(T) V) func(T, error) error {
	return answerWith(w, http.StatusOK, view)
}

// created is answer for a route that makes something: 201 Created.
func created[T, V any](w http.ResponseWriter, view func(T) V) func(T, error) error {
	return answerWith(w, http.StatusCreated, view)
}

func answerWith[T, V any](w http.ResponseWriter, status int, view func(T) V) func(T, error) error {
	return func(res T, err error) error {
		if err != nil {
			return err
		}
		writeJSON(w, status, view(res))
		return nil
	}
}

// succeedOrSignIn answers a recovery link: the login answer when the device
// that opened it was signed in, {"success": true} otherwise.
func (h *Handler) succeedOrSignIn(w http.ResponseWriter) func(core.LoginResult, error) error {
	return func(res core.LoginResult, err error) error {
		if err != nil || res.SessionID == "" {
			return succeed(w, err)
		}
		return answer(w, h.loginView(w))(res, nil)
	}
}

// loginView and tokensView are newLoginView and newTokensView that, in
// cookie mode, first put the refresh token into the cookie and leave it out
// of the body.
func (h *Handler) loginView(w http.ResponseWriter) func(core.LoginResult) loginView {
	return func(res core.LoginResult) loginView {
		res.Tokens = h.keepRefreshToken(w, res.Tokens)
		return newLoginView(res)
	}
}

func (h *Handler) tokensView(w http.ResponseWriter) func(core.Tokens) tokensView {
	return func(t core.Tokens) tokensView { return newTokensView(h.keepRefreshToken(w, t)) }
}

// keepRefreshToken sets the cookie in cookie mode and returns t without its
// refresh token; otherwise it returns t as it is.
func (h *Handler) keepRefreshToken(w http.ResponseWriter, t core.Tokens) core.Tokens {
	if h.cookies == nil {
		return t
	}
	h.cookies.set(w, t)
	t.RefreshToken = ""
	return t
}

// succeed answers {success:true} when err is nil, and hands err on otherwise.
func succeed(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, successView{Success: true})
	return nil
}

// acknowledge answers the enumeration-safe routes: the same message whoever
// was asked for. Only errors core chose to surface (bad input, rate limits,
// IP blocks, outages) differ, and core applies those to every identifier alike.
func acknowledge(w http.ResponseWriter, message string, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, messageView{Success: true, Message: message})
	return nil
}

// healthView is the body of the health routes: a status and, when something
// does not answer, which part ("storage", "limiter") — never an address or an
// error text.
type healthView struct {
	Status  string   `json:"status"` // "ok", "ready", "degraded", "unavailable"
	Failing []string `json:"failing,omitempty"`
}

// live answers a liveness probe: the process serves HTTP.
func (h *Handler) live(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, healthView{Status: "ok"})
	return nil
}

// ready answers a readiness probe: 200 while the stores answer (degraded when
// only the rate limiter does not: it fails open), 503 when a store does not.
func (h *Handler) ready(w http.ResponseWriter, r *http.Request) error {
	rd := h.auth.Ping(r.Context())
	switch {
	case !rd.Ready:
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, healthView{Status: "unavailable", Failing: rd.Failing})
	case rd.Degraded:
		writeJSON(w, http.StatusOK, healthView{Status: "degraded", Failing: rd.Failing})
	default:
		writeJSON(w, http.StatusOK, healthView{Status: "ready"})
	}
	return nil
}
