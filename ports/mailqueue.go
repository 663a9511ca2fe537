package ports

import (
	"context"
	"time"
)

// QueuedMail is one email waiting in a MailQueue. The queue never reads the
// message: Payload is sealed by core (encrypted and authenticated, recipient
// included) before it is queued, so a queue at rest holds no address, code or
// link.
type QueuedMail struct {
	ID      string
	Payload []byte
	// NotAfter is the message's own expiry (a login code's message expires
	// with the code): no attempt starts at or after it.
	NotAfter time.Time
	// DueAt is when the next attempt may start.
	DueAt time.Time
	// Attempts counts the attempts begun, the one of the current lease
	// included: a worker that dies mid-send has used an attempt.
	Attempts int
	// Lease names the holder of the message until LeasedUntil; while it
	// holds, nobody else claims the message.
	Lease       string
	LeasedUntil time.Time
}

// MailQueue is an outbox of emails: a message is queued before it is sent, so
// that a failed or interrupted send is tried again, by any process sharing
// the queue, until it is delivered or its expiry passes. Optional in core:
// without one, each email is sent once. Delivery is at least once: a worker
// whose lease lapses mid-send may see the message sent again by another.
type MailQueue interface {
	// EnqueueMail stores m, already leased to m.Lease until m.LeasedUntil
	// (the caller sends it first, at once), or, with no lease (Lease "" and
	// LeasedUntil zero), free for the next ClaimMail at or after m.DueAt.
	// ErrConflict when m.ID exists; then nothing changes.
	EnqueueMail(ctx context.Context, m QueuedMail) error
	// ClaimMail atomically leases to lease, until now+leaseFor, up to limit
	// messages that are due (DueAt <= now) and not leased (no lease, or one
	// whose LeasedUntil <= now), oldest DueAt first, counting an attempt on
	// each, and returns them as leased. Expired messages are claimed too, so
	// that their holder can record and remove them. Concurrent claimers never
	// get the same message.
	ClaimMail(ctx context.Context, lease string, now time.Time, leaseFor time.Duration, limit int) ([]QueuedMail, error)
	// RetryMail ends lease's hold on message id and makes it due again at
	// dueAt. ErrNotFound when the message is gone or lease no longer holds it
	// (it lapsed and another claimed the message); then nothing changes.
	RetryMail(ctx context.Context, id, lease string, dueAt time.Time) error
	// RemoveMail deletes message id: delivered, or given up on. Removing a
	// message that is gone is no error.
	RemoveMail(ctx context.Context, id string) error
}
