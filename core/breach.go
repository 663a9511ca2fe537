package core

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// BreachNotice is what DPDP Rules 2025, Rule 7(1) has a data fiduciary tell
// each affected user of a personal data breach, in plain words. The privacy
// contact (Config.PrivacyContact) is added to every email.
type BreachNotice struct {
	Description  string    // what happened: its nature and extent
	OccurredAt   time.Time // when it happened (or began)
	Consequences string    // the consequences likely for the user
	Measures     string    // what the service has done and is doing to limit the harm
	UserActions  string    // what the user can do to protect themselves
	// PerSecond bounds how many emails go out each second (default 10), so
	// a notice to many users neither floods the mail provider nor trips
	// its limits.
	PerSecond int
}

// BreachReport says who was told and who was not.
type BreachReport struct {
	Notified []string        // user IDs emailed
	Failed   []BreachFailure // user IDs that could not be emailed, and why
}

// BreachFailure is one user who was not told.
type BreachFailure struct {
	UserID string
	Reason string // never an address or a message body
}

// maxBreachText bounds each part of a breach notice, in characters.
const maxBreachText = 5000

// defaultBreachRate is BreachNotice.PerSecond when unset.
const defaultBreachRate = 10

// NotifyBreach emails notice to each of userIDs (duplicates once), in each
// user's language, paced at notice.PerSecond, and records an event for each
// user told (DPDP §8(6), Rule 7(1)). A failed email does not stop the others:
// the report lists it. Reporting the breach to the Data Protection Board
// (Rule 7(2)) stays the app's job.
//
// Errors: ErrValidation (a missing or over-long part, a zero OccurredAt);
// ctx's error when it ends first, with the report of what was done.
func (a *Auth) NotifyBreach(ctx context.Context, notice BreachNotice, userIDs []string) (BreachReport, error) {
	const op = "NotifyBreach"
	if err := notice.check(op); err != nil {
		return BreachReport{}, err
	}
	rate := notice.PerSecond
	if rate <= 0 {
		rate = defaultBreachRate
	}
	pace := time.NewTicker(time.Second / time.Duration(rate))
	defer pace.Stop()
	d := emails.Data{At: notice.OccurredAt, Breach: emails.Breach{Description: notice.Description,
		Consequences: notice.Consequences, Measures: notice.Measures, UserActions: notice.UserActions}}
	var report BreachReport
	seen := map[string]bool{}
	for _, id := range userIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		if len(seen) > 1 {
			select {
			case <-ctx.Done():
				return report, ctx.Err()
			case <-pace.C:
			}
		}
		if reason := a.tellBreach(ctx, id, d); reason != "" {
			report.Failed = append(report.Failed, BreachFailure{UserID: id, Reason: reason})
			continue
		}
		report.Notified = append(report.Notified, id)
	}
	return report, nil
}

// tellBreach emails one user and returns why it failed, or "".
func (a *Auth) tellBreach(ctx context.Context, userID string, d emails.Data) string {
	u, err := a.deps.Users.UserByID(ctx, userID)
	if isNotFound(err) {
		return "no such user"
	}
	if err != nil {
		return "user lookup failed: " + KindOf(storeError("NotifyBreach", err)).String()
	}
	m, err := a.compose(u, emails.BreachNotice, d, Client{})
	if err == nil {
		err = a.sendMail(ctx, m.Message)
	}
	if err != nil {
		a.undeliverable(ctx, m, 1, err)
		return "sending failed"
	}
	a.event(ctx, u.ID, ports.EventBreachNotified, Client{}, "")
	return ""
}

func (n BreachNotice) check(op string) error {
	if n.OccurredAt.IsZero() {
		return invalidField(op, "occurred_at", "must be set")
	}
	for _, part := range []struct{ field, text string }{
		{"description", n.Description}, {"consequences", n.Consequences},
		{"measures", n.Measures}, {"user_actions", n.UserActions},
	} {
		if err := checkText(op, part.field, strings.TrimSpace(part.text), maxBreachText, false); err != nil {
			return err
		}
	}
	if n.PerSecond < 0 {
		return invalidField(op, "per_second", fmt.Sprintf("must be >= 0 (got %d)", n.PerSecond))
	}
	return nil
}
