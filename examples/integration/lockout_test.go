package integration

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

// The lockout rules whose atomicity lives in PostgreSQL, through core.

func TestFiftyConcurrentWrongPasswordsOverPostgresRunAtMostFiveVerifications(t *testing.T) {
	t.Parallel()
	// Production hashing: the point is the cost an attacker can cause.
	in := newInstance(t, newDB(t), setup{})
	in.register(t, "target@example.in")
	before := in.auth.Stats().HashVerifications
	var wrong, locked atomic.Int32
	porttest.Together(50, func(int) {
		_, err := in.auth.Login(t.Context(), core.LoginInput{Identifier: "target@example.in", Password: "not the password", Client: core.Client{}})
		switch core.KindOf(err) {
		case core.KindLocked:
			locked.Add(1)
		case core.KindUnauthorized:
			wrong.Add(1)
		}
	})
	assert.LessOrEqual(t, in.auth.Stats().HashVerifications-before, int64(5))
	assert.Equal(t, int32(4), wrong.Load(), "failures 1-4 answer wrong")
	assert.GreaterOrEqual(t, locked.Load(), int32(1), "the 5th failure answers locked")
	_, err := in.auth.Login(t.Context(), core.LoginInput{Identifier: "target@example.in", Password: password, Client: core.Client{}})
	require.ErrorIs(t, err, core.ErrLocked, "the lock holds against the right password")
}

func TestSixteenConcurrentCorrectLoginsOverPostgresNeverLock(t *testing.T) {
	t.Parallel()
	in := newInstance(t, newDB(t), setup{})
	in.register(t, "rush@example.in")
	ctx := t.Context()
	for round := range 3 {
		var ok, busy atomic.Int32
		porttest.Together(16, func(int) {
			_, err := in.auth.Login(ctx, core.LoginInput{Identifier: "rush@example.in", Password: password, Client: core.Client{}})
			switch {
			case err == nil:
				ok.Add(1)
			case core.KindOf(err) == core.KindRateLimited:
				busy.Add(1) // 429 too_many_attempts: others were in flight
			default:
				t.Errorf("round %d: a correct login answered %v", round, err)
			}
		})
		assert.Positive(t, ok.Load(), "round %d", round)
		assert.Equal(t, int32(16), ok.Load()+busy.Load(), "round %d: never a 423", round)
	}
	var locks int
	require.NoError(t, in.db.NewRaw(`SELECT coalesce(sum(soft_locks + hard_locks), 0) FROM ba_lockouts`).Scan(ctx, &locks))
	assert.Zero(t, locks, "no lock was ever recorded")
}

func TestVerifiedDeviceSignsInWhileOthersLockTheAccountOverPostgres(t *testing.T) {
	t.Parallel()
	in := newRegistered(t, "owner@example.in")
	ctx := t.Context()
	// The owner's phone becomes a verified device by an OTP login from it.
	require.NoError(t, in.auth.RequestOTP(ctx, core.RequestOTPInput{Identifier: "owner@example.in", DeviceFingerprint: fp, Client: client}))
	first, err := in.auth.VerifyOTP(ctx, core.VerifyOTPInput{Identifier: "owner@example.in", Code: in.lastCode(t, "owner@example.in"),
		DeviceFingerprint: fp, Client: client})
	require.NoError(t, err)
	require.Equal(t, core.TrustKnown, first.Trust)

	// A stranger hard-locks the account from elsewhere.
	for i := range 10 {
		in.clock.Advance(8 * time.Minute) // past each soft lock
		_, err := in.auth.Login(ctx, core.LoginInput{Identifier: "owner@example.in", Password: "a stranger's guess", Client: core.Client{}})
		require.Error(t, err, "guess %d", i+1)
	}
	_, err = in.auth.Login(ctx, core.LoginInput{Identifier: "owner@example.in", Password: password, Client: core.Client{}})
	var locked *core.Error
	require.ErrorAs(t, err, &locked)
	require.True(t, locked.RequiresEmailVerify, "others see the hard lock")

	res := in.login(t, "owner@example.in") // from the verified device
	assert.Equal(t, core.TrustKnown, res.Trust, "the owner's phone is not locked out")
}

func TestPINGuessingStopsAtTenWhateverLoginsHappenBetweenOverPostgres(t *testing.T) {
	t.Parallel()
	in := newRegistered(t, "pin@example.in")
	ctx := t.Context()
	owner := in.trustedPrincipal(t, "pin@example.in") // the owner's phone, a verified device
	require.NoError(t, in.auth.SetPIN(ctx, owner, core.SetPINInput{PIN: "4829", Client: client}))

	const thiefDevice = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	thiefLogin := func() core.Principal {
		res, err := in.auth.Login(ctx, core.LoginInput{Identifier: "pin@example.in", Password: password,
			DeviceFingerprint: thiefDevice, Client: client})
		require.NoError(t, err)
		return in.principal(t, res)
	}
	before := in.auth.Stats().HashVerifications
	guesses := []string{"1357", "2468", "3579", "4680", "5791", "6802", "7913", "8024", "9135", "0246", "1358", "2469"}
	for i, guess := range guesses {
		// A password thief signs in afresh before every guess, and the owner
		// unlocks the phone after every fourth: neither restarts the count.
		err := in.auth.VerifyPIN(ctx, thiefLogin(), core.VerifyPINInput{PIN: guess, Client: client})
		require.ErrorIs(t, err, core.ErrUnauthorized, "guess %d", i+1)
		if i%4 == 3 {
			require.NoError(t, in.auth.VerifyPIN(ctx, owner, core.VerifyPINInput{PIN: "4829", Client: client}), "the owner's unlock")
		}
		in.clock.Advance(8 * time.Minute) // past each 7-minute PIN lock
	}
	err := in.auth.VerifyPIN(ctx, thiefLogin(), core.VerifyPINInput{PIN: "4829", Client: client})
	require.ErrorIs(t, err, core.ErrUnauthorized, "after 10 wrong PINs even the right one is refused until a PIN reset")
	logins, ownerUnlocks, thiefChecks, lockedDummies := int64(len(guesses)+1), int64(3), int64(10), int64(3)
	assert.Equal(t, logins+ownerUnlocks+thiefChecks+lockedDummies, in.auth.Stats().HashVerifications-before,
		"exactly 10 of the thief's PINs were checked (a locked PIN runs a dummy hash)")
}

// Over PostgreSQL the end of a login's attempt and its session are one
// transaction; a refusal after the right password (a suspended account)
// still commits the end of the attempt: the count is cleared, nothing is
// left pending, and no session is written.
func TestASuspendedAccountsRightPasswordClearsItsCountOverPostgres(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	in := newRegistered(t, "asha@example.in")
	_, err := in.auth.Login(ctx, core.LoginInput{Identifier: "asha@example.in", Password: "a wrong password", Client: client})
	require.Equal(t, core.KindUnauthorized, core.KindOf(err))
	u, err := in.store.UserByEmail(ctx, "asha@example.in")
	require.NoError(t, err)
	require.NoError(t, in.store.SetSuspended(ctx, u.ID, true))

	_, err = in.auth.Login(ctx, core.LoginInput{Identifier: "asha@example.in", Password: password, Client: client})
	require.Equal(t, core.KindSuspended, core.KindOf(err), "%v", err)
	pending, failures, sessions := in.leftovers(t)
	assert.Zero(t, failures, "the right password cleared the count")
	assert.Zero(t, pending)
	assert.Zero(t, sessions)
}
