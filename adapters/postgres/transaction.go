package postgres

import (
	"context"
	"sync/atomic"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
)

var _ ports.Transactor = (*Store)(nil)

// txKey is the context key of a transaction InTransaction began on a Store:
// only that Store's calls join it.
type txKey struct{ s *Store }

// openTx is a transaction and whether it is still open: a context that
// outlives InTransaction (work left running in the background) must not
// reach a finished transaction.
type openTx struct {
	tx   bun.Tx
	done atomic.Bool
}

// conn is what a call with ctx runs its statements on: the transaction ctx
// carries while it is open, else the pool.
func (s *Store) conn(ctx context.Context) bun.IDB {
	if t, ok := ctx.Value(txKey{s}).(*openTx); ok && !t.done.Load() {
		return t.tx
	}
	return s.db
}

// InTransaction runs fn with a context whose calls of this Store run in one
// transaction: see ports.Transactor. The transaction is bounded by the
// per-call timeout (Options.QueryTimeout) as a whole.
func (s *Store) InTransaction(ctx context.Context, fn func(ctx context.Context) error) error {
	const op = "transaction"
	if t, ok := ctx.Value(txKey{s}).(*openTx); ok && !t.done.Load() {
		return fn(ctx) // nested: the outer transaction decides
	}
	ctx, cancel := s.call(ctx)
	defer cancel()
	var fnErr error
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		t := &openTx{tx: tx}
		defer t.done.Store(true)
		fnErr = fn(context.WithValue(ctx, txKey{s}, t))
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	return fail(ctx, op, err)
}
