package ports

import (
	"context"
	"time"
)

// ConsentChange is one consent decision to deliver to a ConsentListener: an
// entry of the consent outbox.
type ConsentChange struct {
	ID         int64 // the outbox entry, increasing in the order rows were appended
	UserID     string
	Seq        int64 // the consent row's Seq in the user's chain
	Category   string
	Granted    bool
	Source     string
	RecordedAt time.Time
	Attempts   int // deliveries started, this one included
}

// ConsentOutbox is the durable queue of consent changes that
// ConsentLedger.AppendConsents fills (ConsentAppend.Notify) in the transaction
// of the rows themselves, so a change is never recorded without being queued.
// Delivery is at least once and in order per user. It is safe for concurrent
// use, across processes too.
type ConsentOutbox interface {
	// ClaimConsentChanges leases up to limit changes due at now, oldest first:
	// of each user only the oldest undelivered change, and only when it is due
	// (not leased, or its lease or retry time has come), so that a user's
	// changes are delivered one at a time, in order. A claimed change is due
	// again at now+lease unless acknowledged or rescheduled first: a claimer
	// that crashes loses nothing. Each claim counts one attempt.
	ClaimConsentChanges(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]ConsentChange, error)
	// AckConsentChange removes a delivered change. Removing one that is gone
	// is not an error (a late acknowledgement after a redelivery).
	AckConsentChange(ctx context.Context, id int64) error
	// RetryConsentChange makes a change due again at at. ErrNotFound when it
	// is gone.
	RetryConsentChange(ctx context.Context, id int64, at time.Time) error
}

// ConsentListener is told of every consent decision, at least once and in
// order per user, so that the app and its processors stop (or start) the
// processing a category covers (DPDP Act 2023 §6(6)). An error makes core
// deliver the change again later, with backoff, a bounded number of times
// (then core gives the change up, logging it and recording a
// consent_undelivered event, so that the user's later changes go on); the
// listener must therefore be idempotent (ConsentChange.ID identifies a
// change) and should refuse only what it may take later.
type ConsentListener interface {
	ConsentChanged(ctx context.Context, c ConsentChange) error
}
