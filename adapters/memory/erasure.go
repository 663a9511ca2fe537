package memory

import (
	"context"
	"slices"
	"sync"

	"github.com/bharatauth/bharatauth-go/ports"
)

// ErasureInbox is a ports.ErasureHandler that keeps the requests it is given,
// for tests and the quickstart. A real app puts them on its own queue.
type ErasureInbox struct {
	mu       sync.Mutex
	requests []ports.ErasureRequest
}

// NewErasureInbox returns an empty inbox.
func NewErasureInbox() *ErasureInbox { return &ErasureInbox{} }

// ErasureRequested keeps r.
func (i *ErasureInbox) ErasureRequested(ctx context.Context, r ports.ErasureRequest) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.requests = append(i.requests, r)
	return nil
}

// Requests returns the requests so far, oldest first.
func (i *ErasureInbox) Requests() []ports.ErasureRequest {
	i.mu.Lock()
	defer i.mu.Unlock()
	return slices.Clone(i.requests)
}
