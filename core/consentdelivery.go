package core

import (
	"context"
	"fmt"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Delivery of consent changes to Deps.ConsentListener.
const (
	consentLease      = time.Minute      // a claimed change is redelivered after this when its claimer vanished
	consentBatch      = 100              // changes claimed at once
	consentRetryFirst = 5 * time.Second  // the first retry after a listener error…
	consentRetryMax   = 30 * time.Minute // …doubling up to this
	// consentMaxAttempts bounds the deliveries of one change (about 1¾ hours
	// of retries): a change the listener keeps refusing is given up, so that
	// it does not hold back the user's later changes — a withdrawal among
	// them — for ever.
	consentMaxAttempts = 12
)

// consentRetryDelay is the wait before the next delivery of a change whose
// attempts-th delivery failed: 5 s, 10 s, 20 s, … up to 30 minutes.
func consentRetryDelay(attempts int) time.Duration {
	d := consentRetryFirst
	for i := 1; i < attempts && d < consentRetryMax; i++ {
		d *= 2
	}
	return min(d, consentRetryMax)
}

// DeliverConsentChanges hands every consent change that is due to
// Deps.ConsentListener, oldest first and one at a time per user, and returns
// how many the listener took. A change the listener refuses is retried later
// with backoff (consentRetryDelay); after consentMaxAttempts it is given up
// with an error log and a consent_undelivered event of the user (the consent
// row stays in the ledger), and the user's next change goes. One whose
// delivery was cut short (a crash) comes back after its lease. Core calls it
// after each decision; call it on a timer too (RunConsentDelivery), so that
// retries happen. Without a listener it does nothing.
func (a *Auth) DeliverConsentChanges(ctx context.Context) (int, error) {
	const op = "DeliverConsentChanges"
	if a.deps.ConsentListener == nil {
		return 0, nil
	}
	delivered := 0
	for {
		now := a.now()
		changes, err := a.deps.ConsentOutbox.ClaimConsentChanges(ctx, now, consentLease, consentBatch)
		if err != nil {
			return delivered, storeError(op, err)
		}
		if len(changes) == 0 {
			return delivered, nil
		}
		leaseEnd := now.Add(consentLease)
		for _, c := range changes {
			// Past the lease, the rest of the batch may be another
			// claimer's by now: claim again rather than deliver twice.
			if !a.now().Before(leaseEnd) {
				break
			}
			ok, err := a.deliverConsentChange(ctx, leaseEnd, c)
			if err != nil {
				return delivered, storeError(op, err)
			}
			if ok {
				delivered++
			}
		}
	}
}

// deliverConsentChange gives c to the listener within what is left of its
// lease, then acknowledges it, schedules its retry or gives it up. It
// reports whether the listener took it.
func (a *Auth) deliverConsentChange(ctx context.Context, leaseEnd time.Time, c ports.ConsentChange) (bool, error) {
	lctx, cancel := context.WithTimeout(ctx, leaseEnd.Sub(a.now()))
	err := a.deps.ConsentListener.ConsentChanged(lctx, c)
	cancel()
	if err == nil {
		return true, a.deps.ConsentOutbox.AckConsentChange(ctx, c.ID)
	}
	if c.Attempts >= consentMaxAttempts {
		a.log.ErrorContext(ctx, "bharatauth: the consent listener refused a change at every attempt; giving it up",
			"change", c.ID, "user_id", c.UserID, "seq", c.Seq, "attempts", c.Attempts, "error", err)
		a.event(ctx, c.UserID, ports.EventConsentUndelivered, Client{},
			fmt.Sprintf("change %d (consent row %d, %s=%t) refused %d times", c.ID, c.Seq, c.Category, c.Granted, c.Attempts))
		return false, a.deps.ConsentOutbox.AckConsentChange(ctx, c.ID)
	}
	retry := consentRetryDelay(c.Attempts)
	a.log.WarnContext(ctx, "bharatauth: the consent listener refused a change; retrying",
		"change", c.ID, "attempts", c.Attempts, "retry_in", retry, "error", err)
	return false, a.deps.ConsentOutbox.RetryConsentChange(ctx, c.ID, a.now().Add(retry))
}

// deliverAfterAnswer delivers the changes just recorded once the caller has
// its answer (a slow listener never delays a consent decision).
func (a *Auth) deliverAfterAnswer(ctx context.Context) {
	if a.deps.ConsentListener == nil {
		return
	}
	a.afterAnswer(ctx, "consent delivery", func(ctx context.Context) {
		if _, err := a.DeliverConsentChanges(ctx); err != nil {
			a.log.WarnContext(ctx, "bharatauth: delivering consent changes failed; they stay queued", "error", err)
		}
	})
}

// RunConsentDelivery calls DeliverConsentChanges every interval until ctx
// ends, so that refused changes are retried and changes of a crashed process
// are delivered. Run it in one goroutine per process (several processes may
// run it: a change goes to one claimer at a time). It returns ctx's error.
func (a *Auth) RunConsentDelivery(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		return fmt.Errorf("bharatauth: RunConsentDelivery needs an interval > 0 (got %s)", every)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if _, err := a.DeliverConsentChanges(ctx); err != nil && ctx.Err() == nil {
			a.log.WarnContext(ctx, "bharatauth: delivering consent changes failed; retrying on the next tick", "error", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
