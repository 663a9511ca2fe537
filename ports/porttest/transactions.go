package porttest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// TransactionalStorage is a backend that groups its calls into transactions.
type TransactionalStorage interface {
	ports.Storage
	ports.Transactor
}

var errRollBack = errors.New("porttest: roll back")

// writeInside creates a session and admits an attempt, as a sign-in does,
// with ctx; it returns the session and the lockout key.
func writeInside(t *testing.T, ctx context.Context, s TransactionalStorage) (ports.Session, string) {
	t.Helper()
	sess, key := newSession(newID("usr_"), baseTime()), newID("key_")
	require.NoError(t, s.CreateSession(ctx, sess))
	_, verdict, err := s.BeginAttempt(ctx, key, baseTime(), lockPolicy)
	require.NoError(t, err)
	require.Equal(t, ports.Admitted, verdict)
	return sess, key
}

// assertNothingKept checks that neither write of writeInside is stored.
func assertNothingKept(t *testing.T, s TransactionalStorage, sess ports.Session, key string) {
	t.Helper()
	_, err := s.Session(t.Context(), sess.ID)
	assert.ErrorIs(t, err, ports.ErrNotFound, "the session was rolled back")
	st, err := s.LockState(t.Context(), key)
	require.NoError(t, err)
	assert.Zero(t, st.Pending, "the admission was rolled back")
}

func testTransactionCancelled(t *testing.T, s TransactionalStorage) {
	sess := newSession(newID("usr_"), baseTime())
	err := s.InTransaction(cancelled(t), func(ctx context.Context) error { return s.CreateSession(ctx, sess) })
	assertCancelled(t, err)
	_, err = s.Session(t.Context(), sess.ID)
	assert.ErrorIs(t, err, ports.ErrNotFound)
}

func testTransactionCommitsTogether(t *testing.T, s TransactionalStorage) {
	var (
		sess ports.Session
		key  string
	)
	require.NoError(t, s.InTransaction(t.Context(), func(ctx context.Context) error {
		sess, key = writeInside(t, ctx, s)
		got, err := s.Session(ctx, sess.ID)
		require.NoError(t, err, "a call inside reads what an earlier one wrote")
		assert.Equal(t, sess.ID, got.ID)
		return nil
	}))
	readSession(t, s, sess.ID)
	st, err := s.LockState(t.Context(), key)
	require.NoError(t, err)
	assert.Equal(t, 1, st.Pending)
}

func testTransactionErrorRollsBack(t *testing.T, s TransactionalStorage) {
	var (
		sess ports.Session
		key  string
	)
	err := s.InTransaction(t.Context(), func(ctx context.Context) error {
		sess, key = writeInside(t, ctx, s)
		return errRollBack
	})
	require.ErrorIs(t, err, errRollBack, "fn's error is returned as it is")
	assertNothingKept(t, s, sess, key)
}

func testTransactionPanicRollsBack(t *testing.T, s TransactionalStorage) {
	var (
		sess ports.Session
		key  string
	)
	func() {
		defer func() { assert.NotNil(t, recover(), "the panic goes on") }()
		_ = s.InTransaction(t.Context(), func(ctx context.Context) error {
			sess, key = writeInside(t, ctx, s)
			panic("porttest: fn panics")
		})
	}()
	assertNothingKept(t, s, sess, key)
}

func testTransactionNestedJoinsOuter(t *testing.T, s TransactionalStorage) {
	var (
		sess ports.Session
		key  string
	)
	err := s.InTransaction(t.Context(), func(ctx context.Context) error {
		require.NoError(t, s.InTransaction(ctx, func(ctx context.Context) error {
			sess, key = writeInside(t, ctx, s)
			return nil
		}))
		return errRollBack
	})
	require.ErrorIs(t, err, errRollBack)
	assertNothingKept(t, s, sess, key)
}

func testTransactionContextOutlivesIt(t *testing.T, s TransactionalStorage) {
	var kept context.Context
	require.NoError(t, s.InTransaction(t.Context(), func(ctx context.Context) error {
		kept = ctx
		return nil
	}))
	// Work left running after fn keeps the context's values, not its end.
	late := newSession(newID("usr_"), baseTime())
	require.NoError(t, s.CreateSession(context.WithoutCancel(kept), late), "a call after the transaction runs on its own")
	readSession(t, s, late.ID)
}

// Admissions made inside parallel transactions keep BeginAttempt's rule:
// exactly SoftLockAfter of N are admitted on a fresh key.
func testTransactionsKeepTheAdmissionRule(t *testing.T, s TransactionalStorage) {
	key := newID("key_")
	admitted := make([]bool, parallelCalls)
	errs := make([]error, parallelCalls)
	Together(parallelCalls, func(i int) {
		errs[i] = s.InTransaction(t.Context(), func(ctx context.Context) error {
			if _, err := s.Credentials(ctx, newID("usr_")); !errors.Is(err, ports.ErrNotFound) {
				return err
			}
			_, verdict, err := s.BeginAttempt(ctx, key, baseTime(), lockPolicy)
			admitted[i] = verdict == ports.Admitted
			return err
		})
	})
	n := 0
	for i := range parallelCalls {
		require.NoError(t, errs[i])
		if admitted[i] {
			n++
		}
	}
	assert.Equal(t, lockPolicy.SoftLockAfter, n)
	st, err := s.LockState(t.Context(), key)
	require.NoError(t, err)
	assert.Equal(t, lockPolicy.SoftLockAfter, st.Pending)
}
