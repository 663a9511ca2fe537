package memory

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// eventTable holds each user's security events in the order they were recorded.
type eventTable struct {
	mu     sync.Mutex
	byUser map[string][]ports.SecurityEvent
}

// RecordEvent appends e.
func (s *Store) RecordEvent(ctx context.Context, e ports.SecurityEvent) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.At = stamp(e.At)
	ev := &s.events
	ev.mu.Lock()
	defer ev.mu.Unlock()
	ev.byUser[e.UserID] = append(ev.byUser[e.UserID], e)
	return nil
}

// Events lists the user's events, oldest first; events at the same instant
// keep the order they were recorded in.
func (s *Store) Events(ctx context.Context, userID string) ([]ports.SecurityEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ev := &s.events
	ev.mu.Lock()
	out := slices.Clone(ev.byUser[userID])
	ev.mu.Unlock()
	slices.SortStableFunc(out, func(a, b ports.SecurityEvent) int { return a.At.Compare(b.At) })
	return out, nil
}

// PseudonymiseEvents empties the IP address and user agent of at most limit
// events before before, oldest first.
func (s *Store) PseudonymiseEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	ev := &s.events
	ev.mu.Lock()
	defer ev.mu.Unlock()
	var old []*ports.SecurityEvent
	for user := range ev.byUser {
		for i := range ev.byUser[user] {
			e := &ev.byUser[user][i]
			if e.At.Before(before) && (e.IPAddress != "" || e.UserAgent != "") {
				old = append(old, e)
			}
		}
	}
	slices.SortStableFunc(old, func(a, b *ports.SecurityEvent) int { return a.At.Compare(b.At) })
	old = old[:min(len(old), max(limit, 0))]
	for _, e := range old {
		e.IPAddress, e.UserAgent = "", ""
	}
	return len(old), nil
}
