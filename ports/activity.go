package ports

import (
	"context"
	"time"
)

// Activity is when a user was last active, and whether they were warned
// that an inactive account will be erased (DPDP Rules 2025, Rule 8(1)–(2)).
type Activity struct {
	UserID       string
	LastActiveAt time.Time
	WarnedAt     time.Time // zero until a warning was sent
}

// ActivityStore keeps each user's last activity, written at most once per
// interval so that a busy user costs no write on every request.
type ActivityStore interface {
	// TouchActivity atomically records that the user was active at at,
	// unless the recorded time is after at - every; a write also clears
	// WarnedAt (activity cancels a warning). It reports whether it wrote.
	TouchActivity(ctx context.Context, userID string, at time.Time, every time.Duration) (bool, error)
	// InactiveUnwarned lists at most limit users last active strictly before
	// before and not warned, least recently active first.
	InactiveUnwarned(ctx context.Context, before time.Time, limit int) ([]Activity, error)
	// WarnedInactive lists at most limit users warned at or before
	// warnedBefore, earliest warned first.
	WarnedInactive(ctx context.Context, warnedBefore time.Time, limit int) ([]Activity, error)
	// MarkWarned atomically sets WarnedAt = at on the user's row if it is
	// still unwarned and last active strictly before before; it reports
	// whether it did (false when the user was active meanwhile).
	MarkWarned(ctx context.Context, userID string, at, before time.Time) (bool, error)
}
