package memory

import (
	"context"
	"slices"
	"sync"
)

// recorder keeps what a capturing sender was asked to send (Outbox's emails,
// SMSOutbox's SMS), or fails every send with the error set by failWith. It is
// safe for concurrent use.
type recorder[T any] struct {
	mu    sync.Mutex
	items []T
	fail  error
}

// record keeps m, or returns the failure set by failWith without keeping it.
func (r *recorder[T]) record(ctx context.Context, m T) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.items = append(r.items, m)
	return nil
}

// all returns a copy of everything kept, oldest first.
func (r *recorder[T]) all() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.items)
}

// last returns the newest item match accepts.
func (r *recorder[T]) last(match func(T) bool) (T, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.items) - 1; i >= 0; i-- {
		if match(r.items[i]) {
			return r.items[i], true
		}
	}
	var zero T
	return zero, false
}

// len returns how many items were kept.
func (r *recorder[T]) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.items)
}

// reset forgets everything kept; a failure set by failWith stays.
func (r *recorder[T]) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items = nil
}

// failWith makes every later record return err; nil makes it keep again.
func (r *recorder[T]) failWith(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = err
}
