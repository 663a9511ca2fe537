package memory

import (
	"context"
	"slices"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// eventTable holds each user's security events in the order they were recorded.
type eventTable struct {
	tableLock
	byUser map[string][]ports.SecurityEvent
}

// RecordEvent appends e.
func (s *Store) RecordEvent(ctx context.Context, e ports.SecurityEvent) error {
	e.At = stamp(e.At)
	ev := &s.events
	return ev.do(ctx, func() { ev.byUser[e.UserID] = append(ev.byUser[e.UserID], e) })
}

// Events lists the user's events, oldest first; events at the same instant
// keep the order they were recorded in.
func (s *Store) Events(ctx context.Context, userID string) ([]ports.SecurityEvent, error) {
	ev := &s.events
	if err := ev.lock(ctx); err != nil {
		return nil, err
	}
	out := slices.Clone(ev.byUser[userID])
	ev.mu.Unlock()
	slices.SortStableFunc(out, func(a, b ports.SecurityEvent) int { return a.At.Compare(b.At) })
	return out, nil
}

// PseudonymiseEvents empties the IP address and user agent of at most limit
// events before before, oldest first.
func (s *Store) PseudonymiseEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	ev := &s.events
	if err := ev.lock(ctx); err != nil {
		return 0, err
	}
	defer ev.mu.Unlock()
	return pseudonymiseOldest(ev.byUser, limit,
		func(e *ports.SecurityEvent) bool {
			return e.At.Before(before) && (e.IPAddress != "" || e.UserAgent != "")
		},
		func(e *ports.SecurityEvent) time.Time { return e.At },
		func(e *ports.SecurityEvent) { e.IPAddress, e.UserAgent = "", "" }), nil
}

// pseudonymiseOldest blanks, with blank, at most limit of the rows in byUser
// that old picks, oldest first by at, and returns how many it blanked.
func pseudonymiseOldest[T any](byUser map[string][]T, limit int, old func(*T) bool, at func(*T) time.Time, blank func(*T)) int {
	var picked []*T
	for user := range byUser {
		for i := range byUser[user] {
			if r := &byUser[user][i]; old(r) {
				picked = append(picked, r)
			}
		}
	}
	slices.SortStableFunc(picked, func(a, b *T) int { return at(a).Compare(at(b)) })
	picked = picked[:min(len(picked), max(limit, 0))]
	for _, r := range picked {
		blank(r)
	}
	return len(picked)
}
