package memory

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Outbox is a capturing ports.Mailer for tests: it records every message it is
// asked to send, so a test can read the code or link a flow emailed. It is
// safe for concurrent use.
type Outbox struct {
	mu       sync.Mutex
	messages []ports.Message
	fail     error
}

// NewOutbox returns an empty Outbox.
func NewOutbox() *Outbox { return &Outbox{} }

// Send records m, or returns the error set by FailWith without recording.
func (o *Outbox) Send(ctx context.Context, m ports.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail != nil {
		return o.fail
	}
	o.messages = append(o.messages, m)
	return nil
}

// Messages returns a copy of every recorded message, oldest first.
func (o *Outbox) Messages() []ports.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.messages)
}

// Last returns the newest message to the address to, compared
// case-insensitively like emails everywhere in BharatAuth.
func (o *Outbox) Last(to string) (ports.Message, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.messages) - 1; i >= 0; i-- {
		if strings.EqualFold(o.messages[i].To, to) {
			return o.messages[i], true
		}
	}
	return ports.Message{}, false
}

// Len returns how many messages were recorded.
func (o *Outbox) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.messages)
}

// Reset forgets every recorded message. A failure set by FailWith stays.
func (o *Outbox) Reset() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.messages = nil
}

// FailWith makes every later Send return err (a test of mail outages should
// wrap ports.ErrUnavailable); nil makes Send record again.
func (o *Outbox) FailWith(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fail = err
}
