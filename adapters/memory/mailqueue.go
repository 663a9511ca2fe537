package memory

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// mailTable is the outbox of emails waiting to be sent (ports.MailQueue).
type mailTable struct {
	tableLock
	byID map[string]ports.QueuedMail
}

// EnqueueMail stores m, leased to m.Lease until m.LeasedUntil. ErrConflict
// when m.ID exists.
func (s *Store) EnqueueMail(ctx context.Context, m ports.QueuedMail) error {
	q := &s.mail
	if err := q.lock(ctx); err != nil {
		return err
	}
	defer q.mu.Unlock()
	if _, taken := q.byID[m.ID]; taken {
		return fmt.Errorf("memory: enqueue mail: %w", ports.ErrConflict)
	}
	q.byID[m.ID] = copyMail(m)
	return nil
}

// ClaimMail leases up to limit due, unleased messages to lease, oldest DueAt
// first, counting an attempt on each.
func (s *Store) ClaimMail(ctx context.Context, lease string, now time.Time, leaseFor time.Duration, limit int) ([]ports.QueuedMail, error) {
	now = stamp(now)
	q := &s.mail
	if err := q.lock(ctx); err != nil {
		return nil, err
	}
	defer q.mu.Unlock()
	var due []ports.QueuedMail
	for _, m := range q.byID {
		if !m.DueAt.After(now) && !m.LeasedUntil.After(now) {
			due = append(due, m)
		}
	}
	slices.SortFunc(due, dueFirst)
	due = due[:min(len(due), max(limit, 0))]
	for i := range due {
		due[i].Lease, due[i].LeasedUntil = lease, stamp(now.Add(leaseFor))
		due[i].Attempts++
		q.byID[due[i].ID] = due[i]
		due[i] = copyMail(due[i])
	}
	return due, nil
}

// RetryMail ends lease's hold on message id and makes it due at dueAt.
// ErrNotFound when the message is gone or lease no longer holds it.
func (s *Store) RetryMail(ctx context.Context, id, lease string, dueAt time.Time) error {
	q := &s.mail
	if err := q.lock(ctx); err != nil {
		return err
	}
	defer q.mu.Unlock()
	m, ok := q.byID[id]
	if !ok || m.Lease != lease {
		return fmt.Errorf("memory: retry mail: %w", ports.ErrNotFound)
	}
	m.DueAt, m.Lease, m.LeasedUntil = stamp(dueAt), "", time.Time{}
	q.byID[id] = m
	return nil
}

// RemoveMail deletes message id, if it is still there.
func (s *Store) RemoveMail(ctx context.Context, id string) error {
	q := &s.mail
	return q.do(ctx, func() { delete(q.byID, id) })
}

// QueuedMail returns a copy of every message waiting in the outbox, oldest
// DueAt first: for tests of retries and of what the queue holds at rest.
func (s *Store) QueuedMail() []ports.QueuedMail {
	q := &s.mail
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]ports.QueuedMail, 0, len(q.byID))
	for _, m := range q.byID {
		out = append(out, copyMail(m))
	}
	slices.SortFunc(out, dueFirst)
	return out
}

// dueFirst orders messages by DueAt, then ID.
func dueFirst(a, b ports.QueuedMail) int {
	return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.ID, b.ID))
}

// copyMail copies m with its times normalised, so that no caller shares the
// stored payload.
func copyMail(m ports.QueuedMail) ports.QueuedMail {
	m.Payload = bytes.Clone(m.Payload)
	m.NotAfter, m.DueAt, m.LeasedUntil = stamp(m.NotAfter), stamp(m.DueAt), stamp(m.LeasedUntil)
	return m
}
