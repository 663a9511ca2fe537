package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestSoftLockAtExactlyTheFifthFailureForSevenMinutes(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "asha@example.in")

	for i := 1; i <= 4; i++ {
		_, err := e.login("asha@example.in", "wrong password "+string(rune('a'+i)))
		requireCode(t, err, KindUnauthorized, codeInvalidCredentials, "failure %d", i)
	}
	_, err := e.login("asha@example.in", "wrong password e")
	ce := requireKind(t, err, KindLocked)
	assert.Equal(t, testStart.Add(7*time.Minute), ce.LockedUntil)
	assert.False(t, ce.RequiresEmailVerify)

	// During the lock even the right password answers 423, and is not counted.
	e.clock.Advance(7*time.Minute - time.Second)
	requireKind(t, errOf(e.login("asha@example.in", testPassword)), KindLocked)
	state := e.lockState(mustUser(t, e, "asha@example.in").ID)
	assert.Equal(t, 5, state.Failures, "attempts refused by a lock do not count")

	e.clock.Advance(time.Second)
	require.NoError(t, errOf(e.login("asha@example.in", testPassword)), "the soft lock lasts exactly 7 minutes")
}

func TestHardLockAtTheTenthFailureNeedsTheUnlockLink(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "ravi@example.in")
	fail := func() error { _, err := e.login("ravi@example.in", "not the password"); return err }

	for i := 1; i <= 5; i++ {
		_ = fail()
	}
	e.clock.Advance(7 * time.Minute)
	for i := 6; i <= 9; i++ {
		requireKind(t, fail(), KindUnauthorized) // the count goes on after a soft lock
	}
	ce := requireKind(t, fail(), KindLocked)
	assert.True(t, ce.RequiresEmailVerify, "the 10th failure hard-locks")
	assert.True(t, ce.LockedUntil.IsZero())

	e.clock.Advance(30 * 24 * time.Hour)
	_, err := e.login("ravi@example.in", testPassword)
	requireKind(t, err, KindLocked) // no timeout lifts a hard lock

	// The hard lock emailed an unlock link; only it (or a password reset) clears the lock.
	e.clock.Set(testStart.Add(7*time.Minute + time.Second))
	token := e.lastToken("ravi@example.in")
	require.NoError(t, errOf(e.auth.ConfirmUnlock(t.Context(), ConfirmUnlockInput{Token: token, Client: e.client})))
	require.NoError(t, errOf(e.login("ravi@example.in", testPassword)))
	requireKind(t, errOf(e.auth.ConfirmUnlock(t.Context(), ConfirmUnlockInput{Token: token, Client: e.client})), KindUnauthorized) // single use
}

// countWindowEdge is the edge of every failure counter's 24-hour window: a
// failure exactly 24 hours after the previous one still counts with it; one a
// second later starts the count again.
var countWindowEdge = []struct {
	name string
	gap  time.Duration
	kept bool
}{
	{name: "exactly 24h keeps the count", gap: 24 * time.Hour, kept: true},
	{name: "24h and a second restarts it", gap: 24*time.Hour + time.Second, kept: false},
}

func TestFailureMoreThan24HoursAfterThePreviousRestartsTheCount(t *testing.T) {
	t.Parallel()
	for _, tc := range countWindowEdge {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, _ := newUserEnv(t, "meera@example.in")
			e.failLogins("meera@example.in", 4)
			e.clock.Advance(tc.gap)
			_, err := e.login("meera@example.in", "wrong-password")
			if tc.kept { // the 5th failure locks
				requireKind(t, err, KindLocked)
			} else {
				requireKind(t, err, KindUnauthorized)
			}
		})
	}
}

func TestSuccessClearsTheCount(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "kiran@example.in")
	e.failLogins("kiran@example.in", 4)
	e.mustLogin("kiran@example.in")
	for i := 0; i < 4; i++ {
		requireKind(t, errOf(e.login("kiran@example.in", "wrong-password")), KindUnauthorized)
	}
}

func TestUnknownIdentifierLocksLikeARealOne(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "real@example.in")
	answers := func(identifier string) []*Error {
		var out []*Error
		for i := 0; i < 6; i++ {
			_, err := e.login(identifier, "wrong-password")
			out = append(out, requireKind(t, err, KindOf(err)))
		}
		return out
	}
	real, ghost := answers("real@example.in"), answers("ghost@example.in")
	for i := range real {
		assert.Equal(t, real[i].Kind, ghost[i].Kind, "attempt %d", i+1)
		assert.Equal(t, real[i].Code, ghost[i].Code, "attempt %d", i+1)
		assert.Equal(t, real[i].Message, ghost[i].Message, "attempt %d", i+1)
		assert.Equal(t, real[i].LockedUntil, ghost[i].LockedUntil, "attempt %d", i+1)
	}
	assert.Equal(t, KindLocked, ghost[4].Kind)
}

func TestParallelWrongPasswordsRunAtMostFiveVerifications(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "target@example.in")
	before := e.auth.hasher.Verifications()
	var locked, wrong, busy atomic.Int32
	porttest.Together(100, func(int) {
		_, err := e.login("target@example.in", "guess-guess-guess")
		switch KindOf(err) {
		case KindLocked:
			locked.Add(1)
		case KindUnauthorized:
			wrong.Add(1)
		case KindRateLimited:
			busy.Add(1)
		}
	})
	assert.Equal(t, int64(5), e.auth.hasher.Verifications()-before, "exactly SoftLockAfter guesses are checked")
	assert.Equal(t, e.auth.hasher.Verifications(), e.auth.Stats().HashVerifications)
	assert.Equal(t, int32(4), wrong.Load(), "failures 1-4 answer wrong")
	assert.GreaterOrEqual(t, locked.Load(), int32(1), "the 5th failure answers locked")
	assert.Equal(t, int32(100), wrong.Load()+locked.Load()+busy.Load(), "every answer is one of the three")
	state := e.lockState(u.ID)
	assert.Equal(t, 5, state.Failures)
	assert.Equal(t, 1, state.SoftLocks)
	assert.Zero(t, state.Pending)
}

func TestParallelCorrectLoginsNeverLock(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "busy@example.in")
	for round := range 5 {
		var ok, busy atomic.Int32
		porttest.Together(16, func(int) {
			_, err := e.login(u.Email, testPassword)
			switch {
			case err == nil:
				ok.Add(1)
			case KindOf(err) == KindRateLimited:
				var ce *Error
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, codeTooManyAttempts, ce.Code)
				assert.Equal(t, time.Second, ce.RetryAfter, "told to retry in a moment")
				busy.Add(1)
			default:
				t.Errorf("round %d: a correct login answered %v", round, err)
			}
		})
		assert.Positive(t, ok.Load(), "round %d", round)
		assert.Equal(t, int32(16), ok.Load()+busy.Load(), "round %d", round)
		state := e.lockState(u.ID)
		assert.False(t, state.Locked(e.clock.Now()), "round %d", round)
		assert.Zero(t, state.SoftLocks+state.HardLocks, "round %d: no lock was ever recorded", round)
	}
}

func TestLockNeverBlocksPasswordReset(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "lata@example.in")
	e.failLogins("lata@example.in", 10)
	requireKind(t, errOf(e.login("lata@example.in", testPassword)), KindLocked)
	require.NoError(t, e.auth.RequestPasswordReset(t.Context(), IdentifierInput{Identifier: "lata@example.in", Client: e.client}))
	require.NoError(t, errOf(e.auth.ConfirmPasswordReset(t.Context(), ConfirmPasswordResetInput{Token: e.lastToken("lata@example.in"), NewPassword: "a brand new passphrase", Client: e.client})))
	require.NoError(t, errOf(e.login("lata@example.in", "a brand new passphrase")), "a password reset clears a hard lock")
}

func TestPasswordAndOTPShareOneCounterAndThePINHasItsOwn(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "shared@example.in")
	p := e.principal(e.knownDeviceLogin(u.Email))
	require.NoError(t, e.auth.SetPIN(t.Context(), p, SetPINInput{PIN: testPIN, Client: e.client}))
	ctx := t.Context()

	_, _ = e.login(u.Email, "wrong-password")
	_, _ = e.login(u.Email, "wrong-password")
	require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: u.Email, Client: e.client}))
	requireKind(t, errOf(e.auth.VerifyOTP(ctx, VerifyOTPInput{Identifier: u.Email, Code: wrongCode(e.lastCode(u.Email)), Client: e.client})), KindUnauthorized)
	requireKind(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: "9157", Client: e.client}), KindUnauthorized)
	_, err := e.login(u.Email, "wrong-password")
	requireKind(t, err, KindUnauthorized) // the 4th sign-in failure: a PIN is not a sign-in
	_, err = e.login(u.Email, "wrong-password")
	requireKind(t, err, KindLocked) // the 5th, across password and OTP
	assert.Equal(t, 1, e.pinDeviceLockState(u.ID, fpA).Failures, "the PIN counted on its own, on the verified device's PIN counter")
}

// Three failures on an email and two on a username answer the same whether
// the two name one account or nobody: the counters are per identifier, so the
// lockout cannot tell an attacker that a username and an email go together.
func TestAFailureSequenceAnswersAlikeForARealPairAndAnUnknownPair(t *testing.T) {
	t.Parallel()
	run := func(email, username string, register bool) []string {
		e := newEnv(t, withoutLimiter())
		if register {
			u, err := e.auth.Register(t.Context(), RegisterInput{Email: email, Username: username,
				Password: testPassword, Consents: allGranted(), Client: e.client})
			require.NoError(t, err)
			require.NoError(t, e.store.MarkEmailVerified(t.Context(), u.ID, e.now()))
		}
		var answers []string
		for i, id := range []string{email, email, email, username, username, username, email, email} {
			e.client.IP = fmt.Sprintf("192.0.2.%d", i+1) // one IP each: the IP block is another rule
			_, err := e.login(id, "not the password")
			answers = append(answers, KindOf(err).String())
		}
		return answers
	}
	real := run("pair@example.in", "pairname", true)
	unknown := run("ghost@example.in", "ghostname", false)
	assert.Equal(t, unknown, real)
	assert.Equal(t, []string{"unauthorized", "unauthorized", "unauthorized", "unauthorized", "unauthorized",
		"unauthorized", "unauthorized", "account_locked"}, real, "the 5th failure on one identifier locks it")
}

// A verified device of the account has a counter of its own: whoever locks
// the account from elsewhere does not lock its owner's phone out, and the
// phone's own failures follow the same 5 and 10 rules.
func TestAVerifiedDeviceHasItsOwnCounter(t *testing.T) {
	t.Parallel()
	eachVariant(t, signInReads, testAVerifiedDeviceHasItsOwnCounter)
}

func testAVerifiedDeviceHasItsOwnCounter(t *testing.T, e *env) {
	u := e.register("phone@example.in")
	e.knownDeviceLogin(u.Email) // fpA is now a verified device
	for i := 0; i < 10; i++ {
		e.clock.Advance(8 * time.Minute)
		_, _ = e.loginFrom(u.Email, "a stranger's guess", fpB, false)
	}
	require.True(t, e.lockState(u.ID).HardLocked, "strangers hard-locked the account")
	requireKind(t, errOf(e.loginFrom(u.Email, testPassword, fpB, false)), KindLocked)

	res, err := e.loginFrom(u.Email, testPassword, fpA, false)
	require.NoError(t, err, "the owner's verified phone signs in during the lock")
	assert.Equal(t, TrustKnown, res.Trust)

	for i := 1; i <= 4; i++ {
		requireKind(t, errOf(e.loginFrom(u.Email, "the owner's typo", fpA, false)), KindUnauthorized)
	}
	_, err = e.loginFrom(u.Email, "the owner's typo", fpA, false)
	ce := requireKind(t, err, KindLocked)
	assert.Equal(t, e.now().Add(7*time.Minute), ce.LockedUntil, "the device's 5th failure locks it for 7 minutes")
	assert.Equal(t, 5, e.deviceLockState(u.ID, fpA).Failures)

	require.NoError(t, errOf(e.auth.ConfirmUnlock(t.Context(), ConfirmUnlockInput{Token: e.unlockToken(t, u.Email), Client: e.client})))
	assert.False(t, e.lockState(u.ID).Locked(e.now()), "the unlock link lifts the account's lock")
	assert.False(t, e.deviceLockState(u.ID, fpA).Locked(e.now()), "and the device's")
}

// The failure that starts an IP block and hard-locks the account at once still
// emails the unlock link and records the lock.
func TestIPBlockCrossingStillHandlesTheHardLock(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "both@example.in")
	require.NoError(t, e.store.ClearFailures(t.Context(), e.auth.identifierLockKey(u.Email)))
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
	state := e.lockState(u.ID)
	assert.True(t, state.HardLocked)
}

// A stranger keeps the email's sign-in counter locked (5 wrong passwords,
// never IP-blocked: one identifier). A password reset forgets every verified
// device and the stranger re-locks at once; the device that opened the reset
// link was signed in as a verified device, so the owner still gets in there.
func TestAStrangerCannotLockTheOwnerOutThroughTheirOwnRecovery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	u := e.register("victim@example.in")
	e.knownDeviceLogin(u.Email) // fpA is verified
	stranger := Client{IP: "198.51.100.77", UserAgent: "stranger"}
	lock := func() {
		for i := 0; i < 5; i++ {
			_, err := e.auth.Login(ctx, LoginInput{Identifier: u.Email, Password: fmt.Sprintf("guess %d of many", i), Client: stranger})
			require.Error(t, err)
		}
		require.True(t, e.lockState(u.ID).Locked(e.now()))
	}
	lock()
	require.NoError(t, errOf(e.loginFrom(u.Email, testPassword, fpA, false)), "the verified phone is not blocked by the stranger's lock")

	require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
	res, err := e.auth.ConfirmPasswordReset(ctx, ConfirmPasswordResetInput{Token: e.lastToken(u.Email), NewPassword: newPassword,
		DeviceFingerprint: fpA, Client: e.client})
	require.NoError(t, err)
	assert.Equal(t, TrustKnown, res.Trust, "the device that opened the link is signed in, verified")
	lock()

	again, err := e.loginFrom(u.Email, newPassword, fpA, false)
	require.NoError(t, err, "after the reset the stranger's new lock does not keep the owner out")
	assert.Equal(t, TrustKnown, again.Trust)
	_, err = e.loginFrom(u.Email, newPassword, fpB, false)
	requireKind(t, err, KindLocked) // other clients still meet the stranger's lock
}

// countedLockouts is a lockout store that counts the calls made to it.
type countedLockouts struct {
	ports.LockoutStore
	n atomic.Int64
}

func (c *countedLockouts) BeginAttempt(ctx context.Context, key string, now time.Time, p ports.LockPolicy) (ports.LockState, ports.Admission, error) {
	c.n.Add(1)
	return c.LockoutStore.BeginAttempt(ctx, key, now, p)
}

func (c *countedLockouts) FinishAttempt(ctx context.Context, key string, now time.Time, p ports.LockPolicy, o ports.Outcome) (ports.LockState, error) {
	c.n.Add(1)
	return c.LockoutStore.FinishAttempt(ctx, key, now, p, o)
}

func (c *countedLockouts) LockState(ctx context.Context, key string) (ports.LockState, error) {
	c.n.Add(1)
	return c.LockoutStore.LockState(ctx, key)
}

func (c *countedLockouts) ClearFailures(ctx context.Context, key string) error {
	c.n.Add(1)
	return c.LockoutStore.ClearFailures(ctx, key)
}

// slowAdmissions is a lockout store whose admissions take delay on the clock,
// as a long wait would.
type slowAdmissions struct {
	ports.LockoutStore
	clock *memory.Clock
	delay time.Duration
}

func (s slowAdmissions) BeginAttempt(ctx context.Context, key string, now time.Time, p ports.LockPolicy) (ports.LockState, ports.Admission, error) {
	st, v, err := s.LockoutStore.BeginAttempt(ctx, key, now, p)
	if strings.HasPrefix(key, "id:") { // the attempt's own admission; the account's follows it at once
		s.clock.Advance(s.delay)
	}
	return st, v, err
}

// An admitted attempt is judged only within half of Lockout.PendingFor (30 s of
// the 1 minute a pending place is held); later it is abandoned unjudged, and
// a sign-in's attempt on the account's counter with it.
func TestAnAttemptIsJudgedOnlyWithinHalfOfPendingFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		delay  time.Duration
		judged bool
	}{
		{name: "exactly 30 s after admission", delay: 30 * time.Second, judged: true},
		{name: "later", delay: 30*time.Second + time.Microsecond, judged: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var slow *slowAdmissions
			e := newEnv(t, withoutLimiter(), func(_ *Config, d *Deps) {
				slow = &slowAdmissions{LockoutStore: d.Storage, clock: d.Clock.(*memory.Clock)}
				d.Lockouts = slow
			})
			require.Equal(t, time.Minute, e.auth.cfg.Lockout.PendingFor, "the documented default")
			u := e.register("slow@example.in")
			slow.delay = tc.delay
			before := e.auth.hasher.Verifications()
			_, err := e.login(u.Email, "a wrong password")
			if tc.judged {
				requireKind(t, err, KindUnauthorized)
				assert.Equal(t, 1, e.lockState(u.ID).Failures)
				return
			}
			requireKind(t, err, KindUnavailable)
			assert.Equal(t, before, e.auth.hasher.Verifications(), "no hash for an attempt past its time")
			state := e.lockState(u.ID)
			assert.Zero(t, state.Failures, "an abandoned attempt counts nothing")
			assert.Zero(t, state.Pending, "and frees its place")
			account := inStore(e, e.store.LockState, "acct:"+u.ID)
			assert.Zero(t, account.Failures+account.Pending, "on the account's counter too")
		})
	}
}

// judge bounds the check of an attempt, hash wait included, by a context
// deadline of half of PendingFor.
func TestTheCheckOfAnAttemptHasADeadlineOfHalfOfPendingFor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	at, err := e.auth.beginAttempt(t.Context(), "Test", "id:deadline", e.auth.signInPolicy())
	require.NoError(t, err)
	var left time.Duration
	_, err = e.auth.judge(t.Context(), "Test", at, func(ctx context.Context) (bool, error) {
		deadline, ok := ctx.Deadline()
		require.True(t, ok, "the check has a deadline")
		left = time.Until(deadline)
		return true, nil
	})
	require.NoError(t, err)
	assert.InDelta(t, float64(30*time.Second), float64(left), float64(5*time.Second), "about 30 s of the minute")
}

// A failure to record an abandoned attempt is logged (its place lapses by
// itself); a recorded one logs nothing.
func TestAnAbandonedAttemptThatCannotBeRecordedIsLogged(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	e, f := newFaultyEnv(t, logTo(logs))
	at, err := e.auth.beginAttempt(t.Context(), "Test", "id:abandoned", e.auth.signInPolicy())
	require.NoError(t, err)
	_ = e.auth.abandon(t.Context(), "Test", at, errors.New("cut off"))
	assert.NotContains(t, logs.String(), "ending an abandoned attempt failed")
	at, err = e.auth.beginAttempt(t.Context(), "Test", "id:abandoned", e.auth.signInPolicy())
	require.NoError(t, err)
	f.failOn("FinishAttempt", errors.New("postgres: connection reset"))
	_ = e.auth.abandon(t.Context(), "Test", at, errors.New("cut off"))
	assert.Contains(t, logs.String(), "ending an abandoned attempt failed")
}

// A sign-in abandoned unjudged (a store failure, a check cut off) ends its
// attempt on the account's counter as well as on the identifier's, so neither
// holds a pending place until it lapses.
func TestAnAbandonedSignInEndsBothItsAttempts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	identifier, err := e.auth.beginAttempt(ctx, "Test", "id:abandoned", e.auth.signInPolicy())
	require.NoError(t, err)
	account, err := e.auth.beginAttempt(ctx, "Test", "acct:abandoned", e.auth.signInPolicy())
	require.NoError(t, err)
	s := &signIn{op: "Test", attempt: identifier, accountAttempt: account}
	cause := errors.New("cut off")
	require.ErrorIs(t, e.auth.abandonSignIn(ctx, s, cause), cause)
	for _, key := range []string{"id:abandoned", "acct:abandoned"} {
		state, err := e.store.LockState(ctx, key)
		require.NoError(t, err)
		assert.Zero(t, state.Pending, key)
		assert.Zero(t, state.Failures, "%s: abandoned, not failed", key)
	}
}

// The unlock link lifts the username's counter too.
func TestTheUnlockLinkLiftsTheUsernamesCounter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	ctx := t.Context()
	u, err := e.auth.Register(ctx, RegisterInput{Email: "handle@example.in", Username: "handle", Password: testPassword,
		Consents: allGranted(), Client: e.client})
	require.NoError(t, err)
	require.NoError(t, e.store.MarkEmailVerified(ctx, u.ID, e.now()))
	for i := 0; i < 5; i++ {
		_, _ = e.login("handle", "a wrong password")
	}
	requireKind(t, errOf(e.login("handle", testPassword)), KindLocked)
	require.NoError(t, errOf(e.auth.ConfirmUnlock(ctx, ConfirmUnlockInput{Token: e.unlockToken(t, u.Email), Client: e.client})))
	require.NoError(t, errOf(e.login("handle", testPassword)), "the username signs in again")
}

// newEmailAndNumberEnv is a phone env with one account named by a verified
// email (asha@example.com) and a verified number (testPhone).
func newEmailAndNumberEnv(t *testing.T) (*phoneEnv, ports.User) {
	t.Helper()
	p := newPhoneEnv(t, withoutLimiter())
	u := p.registerWithUnprovenPhone("asha@example.com")
	require.NoError(t, p.store.MarkPhoneVerified(t.Context(), u.ID, p.now()))
	u.PhoneVerified = true
	return p, u
}

// wrongPasswords makes n password logins naming identifier, each wrong and
// answered as wrong.
func (e *env) wrongPasswords(identifier string, n int) {
	e.t.Helper()
	for i := range n {
		requireKind(e.t, errOf(e.login(identifier, fmt.Sprint("wrong password ", i))), KindUnauthorized)
	}
}

// accountLockState reads the account's own sign-in counter, which failures
// named by any of its identifiers add to.
func (e *env) accountLockState(userID string) ports.LockState {
	e.t.Helper()
	s, err := e.store.LockState(e.t.Context(), "acct:"+userID)
	require.NoError(e.t, err)
	return s
}

// The sign-in counter is per account: failures named by its email and by its
// number add up, and the 5th of them locks the account for 7 minutes, in
// which not even the right password (by any identifier) is checked.
func TestLockoutCountsFailuresByEveryIdentifierOfTheAccount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		wrong  int // alternately by email and by number
		locked bool
	}{
		{name: "4 failures leave it open", wrong: 4, locked: false},
		{name: "the 5th locks it", wrong: 5, locked: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, u := newEmailAndNumberEnv(t)
			ctx := t.Context()
			byPhone := func(password string) error {
				_, err := p.auth.Login(ctx, LoginInput{Phone: testPhone, Password: password, Client: p.client})
				return err
			}
			for i := range tc.wrong {
				var err error
				if i%2 == 0 {
					_, err = p.login("asha@example.com", fmt.Sprint("wrong password ", i))
				} else {
					err = byPhone(fmt.Sprint("wrong password ", i))
				}
				requireKind(t, err, KindUnauthorized) // neither identifier's own counter reached 5
			}
			assert.Equal(t, tc.wrong, p.accountLockState(u.ID).Failures)
			if !tc.locked {
				require.NoError(t, byPhone(testPassword))
				assert.Zero(t, p.accountLockState(u.ID).Failures, "a success clears the account's counter")
				return
			}
			hashes := p.auth.hasher.Verifications()
			requireKind(t, byPhone(testPassword), KindUnauthorized)
			requireKind(t, errOf(p.login("asha@example.com", testPassword)), KindUnauthorized)
			assert.Equal(t, tc.wrong, p.accountLockState(u.ID).Failures, "refused attempts do not count")
			assert.EqualValues(t, 2, p.auth.hasher.Verifications()-hashes, "a dummy hash each, the same time as a check")

			p.clock.Advance(7*time.Minute - time.Second)
			requireKind(t, byPhone(testPassword), KindUnauthorized)
			p.clock.Advance(time.Second)
			require.NoError(t, byPhone(testPassword), "the lock lasts 7 minutes")
		})
	}
}

// A lock of the account never tells that two identifiers are one account's:
// whoever locked it by its email, then trying its number, meets exactly the
// answers (and lockout store calls) an unrelated number's tries meet (401
// four times, 423 at the 5th, counted on the number's own counter).
func TestAccountLockNeverLinksItsIdentifiers(t *testing.T) {
	t.Parallel()
	var calls *countedLockouts
	p := newPhoneEnv(t, withoutLimiter(), func(_ *Config, d *Deps) {
		calls = &countedLockouts{LockoutStore: d.Storage}
		d.Lockouts = calls
	})
	u := p.registerWithUnprovenPhone("asha@example.com")
	require.NoError(t, p.store.MarkPhoneVerified(t.Context(), u.ID, p.now()))
	ctx := t.Context()
	p.registerPhone(newPhone) // somebody else's account
	for i := 1; i <= 5; i++ {
		_, err := p.login("asha@example.com", fmt.Sprint("wrong password ", i))
		if i == 5 {
			requireKind(t, err, KindLocked)
		}
	}
	answers := func(number, ip string) []string { // each from an address of its own: no IP block
		var got []string
		for i := 1; i <= 5; i++ {
			before := calls.n.Load()
			_, err := p.auth.Login(ctx, LoginInput{Phone: number, Password: fmt.Sprint("guess ", i), Client: Client{IP: ip}})
			got = append(got, fmt.Sprint(calls.n.Load()-before, " lockout store calls"))
			require.Error(t, err)
			e := requireKind(t, err, KindOf(err))
			got = append(got, fmt.Sprint(e.Kind, " ", e.Code, " ", e.Message, " ", e.LockedUntil, " ", e.RequiresEmailVerify))
		}
		return got
	}
	linked, unrelated, nobodys := answers(testPhone, "198.51.100.1"), answers(newPhone, "198.51.100.2"), answers("98111 22333", "198.51.100.3")
	assert.Equal(t, unrelated, linked)
	assert.Equal(t, nobodys, linked)
	assert.Contains(t, linked[9], fmt.Sprint(KindLocked, " "))
	assert.Contains(t, linked[7], fmt.Sprint(KindUnauthorized, " "))
}

// The account's counter restarts like every counter: a failure more than 24
// hours after the previous one counts as the first.
func TestAccountCounterRestartsAfter24Hours(t *testing.T) {
	t.Parallel()
	for _, tc := range countWindowEdge {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, u := newEmailAndNumberEnv(t)
			ctx := t.Context()
			p.wrongPasswords("asha@example.com", 4)
			p.clock.Advance(tc.gap)
			_, err := p.auth.Login(ctx, LoginInput{Phone: testPhone, Password: "wrong again", Client: p.client})
			requireKind(t, err, KindUnauthorized)
			failed := 1 // a new count
			if tc.kept {
				failed = 5 // the 4 before it and this one
			}
			assert.Equal(t, failed, p.accountLockState(u.ID).Failures)
		})
	}
}

// Wrong sign-in codes count on the account's counter beside wrong passwords:
// 3 wrong passwords by email and 2 wrong codes by number lock the account, and
// then even the right code texted to the number signs nobody in.
func TestWrongSignInCodesCountOnTheAccountCounter(t *testing.T) {
	t.Parallel()
	p, u := newEmailAndNumberEnv(t)
	ctx := t.Context()
	p.wrongPasswords("asha@example.com", 3)
	require.NoError(t, p.auth.RequestOTP(ctx, RequestOTPInput{Phone: testPhone, Client: p.client}))
	code := p.sms.lastSMSCode(t, testPhone)
	for range 2 {
		_, err := p.auth.VerifyOTP(ctx, VerifyOTPInput{Phone: testPhone, Code: wrongCode(code), Client: p.client})
		requireKind(t, err, KindUnauthorized)
	}
	assert.True(t, p.accountLockState(u.ID).Locked(p.now()))
	_, err := p.auth.VerifyOTP(ctx, VerifyOTPInput{Phone: testPhone, Code: code, Client: p.client})
	requireKind(t, err, KindUnauthorized)
	p.clock.Advance(7 * time.Minute)
	_, err = p.auth.VerifyOTP(ctx, VerifyOTPInput{Phone: testPhone, Code: code, Client: p.client})
	require.NoError(t, err, "the code was never checked during the lock, so it is still good")
}
