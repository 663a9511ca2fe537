package memory

import (
	"context"
	"strings"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Outbox is a capturing ports.Mailer for tests: it records every message it is
// asked to send, so a test can read the code or link a flow emailed. It is
// safe for concurrent use.
type Outbox struct {
	r recorder[ports.Message]
}

// NewOutbox returns an empty Outbox.
func NewOutbox() *Outbox { return &Outbox{} }

// Send records m, or returns the error set by FailWith without recording.
func (o *Outbox) Send(ctx context.Context, m ports.Message) error { return o.r.record(ctx, m) }

// Messages returns a copy of every recorded message, oldest first.
func (o *Outbox) Messages() []ports.Message { return o.r.all() }

// Last returns the newest message to the address to, compared
// case-insensitively like emails everywhere in BharatAuth.
func (o *Outbox) Last(to string) (ports.Message, bool) {
	return o.r.last(func(m ports.Message) bool { return strings.EqualFold(m.To, to) })
}

// Len returns how many messages were recorded.
func (o *Outbox) Len() int { return o.r.len() }

// Reset forgets every recorded message. A failure set by FailWith stays.
func (o *Outbox) Reset() { o.r.reset() }

// FailWith makes every later Send return err (a test of mail outages should
// wrap ports.ErrUnavailable); nil makes Send record again.
func (o *Outbox) FailWith(err error) { o.r.failWith(err) }
