package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// flakyMailer fails a set number of sends, then hands the rest to the env's
// outbox. It notes the clock's time of every send and every message it was
// asked to send, delivered or not.
type flakyMailer struct {
	mu       sync.Mutex
	failures int // sends still to fail; negative: every send fails
	err      error
	clock    ports.Clock
	next     ports.Mailer
	calls    []time.Time
	asked    []ports.Message
}

// wrap puts m in front of the env's mailer.
func (m *flakyMailer) wrap(_ *Config, d *Deps) { m.clock, m.next, d.Mailer = d.Clock, d.Mailer, m }

// failFor makes the next n sends fail with err (n < 0: every send).
func (m *flakyMailer) failFor(n int, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failures, m.err = n, err
}

func (m *flakyMailer) Send(ctx context.Context, msg ports.Message) error {
	m.mu.Lock()
	m.calls = append(m.calls, m.clock.Now())
	m.asked = append(m.asked, msg)
	fail := m.failures != 0
	if m.failures > 0 {
		m.failures--
	}
	err := m.err
	m.mu.Unlock()
	if fail {
		return err
	}
	return m.next.Send(ctx, msg)
}

func (m *flakyMailer) callTimes() []time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]time.Time(nil), m.calls...)
}

func (m *flakyMailer) lastAsked() ports.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.asked[len(m.asked)-1]
}

// newFlakyEnv is an env whose mail goes through a flakyMailer (delivering
// until told otherwise), with a verified user of email.
func newFlakyEnv(t *testing.T, email string, opts ...envOption) (*env, *flakyMailer, ports.User) {
	t.Helper()
	m := &flakyMailer{}
	e := newEnv(t, append([]envOption{withoutLimiter(), m.wrap}, opts...)...)
	return e, m, e.register(email)
}

// assertGivenUp checks that the queued email was given up: the queue is empty
// and the one delivery failure recorded for the user is why.
func assertGivenUp(t *testing.T, e *env, userID, why string) {
	t.Helper()
	assert.Empty(t, e.store.QueuedMail())
	assert.Equal(t, []string{why}, e.mailFailures(userID))
}

// transient is what an SMTP server's "451 try again later" becomes.
var transient = fmt.Errorf("smtp: send: temporary failure: 451 4.3.0 try again later: %w", ports.ErrUnavailable)

// queued returns the one message waiting in the env's outbox queue.
func (e *env) queued() ports.QueuedMail {
	e.t.Helper()
	q := e.store.QueuedMail()
	require.Len(e.t, q, 1, "one email waits in the queue")
	return q[0]
}

// deliverDueAt sets the clock to at and runs the worker's pass.
func (e *env) deliverDueAt(at time.Time) {
	e.t.Helper()
	e.clock.Set(at)
	e.deliverDue()
}

// A send that fails with a retryable error is tried again after 30 s, then
// 1 min, then 2 min (each wait drawn between half and all of it), and not a
// moment before it is due; the email then arrives exactly once.
func TestRetryableMailFailureIsRetriedWithBackoff(t *testing.T) {
	t.Parallel()
	e, m, u := newFlakyEnv(t, "retry@example.in")
	m.failFor(3, transient)
	require.NoError(t, e.auth.RequestOTP(t.Context(), RequestOTPInput{Identifier: u.Email, Client: e.client}))

	for i, wait := range []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute} {
		qm := e.queued()
		assert.Equal(t, i+1, qm.Attempts)
		due := qm.DueAt.Sub(e.now())
		assert.GreaterOrEqual(t, due, wait/2, "retry %d waits at least half of %s", i+1, wait)
		assert.LessOrEqual(t, due, wait, "retry %d waits at most %s", i+1, wait)
		calls := len(m.callTimes())
		e.deliverDueAt(qm.DueAt.Add(-time.Microsecond))
		assert.Len(t, m.callTimes(), calls, "not before it is due")
		e.deliverDueAt(qm.DueAt)
		assert.Len(t, m.callTimes(), calls+1, "retried when due")
	}
	assert.Empty(t, e.store.QueuedMail(), "delivered and deleted")
	assert.Equal(t, 1, e.mailsTo(u.Email)-1, "the login code arrived once (besides the verification link)")
	assert.Empty(t, e.mailFailures(u.ID))
	require.NoError(t, errOf(e.verifyOTP(u.Email, e.lastCode(u.Email), "")), "the code that arrived late still works within its 10 minutes")
}

func TestRetryWaitDoublesFrom30SecondsUpTo30Minutes(t *testing.T) {
	t.Parallel()
	for attempts, want := range map[int]time.Duration{
		1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 4: 4 * time.Minute, 5: 8 * time.Minute,
		6: 16 * time.Minute, 7: 30 * time.Minute, 8: 30 * time.Minute, 19: 30 * time.Minute,
	} {
		assert.Equal(t, want, retryWait(attempts), "after %d failed attempts", attempts)
	}
	for _, wait := range []time.Duration{mailRetryFirst, mailRetryMaxWait} {
		lo, hi := wait, time.Duration(0)
		for range 1000 {
			j := jittered(wait)
			lo, hi = min(lo, j), max(hi, j)
		}
		assert.GreaterOrEqual(t, lo, wait/2)
		assert.LessOrEqual(t, hi, wait)
		assert.Less(t, lo, wait*6/10, "the jitter spreads over the lower half")
		assert.Greater(t, hi, wait*9/10, "and up to the whole wait")
	}
}

// An email without a code or link (here: a verification link's 24 hours
// outlast the retries) is attempted at most 20 times, then given up and
// recorded.
func TestMailIsGivenUpAfter20Attempts(t *testing.T) {
	t.Parallel()
	m := &flakyMailer{}
	e := newEnv(t, withoutLimiter(), m.wrap)
	m.failFor(-1, transient)
	u := e.registerUnverified("never@example.in")
	for range mailMaxAttempts - 1 {
		e.deliverDueAt(e.queued().DueAt)
	}
	assert.Len(t, m.callTimes(), 20)
	assert.Less(t, m.callTimes()[19].Sub(testStart), 24*time.Hour, "within the link's life")
	assert.Empty(t, e.store.QueuedMail(), "given up and deleted")
	assert.Equal(t, []string{"verify_email: failed 20 attempt(s)"}, e.mailFailures(u.ID))
}

// A login code's email expires with the code: no attempt starts at or after
// its 10 minutes, and the event that records it names no code.
func TestMailIsNeverRetriedPastItsExpiry(t *testing.T) {
	t.Parallel()
	e, m, u := newFlakyEnv(t, "late@example.in")
	m.failFor(-1, transient)
	asked := e.now()
	require.NoError(t, e.auth.RequestOTP(t.Context(), RequestOTPInput{Identifier: u.Email, Client: e.client}))
	code := codeRE.FindString(m.lastAsked().Text)
	require.NotEmpty(t, code)
	for len(e.store.QueuedMail()) > 0 {
		qm := e.queued()
		assert.True(t, qm.DueAt.Before(asked.Add(e.auth.cfg.OTPTTL)), "a retry is scheduled only before the expiry")
		e.deliverDueAt(qm.DueAt)
	}
	calls := m.callTimes()[1:] // the verification link went out at registration
	require.GreaterOrEqual(t, len(calls), 4, "attempts at about 0, 30 s, 1.5 min, 3.5 min fit in 10 minutes")
	for _, at := range calls {
		assert.Less(t, at.Sub(asked), e.auth.cfg.OTPTTL)
	}
	failures := e.mailFailures(u.ID)
	require.Equal(t, []string{fmt.Sprintf("login_otp: failed %d attempt(s)", len(calls))}, failures)
	for _, ev := range e.eventKinds(u.ID) {
		assert.NotContains(t, ev, code)
	}
	assert.NotContains(t, failures[0], code)
}

// A message whose sender died is taken over when its lease ends; if its
// expiry has come by then (here: at that very moment) it is recorded and
// deleted, not sent.
func TestAQueuedMailPastItsExpiryIsGivenUpUnsent(t *testing.T) {
	t.Parallel()
	e, m, u := newFlakyEnv(t, "crashed@example.in")
	now := e.now()
	mail := outgoingMail{UserID: u.ID, Kind: string(emails.LoginOTP), Message: ports.Message{To: u.Email, Subject: "code"}}
	qm := ports.QueuedMail{ID: newID("mail_"), NotAfter: now.Add(mailLease), DueAt: now, Attempts: 1,
		Lease: "crashed-sender", LeasedUntil: now.Add(mailLease)}
	var err error
	qm.Payload, err = e.auth.sealMail(qm.ID, mail)
	require.NoError(t, err)
	require.NoError(t, e.store.EnqueueMail(t.Context(), qm)) // and the sender dies before sending

	e.deliverDueAt(now.Add(2*time.Minute - time.Microsecond))
	assert.Len(t, e.store.QueuedMail(), 1, "the lease of 2 minutes still holds")
	calls := len(m.callTimes())
	e.deliverDueAt(now.Add(2 * time.Minute))
	assert.Len(t, m.callTimes(), calls, "not sent at its expiry")
	assertGivenUp(t, e, u.ID, "login_otp: expired after 2 attempt(s)")
}

func TestPermanentMailFailureIsGivenUpAtOnce(t *testing.T) {
	t.Parallel()
	e, m, u := newFlakyEnv(t, "bounce@example.in")
	m.failFor(-1, errors.New("smtp: send: 550 5.1.1 no such mailbox"))
	require.NoError(t, e.auth.RequestOTP(t.Context(), RequestOTPInput{Identifier: u.Email, Client: e.client}))
	assertGivenUp(t, e, u.ID, "login_otp: refused after 1 attempt(s)")
	e.deliverDueAt(e.now().Add(time.Hour))
	assert.Len(t, m.callTimes(), 2, "the verification link and one attempt of the code: no retry")
}

// A mail server that hangs past the send timeout is worth another try.
func TestAMailServerTimeoutIsRetried(t *testing.T) {
	t.Parallel()
	assert.True(t, retryableMail(fmt.Errorf("smtp: %w", context.DeadlineExceeded)))
	assert.True(t, retryableMail(transient))
	assert.False(t, retryableMail(errors.New("smtp: send: 554 rejected")))
}

// deadlineMailer notes how long each send was given.
type deadlineMailer struct {
	mu    sync.Mutex
	given []time.Duration
}

func (m *deadlineMailer) Send(ctx context.Context, _ ports.Message) error {
	deadline, ok := ctx.Deadline()
	m.mu.Lock()
	defer m.mu.Unlock()
	if ok {
		m.given = append(m.given, time.Until(deadline))
	}
	return nil
}

// Each send gets 15 s, as the README promises a Mailer. The timeout is a
// context deadline, so this reads the wall clock; nothing waits for it.
func TestEachSendGetsFifteenSeconds(t *testing.T) {
	t.Parallel()
	m := &deadlineMailer{}
	e := newEnv(t, withoutLimiter(), func(_ *Config, d *Deps) { d.Mailer = m })
	e.registerUnverified("deadline@example.in") // emails the verification link
	m.mu.Lock()
	defer m.mu.Unlock()
	require.Len(t, m.given, 1, "one send, with a deadline")
	assert.LessOrEqual(t, m.given[0], 15*time.Second)
	assert.Greater(t, m.given[0], 14*time.Second)
}

// The queue at rest holds no recipient, subject, code or link: the payload
// is sealed with AES-GCM under a key derived from SecretKey and bound to the
// message's ID. Another SecretKey cannot open it (it is removed, unsent).
func TestQueuedMailIsSealedAtRest(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	e, m, u := newFlakyEnv(t, "sealed@example.in")
	m.failFor(-1, transient)
	require.NoError(t, e.auth.RequestOTP(t.Context(), RequestOTPInput{Identifier: u.Email, Client: e.client}))
	asked := m.lastAsked()
	code := codeRE.FindString(asked.Text)
	qm := e.queued()
	for _, secret := range []string{u.Email, "sealed", asked.Subject, code, u.ID, "login_otp"} {
		assert.NotContains(t, string(qm.Payload), secret)
	}
	_, err := e.auth.openMail("mail_other", qm.Payload)
	assert.Error(t, err, "a payload moved to another message does not open")
	opened, err := e.auth.openMail(qm.ID, qm.Payload)
	require.NoError(t, err)
	assert.Equal(t, asked, opened.Message)

	other := newEnv(t, withoutLimiter(), logTo(logs), func(c *Config, d *Deps) {
		c.SecretKey = []byte("another-secret-key-of-32-bytes-or-more!")
		d.Storage, d.Mailer = e.store, m
	})
	other.clock.Set(qm.DueAt)
	calls := len(m.callTimes())
	other.deliverDue()
	assert.Len(t, m.callTimes(), calls, "nothing was sent")
	assert.Empty(t, e.store.QueuedMail(), "an email nobody can open is removed")
	assert.Contains(t, logs.String(), "cannot be opened")
}

// Without Config.MailInline a worker started by New sends what is due in
// the background; Close stops it.
func TestMailWorkerRetriesInTheBackgroundUntilClosed(t *testing.T) {
	t.Parallel()
	m := &flakyMailer{}
	e := newEnv(t, withoutLimiter(), m.wrap, func(c *Config, _ *Deps) { c.MailInline = false })
	require.NotNil(t, e.auth.worker, "New started the worker")
	ctx := waitContext(t)
	require.NoError(t, e.auth.stopMailWorker(ctx))
	assert.Equal(t, 5*time.Second, mailPollEvery, "the README's pace; the worker runs on real time, so the test sets its own")
	e.auth.startMailWorker(time.Millisecond) // a quicker pace than every 5 s, for the test

	u := e.register("worker@example.in")
	require.NoError(t, e.auth.Drain(ctx))
	m.failFor(1, transient)
	require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: u.Email, Client: e.client}))
	require.NoError(t, e.auth.Drain(ctx))
	e.clock.Advance(mailRetryFirst)
	for e.mailsTo(u.Email) < 2 {
		select {
		case <-ctx.Done():
			t.Fatal("the worker did not send the retry")
		case <-time.After(time.Millisecond):
		}
	}
	require.NoError(t, e.auth.Close(ctx))
	select {
	case <-e.auth.worker.done:
	default:
		t.Fatal("Close returned with the worker running")
	}
	require.NoError(t, e.auth.Close(ctx), "closing twice is harmless")
	assert.Empty(t, e.store.QueuedMail(), "delivered and deleted")
}

// A retry is scheduled only if it starts before the expiry, and only while
// fewer than 20 attempts were made.
func TestNextAttemptStaysBeforeTheExpiryAndWithin20Attempts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := e.now()
	for _, tc := range []struct {
		name     string
		attempts int
		notAfter time.Time
		want     bool
	}{
		{name: "the shortest wait reaches the expiry", attempts: 1, notAfter: now.Add(mailRetryFirst / 2), want: false},
		{name: "the longest wait ends before the expiry", attempts: 1, notAfter: now.Add(mailRetryFirst + time.Microsecond), want: true},
		{name: "the 19th failure is retried", attempts: 19, notAfter: now.Add(24 * time.Hour), want: true},
		{name: "the 20th is not", attempts: 20, notAfter: now.Add(24 * time.Hour), want: false},
	} {
		for range 50 { // the wait is random: each case holds for every draw
			next, ok := e.auth.nextAttempt(ports.QueuedMail{Attempts: tc.attempts, NotAfter: tc.notAfter}, transient)
			require.Equal(t, tc.want, ok, tc.name)
			if ok {
				assert.True(t, next.Before(tc.notAfter), tc.name)
			}
		}
	}
	_, ok := e.auth.nextAttempt(ports.QueuedMail{Attempts: 1, NotAfter: now.Add(time.Hour)}, errors.New("550 no such user"))
	assert.False(t, ok, "a permanent failure is never retried")
}

// downQueue is a MailQueue that cannot take a message; it claims from the
// queue it wraps.
type downQueue struct{ ports.MailQueue }

func (downQueue) EnqueueMail(context.Context, ports.QueuedMail) error {
	return fmt.Errorf("postgres: enqueue mail: %w", ports.ErrUnavailable)
}

// mailStorage is a Storage without a mail queue: memory.Store's methods
// minus MailQueue's.
type mailStorage struct {
	ports.Storage
	ports.UserRegistry
}

// An email is never lost to the outbox itself: when the queue cannot take
// it, or there is none, it is sent once, with no retry.
func TestWithoutAWorkingQueueAnEmailIsSentOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opt  envOption
	}{
		{name: "the queue is down", opt: func(_ *Config, d *Deps) { d.MailQueue = downQueue{d.Storage.(ports.MailQueue)} }},
		{name: "no queue", opt: func(_ *Config, d *Deps) {
			store := d.Storage
			d.Storage = mailStorage{Storage: store, UserRegistry: store.(ports.UserRegistry)}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, m, u := newFlakyEnv(t, "noqueue@example.in", tc.opt)
			require.NoError(t, e.auth.RequestOTP(t.Context(), RequestOTPInput{Identifier: u.Email, Client: e.client}))
			assert.Equal(t, 2, e.mailsTo(u.Email), "the verification link and the code went out")

			m.failFor(-1, transient)
			require.NoError(t, e.auth.RequestOTP(t.Context(), RequestOTPInput{Identifier: u.Email, Client: e.client}))
			e.deliverDueAt(e.now().Add(time.Hour))
			assert.Len(t, m.callTimes(), 3, "one attempt, no retry")
			assertGivenUp(t, e, u.ID, "login_otp: failed 1 attempt(s)")
		})
	}
}

// A code's email expires with the code, a link's with the link, and any
// other email (an alert, a receipt) after 24 hours.
func TestEachEmailExpiresWithWhatItCarries(t *testing.T) {
	t.Parallel()
	e, m, u := newFlakyEnv(t, "expiry@example.in")
	m.failFor(-1, transient)
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		send func()
		want time.Duration
	}{
		{name: "login code: 10 minutes", want: 10 * time.Minute, send: func() {
			require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: u.Email, Client: e.client}))
		}},
		{name: "password reset link: 30 minutes", want: 30 * time.Minute, send: func() {
			require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
		}},
		{name: "new-device alert: 24 hours", want: 24 * time.Hour, send: func() {
			require.NoError(t, errOf(e.loginFrom(u.Email, testPassword, fpB, false)))
		}},
	} {
		tc.send()
		qm := e.queued()
		assert.Equal(t, tc.want, qm.NotAfter.Sub(e.now()), tc.name)
		require.NoError(t, e.store.RemoveMail(ctx, qm.ID))
	}
}

// A step-up code is issued before the answer and its email sent after it: an
// email that waited behind other work past the code's 10 minutes is given up
// unsent, not sent with a dead code (its expiry counts from the code's issue,
// not from when the job ran).
func TestAnEmailThatWaitedPastItsCodesExpiryIsNotSent(t *testing.T) {
	t.Parallel()
	m := &flakyMailer{}
	e, u := newUserEnv(t, "waited@example.in", m.wrap)
	p := e.principal(e.mustLogin(u.Email))
	e.auth.cfg.MailInline = false // from here on, emails go after the answer
	calls := len(m.callTimes())

	release := holdWorkers(e)
	require.NoError(t, e.auth.RequestStepUp(t.Context(), p, e.client))
	e.clock.Advance(e.auth.cfg.OTPTTL)
	release()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	require.NoError(t, e.auth.Drain(ctx))

	assert.Len(t, m.callTimes(), calls, "the dead code was not sent")
	assertGivenUp(t, e, u.ID, "step_up_otp: expired after 1 attempt(s)")
}

// The queue keeps what the event log keeps of the client (a user agent cut
// to 512 bytes), so a stranger's megabyte-long User-Agent header does not
// become a queued row of megabytes (six times that after JSON escapes '<').
func TestAQueuedEmailHoldsABoundedUserAgent(t *testing.T) {
	t.Parallel()
	e, m, u := newFlakyEnv(t, "huge-agent@example.in")
	m.failFor(-1, transient)
	c := Client{IP: testIP, UserAgent: strings.Repeat("<", 1<<20)}
	require.NoError(t, e.auth.RequestOTP(t.Context(), RequestOTPInput{Identifier: u.Email, Client: c}))
	qm := e.queued()
	assert.Less(t, len(qm.Payload), 16<<10, "a queued login code stays small")
	opened, err := e.auth.openMail(qm.ID, qm.Payload)
	require.NoError(t, err)
	assert.Len(t, opened.Client.UserAgent, maxUserAgentLen)
}

// While the mail server fails (for 30 s after a failure worth retrying, or
// until an email gets through), a new email is queued for the worker
// without a first attempt of its own: a failing or hanging server must not
// hold a worker of the pool after answers per email, filling its backlog
// until login codes are dropped before they reach the queue. Inline mail
// (tests) is always tried at once.
func TestWhileTheMailServerFailsNewEmailsWaitForTheWorker(t *testing.T) {
	t.Parallel()
	e, m, u := newFlakyEnv(t, "outage@example.in")
	v, w := e.register("outage-2@example.in"), e.register("outage-3@example.in")
	e.auth.cfg.MailInline = false // emails go after the answer, as in production; no worker runs
	ctx := t.Context()
	requestCode := func(who ports.User) { // each to its own inbox: no code replaces another
		t.Helper()
		require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: who.Email, Client: e.client}))
		drained, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		require.NoError(t, e.auth.Drain(drained), "the email job finished")
	}
	m.failFor(-1, transient)
	start := e.now()
	calls := len(m.callTimes())
	requestCode(u)
	assert.Len(t, m.callTimes(), calls+1, "the first email is tried at once")
	first := e.queued()

	e.clock.Set(start.Add(30*time.Second - time.Microsecond))
	requestCode(v)
	assert.Len(t, m.callTimes(), calls+1, "within 30 s of the failure the next one only waits")
	queued := e.store.QueuedMail()
	require.Len(t, queued, 2, "both are queued")
	waiting := queued[0]
	if waiting.ID == first.ID {
		waiting = queued[1]
	}
	assert.Zero(t, waiting.Attempts)
	assert.Empty(t, waiting.Lease, "free for the worker")

	e.clock.Set(start.Add(30 * time.Second))
	requestCode(w)
	assert.Len(t, m.callTimes(), calls+2, "30 s after the failure an email is tried at once again")

	m.failFor(0, nil)
	e.deliverDueAt(e.now()) // the waiting email goes out: the server is back
	assert.Equal(t, []string{}, mailIDsOf(e.store.QueuedMail(), waiting.ID), "the waiting email was delivered")
	calls = len(m.callTimes())
	requestCode(u)
	assert.Len(t, m.callTimes(), calls+1, "a delivery ends the wait")

	e.auth.cfg.MailInline = true
	m.failFor(-1, transient)
	calls = len(m.callTimes())
	requestCode(v)
	requestCode(w)
	assert.Len(t, m.callTimes(), calls+2, "inline mail is tried at once, failing server or not")
}

// mailIDsOf lists which of ids are among ms.
func mailIDsOf(ms []ports.QueuedMail, ids ...string) []string {
	out := []string{}
	for _, qm := range ms {
		if slices.Contains(ids, qm.ID) {
			out = append(out, qm.ID)
		}
	}
	return out
}

// A retry is sent only while the code or link it carries still works: a
// login code replaced by a newer one is given up unsent (typed in late, it
// would count as a failed sign-in), while the newer one is delivered.
func TestARetryIsNotSentOnceItsCodeWasReplaced(t *testing.T) {
	t.Parallel()
	e, m, u := newFlakyEnv(t, "replaced@example.in")
	ctx := t.Context()
	m.failFor(-1, transient)
	require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: u.Email, Client: e.client}))
	replaced := e.queued()
	require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: u.Email, Client: e.client}))
	var newCode string
	for _, qm := range e.store.QueuedMail() {
		if qm.ID != replaced.ID {
			opened, err := e.auth.openMail(qm.ID, qm.Payload)
			require.NoError(t, err)
			newCode = codeRE.FindString(opened.Message.Text)
		}
	}
	require.NotEmpty(t, newCode, "the newer code's email is queued")

	m.failFor(0, nil)
	calls := len(m.callTimes())
	e.deliverDueAt(replaced.NotAfter.Add(-time.Minute)) // both due
	assert.Len(t, m.callTimes(), calls+1, "one email sent")
	assert.Equal(t, newCode, codeRE.FindString(m.lastAsked().Text), "the code that works")
	assertGivenUp(t, e, u.ID, "login_otp: its code or link stopped working after 2 attempt(s)")
}

// A step-up code's email (its code belongs to the session, not the user) is
// retried while the code works.
func TestARetryOfAWorkingStepUpCodeIsSent(t *testing.T) {
	t.Parallel()
	e, m, u := newFlakyEnv(t, "working@example.in")
	p := e.principal(e.mustLogin(u.Email))
	m.failFor(1, transient)
	require.NoError(t, e.auth.RequestStepUp(t.Context(), p, e.client))
	qm := e.queued()
	calls := len(m.callTimes())
	e.deliverDueAt(qm.NotAfter.Add(-time.Minute))
	assert.Len(t, m.callTimes(), calls+1)
	assert.Empty(t, e.store.QueuedMail())
	assert.Empty(t, e.mailFailures(u.ID))
	require.NoError(t, e.auth.VerifyStepUp(t.Context(), p, VerifyStepUpInput{Code: e.lastCode(u.Email), Client: e.client}))
}

// A link's token has no attempt limit (MaxAttempts 0): a retry of its email
// is sent while the link works, not taken for a spent code.
func TestARetryOfAWorkingLinkIsSent(t *testing.T) {
	t.Parallel()
	e, m, u := newFlakyEnv(t, "link@example.in")
	m.failFor(1, transient)
	require.NoError(t, e.auth.RequestPasswordReset(t.Context(), IdentifierInput{Identifier: u.Email, Client: e.client}))
	qm := e.queued()
	calls := len(m.callTimes())
	e.deliverDueAt(qm.DueAt)
	assert.Len(t, m.callTimes(), calls+1, "the retry went out")
	assert.Empty(t, e.store.QueuedMail())
	assert.Empty(t, e.mailFailures(u.ID))
}

// When the queue fails after a send (removing a delivered or given-up email,
// or scheduling a retry), the send's outcome stands and the failure is
// logged: the email may come back from the queue later, and an operator can
// tell why.
func TestAQueueFailureAfterASendIsLogged(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		method  string
		sendErr error
		want    string
	}{
		{name: "delivered", method: "RemoveMail", want: "a delivered email stays queued and may be sent again"},
		{name: "to retry", method: "RetryMail", sendErr: transient, want: "scheduling an email's retry failed"},
		{name: "given up", method: "RemoveMail", sendErr: errors.New("smtp: 550 no such user"), want: "removing an undeliverable email failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			logs := &logBuffer{}
			m := &flakyMailer{}
			e, f := newFaultyEnv(t, m.wrap, logTo(logs))
			u := e.register("queuefail@example.in")
			assert.NotContains(t, logs.String(), tc.want, "nothing failed yet")
			if tc.sendErr != nil {
				m.failFor(1, tc.sendErr)
			}
			f.failOn(tc.method, errDown)
			require.NoError(t, e.auth.RequestOTP(t.Context(), RequestOTPInput{Identifier: u.Email, Client: e.client}))
			e.drain()
			assert.Positive(t, f.firedCount(), "the queue failed")
			assert.Contains(t, logs.String(), tc.want)
		})
	}
}

// A retry's wait is drawn between half and all of its length, both ends
// included: with a 3 ns wait, every one of 1, 2 and 3 ns comes up.
func TestARetryWaitIsDrawnFromHalfToAllOfItsLength(t *testing.T) {
	t.Parallel()
	seen := map[time.Duration]bool{}
	for range 1000 { // each value is missed by all draws with odds (2/3)^1000
		seen[jittered(3)] = true
	}
	assert.Equal(t, map[time.Duration]bool{1: true, 2: true, 3: true}, seen)
}

// A login code's email is not retried once the code is spent: after its
// allowed wrong tries (2 here, below the account lockout) the code works no
// more, so its retry is given up unsent.
func TestARetryIsNotSentOnceItsCodeIsSpent(t *testing.T) {
	t.Parallel()
	e, m, u := newFlakyEnv(t, "spent@example.in", func(c *Config, _ *Deps) { c.OTPMaxAttempts = 2 })
	m.failFor(-1, transient)
	require.NoError(t, e.auth.RequestOTP(t.Context(), RequestOTPInput{Identifier: u.Email, Client: e.client}))
	qm := e.queued()
	code := codeRE.FindString(m.lastAsked().Text)
	require.NotEmpty(t, code)
	e.wrongOTPs(u.Email, code, 2)

	m.failFor(0, nil)
	calls := len(m.callTimes())
	e.deliverDueAt(qm.DueAt)
	assert.Len(t, m.callTimes(), calls, "not sent")
	assertGivenUp(t, e, u.ID, "login_otp: its code or link stopped working after 2 attempt(s)")
}

// One pass of the worker sends every due email, more than a claim's batch
// of 10 included.
func TestOnePassDeliversMoreThanOneBatch(t *testing.T) {
	t.Parallel()
	e, m, u := newFlakyEnv(t, "batch@example.in")
	m.failFor(-1, transient)
	for range mailClaimBatch + 1 {
		require.NoError(t, e.auth.RequestOTP(t.Context(), RequestOTPInput{Identifier: u.Email, Client: e.client}))
	}
	require.Len(t, e.store.QueuedMail(), mailClaimBatch+1)
	m.failFor(0, nil)
	e.deliverDueAt(e.now().Add(time.Minute))
	assert.Empty(t, e.store.QueuedMail(), "all settled in one pass")
}

// A queued email nobody can open is removed; when the queue cannot remove
// it, that is logged.
func TestAnUnreadableEmailTheQueueCannotRemoveIsLogged(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	e, f := newFaultyEnv(t, logTo(logs))
	now := e.now()
	require.NoError(t, e.store.EnqueueMail(t.Context(), ports.QueuedMail{ID: "mail_damaged", Payload: []byte("damaged"), DueAt: now, NotAfter: now.Add(time.Hour)}))
	f.failOn("RemoveMail", errDown)
	e.deliverDue()
	assert.Contains(t, logs.String(), "removing an unreadable email failed")
}

// countingQueue counts the claims made of the queue it wraps, and refuses
// any claim after the third, so that a pass that never stops claiming ends.
type countingQueue struct {
	ports.MailQueue
	mu     sync.Mutex
	claims int
}

func (q *countingQueue) ClaimMail(ctx context.Context, lease string, now time.Time, leaseFor time.Duration, limit int) ([]ports.QueuedMail, error) {
	q.mu.Lock()
	q.claims++
	n := q.claims
	q.mu.Unlock()
	if n > 3 {
		return nil, errors.New("claimed again after a short batch")
	}
	return q.MailQueue.ClaimMail(ctx, lease, now, leaseFor, limit)
}

// A pass ends with the first batch shorter than a claim's 10: the queue
// holds nothing more that is due, so it is not asked again.
func TestAPassEndsAtTheFirstShortBatch(t *testing.T) {
	t.Parallel()
	q := &countingQueue{}
	e, m, u := newFlakyEnv(t, "shortbatch@example.in", func(_ *Config, d *Deps) {
		q.MailQueue = d.Storage.(ports.MailQueue)
		d.MailQueue = q
	})
	m.failFor(-1, transient)
	require.NoError(t, e.auth.RequestOTP(t.Context(), RequestOTPInput{Identifier: u.Email, Client: e.client}))
	m.failFor(0, nil)
	q.mu.Lock()
	q.claims = 0
	q.mu.Unlock()
	e.deliverDueAt(e.now().Add(time.Minute))
	q.mu.Lock()
	defer q.mu.Unlock()
	assert.Equal(t, 1, q.claims, "one claim of 1 email, then the pass ends")
}

// The background worker logs a pass that could not read the outbox.
func TestTheMailWorkerLogsAnOutboxItCannotRead(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	e, f := newFaultyEnv(t, logTo(logs), func(c *Config, _ *Deps) { c.MailInline = false })
	ctx := waitContext(t)
	require.NoError(t, e.auth.stopMailWorker(ctx))
	f.failOn("ClaimMail", errDown)
	e.auth.startMailWorker(time.Millisecond)
	t.Cleanup(func() { _ = e.auth.Close(ctx) }) // bounded: a Drain that never ends must not hang the suite

	// The second failed claim starts the second pass, after the first one
	// has logged (or not).
	for f.firedCount() < 2 {
		select {
		case <-ctx.Done():
			t.Fatal("the worker never claimed from the outbox")
		case <-time.After(time.Millisecond):
		}
	}
	assert.Contains(t, logs.String(), "the mail worker cannot read the outbox; retrying")
}
