package core

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// The failure that starts an IP block and hard-locks the account at once still
// emails the unlock link and records the lock.
func TestIPBlockCrossingStillHandlesTheHardLock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	u := e.register("both@example.in")
	require.NoError(t, e.store.ClearFailures(context.Background(), accountKey(u.ID)))
	for i := 0; i < 9; i++ { // 9 failures from nine IPs: no IP sees a second identifier
		require.Error(t, e.loginIP(u.Email, "wrong-password", "192.0.2."+string(rune('1'+i))))
		e.clock.Advance(7 * time.Minute)
	}
	const ip = "198.51.100.77"
	requireKind(t, e.loginIP("ghost-1@example.in", "wrong-password", ip), KindUnauthorized)
	requireKind(t, e.loginIP("ghost-2@example.in", "wrong-password", ip), KindUnauthorized)
	before := e.mailsTo(u.Email)
	requireKind(t, e.loginIP(u.Email, "wrong-password", ip), KindIPBlocked) // the 10th failure, and the 3rd identifier
	assert.Equal(t, before+1, e.mailsTo(u.Email), "the hard lock emailed the unlock link")
	state, err := e.store.LockState(context.Background(), accountKey(u.ID))
	require.NoError(t, err)
	assert.True(t, state.HardLocked)
}

func TestRegistrationIsLimitedTo20PerHourPerIP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for i := 0; i < 20; i++ {
		_, err := e.auth.Register(ctx, RegisterInput{Email: distinct(i), Password: testPassword, Consents: allGranted(), Client: e.client})
		require.NoError(t, err, "registration %d", i+1)
	}
	_, err := e.auth.Register(ctx, RegisterInput{Email: distinct(20), Password: testPassword, Consents: allGranted(), Client: e.client})
	requireKind(t, err, KindRateLimited)
	e.clock.Advance(time.Hour)
	_, err = e.auth.Register(ctx, RegisterInput{Email: distinct(21), Password: testPassword, Consents: allGranted(), Client: e.client})
	require.NoError(t, err)
}

func TestRegistrationOfATakenEmailRunsNoHash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.register("taken@example.in")
	before := e.auth.hasher.Hashes()
	_, err := e.auth.Register(context.Background(), RegisterInput{Email: "Taken@example.in", Password: testPassword, Consents: allGranted(), Client: e.client})
	requireKind(t, err, KindConflict)
	assert.Equal(t, before, e.auth.hasher.Hashes())
	_, err = e.auth.Register(context.Background(), RegisterInput{Email: "fresh@example.in", Password: testPassword, Consents: allGranted(), Client: e.client})
	require.NoError(t, err)
	assert.Equal(t, before+1, e.auth.hasher.Hashes(), "the counter sees a registration's hash")
}

// blockingMailer holds every send until released, like a slow SMTP server.
type blockingMailer struct {
	release chan struct{}
	sent    atomic.Int32
}

func (m *blockingMailer) Send(ctx context.Context, _ ports.Message) error {
	select {
	case <-m.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	m.sent.Add(1)
	return nil
}

// By default emails go out in the background: a request about a real account
// does not wait for the mail server, so it takes as long as one about nobody.
func TestMailIsSentInTheBackgroundByDefault(t *testing.T) {
	t.Parallel()
	mailer := &blockingMailer{release: make(chan struct{})}
	e := newEnv(t, withoutLimiter(), func(c *Config, d *Deps) { c.MailInline = false; d.Mailer = mailer })
	u := e.register("async@example.in")
	done := make(chan error, 1)
	go func() { done <- e.auth.RequestPasswordReset(context.Background(), u.Email, e.client) }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(testWait):
		t.Fatal("the request waited for the mail server")
	}
	close(mailer.release)
	require.Eventually(t, func() bool { return mailer.sent.Load() == 2 }, testWait, time.Millisecond,
		"the verification link and the reset link were delivered")
}

// logBuffer collects log lines from concurrent goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestAMissingClientIPIsLoggedOncePerInterval(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	e := newEnv(t, func(c *Config, _ *Deps) { c.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
	for i := 0; i < 3; i++ {
		_, _ = e.auth.Login(context.Background(), LoginInput{Identifier: "x@example.in", Password: "whatever-password"})
	}
	assert.Equal(t, 1, bytes.Count([]byte(logs.String()), []byte("without a client IP")))
	// Once the interval has passed, exactly, the next one is logged again.
	e.clock.Advance(failOpenLogEvery - time.Nanosecond)
	_, _ = e.auth.Login(context.Background(), LoginInput{Identifier: "x@example.in", Password: "whatever-password"})
	assert.Equal(t, 1, bytes.Count([]byte(logs.String()), []byte("without a client IP")))
	e.clock.Advance(time.Nanosecond)
	_, _ = e.auth.Login(context.Background(), LoginInput{Identifier: "x@example.in", Password: "whatever-password"})
	assert.Equal(t, 2, bytes.Count([]byte(logs.String()), []byte("without a client IP")))
}

// An email address and a username of one account share one inbox budget.
func TestInboxBudgetIsPerAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.auth.Register(ctx, RegisterInput{Email: "inbox@example.in", Username: "inboxuser", Password: testPassword,
		Consents: allGranted(), Client: e.client})
	require.NoError(t, err)
	for i := 0; i < 5; i++ {
		id := "inbox@example.in"
		if i%2 == 1 {
			id = "inboxuser"
		}
		require.NoError(t, e.auth.RequestPasswordReset(ctx, id, e.client))
	}
	// The 6th: answered like any request (a 429 would say the username and the
	// email are one account), and not sent.
	before := e.mailsTo("inbox@example.in")
	require.NoError(t, e.auth.RequestPasswordReset(ctx, "inboxuser", e.client))
	assert.Equal(t, before, e.mailsTo("inbox@example.in"))

	// The signed-in user can still step up: step-up codes have their own budget.
	p := e.principal(e.mustLogin("inbox@example.in"))
	require.NoError(t, e.auth.RequestStepUp(ctx, p, e.client))
}

func TestPINResetLeavesAHardLockInPlace(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	u := e.register("hard@example.in")
	for i := 0; i < 5; i++ {
		_, _ = e.login(u.Email, "wrong-password")
	}
	e.clock.Advance(7 * time.Minute)
	for i := 0; i < 5; i++ {
		_, _ = e.login(u.Email, "wrong-password")
	}
	require.NoError(t, e.auth.RequestPINReset(context.Background(), u.Email, e.client))
	require.NoError(t, e.auth.ConfirmPINReset(context.Background(), e.lastToken(u.Email), "5820", e.client))
	_, err := e.login(u.Email, testPassword)
	assert.True(t, requireKind(t, err, KindLocked).RequiresEmailVerify)
}

// A public device's one-action step-up is not used up by a typo.
func TestBadNewPasswordDoesNotUseUpAPublicStepUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.register("kiosk@example.in")
	home := e.principal(e.knownDeviceLogin("kiosk@example.in"))
	ctx := context.Background()
	require.NoError(t, e.auth.SetPIN(ctx, home, SetPINInput{PIN: testPIN, Client: e.client}))
	res, err := e.loginFrom("kiosk@example.in", testPassword, fpB, true)
	require.NoError(t, err)
	p := e.principal(res)
	require.NoError(t, e.auth.VerifyPIN(ctx, p, testPIN, e.client))
	requireKind(t, e.changePassword(p, testPassword, "short", false), KindValidation)
	require.NoError(t, e.changePassword(p, testPassword, "a brand new passphrase", false))
}

// countingCredentials counts Credentials reads.
type countingCredentials struct {
	ports.CredentialStore
	reads atomic.Int32
}

func (c *countingCredentials) Credentials(ctx context.Context, userID string) (ports.Credentials, error) {
	c.reads.Add(1)
	return c.CredentialStore.Credentials(ctx, userID)
}

func TestUnknownIdentifierMakesTheSameCredentialRead(t *testing.T) {
	t.Parallel()
	var counter *countingCredentials
	e := newEnv(t, withoutLimiter(), func(_ *Config, d *Deps) {
		counter = &countingCredentials{CredentialStore: d.Credentials}
		d.Credentials = counter
	})
	e.register("known@example.in")
	for i, id := range []string{"known@example.in", "nobody@example.in"} {
		before := counter.reads.Load()
		requireKind(t, e.loginIP(id, "wrong-password", "192.0.2."+string(rune('1'+i))), KindUnauthorized)
		assert.Equal(t, int32(1), counter.reads.Load()-before, id)
	}
}

// Revoking a session from elsewhere (a lost phone), logging out everywhere,
// a password reset and a reused refresh token make its device unknown again;
// a plain logout keeps it known.
func TestRevocationsThatDistrustTheDevice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		end    func(e *env, lost LoginResult)
		forget bool
	}{
		{name: "plain logout keeps the device", forget: false, end: func(e *env, lost LoginResult) {
			require.NoError(t, e.auth.Logout(ctx, lost.RefreshToken, e.client))
		}},
		{name: "revoked from another device", forget: true, end: func(e *env, lost LoginResult) {
			other := e.principal(e.mustLogin(lost.User.Email))
			require.NoError(t, e.auth.RevokeSession(ctx, other, lost.SessionID, e.client))
		}},
		{name: "logout everywhere", forget: true, end: func(e *env, lost LoginResult) {
			require.NoError(t, e.auth.LogoutAll(ctx, e.principal(lost), e.client))
		}},
		{name: "password reset", forget: true, end: func(e *env, lost LoginResult) {
			require.NoError(t, e.auth.RequestPasswordReset(ctx, lost.User.Email, e.client))
			require.NoError(t, e.auth.ConfirmPasswordReset(ctx, e.lastToken(lost.User.Email), testPassword+" again", e.client))
		}},
		{name: "refresh token reuse", forget: true, end: func(e *env, lost LoginResult) {
			_, err := e.auth.Refresh(ctx, lost.RefreshToken, e.client)
			require.NoError(t, err)
			_, err = e.auth.Refresh(ctx, lost.RefreshToken, e.client)
			requireKind(t, err, KindUnauthorized)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withoutLimiter())
			u := e.register("phone@example.in")
			lost := e.knownDeviceLogin(u.Email)
			lost.User = u
			tc.end(e, lost)
			password := testPassword
			if tc.name == "password reset" {
				password += " again"
			}
			again, err := e.loginFrom(u.Email, password, fpA, false)
			require.NoError(t, err)
			if tc.forget {
				assert.Equal(t, TrustNewDevice, again.Trust)
			} else {
				assert.Equal(t, TrustKnown, again.Trust)
			}
		})
	}
}

func TestDrainWaitsForBackgroundMail(t *testing.T) {
	t.Parallel()
	mailer := &blockingMailer{release: make(chan struct{})}
	e := newEnv(t, withoutLimiter(), func(c *Config, d *Deps) { c.MailInline = false; d.Mailer = mailer })
	e.register("drain@example.in")

	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := e.auth.Drain(short)
	require.ErrorIs(t, err, context.DeadlineExceeded, "the mail server still holds the email")
	assert.Contains(t, err.Error(), "1 emails still unsent")

	close(mailer.release)
	require.NoError(t, e.auth.Drain(waitContext(t)))
	assert.Equal(t, int32(1), mailer.sent.Load())
}

func TestPINRuleMessagesSayWhyOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.register("msg@example.in")
	p := e.principal(e.knownDeviceLogin("msg@example.in"))
	ce := requireKind(t, e.auth.SetPIN(context.Background(), p, SetPINInput{PIN: "1234", Client: e.client}), KindValidation)
	assert.Equal(t, "pin", ce.Field)
	assert.NotContains(t, ce.Message, "pin:", "the field is not repeated in the message")
	assert.NotEmpty(t, ce.Message)
}

func TestMailBacklogDropsRatherThanBlockingTheRequest(t *testing.T) {
	t.Parallel()
	mailer := &blockingMailer{release: make(chan struct{})}
	e := newEnv(t, withoutLimiter(), func(c *Config, d *Deps) { c.MailInline = false; d.Mailer = mailer })
	u := e.register("backlog@example.in") // one email waits in the background
	e.auth.mailPending.Store(mailBacklog) // as if the mail server had been stuck for a while
	done := make(chan error, 1)
	go func() { done <- e.auth.RequestPasswordReset(context.Background(), u.Email, e.client) }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(testWait):
		t.Fatal("the request waited for the stuck mail server")
	}
	events, err := e.store.Events(context.Background(), u.ID)
	require.NoError(t, err)
	assert.Equal(t, ports.EventMailFailed, events[len(events)-1].Kind, "the dropped email is on record")
	e.auth.mailPending.Store(1)
	close(mailer.release)
	require.NoError(t, e.auth.Drain(waitContext(t)))
}

// The background queue holds up to mailBacklog emails: the one that fills it
// is still sent, the next is dropped, and a drop leaves the count as it was,
// so mail flows again once the server catches up.
func TestMailBacklogHoldsExactlyMailBacklogEmails(t *testing.T) {
	t.Parallel()
	mailer := &blockingMailer{release: make(chan struct{})}
	e := newEnv(t, withoutLimiter(), func(c *Config, d *Deps) { c.MailInline = false; d.Mailer = mailer })
	u := e.register("full@example.in") // its verification link waits in the background
	ctx := context.Background()
	e.auth.mailPending.Store(mailBacklog - 1) // as if 998 more were waiting too

	require.NoError(t, e.auth.RequestPasswordReset(ctx, u.Email, e.client)) // the 1000th
	assert.NotContains(t, e.eventKinds(u.ID), ports.EventMailFailed, "the email that fills the queue is queued")
	require.NoError(t, e.auth.RequestPasswordReset(ctx, u.Email, e.client)) // the 1001st
	assert.Contains(t, e.eventKinds(u.ID), ports.EventMailFailed, "the next one is dropped")
	assert.Equal(t, int64(mailBacklog), e.auth.mailPending.Load(), "a dropped email leaves the queue as it was")

	e.auth.mailPending.Add(-(mailBacklog - 2)) // the imagined 998 went out
	close(mailer.release)
	require.NoError(t, e.auth.Drain(waitContext(t)))
	assert.Equal(t, int32(2), mailer.sent.Load(), "the verification link and the first reset link")
}
