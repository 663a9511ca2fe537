package http

import (
	"net/http"
	"time"

	"github.com/bharatauth/bharatauth-go/core"
)

// rightsView is the public rights page: whom to ask, how to exercise each
// right through this API, and the periods the service keeps to.
type rightsView struct {
	Contact             *contactView `json:"contact"`
	GrievancePeriodDays int          `json:"grievance_period_days"`
	ErasureGraceDays    int          `json:"erasure_grace_days"`
	// Security events (with IP address and user agent) are kept at least
	// LogRetentionDays, and pseudonymised after LogsPseudonymisedAfterDays.
	LogRetentionDays           int         `json:"log_retention_days"`
	LogsPseudonymisedAfterDays int         `json:"logs_pseudonymised_after_days"`
	Rights                     []rightView `json:"rights"`
}

type contactView struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
	URL   string `json:"url,omitempty"`
}

// rightView is one right: its name, where the law grants it, and how to
// exercise it here.
type rightView struct {
	Right string `json:"right"`
	Law   string `json:"law"`
	How   string `json:"how"`
}

// rightsList says how each right is exercised, with paths under prefix.
func rightsList(prefix string, r core.Rights) []rightView {
	erasure := "POST " + prefix + "/privacy/erasure (signed in, fresh step-up): answered 202 with a status_url to GET without signing in; "
	if r.ErasureByApp {
		erasure += "carried out by the service by the due date"
	} else {
		erasure += "carried out when the grace period ends; signing in before then cancels it"
	}
	const contact = "write to the privacy contact"
	return []rightView{
		{"withdraw or give consent", "DPDP Act 2023 §6(4)", "POST " + prefix + "/privacy/consent/withdraw or /privacy/consent/grant (signed in); GET " + prefix + "/privacy/consents shows the current state"},
		{"access", "DPDP Act 2023 §11", "GET " + prefix + "/privacy/export (signed in, step-up)"},
		{"correction", "DPDP Act 2023 §12(1)", "PATCH " + prefix + "/me (signed in) for display name, username and language; POST " + prefix + "/email/change/request (signed in, fresh step-up) then /email/change/confirm with the link sent to the new address"},
		{"erasure", "DPDP Act 2023 §12(3)", erasure},
		{"grievance redressal", "DPDP Act 2023 §13, Rules 2025 Rule 14", "POST " + prefix + "/privacy/grievances (signed in), answered within grievance_period_days; GET " + prefix + "/privacy/grievances shows the answers; or " + contact},
		{"nomination", "DPDP Act 2023 §14", "POST " + prefix + "/privacy/nominees (signed in, step-up); GET " + prefix + "/privacy/nominees; DELETE " + prefix + "/privacy/nominees/{id} (step-up)"},
	}
}

func days(d time.Duration) int { return int(d / (24 * time.Hour)) }

// rights serves the rights page; it needs no bearer.
func (h *Handler) rights(w http.ResponseWriter, r *http.Request) error {
	info := h.auth.Rights()
	v := rightsView{GrievancePeriodDays: days(info.GrievancePeriod), ErasureGraceDays: days(info.ErasureGrace),
		LogRetentionDays: days(info.Retention.MinLogRetention), LogsPseudonymisedAfterDays: days(info.Retention.MaxLogRetention),
		Rights: rightsList(mountPrefix(r), info)}
	if c := info.Contact; c.Email != "" {
		v.Contact = &contactView{Name: c.Name, Email: c.Email, Phone: c.Phone, URL: c.URL}
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, v)
	return nil
}
