package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
)

func TestErasureRequestIsSensitiveReachesTheAppAndEndsEverySession(t *testing.T) {
	t.Parallel()
	inbox := &erasureInbox{}
	e, u := newUserEnv(t, "erase@example.in", withErasureHandler(inbox))
	ctx := t.Context()

	fresh := e.principal(e.mustLogin(u.Email)) // a new device
	requireKind(t, errOf(e.auth.RequestErasure(ctx, fresh, e.client)), KindStepUpRequired)
	assert.Empty(t, inbox.all())

	res := e.knownDeviceLogin(u.Email)
	other := e.mustLogin(u.Email)
	p := e.principal(res)
	requireKind(t, errOf(e.auth.RequestErasure(ctx, p, e.client)), KindStepUpRequired) // irreversible: a fresh step-up even here
	e.stepUp(p, u.Email)
	receipt, err := e.auth.RequestErasure(ctx, p, e.client)
	require.NoError(t, err)
	require.Len(t, inbox.all(), 1)
	assert.Equal(t, ports.ErasureRequest{ID: receipt.RequestID, UserID: u.ID, Email: u.Email, RequestedAt: testStart,
		DueAt: testStart.Add(7 * 24 * time.Hour), IPAddress: testIP, UserAgent: testUA}, inbox.all()[0])
	assert.Equal(t, ports.ErasureReceived, receipt.Status)
	assert.True(t, validToken(receipt.StatusToken), "the status token is a 256-bit token")

	for _, s := range []LoginResult{res, other} {
		requireKind(t, errOf(e.auth.Authenticate(ctx, s.AccessToken)), KindUnauthorized)
	}
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Contains(t, m.Subject, "erase")
	assert.Contains(t, m.Text, "To be done by: 3 Dec 2026", "the receipt states the due date")
	assert.NotContains(t, m.Text, "Sign in before", "with an app handler a sign-in does not cancel")
	assert.Contains(t, e.eventKinds(u.ID), ports.EventErasureRequested)
}

func TestErasureHandlerThatFailsTakesNothing(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	inbox := &erasureInbox{}
	inbox.setFail(errors.New("queue full"))
	f := newEnv(t, withoutLimiter(), withErasureHandler(inbox))
	f.register("fail@example.in")
	p := f.principal(f.knownDeviceLogin("fail@example.in"))
	f.stepUp(p, "fail@example.in")
	before := f.mailsTo("fail@example.in")
	requireKind(t, errOf(f.auth.RequestErasure(ctx, p, f.client)), KindUnavailable)
	assert.Equal(t, before, f.mailsTo("fail@example.in"), "no receipt for a request that was not taken")
	assert.Empty(t, inbox.all())

	inbox.setFail(nil)
	f.requestErasure("fail@example.in") // the request that was not taken does not block a new one
	assert.Len(t, inbox.all(), 1)
}

func TestErasureGraceIsSevenDaysAndMustBePositive(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 7*24*time.Hour, DefaultConfig().ErasureGrace)
	cfg := DefaultConfig()
	cfg.SecretKey = make([]byte, 32)
	cfg.ErasureGrace = 0
	_, err := New(cfg, Deps{Storage: newEnv(t).store, Mailer: newEnv(t).outbox})
	require.ErrorContains(t, err, "ErasureGrace")
}

func TestErasureWithoutAHandlerCompletesWhenTheGraceEnds(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e, u := newUserEnv(t, "asha@example.in")
	require.NoError(t, e.store.SetPINHash(ctx, u.ID, "$argon2id$pin", e.now()))
	e.failLogins(u.Email, 2)
	receipt := e.requestErasure(u.Email)
	assert.Equal(t, testStart.Add(e.auth.Config().ErasureGrace), receipt.DueAt)
	m, _ := e.outbox.Last(u.Email)
	assert.Contains(t, m.Text, "Sign in before 3 Dec 2026, 15:30 IST and the request is cancelled")

	report := e.maintainAt(receipt.DueAt.Add(-time.Microsecond))
	assert.Zero(t, report.ErasuresCompleted, "nothing is erased before the due date")
	require.NoError(t, errOf(e.store.UserByID(ctx, u.ID)))

	report = e.maintainAt(receipt.DueAt)
	assert.Equal(t, 1, report.ErasuresCompleted, "erased at exactly the due date")

	_, err := e.store.UserByID(ctx, u.ID)
	require.ErrorIs(t, err, ports.ErrNotFound, "the account")
	_, err = e.store.Credentials(ctx, u.ID)
	require.ErrorIs(t, err, ports.ErrNotFound, "the password and PIN")
	sessions := inStore(e, e.store.Sessions, u.ID)
	assert.Empty(t, sessions)
	counter := inStore(e, e.store.LockState, e.auth.identifierLockKey(u.Email))
	assert.Zero(t, counter, "the email's counter")
	events := inStore(e, e.store.Events, u.ID)
	require.NotEmpty(t, events, "security events are kept as evidence")
	for _, ev := range events {
		assert.Empty(t, ev.IPAddress+ev.UserAgent, "event %s keeps no IP or user agent", ev.Kind)
	}
	assert.Equal(t, ports.EventErasureCompleted, events[len(events)-1].Kind)

	done, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Contains(t, done.Subject, "was erased")
	st, err := e.auth.ErasureStatus(ctx, receipt.StatusToken)
	require.NoError(t, err)
	assert.Equal(t, ErasureStatus{RequestID: receipt.RequestID, Status: ports.ErasureCompleted, ReceivedAt: testStart,
		DueAt: receipt.DueAt, ClosedAt: receipt.DueAt, Kept: keptAfterErasure}, st)

	report = e.maintain()
	assert.Zero(t, report.ErasuresCompleted, "a completed request is not erased twice")
	requireKind(t, errOf(e.login(u.Email, testPassword)), KindUnauthorized)
	e.register(u.Email) // the address is free again
}

func TestSignInWithinTheErasureGraceCancelsIt(t *testing.T) {
	t.Parallel()
	eachVariant(t, holdsReads, testSignInWithinTheErasureGraceCancelsIt)
}

func testSignInWithinTheErasureGraceCancelsIt(t *testing.T, e *env) {
	ctx := t.Context()
	u := e.register("ravi@example.in")
	receipt := e.requestErasure(u.Email)

	e.clock.Set(receipt.DueAt.Add(-time.Minute))
	e.mustLogin(u.Email)
	assert.Equal(t, 1, e.mailsWithSubject(u.Email, "was cancelled"))
	assert.Contains(t, e.eventKinds(u.ID), ports.EventErasureCancelled)

	report := e.maintainAt(receipt.DueAt.Add(time.Hour))
	assert.Zero(t, report.ErasuresCompleted)
	require.NoError(t, errOf(e.store.UserByID(ctx, u.ID)), "the account stays")
	st, err := e.auth.ErasureStatus(ctx, receipt.StatusToken)
	require.NoError(t, err)
	assert.Equal(t, ports.ErasureCancelled, st.Status)
	assert.Equal(t, receipt.DueAt.Add(-time.Minute), st.ClosedAt)

	e.mustLogin(u.Email)
	assert.Equal(t, 1, e.mailsWithSubject(u.Email, "was cancelled"), "a later sign-in has nothing to cancel")
}

func TestErasureStatusNeedsOnlyItsToken(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e, _ := newUserEnv(t, "asha@example.in")
	receipt := e.requestErasure("asha@example.in")

	st, err := e.auth.ErasureStatus(ctx, receipt.StatusToken)
	require.NoError(t, err)
	assert.Equal(t, ErasureStatus{RequestID: receipt.RequestID, Status: ports.ErasureReceived, ReceivedAt: testStart,
		DueAt: receipt.DueAt}, st)
	for _, token := range []string{"", "short", newToken(), receipt.RequestID} {
		requireKind(t, errOf(e.auth.ErasureStatus(ctx, token)), KindNotFound)
	}
}

func TestCompleteErasureIsTheAppsCallWithAHandler(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	inbox := &erasureInbox{}
	e, u := newUserEnv(t, "meera@example.in", withErasureHandler(inbox))
	receipt := e.requestErasure(u.Email)

	report := e.maintainAt(receipt.DueAt.Add(time.Hour))
	assert.Zero(t, report.ErasuresCompleted, "with a handler, the app completes")
	e.mustLogin(u.Email) // a sign-in does not cancel a request the app holds
	st, err := e.auth.ErasureStatus(ctx, receipt.StatusToken)
	require.NoError(t, err)
	assert.Equal(t, ports.ErasureReceived, st.Status)

	require.NoError(t, e.auth.CompleteErasure(ctx, inbox.all()[0].ID))
	_, err = e.store.UserByID(ctx, u.ID)
	require.ErrorIs(t, err, ports.ErrNotFound)
	require.NoError(t, e.auth.CompleteErasure(ctx, receipt.RequestID), "completing twice is no error")
	requireKind(t, e.auth.CompleteErasure(ctx, "era_unknown"), KindNotFound)
}

func TestCompleteErasureOfACancelledRequestConflicts(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e, u := newUserEnv(t, "asha@example.in")
	receipt := e.requestErasure(u.Email)
	e.mustLogin(u.Email)
	err := requireKind(t, e.auth.CompleteErasure(ctx, receipt.RequestID), KindConflict)
	assert.Equal(t, "erasure_cancelled", err.Code)
	_, storeErr := e.store.Credentials(ctx, u.ID)
	require.NoError(t, storeErr)
}

func TestASecondErasureRequestWhileOneIsOpenConflicts(t *testing.T) {
	t.Parallel()
	inbox := &erasureInbox{}
	e, _ := newUserEnv(t, "asha@example.in", withErasureHandler(inbox))
	e.requestErasure("asha@example.in")
	p := e.principal(e.knownDeviceLogin("asha@example.in"))
	e.stepUp(p, "asha@example.in")
	err := requireKind(t, errOf(e.auth.RequestErasure(t.Context(), p, e.client)), KindConflict)
	assert.Equal(t, codeErasurePending, err.Code)
	assert.Len(t, inbox.all(), 1)
}

func TestErasureCompletionEmailIsInTheUsersLanguage(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t, withoutLimiter())
	u, err := e.auth.Register(ctx, RegisterInput{Email: "priya@example.in", Password: testPassword, Language: "hi",
		Consents: allGranted(), Client: e.client})
	require.NoError(t, err)
	require.NoError(t, e.store.MarkEmailVerified(ctx, u.ID, e.now()))
	receipt := e.requestErasure(u.Email)
	e.maintainAt(receipt.DueAt)
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Contains(t, m.Subject, "मिटा दिया गया")
}

// Erasure keeps the consent log as evidence, but its version 2 rows (whose
// hash covers keyed digests, not the raw values) lose IP address and user
// agent, and the chain still verifies.
func TestErasurePseudonymisesConsentRowsAndTheChainStillVerifies(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e, u := newUserEnv(t, "asha@example.in")
	before := inStore(e, e.store.ConsentHistory, u.ID)
	require.NotEmpty(t, before)
	receipt := e.requestErasure(u.Email)
	report := e.maintainAt(receipt.DueAt)
	require.Equal(t, 1, report.ErasuresCompleted)

	history := inStore(e, e.store.ConsentHistory, u.ID)
	require.Len(t, history, len(before), "consent rows are kept as evidence")
	for i, r := range history {
		assert.Equal(t, ports.ChainV2, r.ChainVersion)
		assert.Empty(t, r.IPAddress+r.UserAgent, "row %d keeps no IP or user agent", r.Seq)
		assert.Equal(t, before[i].Hash, r.Hash)
	}
	chain, err := e.auth.Admin().VerifyConsentChain(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, ChainReport{Rows: len(history), Intact: true, Checkpointed: true}, chain)
}

// Erasure removes the phone number: the account row goes, the number's
// counters and the account's count of wrong change codes with it, and the
// number is free to register again.
func TestErasureRemovesThePhoneNumber(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	p := newPhoneEnv(t, withoutLimiter(), func(c *Config, _ *Deps) { c.Phone.Budgets.PerNumber.Limit = 20 })
	u := p.registerPhone(testPhone)
	res, err := p.smsLogin(testPhone)
	require.NoError(t, err)
	pr := p.principal(res)
	_ = p.auth.ConfirmPhoneChange(ctx, pr, PhoneCodeInput{Code: "000000", Client: p.client}) // the account's wrong change codes
	changeCodes := smsCodeLockKey("acct:" + u.ID)
	require.NotZero(t, inStore(p.env, p.store.LockState, changeCodes).Failures)
	require.NoError(t, p.auth.RequestStepUp(ctx, pr, p.client))
	require.NoError(t, p.auth.VerifyStepUp(ctx, pr, VerifyStepUpInput{Code: p.sms.lastSMSCode(t, testPhone), Client: p.client}))
	receipt, err := p.auth.RequestErasure(ctx, pr, p.client)
	require.NoError(t, err)
	_, _ = p.auth.VerifyOTP(ctx, VerifyOTPInput{Phone: testPhone, Code: "000000", Client: p.client}) // a counter to erase
	require.NotZero(t, p.lockState(u.ID).Failures)
	_, _ = p.auth.ConfirmUnlock(ctx, ConfirmUnlockInput{Phone: testPhone, Code: "000000", Client: p.client}) // and its wrong codes
	codes := smsCodeLockKey(p.auth.identifierKey(testPhone))
	require.NotZero(t, inStore(p.env, p.store.LockState, codes).Failures)
	report := p.maintainAt(receipt.DueAt)
	require.Equal(t, 1, report.ErasuresCompleted)

	_, err = p.store.UserByPhone(ctx, testPhone)
	require.ErrorIs(t, err, ports.ErrNotFound, "the number")
	_, err = p.store.UserByID(ctx, u.ID)
	require.ErrorIs(t, err, ports.ErrNotFound)
	counter, err := p.store.LockState(ctx, p.auth.identifierLockKey(testPhone))
	require.NoError(t, err)
	assert.Zero(t, counter, "the number's counter")
	assert.Zero(t, inStore(p.env, p.store.LockState, codes), "the number's count of wrong codes")
	assert.Zero(t, inStore(p.env, p.store.LockState, changeCodes), "the account's count of wrong change codes")
	p.registerPhone(testPhone) // free again
}

// erasureFaults is the store's erasure port with the failures a test sets:
// erasing a user of failUsers fails, and so does closing a request while
// cancelErr is set. A Maintain pass reads the due requests a few times at
// most; past maxDueReads the read fails, so that a pass which loops fails the
// test at once instead of hanging it.
type erasureFaults struct {
	ports.ErasureStore
	mu        sync.Mutex
	failUsers map[string]bool
	cancelErr error
	dueReads  int
}

const maxDueReads = 3

func withErasureFaults(f *erasureFaults) envOption {
	return func(_ *Config, d *Deps) { f.ErasureStore, d.Erasures = d.Storage.(*memory.Store), f }
}

func (f *erasureFaults) EraseUser(ctx context.Context, e ports.UserErasure) (ports.ErasureRecord, error) {
	f.mu.Lock()
	fail := f.failUsers[e.UserID]
	f.mu.Unlock()
	if fail {
		return ports.ErasureRecord{}, errCorrupt
	}
	return f.ErasureStore.EraseUser(ctx, e)
}

func (f *erasureFaults) CancelErasureRequest(ctx context.Context, id string, at time.Time) (ports.ErasureRecord, error) {
	f.mu.Lock()
	err := f.cancelErr
	f.mu.Unlock()
	if err != nil {
		return ports.ErasureRecord{}, err
	}
	return f.ErasureStore.CancelErasureRequest(ctx, id, at)
}

func (f *erasureFaults) DueErasureRequests(ctx context.Context, now time.Time, limit int) ([]ports.ErasureRecord, error) {
	f.mu.Lock()
	f.dueReads++
	reads := f.dueReads
	f.mu.Unlock()
	if reads > maxDueReads {
		return nil, fmt.Errorf("read %d of the due erasure requests in one pass: %w", reads, errDown)
	}
	return f.ErasureStore.DueErasureRequests(ctx, now, limit)
}

// dueErasures stores n open erasure requests, due one second apart from
// testStart on, of users the app already erased the rows of, and returns
// their users' IDs in the order they fall due.
func (e *env) dueErasures(n int) []string {
	e.t.Helper()
	users := make([]string, n)
	for i := range users {
		users[i] = fmt.Sprintf("usr_gone%03d", i)
		due := testStart.Add(time.Duration(i) * time.Second)
		require.NoError(e.t, e.store.CreateErasureRequest(e.t.Context(), ports.ErasureRecord{
			ID: newID("era_"), UserID: users[i], Email: users[i] + "@example.in", StatusHash: tokenHash(newToken()),
			Status: ports.ErasureReceived, ReceivedAt: testStart.Add(-7 * 24 * time.Hour), DueAt: due}))
	}
	return users
}

// One Maintain run erases every due request, past the first batch of
// maintainBatch it reads.
func TestMaintainErasesEveryDueRequestPastOneBatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.dueErasures(maintainBatch + 1)
	report := e.maintainAt(testStart.Add(time.Hour))
	assert.Equal(t, maintainBatch+1, report.ErasuresCompleted)
}

// A whole batch of erasures that keep failing does not hold up the request
// due behind them: the next read takes as many more as have failed.
func TestAFullBatchOfFailingErasuresDoesNotHoldUpTheNext(t *testing.T) {
	t.Parallel()
	faults := &erasureFaults{failUsers: map[string]bool{}}
	e := newEnv(t, withoutLimiter(), withErasureFaults(faults))
	users := e.dueErasures(maintainBatch + 1)
	for _, u := range users[:maintainBatch] {
		faults.failUsers[u] = true
	}
	e.clock.Set(testStart.Add(time.Hour))
	report, err := e.auth.Maintain(waitContext(t))
	require.Error(t, err)
	assert.Equal(t, maintainBatch, strings.Count(err.Error(), "erasure request era_"), "each failure is reported once")
	assert.Equal(t, 2, faults.dueReads, "the due requests are read twice, not in a loop")
	assert.Equal(t, 1, report.ErasuresCompleted, "the request behind the failing ones is erased")
}

// A request the app's handler refused is closed again so that the user can
// ask anew; when even that fails, the operator is told, since the open
// request now refuses every new one.
func TestARequestNotTakenThatCannotBeClosedIsLogged(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	inbox := &erasureInbox{}
	inbox.setFail(errors.New("queue full"))
	faults := &erasureFaults{cancelErr: errDown}
	logs := &logBuffer{}
	e := newEnv(t, withoutLimiter(), withErasureHandler(inbox), withErasureFaults(faults), logTo(logs))
	e.register("keep@example.in")
	p := e.principal(e.knownDeviceLogin("keep@example.in"))
	e.stepUp(p, "keep@example.in")
	requireKind(t, errOf(e.auth.RequestErasure(ctx, p, e.client)), KindUnavailable)
	assert.Contains(t, logs.String(), "closing an erasure request that was not taken failed")
}
