package memory

import (
	"context"
	"errors"

	"github.com/bharatauth/bharatauth-go/ports"
)

var _ ports.AccountHoldsReader = (*Store)(nil)

// AccountHolds returns the user's guardianship and newest erasure request.
func (s *Store) AccountHolds(ctx context.Context, userID string) (ports.AccountHolds, error) {
	var h ports.AccountHolds
	g, err := s.Guardianship(ctx, userID)
	switch {
	case err == nil:
		h.Guardianship = &g
	case !errors.Is(err, ports.ErrNotFound):
		return ports.AccountHolds{}, err
	}
	requests, err := s.ErasureRequests(ctx, userID)
	if err != nil {
		return ports.AccountHolds{}, err
	}
	if len(requests) > 0 {
		h.Erasure = &requests[0]
	}
	return h, nil
}
