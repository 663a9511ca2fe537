package core

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// mailTimeout bounds one email send, so a hung mail server cannot hold a
// worker for long.
const mailTimeout = 15 * time.Second

// Work after the answer: at most afterAnswerWorkers jobs run at once, at most
// afterAnswerBacklog wait or run; past that a job is dropped (and logged)
// rather than run inside the request. afterAnswerTimeout bounds one job, so a
// port without timeouts of its own cannot hold a worker for ever.
const (
	afterAnswerWorkers = 4
	afterAnswerBacklog = 1000
	afterAnswerTimeout = time.Minute
	drainPoll          = 10 * time.Millisecond
)

// event records a security event. Failing to record one never fails the flow:
// the event log is an audit trail, not a gate. (A sign-in's own events, where
// one backend writes them in its session's statement, stand or fall with the
// session: see openSession.)
func (a *Auth) event(ctx context.Context, userID, kind string, c Client, detail string) {
	a.recordEvents(ctx, a.securityEvent(userID, kind, c, detail))
}

// recordEvents records events one by one, as event does.
func (a *Auth) recordEvents(ctx context.Context, events ...ports.SecurityEvent) {
	if a.deps.Events == nil {
		return
	}
	for _, e := range events {
		if e.UserID == "" {
			continue
		}
		if err := a.deps.Events.RecordEvent(ctx, e); err != nil {
			a.log.WarnContext(ctx, "bharatauth: recording a security event failed", "kind", e.Kind, "error", err)
		}
	}
}

// securityEvent is the event of kind about userID, from c, now.
func (a *Auth) securityEvent(userID, kind string, c Client, detail string) ports.SecurityEvent {
	return ports.SecurityEvent{UserID: userID, Kind: kind, IPAddress: storedIP(c.IP), UserAgent: c.userAgent(),
		Detail: detail, At: a.now()}
}

// afterAnswer runs job once the caller has its answer, so that what a flow does
// only for some users (issue a token, render and send an email, record an
// event) neither delays the answer nor shows in its timing. job gets ctx's
// values but not its cancellation: a client that hangs up must not cancel an
// email promised to it. Jobs run on a bounded pool; when its backlog is full
// the job is dropped and logged under what, never run inside the request,
// and never recorded in a store (that write would be the timing difference
// this avoids). Drain waits for jobs still queued or running. With
// Config.MailInline the job runs here, before the answer, for tests.
func (a *Auth) afterAnswer(ctx context.Context, what string, job func(ctx context.Context)) {
	if held, ok := ctx.Value(heldJobsKey{}).(*heldJobs); ok { // asked inside a transaction: after it
		*held = append(*held, heldJob{what: what, job: job})
		return
	}
	ctx = context.WithoutCancel(ctx)
	if a.cfg.MailInline {
		a.runJob(ctx, job)
		return
	}
	if a.jobsPending.Add(1) > afterAnswerBacklog {
		// The mail server or a store has been failing or crawling for a
		// while; the user can ask again.
		a.jobsPending.Add(-1)
		a.log.WarnContext(ctx, "bharatauth: too much work waiting after answers; dropped", "job", what)
		return
	}
	go func() {
		defer a.jobsPending.Add(-1)
		a.jobSlots <- struct{}{}
		defer func() { <-a.jobSlots }()
		a.runJob(ctx, job)
	}()
}

func (a *Auth) runJob(ctx context.Context, job func(ctx context.Context)) {
	ctx, cancel := context.WithTimeout(ctx, afterAnswerTimeout)
	defer cancel()
	job(ctx)
}

// Drain waits until every job run after an answer (emails, and the tokens and
// events that go with them) has finished, bounded by ctx; retries that are
// not yet due are not waited for. At shutdown call Close, which drains and
// then stops the mail worker, after the HTTP server stopped taking requests,
// so no code or link promised to a user is lost with the process.
func (a *Auth) Drain(ctx context.Context) error {
	tick := time.NewTicker(drainPoll)
	defer tick.Stop()
	for a.jobsPending.Load() > 0 {
		select {
		case <-ctx.Done():
			return fmt.Errorf("bharatauth: %d emails or other jobs after answers still unfinished: %w", a.jobsPending.Load(), ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}

// send renders and sends one email to u after the answer (afterAnswer). A
// failed send never changes the answer of the flow (an enumeration-safe answer
// must not depend on it): it is retried through the MailQueue (delivery.go),
// and an email given up is logged without the message and recorded as an
// event.
func (a *Auth) send(ctx context.Context, u ports.User, kind emails.Kind, d emails.Data, c Client) {
	a.sendWithToken(ctx, u, kind, d, c, nil)
}

// sendWithToken is send for an email carrying the one-time token tok names.
// The email's expiry counts from now, not from when the job runs: a code
// issued now dies OTPTTL from now, however long the job waited.
func (a *Auth) sendWithToken(ctx context.Context, u ports.User, kind emails.Kind, d emails.Data, c Client, tok *mailToken) {
	notAfter, c := a.now().Add(mailExpiry(d.ExpiresIn)), c.stored()
	a.afterAnswer(ctx, string(kind)+" email", func(ctx context.Context) { a.sendBy(ctx, u, kind, d, c, notAfter, tok) })
}

// sendNow renders and sends one email to u; jobs that run after the answer
// call it directly. Any email but a code's or a link's expires after
// noticeMailTTL.
func (a *Auth) sendNow(ctx context.Context, u ports.User, kind emails.Kind, d emails.Data, c Client) {
	a.sendNowWithToken(ctx, u, kind, d, c, nil)
}

// sendNowWithToken is sendNow for an email carrying the one-time token tok
// names, called right after issuing it: the email expires with the token
// (d.ExpiresIn), and a retry is sent only while the token still works.
func (a *Auth) sendNowWithToken(ctx context.Context, u ports.User, kind emails.Kind, d emails.Data, c Client, tok *mailToken) {
	a.sendBy(ctx, u, kind, d, c, a.now().Add(mailExpiry(d.ExpiresIn)), tok)
}

// sendBy renders and sends one email to u that is not worth sending at or
// after notAfter, nor once the token tok names (if any) stopped working.
// Every email passes here, or (a breach notice) through compose.
func (a *Auth) sendBy(ctx context.Context, u ports.User, kind emails.Kind, d emails.Data, c Client, notAfter time.Time, tok *mailToken) {
	if u.Email == "" { // a phone-only account: nothing to email
		return
	}
	m, err := a.compose(u, kind, d, c)
	m.Token = tok
	if err != nil {
		a.undeliverable(ctx, m, 0, err)
		return
	}
	a.deliver(ctx, m, notAfter)
}

// compose renders kind for u, with what core records if it cannot be sent.
func (a *Auth) compose(u ports.User, kind emails.Kind, d emails.Data, c Client) (outgoingMail, error) {
	// Whoever registers an address may not own it: until the owner proves it,
	// a name the registrant chose ("Pay at evil.example") must not reach the
	// owner's inbox in the greeting or the To: header.
	name := u.DisplayName
	if !u.EmailVerified {
		name = ""
	}
	d.AppName = a.cfg.AppName
	d.Contact = emails.Contact(a.cfg.PrivacyContact)
	d.DisplayName = name
	d.Email = u.Email
	msg, err := a.mail.Render(kind, u.Language, d)
	// The queue keeps only what an event stores of the client: a user agent
	// of a megabyte would otherwise be sealed, several times over after
	// JSON escaping, into every queued row.
	m := outgoingMail{UserID: u.ID, Kind: string(kind), Client: c.stored()}
	if err != nil {
		return m, err
	}
	m.Message = ports.Message{To: u.Email, ToName: name, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML}
	return m, nil
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
