package ports

import (
	"context"
	"time"
)

// ErasureRequest is a user's request to erase their personal data (DPDP Act
// 2023 §12(3)).
type ErasureRequest struct {
	UserID      string
	Email       string
	RequestedAt time.Time
	IPAddress   string
	UserAgent   string
}

// ErasureHandler receives erasure requests. The app implements it: erasing
// means deleting its own records too, and the law may require keeping some
// (the consent log, for one), so the decision and the deletion stay with the
// app; BharatAuth records the request, ends the user's sessions and emails a
// receipt. Optional in core: without one, erasure requests are refused.
type ErasureHandler interface {
	// ErasureRequested takes one request, typically onto a queue or a ticket
	// system. An error means it was not taken; the user is told to try again.
	ErasureRequested(ctx context.Context, r ErasureRequest) error
}
