package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/consentchain"
)

// consentTable holds each user's hash-chained consent rows in Seq order, the
// keyed checkpoints of the chain heads and the consent outbox, under one lock
// so that an append and its checkpoint and outbox entries are one step.
type consentTable struct {
	tableLock
	chains      map[string][]ports.ConsentRecord
	checkpoints map[string]ports.ConsentCheckpoint
	outbox      []outboxEntry // in ID order
	lastID      int64
}

// outboxEntry is a consent change waiting for delivery, due at due.
type outboxEntry struct {
	change ports.ConsentChange
	due    time.Time
}

func newConsentTable() consentTable {
	return consentTable{chains: map[string][]ports.ConsentRecord{}, checkpoints: map[string]ports.ConsentCheckpoint{}}
}

// AppendConsents appends in.Rows for userID in order under the table lock: each
// row gets the user ID, the next Seq, the previous row's hash, RecordedAt in
// UTC at microsecond precision, and its hash; then the checkpoint and the
// outbox entries in asks for. It returns the stored rows.
func (s *Store) AppendConsents(ctx context.Context, userID string, in ports.ConsentAppend) ([]ports.ConsentRecord, error) {
	c := &s.consents
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.mu.Unlock()
	return slices.Clone(c.appendLocked(userID, in)), nil
}

// appendLocked chains in.Rows onto userID's history; the caller holds c.mu.
func (c *consentTable) appendLocked(userID string, in ports.ConsentAppend) []ports.ConsentRecord {
	if len(in.Rows) == 0 {
		return []ports.ConsentRecord{}
	}
	chain := c.chains[userID]
	prev := ""
	if n := len(chain); n > 0 {
		prev = chain[n-1].Hash
	}
	stored := make([]ports.ConsentRecord, len(in.Rows))
	for i, r := range in.Rows {
		r.UserID = userID
		r.Seq = int64(len(chain) + i + 1)
		r.RecordedAt = stamp(r.RecordedAt)
		r = consentchain.Link(prev, r)
		stored[i] = r
		prev = r.Hash
	}
	c.chains[userID] = append(chain, stored...)
	head := stored[len(stored)-1]
	if len(in.CheckpointKey) > 0 {
		c.checkpoints[userID] = ports.ConsentCheckpoint{UserID: userID, Seq: head.Seq, Head: head.Hash,
			MAC: consentchain.Checkpoint(in.CheckpointKey, userID, head.Seq, head.Hash)}
	}
	if in.Notify {
		for _, r := range stored {
			c.lastID++
			c.outbox = append(c.outbox, outboxEntry{due: r.RecordedAt, change: ports.ConsentChange{ID: c.lastID,
				UserID: userID, Seq: r.Seq, Category: r.Category, Granted: r.Granted, Source: r.Source,
				RecordedAt: r.RecordedAt}})
		}
	}
	return stored
}

// ConsentHistory returns the user's rows in Seq order, exactly as stored.
func (s *Store) ConsentHistory(ctx context.Context, userID string) ([]ports.ConsentRecord, error) {
	c := &s.consents
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.mu.Unlock()
	return slices.Clone(c.chains[userID]), nil
}

// ConsentCheckpoint returns the user's keyed checkpoint; ErrNotFound when none.
func (s *Store) ConsentCheckpoint(ctx context.Context, userID string) (ports.ConsentCheckpoint, error) {
	c := &s.consents
	if err := c.lock(ctx); err != nil {
		return ports.ConsentCheckpoint{}, err
	}
	defer c.mu.Unlock()
	cp, ok := c.checkpoints[userID]
	if !ok {
		return ports.ConsentCheckpoint{}, fmt.Errorf("memory: consent checkpoint: %w", ports.ErrNotFound)
	}
	return cp, nil
}

// ClaimConsentChanges leases, oldest first, the oldest undelivered change of
// each user when it is due at now.
func (s *Store) ClaimConsentChanges(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]ports.ConsentChange, error) {
	c := &s.consents
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	defer c.mu.Unlock()
	claimed := []ports.ConsentChange{}
	seen := map[string]bool{}
	for i := range c.outbox {
		e := &c.outbox[i]
		if len(claimed) >= limit {
			break
		}
		if seen[e.change.UserID] {
			continue // a user's later change waits for the earlier one
		}
		seen[e.change.UserID] = true
		if e.due.After(now) {
			continue
		}
		e.due = now.Add(lease)
		e.change.Attempts++
		claimed = append(claimed, e.change)
	}
	return claimed, nil
}

// AckConsentChange removes a delivered change; a missing one is no error.
func (s *Store) AckConsentChange(ctx context.Context, id int64) error {
	c := &s.consents
	return c.do(ctx, func() {
		c.outbox = slices.DeleteFunc(c.outbox, func(e outboxEntry) bool { return e.change.ID == id })
	})
}

// RetryConsentChange makes a change due at at; ErrNotFound when it is gone.
func (s *Store) RetryConsentChange(ctx context.Context, id int64, at time.Time) error {
	c := &s.consents
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.mu.Unlock()
	for i := range c.outbox {
		if c.outbox[i].change.ID == id {
			c.outbox[i].due = at
			return nil
		}
	}
	return fmt.Errorf("memory: retry consent change %d: %w", id, ports.ErrNotFound)
}

// pseudonymisable reports whether r is a consent row whose IP address and
// user agent may be emptied: chain version 2 or later (its hash covers keyed
// digests, not the raw values) and still holding either.
func pseudonymisable(r ports.ConsentRecord) bool {
	return r.ChainVersion >= ports.ChainV2 && (r.IPAddress != "" || r.UserAgent != "")
}

// pseudonymise empties the IP address and user agent of the user's
// pseudonymisable rows.
func (c *consentTable) pseudonymise(userID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.chains[userID] {
		if r := &c.chains[userID][i]; pseudonymisable(*r) {
			r.IPAddress, r.UserAgent = "", ""
		}
	}
}

// PseudonymiseConsents empties the IP address and user agent of at most limit
// chain version 2 rows recorded before before, oldest first.
func (s *Store) PseudonymiseConsents(ctx context.Context, before time.Time, limit int) (int, error) {
	c := &s.consents
	if err := c.lock(ctx); err != nil {
		return 0, err
	}
	defer c.mu.Unlock()
	return pseudonymiseOldest(c.chains, limit,
		func(r *ports.ConsentRecord) bool { return r.RecordedAt.Before(before) && pseudonymisable(*r) },
		func(r *ports.ConsentRecord) time.Time { return r.RecordedAt },
		func(r *ports.ConsentRecord) { r.IPAddress, r.UserAgent = "", "" }), nil
}
