package integration

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/postgres"
	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
)

// txWatch is the store, recording every change of a user that runs inside one
// of its transactions (ports.Transactor).
type txWatch struct {
	*postgres.Store
	mu     sync.Mutex
	inside []string
}

type inTxKey struct{}

func (w *txWatch) InTransaction(ctx context.Context, fn func(ctx context.Context) error) error {
	return w.Store.InTransaction(ctx, func(ctx context.Context) error {
		return fn(context.WithValue(ctx, inTxKey{}, true))
	})
}

func (w *txWatch) check(ctx context.Context, call string) {
	if ctx.Value(inTxKey{}) != nil {
		w.mu.Lock()
		w.inside = append(w.inside, call)
		w.mu.Unlock()
	}
}

func (w *txWatch) MarkEmailVerified(ctx context.Context, userID string, at time.Time) error {
	w.check(ctx, "MarkEmailVerified")
	return w.Store.MarkEmailVerified(ctx, userID, at)
}

func (w *txWatch) SetSuspended(ctx context.Context, userID string, suspended bool) error {
	w.check(ctx, "SetSuspended")
	return w.Store.SetSuspended(ctx, userID, suspended)
}

func (w *txWatch) UpdateProfile(ctx context.Context, userID string, p ports.Profile) (ports.User, error) {
	w.check(ctx, "UpdateProfile")
	return w.Store.UpdateProfile(ctx, userID, p)
}

func (w *txWatch) ChangeEmail(ctx context.Context, userID, email string, at time.Time) (ports.User, error) {
	w.check(ctx, "ChangeEmail")
	return w.Store.ChangeEmail(ctx, userID, email, at)
}

func (w *txWatch) ClearProfile(ctx context.Context, userID string) error {
	w.check(ctx, "ClearProfile")
	return w.Store.ClearProfile(ctx, userID)
}

func (w *txWatch) EraseUser(ctx context.Context, e ports.UserErasure) (ports.ErasureRecord, error) {
	w.check(ctx, "EraseUser")
	return w.Store.EraseUser(ctx, e)
}

func (w *txWatch) DeletePendingChildren(ctx context.Context, before time.Time) ([]string, error) {
	w.check(ctx, "DeletePendingChildren")
	return w.Store.DeletePendingChildren(ctx, before)
}

// The Redis user cache (redis.UserCache) invalidates a user after the store's
// call returns, so core must never change a user inside a transaction that
// commits later: the sign-ins that group their calls (a password login) and
// every flow that changes a user run here with each change watched.
func TestCoreChangesNoUserInsideATransaction(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	watch := &txWatch{}
	in := newInstance(t, newDB(t), setup{fastHashing: true, storage: func(s *postgres.Store) ports.Storage {
		watch.Store = s
		return watch
	}})
	in.register(t, "asha@example.in") // the verification link
	in.login(t, "asha@example.in")    // grouped
	// An unverified account proven by a login code: its profile is cleared
	// and its address marked verified, within the sign-in.
	_, err := in.auth.Register(ctx, core.RegisterInput{Email: "ravi@example.in", Password: password, Consents: consent, Client: client})
	require.NoError(t, err)
	p := in.trustedPrincipal(t, "ravi@example.in")
	name := "Ravi"
	_, err = in.auth.UpdateProfile(ctx, p, core.ProfileInput{DisplayName: &name, Client: client})
	require.NoError(t, err)
	require.NoError(t, in.auth.RequestStepUp(ctx, p, client))
	require.NoError(t, in.auth.VerifyStepUp(ctx, p, core.VerifyStepUpInput{Code: in.lastCode(t, "ravi@example.in"), Client: client}))
	_, err = in.auth.RequestErasure(ctx, p, client)
	require.NoError(t, err)
	in.clock.Advance(8 * 24 * time.Hour) // past the erasure grace
	_, err = in.auth.Maintain(ctx)
	require.NoError(t, err)
	_, err = in.store.UserByEmail(ctx, "ravi@example.in")
	require.ErrorIs(t, err, ports.ErrNotFound, "erased")
	u, err := in.store.UserByEmail(ctx, "asha@example.in")
	require.NoError(t, err)
	require.NoError(t, in.auth.Admin().Suspend(ctx, u.ID))
	assert.Empty(t, watch.inside, "user changes made inside a transaction")
}
