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

	"github.com/bharatauth/bharatauth-go/core/internal/secret"
	"github.com/bharatauth/bharatauth-go/ports"
)

func TestPINLockAnswersExactlyLikeAWrongPINAndRevokesTheSession(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "pin@example.in")
	res := e.knownDeviceLogin("pin@example.in")
	p := e.principal(res)
	ctx := t.Context()
	require.NoError(t, e.auth.SetPIN(ctx, p, SetPINInput{PIN: testPIN, Client: e.client}))

	var answers []*Error
	for i := 0; i < 5; i++ {
		answers = append(answers, requireKind(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: "9157", Client: e.client}), KindUnauthorized))
	}
	for _, a := range answers[1:] {
		assert.Equal(t, answers[0].Code, a.Code)
		assert.Equal(t, answers[0].Message, a.Message)
		assert.True(t, a.LockedUntil.IsZero())
	}
	assert.Equal(t, codeInvalidPIN, answers[4].Code)

	// The 5th failure locked the PIN and revoked the session that made the attempts.
	requireKind(t, errOf(e.auth.Authenticate(ctx, res.AccessToken)), KindUnauthorized)

	// A new session on that phone (stepped up by email again: the lock forgot
	// the device), during the lock: even the right PIN answers like a wrong one.
	other := e.principal(e.knownDeviceLogin("pin@example.in"))
	ce := requireKind(t, e.auth.VerifyPIN(ctx, other, VerifyPINInput{PIN: testPIN, Client: e.client}), KindUnauthorized)
	assert.Equal(t, answers[0].Code, ce.Code)
	assert.Equal(t, answers[0].Message, ce.Message)
}

func TestChangingAnExistingPINNeedsTheCurrentPINOrAStepUp(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "change@example.in")
	res, err := e.loginFrom("change@example.in", testPassword, fpA, false) // a new device
	require.NoError(t, err)
	p := e.principal(res)
	ctx := t.Context()
	set := func(pin, current string) error {
		return e.auth.SetPIN(ctx, p, SetPINInput{PIN: pin, CurrentPIN: current, Client: e.client})
	}

	// A first PIN needs a trusted session: a password thief on a new device
	// must not set a PIN and step up with it.
	requireKind(t, set(testPIN, ""), KindStepUpRequired)
	e.stepUp(p, "change@example.in")
	require.NoError(t, set(testPIN, ""))

	// Changing it: the current PIN, or a fresh step-up, even on this now known device.
	e.clock.Advance(5*time.Minute + time.Second)
	requireKind(t, set("8351", ""), KindStepUpRequired)
	requireKind(t, set("8351", "7777"), KindUnauthorized)
	require.NoError(t, set("8351", testPIN))
	// The app unlock on a known phone leaves no step-up behind: whoever picks
	// up the unlocked phone cannot change the PIN.
	require.NoError(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: "8351", Client: e.client}))
	requireKind(t, set("6042", ""), KindStepUpRequired)
	// An emailed code is a fresh step-up, good for one change.
	e.stepUp(p, "change@example.in")
	require.NoError(t, set("6042", ""))
	requireKind(t, set("7150", ""), KindStepUpRequired) // that step-up is used up
}

func TestCommonAndMalformedPINsAreRejected(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "weak@example.in")
	p := e.principal(e.mustLogin("weak@example.in"))
	for _, pin := range []string{"0000", "1234", "1111", "123456", "123", "123456789", "12a4", ""} {
		ce := requireKind(t, e.auth.SetPIN(t.Context(), p, SetPINInput{PIN: pin, Client: e.client}), KindValidation)
		assert.Equal(t, "pin", ce.Field, pin)
	}
}

func TestPINResetWorksWhileLockedAndEmailsTheChange(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "reset@example.in")
	p := e.principal(e.knownDeviceLogin(u.Email))
	ctx := t.Context()
	require.NoError(t, e.auth.SetPIN(ctx, p, SetPINInput{PIN: testPIN, Client: e.client}))
	e.failLogins(u.Email, 5)
	require.NoError(t, e.auth.RequestPINReset(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
	require.NoError(t, e.auth.RequestPINReset(ctx, IdentifierInput{Identifier: "nobody@example.in", Client: e.client}), "the same answer for everyone")
	token := e.lastToken(u.Email)
	requireKind(t, e.auth.ConfirmPINReset(ctx, ConfirmPINResetInput{Token: token, NewPIN: "1234", Client: e.client}), KindValidation) // checked before the link is used
	require.NoError(t, e.auth.ConfirmPINReset(ctx, ConfirmPINResetInput{Token: token, NewPIN: "5820", Client: e.client}))
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.NotContains(t, m.Text, "5820", "an email never carries the PIN")

	// The PIN reset left the lock alone (only the unlock link or a password
	// reset lifts locks): sign in once the soft lock is over.
	requireKind(t, errOf(e.login(u.Email, testPassword)), KindLocked)
	e.clock.Advance(7 * time.Minute)
	p2 := e.principal(e.mustLogin(u.Email))
	require.NoError(t, e.auth.VerifyPIN(ctx, p2, VerifyPINInput{PIN: "5820", Client: e.client}))
	requireKind(t, e.auth.ConfirmPINReset(ctx, ConfirmPINResetInput{Token: token, NewPIN: "5821", Client: e.client}), KindUnauthorized)
}

func TestVerifyPINWithoutAPINSet(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "nopin@example.in")
	p := e.principal(e.mustLogin("nopin@example.in"))
	assert.Equal(t, codeInvalidPIN, requireKind(t, e.auth.VerifyPIN(t.Context(), p, VerifyPINInput{PIN: testPIN, Client: e.client}), KindUnauthorized).Code)
}

// pinEnv is a user with testPIN set on a known device, and a fresh
// password-login session for each guess.
func pinEnv(t *testing.T) (*env, ports.User) {
	t.Helper()
	e, u := newUserEnv(t, "guess@example.in")
	p := e.principal(e.knownDeviceLogin(u.Email))
	require.NoError(t, e.auth.SetPIN(t.Context(), p, SetPINInput{PIN: testPIN, Client: e.client}))
	return e, u
}

func TestPasswordLoginsNeverResetThePINCount(t *testing.T) {
	t.Parallel()
	e, u := pinEnv(t)
	ctx := t.Context()
	// The attack: 4 wrong PINs, 1 password login, repeat. The login must not
	// clear what the PIN guesses counted.
	for round := 0; round < 2; round++ {
		for i := 0; i < 4; i++ {
			p := e.principal(e.mustLogin(u.Email))
			requireKind(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: "9157", Client: e.client}), KindUnauthorized)
		}
		e.mustLogin(u.Email)
		if round == 0 {
			assert.Equal(t, 4, e.pinLockState(u.ID).Failures, "a password login left the PIN count alone")
			e.clock.Advance(8 * time.Minute)
		}
	}
	state := e.pinLockState(u.ID)
	assert.Equal(t, 5, state.Failures, "the 5th wrong PIN counted across logins; the rest met the lock")
	assert.Equal(t, 1, state.SoftLocks)
	assert.True(t, state.Locked(e.now()))
}

func TestPINLocksAtTheFifthForSevenMinutesAndDisablesAtTheTenth(t *testing.T) {
	t.Parallel()
	e, u := pinEnv(t)
	ctx := t.Context()
	guess := func() error {
		return e.auth.VerifyPIN(ctx, e.principal(e.mustLogin(u.Email)), VerifyPINInput{PIN: "9157", Client: e.client})
	}
	right := func() error {
		return e.auth.VerifyPIN(ctx, e.principal(e.mustLogin(u.Email)), VerifyPINInput{PIN: testPIN, Client: e.client})
	}
	for i := 1; i <= 4; i++ {
		requireKind(t, guess(), KindUnauthorized)
		assert.False(t, e.pinLockState(u.ID).Locked(e.now()), "wrong PIN %d", i)
	}
	requireKind(t, guess(), KindUnauthorized)
	lockedAt := e.now()
	assert.Equal(t, lockedAt.Add(7*time.Minute), e.pinLockState(u.ID).LockedUntil, "the 5th locks for 7 minutes")
	e.clock.Advance(7*time.Minute - time.Second)
	requireKind(t, right(), KindUnauthorized) // still locked: the right PIN answers like a wrong one
	assert.Equal(t, 5, e.pinLockState(u.ID).Failures, "a refused PIN is not counted")
	e.clock.Advance(time.Second)
	require.NoError(t, right(), "exactly 7 minutes later the right PIN works")
	assert.Equal(t, 5, e.pinLockState(u.ID).Failures,
		"a correct PIN from a session that is no verified device leaves the account's count alone")

	for i := 6; i <= 9; i++ {
		requireKind(t, guess(), KindUnauthorized)
		assert.False(t, e.pinLockState(u.ID).HardLocked, "wrong PIN %d", i)
	}
	requireKind(t, guess(), KindUnauthorized)
	assert.True(t, e.pinLockState(u.ID).HardLocked, "the 10th wrong PIN disables it")
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Contains(t, m.Subject, "PIN", "the owner is emailed a PIN reset link")
	reset := e.lastToken(u.Email)

	e.clock.Advance(30 * 24 * time.Hour)
	requireKind(t, right(), KindUnauthorized) // disabled, even a month later
	require.NoError(t, errOf(e.auth.ConfirmUnlock(ctx, ConfirmUnlockInput{Token: e.unlockToken(t, u.Email), Client: e.client})))
	requireKind(t, right(), KindUnauthorized) // the sign-in unlock link is no PIN reset

	e.clock.Advance(-30 * 24 * time.Hour) // back within the emailed link's 30 minutes
	require.NoError(t, e.auth.ConfirmPINReset(ctx, ConfirmPINResetInput{Token: reset, NewPIN: "5820", Client: e.client}))
	require.NoError(t, e.auth.VerifyPIN(ctx, e.principal(e.mustLogin(u.Email)), VerifyPINInput{PIN: "5820", Client: e.client}), "a PIN reset enables it again")
	assert.Zero(t, e.pinLockState(u.ID).Failures)
}

// The sign-in counters restart after 24 h without a failure; the PIN's never
// does, so a PIN guessed a few tries a day still locks at the 5th.
func TestThePINCountNeverRestartsByItself(t *testing.T) {
	t.Parallel()
	e, u := pinEnv(t)
	guess := func() error {
		return e.auth.VerifyPIN(t.Context(), e.principal(e.mustLogin(u.Email)), VerifyPINInput{PIN: "9157", Client: e.client})
	}
	for i := 1; i <= 4; i++ {
		requireKind(t, guess(), KindUnauthorized)
		e.clock.Advance(e.auth.cfg.Lockout.ResetAfter + time.Second)
	}
	assert.Equal(t, 4, e.pinLockState(u.ID).Failures, "four days apart, the wrong PINs still add up")
	assert.False(t, e.pinLockState(u.ID).Locked(e.now()))
	requireKind(t, guess(), KindUnauthorized)
	assert.True(t, e.pinLockState(u.ID).Locked(e.now()), "the 5th wrong PIN locks, days after the 1st")
}

func TestTheFifthWrongPINRevokesTheSessionThatTried(t *testing.T) {
	t.Parallel()
	e, u := pinEnv(t)
	ctx := t.Context()
	res := e.mustLogin(u.Email)
	p := e.principal(res)
	for i := 1; i <= 4; i++ {
		requireKind(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: "9157", Client: e.client}), KindUnauthorized)
		require.NoError(t, errOf(e.auth.Authenticate(ctx, res.AccessToken)), "after wrong PIN %d the session lives", i)
	}
	requireKind(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: "9157", Client: e.client}), KindUnauthorized)
	requireKind(t, errOf(e.auth.Authenticate(ctx, res.AccessToken)), KindUnauthorized)
	assert.Contains(t, e.eventKinds(u.ID), ports.EventPINLocked)
}

func TestAMalformedStoredPINHashAcceptsNoPIN(t *testing.T) {
	t.Parallel()
	e, u := pinEnv(t)
	require.NoError(t, e.store.SetPINHash(t.Context(), u.ID, "$argon2id$v=19$m=broken", e.now()))
	p := e.principal(e.mustLogin(u.Email))
	for _, pin := range []string{testPIN, "9157"} {
		requireCode(t, e.auth.VerifyPIN(t.Context(), p, VerifyPINInput{PIN: pin, Client: e.client}), KindUnauthorized, codeInvalidPIN)
	}
}

func TestAPINCheckCutOffByItsRequestIsNotAWrongPIN(t *testing.T) {
	t.Parallel()
	e, u := pinEnv(t)
	p := e.principal(e.mustLogin(u.Email))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	requireKind(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: "9157", Client: e.client}), KindUnavailable)
	state := e.pinLockState(u.ID)
	assert.Zero(t, state.Failures, "an abandoned check is no failure")
	assert.Zero(t, state.Pending, "and holds no place")
}

func TestSettingOrResettingAPINIsRecordedAndEmailed(t *testing.T) {
	t.Parallel()
	e, u := pinEnv(t) // SetPIN ran once
	assert.Contains(t, e.eventKinds(u.ID), ports.EventPINChanged)
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Contains(t, m.Subject, "PIN")
	before := e.mailsTo(u.Email)
	require.NoError(t, e.auth.RequestPINReset(t.Context(), IdentifierInput{Identifier: u.Email, Client: e.client}))
	require.NoError(t, e.auth.ConfirmPINReset(t.Context(), ConfirmPINResetInput{Token: e.lastToken(u.Email), NewPIN: "5820", Client: e.client}))
	assert.Equal(t, before+2, e.mailsTo(u.Email), "the reset link, then the notice of the change")
	changes := 0
	for _, k := range e.eventKinds(u.ID) {
		if k == ports.EventPINChanged {
			changes++
		}
	}
	assert.Equal(t, 2, changes)
}

// The owner's everyday unlocks on a verified phone clear that phone's PIN
// counter only: a password thief's guesses from a new device keep counting
// and stop at 10.
func TestTheOwnersUnlocksNeverClearAThiefsPINCount(t *testing.T) {
	t.Parallel()
	e, u := pinEnv(t) // the owner's phone fpA is a verified device
	ctx := t.Context()
	owner := e.principal(e.knownDeviceLogin(u.Email))
	for round := 0; round < 4; round++ {
		for i := 0; i < 4; i++ {
			thief := e.principal(e.mustLogin(u.Email))
			requireKind(t, e.auth.VerifyPIN(ctx, thief, VerifyPINInput{PIN: "9157", Client: e.client}), KindUnauthorized)
		}
		_ = e.auth.VerifyPIN(ctx, owner, VerifyPINInput{PIN: "1111", Client: e.client}) // the owner's typo
		require.NoError(t, e.auth.VerifyPIN(ctx, owner, VerifyPINInput{PIN: testPIN, Client: e.client}), "round %d", round)
		assert.Zero(t, e.pinDeviceLockState(u.ID, fpA).Failures, "a correct PIN clears the phone's own count")
		e.clock.Advance(8 * time.Minute)
	}
	state := e.pinLockState(u.ID)
	assert.True(t, state.HardLocked, "16 thief guesses across the owner's unlocks: disabled at the 10th")
	assert.Equal(t, 10, state.Failures)
	thief := e.principal(e.mustLogin(u.Email))
	requireKind(t, e.auth.VerifyPIN(ctx, thief, VerifyPINInput{PIN: testPIN, Client: e.client}), KindUnauthorized)
}

func TestWeakerPINHashIsUpgraded(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "weakpin@example.in")
	ctx := t.Context()
	p := e.principal(e.mustLogin(u.Email))
	old, err := secret.NewTestHasher(secret.Params{Memory: 16, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 0).Hash(ctx, testPIN)
	require.NoError(t, err)
	require.NoError(t, e.store.SetPINHash(ctx, u.ID, old, e.auth.now()))

	require.NoError(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: testPIN, Client: e.client}))
	creds := inStore(e, e.store.Credentials, u.ID)
	assert.True(t, strings.HasPrefix(creds.PINHash, "$argon2id$v=19$m=64,"), creds.PINHash)
	require.NoError(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: testPIN, Client: e.client}))
}

func TestPINResetLeavesAHardLockInPlace(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "hard@example.in")
	e.hardLock(u.Email)
	require.NoError(t, e.auth.RequestPINReset(t.Context(), IdentifierInput{Identifier: u.Email, Client: e.client}))
	require.NoError(t, e.auth.ConfirmPINReset(t.Context(), ConfirmPINResetInput{Token: e.lastToken(u.Email), NewPIN: "5820", Client: e.client}))
	_, err := e.login(u.Email, testPassword)
	assert.True(t, requireKind(t, err, KindLocked).RequiresEmailVerify)
}

func TestPINRuleMessagesSayWhyOnce(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "msg@example.in")
	p := e.principal(e.knownDeviceLogin("msg@example.in"))
	ce := requireKind(t, e.auth.SetPIN(t.Context(), p, SetPINInput{PIN: "1234", Client: e.client}), KindValidation)
	assert.Equal(t, "pin", ce.Field)
	assert.NotContains(t, ce.Message, "pin:", "the field is not repeated in the message")
	assert.NotEmpty(t, ce.Message)
}

// A password thief on a new device guesses the PIN 4 times between the
// owner's routine app unlocks. Each correct unlock clears the account-wide PIN
// counter, so the thief is never locked; a right guess steps the thief's
// device up to known, and the thief takes the account over.
func TestPINGuessesBetweenTheOwnersUnlocksStopAtTen(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	u := e.register("victim@example.in")
	owner := e.principal(e.knownDeviceLogin(u.Email))
	require.NoError(t, e.auth.SetPIN(ctx, owner, SetPINInput{PIN: testPIN, Client: e.client}))

	thiefClient := Client{IP: "198.51.100.9", UserAgent: "thief"}
	res, err := e.auth.Login(ctx, LoginInput{Identifier: u.Email, Password: testPassword, DeviceFingerprint: fpB, Client: thiefClient})
	require.NoError(t, err)
	require.Equal(t, TrustNewDevice, res.Trust)
	thief := e.principal(res)

	checked := 0
	for cycle := 0; cycle < 10; cycle++ {
		for i := 0; i < 4; i++ {
			requireKind(t, e.auth.VerifyPIN(ctx, thief, VerifyPINInput{PIN: fmt.Sprintf("%04d", 5000+checked), Client: thiefClient}), KindUnauthorized)
			checked++
		}
		e.clock.Advance(10 * time.Minute)
		require.NoError(t, e.auth.VerifyPIN(ctx, owner, VerifyPINInput{PIN: testPIN, Client: e.client}), "the owner's app unlock")
	}
	// Whatever the owner does, the thief's session must not be able to check
	// more than 10 PINs and then get the right one accepted.
	rightAccepted := e.auth.VerifyPIN(ctx, thief, VerifyPINInput{PIN: testPIN, Client: thiefClient}) == nil
	assert.False(t, checked > 10 && rightAccepted,
		"the thief checked %d wrong PINs, never locked, and the right PIN then stepped the device up", checked)
}

// heldAttempts holds attempts admitted on one lockout key in flight (as a
// hashing queue longer than a minute would) until released.
type heldAttempts struct {
	ports.LockoutStore
	key     string
	mu      sync.Mutex
	holding bool
	release chan struct{}
	held    sync.WaitGroup
}

func (h *heldAttempts) BeginAttempt(ctx context.Context, key string, now time.Time, p ports.LockPolicy) (ports.LockState, ports.Admission, error) {
	st, v, err := h.LockoutStore.BeginAttempt(ctx, key, now, p)
	h.mu.Lock()
	hold := h.holding && key == h.key && v == ports.Admitted
	h.mu.Unlock()
	if hold {
		h.held.Done()
		<-h.release
	}
	return st, v, err
}

// A pending place lapses after Lockout.PendingFor (1 minute) although its
// attempt still runs: attempts held in flight longer than that (a hashing
// queue over a minute long) let 5 more in per minute, and every one of them is
// still checked and answered. 16 PIN checks here, the right PIN among them.
func TestPINAttemptsInFlightLongerThanAMinuteStillStopAtTen(t *testing.T) {
	t.Parallel()
	var held *heldAttempts
	e := newEnv(t, withoutLimiter(), func(_ *Config, d *Deps) {
		held = &heldAttempts{LockoutStore: d.Storage, release: make(chan struct{})}
		d.Lockouts = held
	})
	ctx := t.Context()
	u := e.register("victim@example.in")
	owner := e.principal(e.knownDeviceLogin(u.Email))
	require.NoError(t, e.auth.SetPIN(ctx, owner, SetPINInput{PIN: testPIN, Client: e.client}))
	thief := e.principal(e.mustLogin(u.Email))
	held.key, held.holding = pinLockKey(u.ID), true

	before := e.auth.hasher.Verifications()
	var wg sync.WaitGroup
	guess := func(pin string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = e.auth.VerifyPIN(ctx, thief, VerifyPINInput{PIN: pin, Client: e.client})
		}()
	}
	release := sync.OnceFunc(func() {
		held.mu.Lock()
		held.holding = false
		held.mu.Unlock()
		close(held.release)
	})
	t.Cleanup(release) // a test that failed while attempts were held lets them go
	n := 0
	for wave := 0; wave < 3; wave++ {
		held.held.Add(5)
		for i := 0; i < 5; i++ {
			guess(fmt.Sprintf("%04d", 6000+n))
			n++
		}
		waitGroup(t, &held.held, "5 PIN attempts to be admitted and held")
		requireKind(t, e.auth.VerifyPIN(ctx, thief, VerifyPINInput{PIN: "7777", Client: e.client}), KindRateLimited) // a 6th is refused: busy
		e.clock.Advance(e.auth.cfg.Lockout.PendingFor + time.Second)
	}
	held.held.Add(1)
	guess(testPIN)
	waitGroup(t, &held.held, "the right PIN's attempt to be admitted and held")
	release()
	waitGroup(t, &wg, "the released PIN checks to answer")
	assert.LessOrEqual(t, e.auth.hasher.Verifications()-before, int64(10), "PIN checks without a PIN reset")
}

// A malformed stored PIN hash is logged for the operator (and still accepts
// no PIN).
func TestAMalformedStoredPINHashIsLogged(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	e, f := newFaultyEnv(t, logTo(logs))
	u := e.register("broken@example.in")
	p := e.principal(e.knownDeviceLogin(u.Email))
	ctx := t.Context()
	require.NoError(t, e.auth.SetPIN(ctx, p, SetPINInput{PIN: testPIN, Client: e.client}))
	require.NoError(t, e.store.SetPINHash(ctx, u.ID, "$argon2id$v=19$m=broken", e.now()))
	requireKind(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: testPIN, Client: e.client}), KindUnauthorized)
	assert.Contains(t, logs.String(), "stored PIN hash is malformed")

	// A revocation that fails when the PIN locks is logged too.
	f.failOn("RevokeSessions", errors.New("postgres: connection reset"))
	for i := 0; i < 4; i++ {
		_ = e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: "9157", Client: e.client})
	}
	assert.Contains(t, logs.String(), "revoking a session after a PIN lock failed")
}
