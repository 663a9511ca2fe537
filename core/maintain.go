package core

import (
	"context"
	"errors"
)

// MaintenanceReport counts what one Maintain run did.
type MaintenanceReport struct {
	ErasuresCompleted   int // requests whose grace period ended, erased by core
	EventsPseudonymised int // events older than Retention.MaxLogRetention that lost IP and user agent
	InactivityWarnings  int // inactive users warned that their account will be erased
	InactiveErased      int // inactive users erased (or handed to the ErasureHandler) after a warning
}

// maintainBatch is how many due requests Maintain reads at a time.
const maintainBatch = 100

// Maintain does the work that falls due with time; run it periodically (every
// few minutes) from one instance or several. Without Deps.Erasure it
// completes the erasure requests whose grace period has ended; with
// Config.InactivityErasure it warns and then erases inactive accounts; it
// pseudonymises security events older than Config.Retention.MaxLogRetention.
// A failure on one user does not stop the others; the errors are returned
// joined, with the report of what was done.
func (a *Auth) Maintain(ctx context.Context) (MaintenanceReport, error) {
	var report MaintenanceReport
	erasures := a.completeDueErasures(ctx, &report)
	inactive := a.handleInactivity(ctx, &report)
	return report, errors.Join(erasures, inactive, a.pseudonymiseOldEvents(ctx, &report))
}

// pseudonymiseBatch is how many events one pseudonymising statement changes.
const pseudonymiseBatch = 1000

// pseudonymiseOldEvents empties IP address and user agent of the events
// recorded more than MaxLogRetention ago; nothing younger is touched.
func (a *Auth) pseudonymiseOldEvents(ctx context.Context, report *MaintenanceReport) error {
	if a.deps.Pseudonymiser == nil {
		return nil
	}
	before := a.now().Add(-a.cfg.Retention.MaxLogRetention)
	for {
		n, err := a.deps.Pseudonymiser.PseudonymiseEvents(ctx, before, pseudonymiseBatch)
		report.EventsPseudonymised += n
		if err != nil {
			return storeError("Maintain", err)
		}
		if n < pseudonymiseBatch {
			return nil
		}
	}
}
