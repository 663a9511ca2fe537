package ports

import (
	"context"
	"time"
)

// ErasureRequest is a user's request to erase their personal data (DPDP Act
// 2023 §12(3)), as handed to the app's ErasureHandler.
type ErasureRequest struct {
	ID          string // the request's ID: pass it to core's CompleteErasure when the app's part is done
	UserID      string
	Email       string
	RequestedAt time.Time
	DueAt       time.Time // the date the user was promised
	IPAddress   string
	UserAgent   string
}

// ErasureHandler receives erasure requests. The app implements it when it has
// records of its own to erase: it erases them, keeps what the law requires,
// and then calls core's CompleteErasure, which erases BharatAuth's data and
// tells the user. Optional in core: without one, core erases its own data by
// itself once the grace period has passed.
type ErasureHandler interface {
	// ErasureRequested takes one request, typically onto a queue or a ticket
	// system. An error means it was not taken; the user is told to try again.
	ErasureRequested(ctx context.Context, r ErasureRequest) error
}

// Statuses of an erasure request. A request is open while Received; it
// closes once, as Completed or Cancelled.
const (
	ErasureReceived  = "received"
	ErasureCompleted = "completed"
	ErasureCancelled = "cancelled" // the user signed in within the grace period
)

// ErasureRecord is the tracked state of one erasure request.
type ErasureRecord struct {
	ID     string
	UserID string
	// Email and Language say where and how to answer while the request is
	// open; closing it empties both, so a completed request holds no address.
	Email      string
	Language   string
	StatusHash string // SHA-256 (hex) of the token of the request's status URL
	Status     string // ErasureReceived, ErasureCompleted or ErasureCancelled
	ReceivedAt time.Time
	DueAt      time.Time
	ClosedAt   time.Time // zero while open
	Kept       string    // on completion: what was kept, and why
}

// UserErasure says what EraseUser erases, and how the request closes.
type UserErasure struct {
	RequestID string
	UserID    string
	// LockKeys are the user's failure counters. Their keys are opaque to the
	// store (some are keyed hashes of the email), so the caller names them.
	LockKeys []string
	Kept     string // recorded on the request
	At       time.Time
}

// ErasureStore tracks erasure requests and erases a user's BharatAuth data.
type ErasureStore interface {
	// CreateErasureRequest stores r (Status ErasureReceived). ErrConflict
	// when the ID or StatusHash exists, or when the user already has an open
	// request; then nothing is stored.
	CreateErasureRequest(ctx context.Context, r ErasureRecord) error
	// ErasureRequest returns a request by ID; ErrNotFound when none.
	ErasureRequest(ctx context.Context, id string) (ErasureRecord, error)
	// ErasureRequestByStatusHash returns the request whose StatusHash is hash;
	// ErrNotFound when none.
	ErasureRequestByStatusHash(ctx context.Context, hash string) (ErasureRecord, error)
	// ErasureRequests lists the user's requests, newest first (empty when none).
	ErasureRequests(ctx context.Context, userID string) ([]ErasureRecord, error)
	// DueErasureRequests lists at most limit open requests with DueAt at or
	// before now, soonest due first.
	DueErasureRequests(ctx context.Context, now time.Time, limit int) ([]ErasureRecord, error)
	// CancelErasureRequest atomically closes the open request id as
	// ErasureCancelled at at, empties its Email and Language, and returns it.
	// ErrNotFound when there is no open request with that ID.
	CancelErasureRequest(ctx context.Context, id string, at time.Time) (ErasureRecord, error)
	// EraseUser atomically, while request e.RequestID of e.UserID is open:
	// deletes the user's credentials, sessions with their refresh-token
	// families (and so its known devices), the one-time tokens whose subject
	// is the user or one of its sessions, the counters of e.LockKeys, its
	// activity record and, in
	// a backend that keeps users, the user's row (its email and username
	// become free); empties the IP address and user agent of the user's
	// security events, which are kept as evidence; and closes the request as
	// ErasureCompleted at e.At with e.Kept, its Email and Language emptied.
	// It returns the closed request. ErrNotFound when the request is not
	// open (or is another user's); then nothing changes. The user's consent
	// rows are kept as evidence; those of chain version 2 or later lose their
	// IP address and user agent (their hash covers keyed digests, not the raw
	// values), version 1 rows, whose hash covers the raw values, stay as they
	// are.
	EraseUser(ctx context.Context, e UserErasure) (ErasureRecord, error)
}
