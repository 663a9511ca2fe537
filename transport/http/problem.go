package http

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/bharatauth/bharatauth-go/core"
)

// problemTypeBase prefixes the "type" URI of every problem; the code follows.
const problemTypeBase = "urn:bharatauth:problem:"

// genericDetail is the only detail a 500 ever carries: the cause stays in the log.
const genericDetail = "an internal error occurred; it has been logged"

// problem is an RFC 9457 problem details body with BharatAuth's extensions.
type problem struct {
	Type                string  `json:"type"`
	Title               string  `json:"title"`
	Status              int     `json:"status"`
	Detail              string  `json:"detail"`
	Code                string  `json:"code"`
	Field               string  `json:"field,omitempty"`
	LockedUntil         *string `json:"locked_until,omitempty"`
	RequiresEmailVerify *bool   `json:"requires_email_verify,omitempty"`

	retryAfter time.Duration // → Retry-After header on 429
}

// requestError is a transport-level 400 (or status, when set): the body could
// not be read as the JSON object the route expects. Detail never quotes the
// body.
type requestError struct {
	status int    // 0 → 400
	code   string // malformed_json, body_too_large, invalid_utf8, wrong_type, unsupported_media_type
	field  string
	detail string
}

func (e *requestError) Error() string { return "bad request: " + e.code + ": " + e.detail }

// statusOf is the one place that maps an error to an HTTP status. It uses
// errors.As, so a wrapped core error keeps its status; anything it does not
// recognise is a 500.
func statusOf(err error) int {
	var re *requestError
	if errors.As(err, &re) {
		if re.status != 0 {
			return re.status
		}
		return http.StatusBadRequest
	}
	var ce *core.Error
	if !errors.As(err, &ce) {
		return http.StatusInternalServerError
	}
	switch ce.Kind {
	case core.KindUnauthorized, core.KindTokenExpired:
		return http.StatusUnauthorized
	case core.KindForbidden, core.KindSuspended, core.KindEmailNotVerified,
		core.KindConsentRequired, core.KindStepUpRequired:
		return http.StatusForbidden
	case core.KindNotFound:
		return http.StatusNotFound
	case core.KindConflict:
		return http.StatusConflict
	case core.KindValidation:
		return http.StatusUnprocessableEntity
	case core.KindLocked:
		return http.StatusLocked
	case core.KindRateLimited, core.KindIPBlocked:
		return http.StatusTooManyRequests
	case core.KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// problemFor builds the problem body of err with the status statusOf gives.
func problemFor(err error) problem {
	status := statusOf(err)
	p := problem{Status: status, Title: http.StatusText(status)}
	var re *requestError
	var ce *core.Error
	switch {
	case status == http.StatusInternalServerError:
		p.Code, p.Detail = "internal_error", genericDetail
	case errors.As(err, &re):
		p.Code, p.Field, p.Detail = re.code, re.field, re.detail
	case errors.As(err, &ce):
		p.Code, p.Field, p.Detail = ce.ErrorCode(), ce.Field, ce.Message
		if p.Detail == "" {
			p.Detail = p.Title
		}
		if ce.Field != "" && ce.Kind == core.KindValidation {
			p.Detail = ce.Field + ": " + ce.Message
		}
		if ce.Kind == core.KindLocked {
			hard := ce.RequiresEmailVerify
			p.RequiresEmailVerify = &hard
			if !ce.LockedUntil.IsZero() {
				// Whole seconds, rounded up: a client that waits until the
				// stated time must find the lock over.
				until := ceilSecond(ce.LockedUntil).Format(time.RFC3339)
				p.LockedUntil = &until
			}
		}
		if status == http.StatusTooManyRequests {
			p.retryAfter = ce.RetryAfter
		}
	}
	p.Type = problemTypeBase + p.Code
	return p
}

// retryAfterSeconds rounds d up to whole seconds, at least 1: a client told
// "0" would retry at once.
func retryAfterSeconds(d time.Duration) string {
	s := int64(math.Ceil(d.Seconds()))
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(s, 10)
}

// writeProblem writes err as application/problem+json. A 500 is logged with
// its cause (core errors never carry secrets); the client sees only a generic
// detail.
func (h *Handler) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err)
	if p.Status == http.StatusInternalServerError {
		h.log.ErrorContext(r.Context(), "bharatauth/http: internal error",
			"method", r.Method, "path", r.URL.Path, "error", err)
	}
	hd := w.Header()
	if c := bearerChallenge(h.realm, p); c != "" {
		hd.Set("WWW-Authenticate", c)
	}
	if p.Status == http.StatusTooManyRequests {
		hd.Set("Retry-After", retryAfterSeconds(p.retryAfter))
	}
	writeBody(w, "application/problem+json", p.Status, p)
}

// DefaultRealm is the realm of the Bearer challenges when Options.Realm is "".
const DefaultRealm = "bharatauth"

// stepUpChallengeError is the RFC 9470 error code of a step-up refusal.
const stepUpChallengeError = "insufficient_user_authentication"

// bearerChallenge is the WWW-Authenticate header of problem p, or "". A 401
// carries the RFC 6750 challenge, saying invalid_token for token failures so
// clients know to refresh or sign in again. A step-up refusal (403
// step_up_required) carries RFC 9470's insufficient_user_authentication, so
// a client that knows the standard, and not our codes, still learns that the
// user must authenticate again, more strongly.
func bearerChallenge(realm string, p problem) string {
	base := `Bearer realm="` + realm + `"`
	switch {
	case p.Code == "step_up_required":
		return base + `, error="` + stepUpChallengeError + `", error_description="` + stepUpDescription + `"`
	case p.Status != http.StatusUnauthorized:
		return ""
	case p.Code == "invalid_token" || p.Code == "token_expired":
		return base + `, error="invalid_token"`
	default:
		return base
	}
}

// stepUpDescription is the challenge's error_description: fixed ASCII text,
// as RFC 6750 §3 allows in it.
const stepUpDescription = "A step-up is required: verify your PIN or an emailed code, then retry"

// writeJSON writes v as an application/json body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	writeBody(w, "application/json", status, v)
}

// writeBody marshals before writing any header, so a marshalling failure can
// still become a clean 500. Every answer is no-store: bodies carry tokens and
// personal data (RFC 6749 §5.1).
func writeBody(w http.ResponseWriter, contentType string, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		contentType, status = "application/problem+json", http.StatusInternalServerError
		body, _ = json.Marshal(problem{Type: problemTypeBase + "internal_error", Title: http.StatusText(status),
			Status: status, Detail: genericDetail, Code: "internal_error"})
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// ceilSecond rounds t up to a whole second, in UTC.
func ceilSecond(t time.Time) time.Time {
	if r := t.Truncate(time.Second); !r.Equal(t) {
		return r.Add(time.Second).UTC()
	}
	return t.UTC()
}
