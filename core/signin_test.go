package core

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
)

// A failed sign-in about a real account makes the same calls before its
// answer as one about nobody, and answers alike; the security events of the
// real account are written after the answer.
func TestFailedSignInsAnswerAlikeAfterTheSameCalls(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, flow := range []struct {
		name string
		call func(e *env, identifier string) error
	}{
		{name: "password", call: func(e *env, id string) error {
			_, err := e.auth.Login(ctx, LoginInput{Identifier: id, Password: "not the password", DeviceFingerprint: fpB, Client: e.client})
			return err
		}},
		{name: "login code", call: func(e *env, id string) error {
			_, err := e.auth.VerifyOTP(ctx, VerifyOTPInput{Identifier: id, Code: "000000", DeviceFingerprint: fpB, Client: e.client})
			return err
		}},
	} {
		t.Run(flow.name, func(t *testing.T) {
			t.Parallel()
			log := &callLog{}
			e := newEnv(t, counted(log), withoutLimiter())
			u := e.register("known@example.in")
			e.drain()

			release := holdWorkers(e)
			log.take()
			answers := map[string]error{}
			calls := map[string][]string{}
			for i, id := range []string{"known@example.in", "nobody@example.in"} {
				e.client.IP = []string{"192.0.2.1", "192.0.2.2"}[i] // one identifier per IP: no block
				answers[id] = flow.call(e, id)
				calls[id] = log.take()
			}
			known, nobody := requireKind(t, answers["known@example.in"], KindUnauthorized), requireKind(t, answers["nobody@example.in"], KindUnauthorized)
			assert.Equal(t, nobody.Code, known.Code)
			assert.Equal(t, nobody.Message, known.Message)
			assert.Equal(t, calls["nobody@example.in"], calls["known@example.in"])
			assert.NotContains(t, calls["known@example.in"], "RecordEvent", "no event before the answer")

			release()
			e.drain()
			assert.Contains(t, e.eventKinds(u.ID), ports.EventLoginFailed, "recorded after the answer")
		})
	}
}

func TestUnknownIdentifierRunsExactlyOneDummyVerification(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "known@example.in")
	for i, id := range []string{"known@example.in", "nobody@example.in", "no_such_user"} {
		before := e.auth.hasher.Verifications()
		// One IP each: three identifiers failing from one IP would block it.
		err := e.loginIP(id, "wrong-password", fmt.Sprintf("192.0.2.%d", i+1))
		requireKind(t, err, KindUnauthorized)
		assert.Equal(t, int64(1), e.auth.hasher.Verifications()-before, id)
	}
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
		counter = &countingCredentials{CredentialStore: d.Storage}
		d.Credentials = counter
	})
	e.register("known@example.in")
	for i, id := range []string{"known@example.in", "nobody@example.in"} {
		before := counter.reads.Load()
		requireKind(t, e.loginIP(id, "wrong-password", "192.0.2."+string(rune('1'+i))), KindUnauthorized)
		assert.Equal(t, int32(1), counter.reads.Load()-before, id)
	}
}

// A password sign-in, whose check is a slow hash, groups its store calls in
// two transactions (the checks with the admission, then the clearing with the
// session); a code sign-in, checked by one statement, makes each call on its
// own, where BEGIN and COMMIT would be the request's cost.
func TestAPasswordSignInGroupsItsCallsAndACodeSignInDoesNot(t *testing.T) {
	t.Parallel()
	rec := &txRecorder{}
	e, u := newUserEnv(t, "asha@example.in", transacted(rec, &faultyStore{}))
	rec.take()
	_, err := e.login(u.Email, testPassword)
	require.NoError(t, err)
	assert.Equal(t, []string{"commit", "commit"}, rec.take(), "a password sign-in")

	code := e.requestOTP(u.Email, "")
	rec.take()
	_, err = e.verifyOTP(u.Email, code, "")
	require.NoError(t, err)
	assert.Empty(t, rec.take(), "a code sign-in")
}

// A refusal after the right secret (here a child whose guardian has not
// consented) commits the sign-in's second transaction: the counter's
// clearing is kept, since the secret was right.
func TestARefusalAfterTheRightSecretKeepsTheClearedCounter(t *testing.T) {
	t.Parallel()
	rec := &txRecorder{}
	e := newEnv(t, withoutLimiter(), transacted(rec, &faultyStore{}))
	child := e.registerChild("ravi@example.in")
	rec.take()
	_, err := e.login(child.Email, testPassword)
	requireCode(t, err, KindForbidden, codeGuardianRequired)
	assert.Equal(t, []string{"commit", "commit"}, rec.take())
}

// A sign-in records the same events however it ends: its success, and a new
// device unless the device was a verified one of the account before.
func TestASignInRecordsItsEventsHoweverItEnds(t *testing.T) {
	t.Parallel()
	eachVariant(t, signInEnds, func(t *testing.T, e *env) {
		u := e.register("asha@example.in")
		before := len(e.eventKinds(u.ID))
		_, err := e.loginFrom(u.Email, testPassword, fpA, false)
		require.NoError(t, err)
		_, err = e.verifyOTP(u.Email, e.requestOTP(u.Email, fpB), fpB)
		require.NoError(t, err)
		_, err = e.verifyOTP(u.Email, e.requestOTP(u.Email, fpB), fpB)
		require.NoError(t, err)
		assert.Equal(t, []string{
			ports.EventLoginSucceeded, ports.EventNewDevice, // a password on a new device
			ports.EventLoginSucceeded, ports.EventNewDevice, // a code that verified the device it was asked on
			ports.EventLoginSucceeded, // a code on that device, verified before
		}, e.eventKinds(u.ID)[before:])
	})
}

// A sign-in ends its own attempt once: another attempt on the same counter
// keeps its pending place, however the sign-in ends, and a suspended
// account's refusal ends the attempt too (the secret was right).
func TestASignInEndsItsOwnAttemptOnce(t *testing.T) {
	t.Parallel()
	eachVariant(t, signInEnds, func(t *testing.T, e *env) {
		u := e.register("asha@example.in")
		ctx, policy := t.Context(), e.auth.signInPolicy()
		accountKey := "acct:" + u.ID
		for _, key := range []string{e.auth.identifierLockKey(u.Email), accountKey} {
			_, err := e.auth.beginAttempt(ctx, "Test", key, policy)
			require.NoError(t, err)
		}
		pendingOnAccount := func() int {
			st, err := e.store.LockState(ctx, accountKey)
			require.NoError(t, err)
			return st.Pending
		}
		_, err := e.verifyOTP(u.Email, e.requestOTP(u.Email, fpA), fpA) // a device not verified before: both counters
		require.NoError(t, err)
		assert.Equal(t, 1, e.lockState(u.ID).Pending, "the other attempt still holds its place")
		assert.Equal(t, 1, pendingOnAccount(), "the other attempt on the account still holds its place")

		require.NoError(t, e.auth.Admin().Suspend(ctx, u.ID))
		_, err = e.loginFrom(u.Email, testPassword, fpB, false)
		requireKind(t, err, KindSuspended)
		assert.Equal(t, 1, e.lockState(u.ID).Pending, "the refused sign-in ended its attempt")
		assert.Equal(t, 1, pendingOnAccount(), "and its attempt on the account")
	})
}

// accountEndsFail is a lockout store that cannot end an attempt on an
// account's own counter as a success.
type accountEndsFail struct{ ports.LockoutStore }

func (f accountEndsFail) FinishAttempt(ctx context.Context, key string, now time.Time, p ports.LockPolicy, o ports.Outcome) (ports.LockState, error) {
	if strings.HasPrefix(key, "acct:") && o == ports.Succeeded {
		return ports.LockState{}, errDown
	}
	return f.LockoutStore.FinishAttempt(ctx, key, now, p, o)
}

// A sign-in whose account counter cannot be cleared answers unavailable and
// opens no session, as when its identifier's cannot.
func TestASignInWhoseAccountCounterCannotBeClearedOpensNothing(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "asha@example.in", func(_ *Config, d *Deps) {
		d.Lockouts = accountEndsFail{d.Storage.(*memory.Store)}
	})
	_, err := e.verifyOTP(u.Email, e.requestOTP(u.Email, fpA), fpA)
	requireKind(t, err, KindUnavailable)
	assert.Empty(t, inStore(e, e.store.Sessions, u.ID))
}

// A sign-in whose session cannot be opened fails, opens nothing and leaves
// no attempt holding a place for longer than PendingFor, whether the session
// opens in one call or call by call:
//   - a password sign-in, whose calls run as transactions, rolls the second
//     back (the attempt's end as a success is not kept) and abandons the
//     attempt;
//   - a code sign-in, whose calls run alone, ends its attempt after a call
//     that surely wrote nothing (refused: ErrConflict, or a session created on
//     its own); after a one-call opening that failed otherwise, which may have
//     ended the attempt as it committed, it leaves the place to lapse rather
//     than risk freeing another attempt's.
func TestASignInWhoseSessionCannotOpenLeavesNoPlaceHeld(t *testing.T) {
	t.Parallel()
	errTaken := fmt.Errorf("postgres: duplicate key: %w", ports.ErrConflict)
	for name, c := range map[string]struct {
		failing      string
		err          error
		opts         []envOption
		codeLeftOver int // places the code sign-in leaves pending, to lapse
	}{
		"one call, unavailable":     {failing: "OpenSignInSession", err: errDown, codeLeftOver: 1},
		"one call, refused":         {failing: "OpenSignInSession", err: errTaken},
		"call by call, unavailable": {failing: "CreateSession", err: errDown, opts: []envOption{withEventsApart()}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec, faults := &txRecorder{}, &faultyStore{}
			e, u := newUserEnv(t, "asha@example.in", append(c.opts, transacted(rec, faults))...)
			code := e.requestOTP(u.Email, fpA)
			for flow, f := range map[string]struct {
				signIn   func() error
				ends     []string
				leftOver int
			}{
				"password": {signIn: func() error { return errOf(e.loginFrom(u.Email, testPassword, fpA, false)) },
					ends: []string{"commit", "rollback"}},
				"code": {signIn: func() error { return errOf(e.verifyOTP(u.Email, code, fpA)) }, leftOver: c.codeLeftOver},
			} {
				rec.take()
				faults.failOn(c.failing, c.err)
				err := f.signIn()
				require.Error(t, err, flow)
				assert.ErrorIs(t, err, c.err, flow)
				assert.Positive(t, faults.firedCount(), flow)
				faults.failOn("", nil)
				assert.Equal(t, f.ends, rec.take(), flow)
				st := e.lockState(u.ID)
				assert.Equal(t, f.leftOver, st.Pending, "%s: places left pending", flow)
				assert.Zero(t, st.PendingAt(e.now().Add(e.auth.signInPolicy().PendingFor+time.Second), e.auth.signInPolicy()),
					"%s: a place left pending lapses", flow)
				assert.Empty(t, inStore(e, e.store.Sessions, u.ID), flow)
				e.clock.Advance(e.auth.signInPolicy().PendingFor + time.Second) // the next flow starts with no place held
			}
		})
	}
}

// A password sign-in, whose store calls run as transactions, touches the
// account's activity once they have ended: PostgreSQL writes the activity on
// a connection of its own, and a transaction holding the sign-in's lockout
// rows while it waits for one could wait for ever, every pooled connection
// held by other sign-ins waiting for those rows (examples/integration's
// sixteen concurrent logins hung so until the query timeout).
func TestASignInTouchesActivityOutsideItsTransactions(t *testing.T) {
	t.Parallel()
	rec, faults := &txRecorder{}, &faultyStore{}
	e, u := newUserEnv(t, "asha@example.in", transacted(rec, faults))
	rec.inside.take()
	rec.outside.take()
	_, err := e.loginFrom(u.Email, testPassword, fpA, false)
	require.NoError(t, err)
	inside := rec.inside.take()
	assert.Contains(t, inside, "OpenSignInSession", "the session opens in the transaction")
	assert.NotContains(t, inside, "TouchActivity")
	assert.Contains(t, rec.outside.take(), "TouchActivity")
}

// insideTxMailer counts the emails sent while a transaction of rec is open.
type insideTxMailer struct {
	ports.Mailer
	rec    *txRecorder
	inside *atomic.Int32
}

func (m insideTxMailer) Send(ctx context.Context, msg ports.Message) error {
	if m.rec.open.Load() > 0 {
		m.inside.Add(1)
	}
	return m.Mailer.Send(ctx, msg)
}

// The jobs a sign-in's transaction asks to run after the answer (here the
// email telling that the sign-in cancelled an erasure request) wait for it
// to end: they run once it has committed, outside it, and not at all when
// it rolled back, since what they tell of did not happen.
func TestJobsAskedInASignInsTransactionWaitForItsEnd(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		failing string
		mails   int
	}{
		"committed":   {mails: 1},
		"rolled back": {failing: "OpenSignInSession"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec, faults, inside := &txRecorder{}, &faultyStore{}, &atomic.Int32{}
			e := newEnv(t, withoutLimiter(), transacted(rec, faults), func(_ *Config, d *Deps) {
				d.Mailer = insideTxMailer{Mailer: d.Mailer, rec: rec, inside: inside}
			})
			u := e.register("ravi@example.in")
			receipt := e.requestErasure(u.Email)
			e.clock.Set(receipt.DueAt.Add(-time.Minute))
			faults.failOn(c.failing, errDown)
			_, err := e.login(u.Email, testPassword)
			assert.Equal(t, c.failing == "", err == nil, "%v", err)
			assert.Equal(t, c.mails, e.mailsWithSubject(u.Email, "was cancelled"))
			assert.Zero(t, inside.Load(), "no email goes out while a transaction is open")
		})
	}
}

// A signed-in attempt whose counter cannot be settled after its session
// opened (past judgeWithin, its failures cannot be cleared) still signs in:
// the secret was right and the session is open. The failure is logged.
func TestASignInWhoseCounterCannotBeSettledAfterItOpenedIsLogged(t *testing.T) {
	t.Parallel()
	logs, rec, faults := &logBuffer{}, &txRecorder{}, &faultyStore{}
	e, u := newUserEnv(t, "asha@example.in", logTo(logs), transacted(rec, faults))
	e.auth.cfg.Claims = func(context.Context, ClaimsInput) (map[string]any, error) {
		e.clock.Advance(judgeWithin(e.auth.signInPolicy()) + time.Second)
		return nil, nil
	}
	code := e.requestOTP(u.Email, fpA)
	faults.failOn("ClearFailures", errDown)
	res, err := e.verifyOTP(u.Email, code, fpB) // not the asking device: no device is newly verified

	require.NoError(t, err)
	assert.Positive(t, faults.firedCount())
	assert.NotEmpty(t, res.AccessToken)
	assert.Contains(t, logs.String(), "settling a signed-in attempt failed")
}

// A refused sign-in (a suspended account) whose attempt cannot be ended
// answers unavailable, as any store failure does, not with the refusal.
func TestARefusedSignInWhoseAttemptCannotBeEndedAnswersUnavailable(t *testing.T) {
	t.Parallel()
	rec, faults := &txRecorder{}, &faultyStore{}
	e, u := newUserEnv(t, "asha@example.in", transacted(rec, faults))
	code := e.requestOTP(u.Email, fpA)
	require.NoError(t, e.auth.Admin().Suspend(t.Context(), u.ID))
	faults.failOn("FinishAttempt", errDown)
	_, err := e.verifyOTP(u.Email, code, fpA)
	requireKind(t, err, KindUnavailable)
}

// slowCodes is a token store whose code checks take as long as late says
// (on the test clock).
type slowCodes struct {
	ports.OneTimeTokenRepo
	late func()
}

func (s slowCodes) ConsumeCode(ctx context.Context, subject, purpose, hash string, now time.Time) (ports.OneTimeToken, error) {
	defer s.late()
	return s.OneTimeTokenRepo.ConsumeCode(ctx, subject, purpose, hash, now)
}

// A sign-in whose attempt is settled after it should have been judged
// (judgeWithin: a slow code check, a slow Config.Claims) does not end the
// attempt: its place may have lapsed and gone to another attempt, which
// ending it would free. The secret was right, so the failures are cleared;
// the place lapses. Where the session opens in one call the attempt is
// settled with it, so a slow Config.Claims makes it late too; call by call,
// it is settled before the session opens.
func TestASignInPastItsJudgingTimeLetsItsPlaceLapse(t *testing.T) {
	t.Parallel()
	for _, slow := range []string{"code check", "claims"} {
		t.Run(slow, func(t *testing.T) {
			t.Parallel()
			eachVariant(t, signInEnds, func(t *testing.T, e *env) {
				u := e.register("asha@example.in")
				late := func() { e.clock.Advance(judgeWithin(e.auth.signInPolicy()) + time.Second) }
				code := e.requestOTP(u.Email, fpA)
				e.wrongOTPs(u.Email, code, 2)
				if slow == "claims" {
					e.auth.cfg.Claims = func(context.Context, ClaimsInput) (map[string]any, error) { late(); return nil, nil }
				} else {
					e.auth.deps.Tokens = slowCodes{OneTimeTokenRepo: e.auth.deps.Tokens, late: late}
				}
				_, err := e.verifyOTP(u.Email, code, fpA)
				require.NoError(t, err)
				st := e.lockState(u.ID)
				assert.Zero(t, st.Failures, "the right code clears the failures")
				onAccount, err := e.store.LockState(t.Context(), "acct:"+u.ID)
				require.NoError(t, err)
				assert.Zero(t, onAccount.Failures, "on the account's counter too")
				if slow == "claims" && e.auth.signInOpens == nil {
					assert.Zero(t, st.Pending, "ended before the session opened, in time")
				} else {
					assert.Equal(t, 1, st.Pending, "the place is left to lapse")
				}
			})
		})
	}
}

// Where one backend keeps the users, devices, abuse records and holds, a
// sign-in reads its account, device, IP block and holds in one store call
// (ports.SignInUsers); where one keeps the lockouts, sessions and events, it
// ends (its attempts cleared, its session created, its events recorded) in
// one (ports.SignInSessions); else call by call.
func TestASignInReadsAndEndsInOneCallWhereTheStoreCan(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		opts        []envOption
		want, not   []string
		holdsAtOnce bool
	}{
		"one backend": {holdsAtOnce: true, want: []string{"SignInUser", "OpenSignInSession"},
			not: []string{"IPBlockedUntil", "UserByEmail", "KnownDevice", "CreateSession", "FinishAttempt", "RecordEvent"}},
		"an app's own device trust": {opts: []envOption{withSignInOneByOne()},
			want: []string{"IPBlockedUntil", "UserByEmail", "OpenSignInSession"}, not: []string{"SignInUser"}},
		"an app's own event log": {opts: []envOption{withEventsApart()}, holdsAtOnce: true,
			want: []string{"SignInUser", "CreateSession", "FinishAttempt"}, not: []string{"OpenSignInSession"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			log := &callLog{}
			e, u := newUserEnv(t, "asha@example.in", append(c.opts, countedStorage(log))...)
			code := e.requestOTP(u.Email, fpA)
			e.drain()
			for flow, signIn := range map[string]func() error{
				"password": func() error { return errOf(e.loginFrom(u.Email, testPassword, fpA, false)) },
				"code":     func() error { return errOf(e.verifyOTP(u.Email, code, fpA)) },
			} {
				log.take()
				require.NoError(t, signIn(), flow)
				calls := log.take()
				for _, call := range c.want {
					assert.Contains(t, calls, call, flow)
				}
				for _, call := range c.not {
					assert.NotContains(t, calls, call, flow)
				}
			}
			assert.Equal(t, c.holdsAtOnce, e.auth.signInHolds, "holds read with the user")
		})
	}
}

// A code sign-in of an account whose address was proven before opens its
// session with the holds its first read brought: they are not read again.
func TestACodeSignInOfAProvenAccountReadsItsHoldsOnce(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	e, u := newUserEnv(t, "asha@example.in", observed(r))
	code := e.requestOTP(u.Email, "")
	r.mu.Lock()
	r.calls = nil
	r.mu.Unlock()
	require.NoError(t, errOf(e.verifyOTP(u.Email, code, "")))
	r.mu.Lock()
	defer r.mu.Unlock()
	assert.Contains(t, r.calls, "SignInUsers.SignInUser")
	assert.NotContains(t, r.calls, "AccountHoldsReader.AccountHolds")
}
