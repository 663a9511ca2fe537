package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// tableLock is the lock of one table (readers may share it with RLock). Port
// methods enter it through lock, so a done context gives up with ctx.Err()
// before the lock is taken.
type tableLock struct{ mu sync.RWMutex }

// lock takes the lock unless ctx is done; the caller unlocks mu.
func (l *tableLock) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	return nil
}

// do runs change under the lock unless ctx is done: the whole of a port
// method that cannot otherwise fail.
func (l *tableLock) do(ctx context.Context, change func()) error {
	if err := l.lock(ctx); err != nil {
		return err
	}
	defer l.mu.Unlock()
	change()
	return nil
}

// rowTable holds rows of one kind in the order they were stored, under one
// lock: the grievance, nominee and erasure tables. Its methods take the lock
// (giving up on a done ctx, with the zero row) and name op in their errors.
type rowTable[R any] struct {
	tableLock
	rows []R
}

// insert stores r. ErrConflict, and nothing stored, when a row clashes.
func (t *rowTable[R]) insert(ctx context.Context, op string, r R, clashes func(R) bool) error {
	if err := t.lock(ctx); err != nil {
		return err
	}
	defer t.mu.Unlock()
	if slices.ContainsFunc(t.rows, clashes) {
		return fmt.Errorf("memory: %s: %w", op, ports.ErrConflict)
	}
	t.rows = append(t.rows, r)
	return nil
}

// first returns the first row match accepts. ErrNotFound when none.
func (t *rowTable[R]) first(ctx context.Context, op string, match func(R) bool) (R, error) {
	return t.update(ctx, op, match, func(*R) error { return nil })
}

// update applies change to the first row match accepts and returns the row.
// ErrNotFound when none; change's error is returned with the zero row.
func (t *rowTable[R]) update(ctx context.Context, op string, match func(R) bool, change func(*R) error) (R, error) {
	var zero R
	if err := t.lock(ctx); err != nil {
		return zero, err
	}
	defer t.mu.Unlock()
	i := slices.IndexFunc(t.rows, match)
	if i < 0 {
		return zero, fmt.Errorf("memory: %s: %w", op, ports.ErrNotFound)
	}
	if err := change(&t.rows[i]); err != nil {
		return zero, err
	}
	return t.rows[i], nil
}

// list returns the rows keep accepts, ordered by at as listed orders them.
func (t *rowTable[R]) list(ctx context.Context, keep func(R) bool, at func(R) time.Time, newestFirst bool) ([]R, error) {
	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	defer t.mu.Unlock()
	return listed(t.rows, keep, at, newestFirst), nil
}
