package core

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// blockingMailer holds every send until released, like a slow SMTP server.
type blockingMailer struct {
	release chan struct{}
	// sending, when set, hears of a send as it starts to wait.
	sending chan struct{}
	sent    atomic.Int32
}

func (m *blockingMailer) Send(ctx context.Context, _ ports.Message) error {
	select {
	case m.sending <- struct{}{}:
	default:
	}
	select {
	case <-m.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	m.sent.Add(1)
	return nil
}

// inBackground runs the work after answers on the worker pool, as in
// production, with mailer as the mail server.
func inBackground(mailer ports.Mailer) envOption {
	return func(c *Config, d *Deps) { c.MailInline = false; d.Mailer = mailer }
}

// requireResetAnsweredWithoutWaiting asks for a password reset for email and
// fails the test if the answer waits for the mail server.
func (e *env) requireResetAnsweredWithoutWaiting(email string) {
	e.t.Helper()
	done := make(chan error, 1)
	go func() {
		done <- e.auth.RequestPasswordReset(context.Background(), IdentifierInput{Identifier: email, Client: e.client})
	}()
	select {
	case err := <-done:
		require.NoError(e.t, err)
	case <-time.After(10 * time.Second):
		e.t.Fatal("the request waited for the mail server")
	}
}

// By default emails go out in the background: a request about a real account
// does not wait for the mail server, so it takes as long as one about nobody.
func TestMailIsSentInTheBackgroundByDefault(t *testing.T) {
	t.Parallel()
	mailer := &blockingMailer{release: make(chan struct{})}
	e, u := newUserEnv(t, "async@example.in", inBackground(mailer))
	e.requireResetAnsweredWithoutWaiting(u.Email)
	close(mailer.release)
	e.drain()
	assert.Equal(t, int32(2), mailer.sent.Load(), "the verification link and the reset link were delivered")
}

func TestDrainWaitsForWorkAfterAnswers(t *testing.T) {
	t.Parallel()
	mailer := &blockingMailer{release: make(chan struct{})}
	e, _ := newUserEnv(t, "drain@example.in", inBackground(mailer))

	short, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := e.auth.Drain(short)
	require.ErrorIs(t, err, context.DeadlineExceeded, "the mail server still holds the email")
	assert.Contains(t, err.Error(), "1 emails or other jobs after answers still unfinished")

	close(mailer.release)
	e.drain()
	assert.Equal(t, int32(1), mailer.sent.Load())
}

// A job runs with the request's values but outlives its cancellation (the
// client hung up; the email promised to it still goes out), within a bound
// of its own.
func TestWorkAfterAnswerOutlivesTheRequest(t *testing.T) {
	t.Parallel()
	type traceKey struct{}
	for _, tc := range []struct {
		name   string
		inline bool
	}{
		{name: "in the background", inline: false},
		{name: "inline for tests", inline: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(c *Config, _ *Deps) { c.MailInline = tc.inline })
			ctx, cancel := context.WithCancel(context.WithValue(t.Context(), traceKey{}, "trace-1"))
			cancel()
			var ran atomic.Bool
			var jobErr error
			var value any
			var deadline time.Time
			e.auth.afterAnswer(ctx, "test job", func(ctx context.Context) {
				jobErr, value = ctx.Err(), ctx.Value(traceKey{})
				deadline, _ = ctx.Deadline()
				ran.Store(true)
			})
			e.drain()
			require.True(t, ran.Load())
			assert.NoError(t, jobErr, "the request's cancellation does not reach the job")
			assert.Equal(t, "trace-1", value, "the request's values do")
			assert.WithinDuration(t, time.Now().Add(afterAnswerTimeout), deadline, afterAnswerTimeout/2)
		})
	}
}

// Past the backlog a job is dropped and logged, never run inside the request
// and never written to a store (that write would be the timing difference
// the background avoids).
func TestWorkAfterAnswersIsDroppedWhenTheBacklogIsFull(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	mailer := &blockingMailer{release: make(chan struct{}), sending: make(chan struct{}, 1)}
	e := newEnv(t, withoutLimiter(), inBackground(mailer),
		logTo(logs))
	u := e.register("backlog@example.in")
	// The verification link is stored and its email waits at the mail server.
	waitOrFail(t, mailer.sending, "the verification email to reach the mail server")
	tokens := inStore(e, e.store.Tokens, u.ID)
	events := e.eventKinds(u.ID)

	e.auth.jobsPending.Store(afterAnswerBacklog) // as if the mail server had been stuck for a while
	e.requireResetAnsweredWithoutWaiting(u.Email)
	assert.Contains(t, logs.String(), "too much work waiting after answers; dropped")
	assert.Contains(t, logs.String(), "job=RequestPasswordReset")
	after := inStore(e, e.store.Tokens, u.ID)
	assert.Len(t, after, len(tokens), "no reset token was issued")
	assert.Equal(t, events, e.eventKinds(u.ID), "nothing was recorded")

	e.auth.jobsPending.Store(1)
	close(mailer.release)
	e.drain()
}

// Mail to an address nobody has proven carries no name the registrant chose:
// an attacker registering someone else's address must not put text in the
// owner's inbox. Once the owner proves the address, their name is used.
func TestMailToAnUnverifiedAddressCarriesNoChosenName(t *testing.T) {
	t.Parallel()
	const name = "<b>Pay at evil.example</b>"
	e := newEnv(t, withoutLimiter())
	ctx := t.Context()
	u, err := e.auth.Register(ctx, RegisterInput{Email: "owner@example.in", Password: testPassword, DisplayName: name,
		Consents: allGranted(), Client: e.client})
	require.NoError(t, err)
	require.Equal(t, name, u.DisplayName)
	require.False(t, u.EmailVerified)

	requireNoName := func(what string) {
		t.Helper()
		m, ok := e.outbox.Last(u.Email)
		require.True(t, ok)
		assert.Empty(t, m.ToName, what)
		for _, body := range []string{m.Subject, m.Text, m.HTML} {
			assert.NotContains(t, body, "evil.example", what)
		}
	}
	requireNoName("the verification email")
	require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: u.Email, Client: e.client}))
	requireNoName("the sign-in code")
	m, _ := e.outbox.Last(u.Email)
	assert.Contains(t, m.Text, "Hello,", "the greeting has no name")

	// The registration's own link proves the address and keeps the profile (an
	// OTP proof would clear it: see the pre-hijacking tests).
	link := tokenRE.FindStringSubmatch(e.outbox.Messages()[0].Text)
	require.Len(t, link, 2)
	require.NoError(t, e.auth.VerifyEmail(ctx, LinkInput{Token: link[1], Client: e.client}), "the owner proves the address")
	require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: u.Email, Client: e.client}))
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Equal(t, name, m.ToName)
	assert.Contains(t, m.Text, "Hello "+name+",")
	assert.Contains(t, m.HTML, "&lt;b&gt;Pay at evil.example&lt;/b&gt;", "escaped in HTML")
}

func TestMailOutageDoesNotFailRegistrationOrLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.outbox.FailWith(errors.New("ses: MessageRejected: throttled sender")) // permanent: given up at once
	u := e.register("quiet@example.in")
	e.loginWithTrust(u.Email, fpA, false, TrustNewDevice)
	assert.Equal(t, []string{"verify_email: refused after 1 attempt(s)", "new_device: refused after 1 attempt(s)"}, e.mailFailures(u.ID))
	assert.Zero(t, e.outbox.Len())

	events := inStore(e, e.store.Events, u.ID)
	for _, ev := range events {
		assert.NotContains(t, ev.Detail, "throttled", "the mailer's error stays in the log")
	}
}

func TestEmailTemplateOverridesShowInTheOutbox(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter(), func(c *Config, _ *Deps) {
		c.AppName = "Kirana Pay"
		c.EmailTemplates = map[string]map[emails.Kind]emails.Template{
			"en": {emails.LoginOTP: {Subject: "{{.AppName}}: your code is inside"}},
			"hi": {emails.LoginOTP: {Subject: "{{.AppName}}: आपका कोड"}},
		}
	})
	ctx := t.Context()
	u := e.register("custom@example.in")
	require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: u.Email, Client: e.client}))
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Equal(t, "Kirana Pay: your code is inside", m.Subject)
	assert.Regexp(t, `\b\d{6}\b`, m.Text, "the built-in body with the code is kept")

	hindi, err := e.auth.Register(ctx, RegisterInput{Email: "hindi@example.in", Password: testPassword,
		Language: "hi", Consents: allGranted(), Client: e.client})
	require.NoError(t, err)
	require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: hindi.Email, Client: e.client}))
	m, ok = e.outbox.Last(hindi.Email)
	require.True(t, ok)
	assert.Equal(t, "Kirana Pay: आपका कोड", m.Subject, "the user's language picks the override")

	// Kinds that were not overridden keep the built-in subject.
	require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
	m, _ = e.outbox.Last(u.Email)
	assert.Equal(t, "Reset your Kirana Pay password", m.Subject)
}

// The queue of work after answers holds exactly afterAnswerBacklog jobs: the
// one that fills it is queued, the next is dropped, and a drop leaves the
// count as it was.
func TestWorkAfterAnswersQueuesExactlyTheBacklog(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	e := newEnv(t, withoutLimiter(), logTo(logs), func(c *Config, _ *Deps) { c.MailInline = false })
	release := holdWorkers(e) // nothing runs: the count only grows
	defer release()
	e.auth.jobsPending.Store(afterAnswerBacklog - 1)
	e.auth.afterAnswer(t.Context(), "fills the queue", func(context.Context) {})
	assert.NotContains(t, logs.String(), "dropped", "the job that fills the queue is queued")
	assert.Equal(t, int64(afterAnswerBacklog), e.auth.jobsPending.Load())
	e.auth.afterAnswer(t.Context(), "one too many", func(context.Context) {})
	assert.Contains(t, logs.String(), "job=\"one too many\"")
	assert.Equal(t, int64(afterAnswerBacklog), e.auth.jobsPending.Load(), "a drop leaves the count as it was")
	e.auth.jobsPending.Add(-(afterAnswerBacklog - 1)) // the imagined jobs went away
}
