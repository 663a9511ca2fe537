package core

import (
	"context"
	"errors"
	"time"
)

// MaintenanceReport counts what one Maintain run did.
type MaintenanceReport struct {
	ErasuresCompleted   int // requests whose grace period ended, erased by core
	EventsPseudonymised int // events older than Retention.MaxLogRetention that lost IP and user agent
	// ConsentsPseudonymised counts the chain version 2 consent rows older
	// than Retention.MaxLogRetention that lost IP and user agent; version 1
	// rows hash the raw values, so they stay as recorded.
	ConsentsPseudonymised int
	InactivityWarnings    int // inactive users warned that their account will be erased
	InactiveErased        int // inactive users erased (or handed to the ErasureHandler) after a warning
}

// maintainBatch is how many due requests Maintain reads at a time.
const maintainBatch = 100

// Maintain does the work that falls due with time; run it periodically (every
// few minutes) from one instance or several. Without Deps.Erasure it
// completes the erasure requests whose grace period has ended; with
// Config.InactivityErasure it warns and then erases inactive accounts; it
// pseudonymises security events and chain version 2 consent rows older than
// Config.Retention.MaxLogRetention.
// A failure on one user does not stop the others; the errors are returned
// joined, with the report of what was done.
func (a *Auth) Maintain(ctx context.Context) (MaintenanceReport, error) {
	var report MaintenanceReport
	erasures := a.completeDueErasures(ctx, &report)
	inactive := a.handleInactivity(ctx, &report)
	return report, errors.Join(erasures, inactive, a.pseudonymiseOldEvents(ctx, &report))
}

// pseudonymiseBatch is how many rows one pseudonymising statement changes.
const pseudonymiseBatch = 1000

// pseudonymiseOldEvents empties IP address and user agent of the events and
// the chain version 2 consent rows recorded more than MaxLogRetention ago;
// nothing younger is touched.
func (a *Auth) pseudonymiseOldEvents(ctx context.Context, report *MaintenanceReport) error {
	p := a.deps.Pseudonymiser
	if p == nil {
		return nil
	}
	before := a.now().Add(-a.cfg.Retention.MaxLogRetention)
	return errors.Join(
		pseudonymiseAll(ctx, before, p.PseudonymiseEvents, &report.EventsPseudonymised),
		pseudonymiseAll(ctx, before, p.PseudonymiseConsents, &report.ConsentsPseudonymised))
}

// pseudonymiseAll calls batch until a batch comes back short, adding what
// each changed to *count.
func pseudonymiseAll(ctx context.Context, before time.Time, batch func(context.Context, time.Time, int) (int, error), count *int) error {
	for {
		n, err := batch(ctx, before, pseudonymiseBatch)
		*count += n
		if err != nil {
			return storeError("Maintain", err)
		}
		if n < pseudonymiseBatch {
			return nil
		}
	}
}
