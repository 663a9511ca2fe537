package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// mailTimeout bounds one email send, so a hung mail server cannot hold a
// request (or a lock) for long.
const mailTimeout = 15 * time.Second

// Background mail: at most mailWorkers sends at once, and at most
// mailBacklog waiting; past that an email is dropped (logged, recorded as a
// mail_failed event) rather than sent inside the request.
const (
	mailWorkers = 4
	mailBacklog = 1000
	drainPoll   = 10 * time.Millisecond
)

var errMailBacklog = errors.New("too many emails waiting for the mail server; dropped")

// event records a security event. Failing to record one never fails the flow:
// the event log is an audit trail, not a gate.
func (a *Auth) event(ctx context.Context, userID, kind string, c Client, detail string) {
	if a.deps.Events == nil || userID == "" {
		return
	}
	err := a.deps.Events.RecordEvent(ctx, ports.SecurityEvent{
		UserID: userID, Kind: kind, IPAddress: storedIP(c.IP), UserAgent: c.userAgent(),
		Detail: detail, At: a.now(),
	})
	if err != nil {
		a.log.WarnContext(ctx, "bharatauth: recording a security event failed", "kind", kind, "error", err)
	}
}

// send renders and sends one email to u. A failed send never changes the answer
// of the flow (an enumeration-safe answer must not depend on it); it is logged
// without the message and recorded as an event.
func (a *Auth) send(ctx context.Context, u ports.User, kind emails.Kind, d emails.Data, c Client) {
	d.AppName = a.cfg.AppName
	d.DisplayName = u.DisplayName
	d.Email = u.Email
	msg, err := a.mail.Render(kind, u.Language, d)
	if err != nil {
		a.mailFailed(ctx, u, kind, c, err)
		return
	}
	m := ports.Message{To: u.Email, ToName: u.DisplayName, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML}
	// The send outlives the request: it must not be cancelled with it.
	ctx = context.WithoutCancel(ctx)
	if a.cfg.MailInline {
		a.deliver(ctx, u, kind, m, c)
		return
	}
	if a.mailPending.Add(1) > mailBacklog {
		// The mail server has been failing or crawling for a while. Sending
		// inside the request would bring back the timing difference and hold
		// the request; the user can ask again.
		a.mailPending.Add(-1)
		a.mailFailed(ctx, u, kind, c, errMailBacklog)
		return
	}
	go func() {
		defer a.mailPending.Add(-1)
		a.mailSlots <- struct{}{}
		defer func() { <-a.mailSlots }()
		a.deliver(ctx, u, kind, m, c)
	}()
}

// Drain waits until every email sent in the background has gone out (or
// failed and been logged), bounded by ctx. Call it at shutdown, after the HTTP
// server stopped taking requests, so no code or link promised to a user is
// lost with the process.
func (a *Auth) Drain(ctx context.Context) error {
	tick := time.NewTicker(drainPoll)
	defer tick.Stop()
	for a.mailPending.Load() > 0 {
		select {
		case <-ctx.Done():
			return fmt.Errorf("bharatauth: %d emails still unsent: %w", a.mailPending.Load(), ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}

func (a *Auth) deliver(ctx context.Context, u ports.User, kind emails.Kind, m ports.Message, c Client) {
	sendCtx, cancel := context.WithTimeout(ctx, mailTimeout)
	defer cancel()
	if err := a.deps.Mailer.Send(sendCtx, m); err != nil {
		a.mailFailed(ctx, u, kind, c, err)
	}
}

func (a *Auth) mailFailed(ctx context.Context, u ports.User, kind emails.Kind, c Client, err error) {
	a.log.WarnContext(ctx, "bharatauth: sending an email failed", "kind", string(kind), "user_id", u.ID, "error", err)
	a.event(ctx, u.ID, ports.EventMailFailed, c, string(kind))
}

// link fills a link template with a token.
func link(template, token string) string {
	return strings.ReplaceAll(template, "{token}", token)
}

// throttledLog logs at most once per interval, so a down Redis does not write a
// line per request.
type throttledLog struct {
	log   *slog.Logger
	clock ports.Clock
	every time.Duration
	mu    sync.Mutex
	last  time.Time
}

func (t *throttledLog) warn(ctx context.Context, msg string, args ...any) {
	t.mu.Lock()
	now := t.clock.Now()
	due := now.Sub(t.last) >= t.every
	if due {
		t.last = now
	}
	t.mu.Unlock()
	if due {
		t.log.WarnContext(ctx, msg, args...)
	}
}
