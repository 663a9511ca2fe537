package core

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"sync"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Retries of email. A send that fails with an error worth retrying (one
// wrapping ports.ErrUnavailable, such as an SMTP 4xx reply, a refused
// connection or a throttled API call, or a send that outlived mailTimeout) is
// tried again after mailRetryFirst, then after waits that double up to
// mailRetryMaxWait, each drawn at random between half and all of its length
// so that instances do not retry in step; at most mailMaxAttempts attempts in
// all, and never one at or after the message's own expiry. Any other error
// is permanent: the message is given up at once.
const (
	mailRetryFirst   = 30 * time.Second
	mailRetryMaxWait = 30 * time.Minute
	mailMaxAttempts  = 20
)

// noticeMailTTL is the expiry of an email that carries no code or link (a
// new-device alert, a credential change, a DPDP receipt): a code's email
// expires with its code, a link's with its link.
const noticeMailTTL = 24 * time.Hour

// The outbox worker: every mailPollEvery it claims the messages that are due,
// mailClaimBatch at a time, each leased for mailLease. A lease outlasts one
// send (mailTimeout) with room to spare, so no message is taken over while
// its sender still works on it.
const (
	mailPollEvery  = 5 * time.Second
	mailClaimBatch = 10
	mailLease      = 2 * time.Minute
)

// mailerDownFor is how long, after a send failed in a way worth retrying,
// new emails skip their first attempt and wait in the queue for the worker:
// a failing or hanging mail server would otherwise hold a worker of the pool
// after answers for each of them (up to mailTimeout), the pool's backlog would
// fill, and the login codes behind it would be dropped before reaching the
// queue. Any delivered email ends the wait at once.
const mailerDownFor = mailRetryFirst

// mailKeyLabel derives the key that seals queued emails from SecretKey.
const mailKeyLabel = "bharatauth/mail-outbox/v1"

// Why a queued message is given up unsent.
var (
	errMailExpired   = errors.New("the message expired before it could be delivered")
	errMailTokenDead = errors.New("the code or link the message carries no longer works (used, replaced by a newer one, or spent)")
)

// outgoingMail is one rendered email with what core records if it cannot be
// delivered. It is what a queue keeps, sealed.
type outgoingMail struct {
	UserID  string        `json:"u"`
	Kind    string        `json:"k"`
	Client  Client        `json:"c"`
	Message ports.Message `json:"m"`
	Token   *mailToken    `json:"t,omitempty"` // the code or link it carries, if any
}

// mailToken names the one-time token an email carries (by its hash, as
// stored; never the code or link itself), so that a retry is not sent once
// the token stopped working: a login code replaced by a newer one and typed
// in late would count as a failed sign-in, and a used link is of no use.
type mailToken struct {
	Subject string `json:"s"`
	Purpose string `json:"p"`
	Hash    string `json:"h"`
}

// codeToken names a code issued for subject and purpose.
func (a *Auth) codeToken(subject, purpose, code string) *mailToken {
	return &mailToken{Subject: subject, Purpose: purpose, Hash: a.codeHash(purpose, subject, code)}
}

// linkToken names a link token issued for subject and purpose.
func linkToken(subject, purpose, token string) *mailToken {
	return &mailToken{Subject: subject, Purpose: purpose, Hash: tokenHash(token)}
}

// tokenWorks reports whether the token t names still works: the newest of
// its subject's tokens of its purpose with its hash is unused, unexpired and
// not spent (codes repeat; a newer code that happens to be equal works). A
// store error answers true: better an email that may be stale than none.
func (a *Auth) tokenWorks(ctx context.Context, t *mailToken) bool {
	if t == nil {
		return true
	}
	tokens, err := a.deps.Tokens.Tokens(ctx, t.Subject)
	if err != nil {
		a.log.WarnContext(ctx, "bharatauth: checking a queued email's code or link failed; sending it", "purpose", t.Purpose, "error", err)
		return true
	}
	for _, tok := range tokens { // newest first
		if tok.Purpose == t.Purpose && tok.Hash == t.Hash {
			spent := tok.MaxAttempts > 0 && tok.Attempts >= tok.MaxAttempts
			return tok.UsedAt.IsZero() && a.now().Before(tok.ExpiresAt) && !spent
		}
	}
	return false
}

// mailExpiry is how long an email of d stays worth sending.
func mailExpiry(expiresIn time.Duration) time.Duration {
	if expiresIn > 0 {
		return expiresIn
	}
	return noticeMailTTL
}

// deliver sends m, through the queue when there is one: queued first (leased
// to this sender), then sent at once; a retryable failure leaves it queued
// for the worker. While the mail server is failing (mailerDownFor), m is only
// queued, unleased, for the worker (unless mail is inline). Without a queue, or when the queue cannot
// take it, m is sent once.
func (a *Auth) deliver(ctx context.Context, m outgoingMail, notAfter time.Time) {
	q := a.deps.MailQueue
	if q == nil {
		a.sendOnce(ctx, m)
		return
	}
	now := a.now()
	qm := ports.QueuedMail{ID: newID("mail_"), NotAfter: notAfter, DueAt: now}
	// Inline mail (tests) has no pool to keep free and no worker to wait for.
	sendAtOnce := a.cfg.MailInline || !a.mailerDown(now)
	if sendAtOnce { // leased to this sender, which tries it first
		qm.Attempts, qm.Lease, qm.LeasedUntil = 1, newID("lease_"), now.Add(mailLease)
	}
	var err error
	if qm.Payload, err = a.sealMail(qm.ID, m); err == nil {
		err = q.EnqueueMail(ctx, qm)
	}
	if err != nil {
		// Better once without the outbox than not at all.
		a.log.WarnContext(ctx, "bharatauth: queueing an email failed; sending it once", "kind", m.Kind, "user_id", m.UserID, "error", err)
		a.sendOnce(ctx, m)
		return
	}
	if sendAtOnce {
		a.attempt(ctx, qm, m)
	}
}

// mailerDown reports whether a send failed worth a retry within
// mailerDownFor before now, with no delivery since.
func (a *Auth) mailerDown(now time.Time) bool {
	return now.UnixNano() < a.mailerDownUntil.Load()
}

// noteMailer records what a send says of the mail server: a retryable
// failure starts (or extends) the wait of mailerDownFor; a delivery ends it.
func (a *Auth) noteMailer(err error) {
	switch {
	case err == nil:
		a.mailerDownUntil.Store(0)
	case retryableMail(err):
		a.mailerDownUntil.Store(a.now().Add(mailerDownFor).UnixNano())
	}
}

// sendOnce sends m with no retry.
func (a *Auth) sendOnce(ctx context.Context, m outgoingMail) {
	if err := a.sendMail(ctx, m.Message); err != nil {
		a.undeliverable(ctx, m, 1, err)
		return
	}
	a.signalMail(ctx, m, "sent")
}

// signalMail tells the observer how an attempt to deliver m ended: "sent",
// "retry" (it will be tried again) or "failed" (given up).
func (a *Auth) signalMail(ctx context.Context, m outgoingMail, result string) {
	a.signal(ctx, ports.Signal{Kind: ports.SignalMail, Detail: m.Kind, Result: result})
}

// sendMail hands msg to the Mailer, bounded by mailTimeout.
func (a *Auth) sendMail(ctx context.Context, msg ports.Message) error {
	ctx, cancel := context.WithTimeout(ctx, mailTimeout)
	defer cancel()
	return a.deps.Mailer.Send(ctx, msg)
}

// attempt sends qm (holding its lease) and settles it: removed once
// delivered, due again after a backoff when the failure is worth retrying and
// time and attempts are left, otherwise given up.
func (a *Auth) attempt(ctx context.Context, qm ports.QueuedMail, m outgoingMail) {
	q := a.deps.MailQueue
	if !a.now().Before(qm.NotAfter) {
		a.giveUp(ctx, qm, m, errMailExpired)
		return
	}
	err := a.sendMail(ctx, m.Message)
	a.noteMailer(err)
	if err == nil {
		a.signalMail(ctx, m, "sent")
		if err := q.RemoveMail(ctx, qm.ID); err != nil {
			a.log.WarnContext(ctx, "bharatauth: a delivered email stays queued and may be sent again", "kind", m.Kind, "user_id", m.UserID, "error", err)
		}
		return
	}
	next, ok := a.nextAttempt(qm, err)
	if !ok {
		a.giveUp(ctx, qm, m, err)
		return
	}
	a.signalMail(ctx, m, "retry")
	a.log.InfoContext(ctx, "bharatauth: sending an email failed; it will be retried", "kind", m.Kind, "user_id", m.UserID,
		"attempt", qm.Attempts, "retry_at", next, "error", err)
	if err := q.RetryMail(ctx, qm.ID, qm.Lease, next); err != nil {
		// The lease lapsed or the queue is down: the message comes back to
		// a worker when its lease ends.
		a.log.WarnContext(ctx, "bharatauth: scheduling an email's retry failed; it is retried when its lease ends", "kind", m.Kind, "error", err)
	}
}

// nextAttempt is when qm, whose attempt failed with err, is tried again, and
// false when it is not: a permanent error, the attempts used up, or a retry
// that would start at or after the message's expiry.
func (a *Auth) nextAttempt(qm ports.QueuedMail, err error) (time.Time, bool) {
	if !retryableMail(err) || qm.Attempts >= mailMaxAttempts {
		return time.Time{}, false
	}
	next := a.now().Add(jittered(retryWait(qm.Attempts)))
	return next, next.Before(qm.NotAfter)
}

// retryableMail reports whether a failed send may succeed later: the Mailer
// said so (ports.ErrUnavailable), or the server did not answer in time.
func retryableMail(err error) bool {
	return errors.Is(err, ports.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded)
}

// retryWait is the full wait after the attempts-th failed attempt:
// mailRetryFirst, doubling, at most mailRetryMaxWait.
func retryWait(attempts int) time.Duration {
	wait := mailRetryFirst
	for i := 1; i < attempts && wait < mailRetryMaxWait; i++ {
		wait *= 2
	}
	return min(wait, mailRetryMaxWait)
}

// jittered draws a wait between half and all of wait, at random: retries of
// many messages failed by one outage spread out instead of arriving together.
func jittered(wait time.Duration) time.Duration {
	half := wait / 2
	return half + mathrand.N(wait-half+1)
}

// giveUp removes qm from the queue and records it as undeliverable.
func (a *Auth) giveUp(ctx context.Context, qm ports.QueuedMail, m outgoingMail, err error) {
	if rmErr := a.deps.MailQueue.RemoveMail(ctx, qm.ID); rmErr != nil {
		a.log.WarnContext(ctx, "bharatauth: removing an undeliverable email failed", "kind", m.Kind, "error", rmErr)
	}
	a.undeliverable(ctx, m, qm.Attempts, err)
}

// undeliverable logs and records an email that will never arrive. The event
// names the kind of email and why, never its text, code or link.
func (a *Auth) undeliverable(ctx context.Context, m outgoingMail, attempts int, err error) {
	detail := fmt.Sprintf("%s: refused after %d attempt(s)", m.Kind, attempts)
	switch {
	case attempts == 0:
		detail = m.Kind + ": not rendered"
	case errors.Is(err, errMailExpired):
		detail = fmt.Sprintf("%s: expired after %d attempt(s)", m.Kind, attempts)
	case errors.Is(err, errMailTokenDead):
		detail = fmt.Sprintf("%s: its code or link stopped working after %d attempt(s)", m.Kind, attempts)
	case retryableMail(err):
		detail = fmt.Sprintf("%s: failed %d attempt(s)", m.Kind, attempts)
	}
	a.signalMail(ctx, m, "failed")
	a.log.WarnContext(ctx, "bharatauth: an email could not be delivered; given up", "kind", m.Kind, "user_id", m.UserID,
		"attempts", attempts, "error", err)
	a.event(ctx, m.UserID, ports.EventMailFailed, m.Client, detail)
}

// DeliverDueMail sends every queued email that is due now: the first attempt
// of an email that was never made (its sender stopped), and retries. The
// mail worker calls it every few seconds; call it yourself only with
// Config.MailInline, where no worker runs (in tests, after advancing the
// clock). Without a MailQueue it does nothing. It returns the queue's error,
// if claiming failed.
func (a *Auth) DeliverDueMail(ctx context.Context) error {
	q := a.deps.MailQueue
	if q == nil {
		return nil
	}
	for {
		batch, err := q.ClaimMail(ctx, newID("lease_"), a.now(), mailLease, mailClaimBatch)
		if err != nil {
			return fmt.Errorf("bharatauth: claiming queued emails: %w", err)
		}
		// Side by side: every message of the batch is sent within its lease.
		var wg sync.WaitGroup
		for _, qm := range batch {
			wg.Go(func() { a.attemptQueued(ctx, qm) })
		}
		wg.Wait()
		if len(batch) < mailClaimBatch {
			return nil
		}
	}
}

// attemptQueued opens a claimed message and attempts it.
func (a *Auth) attemptQueued(ctx context.Context, qm ports.QueuedMail) {
	m, err := a.openMail(qm.ID, qm.Payload)
	if err != nil {
		// Sealed under another SecretKey, or damaged: nobody can send it.
		a.log.WarnContext(ctx, "bharatauth: a queued email cannot be opened (was SecretKey changed?); removed", "error", err)
		if err := a.deps.MailQueue.RemoveMail(ctx, qm.ID); err != nil {
			a.log.WarnContext(ctx, "bharatauth: removing an unreadable email failed", "error", err)
		}
		return
	}
	// Issued with the email, the token worked at the first attempt; by a
	// retry it may have been used or replaced.
	if !a.tokenWorks(ctx, m.Token) {
		a.giveUp(ctx, qm, m, errMailTokenDead)
		return
	}
	a.attempt(ctx, qm, m)
}

// sealMail encrypts m for the queue with AES-256-GCM under the outbox key,
// bound to the message's ID (a sealed payload moved to another row does not
// open): the queue at rest holds no recipient, code or link.
func (a *Auth) sealMail(id string, m outgoingMail) ([]byte, error) {
	plain, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("bharatauth: seal email: %w", err)
	}
	nonce := make([]byte, a.mailSeal.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails on supported platforms
	return a.mailSeal.Seal(nonce, nonce, plain, []byte(id)), nil
}

// openMail decrypts a payload sealMail made for id.
func (a *Auth) openMail(id string, sealed []byte) (outgoingMail, error) {
	var m outgoingMail
	n := a.mailSeal.NonceSize()
	if len(sealed) < n {
		return m, errors.New("bharatauth: open email: payload too short")
	}
	plain, err := a.mailSeal.Open(nil, sealed[:n], sealed[n:], []byte(id))
	if err != nil {
		return m, fmt.Errorf("bharatauth: open email: %w", err)
	}
	if err := json.Unmarshal(plain, &m); err != nil {
		return m, fmt.Errorf("bharatauth: open email: %w", err)
	}
	return m, nil
}

// newMailSeal is the AEAD of queued emails, keyed from SecretKey.
func newMailSeal(secretKey []byte) cipher.AEAD {
	block, err := aes.NewCipher(deriveKey(secretKey, mailKeyLabel)) // 32 bytes: AES-256
	if err != nil {
		panic("bharatauth: AES key: " + err.Error()) // a 32-byte key never fails
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("bharatauth: GCM: " + err.Error())
	}
	return aead
}

// mailWorker runs DeliverDueMail every mailPollEvery until stopped.
type mailWorker struct {
	stop   chan struct{}
	done   chan struct{}
	cancel context.CancelFunc // ends a pass in progress when Close gives up waiting
	once   sync.Once
}

// startMailWorker starts the worker of a's queue, passing every every. New
// calls it (every mailPollEvery) when there is a queue and mail is not
// inline.
func (a *Auth) startMailWorker(every time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	w := &mailWorker{stop: make(chan struct{}), done: make(chan struct{}), cancel: cancel}
	a.worker = w
	go func() {
		defer close(w.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-tick.C:
				if err := a.DeliverDueMail(ctx); err != nil {
					a.mailPollFailed.warn(ctx, "bharatauth: the mail worker cannot read the outbox; retrying", "error", err)
				}
			}
		}
	}()
}

// stopMailWorker stops the worker after its pass in progress, bounded by ctx;
// when ctx ends first, the pass is cancelled, and the messages it held come
// back to a worker when their leases end.
func (a *Auth) stopMailWorker(ctx context.Context) error {
	w := a.worker
	if w == nil {
		return nil
	}
	w.once.Do(func() { close(w.stop) })
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		w.cancel()
		return fmt.Errorf("bharatauth: the mail worker was still sending: %w", ctx.Err())
	}
}

// Close stops the work Auth does in the background, at shutdown: it waits
// for the work after answers (Drain), then stops the mail worker after the
// pass it is in, both bounded by ctx. Emails still waiting for a retry stay
// in the MailQueue: a durable one (PostgreSQL) hands them to the next
// instance that runs; the memory one loses them with the process. Call it
// once, after the HTTP server stopped taking requests.
func (a *Auth) Close(ctx context.Context) error {
	drainErr := a.Drain(ctx)
	return errors.Join(drainErr, a.stopMailWorker(ctx))
}
