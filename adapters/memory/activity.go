package memory

import (
	"context"
	"slices"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// activityTable holds each user's last activity.
type activityTable struct {
	tableLock
	byUser map[string]ports.Activity
}

// TouchActivity records activity at at unless one after at - every is
// recorded; a write clears the warning.
func (s *Store) TouchActivity(ctx context.Context, userID string, at time.Time, every time.Duration) (bool, error) {
	at = stamp(at)
	t := &s.activity
	if err := t.lock(ctx); err != nil {
		return false, err
	}
	defer t.mu.Unlock()
	if a, ok := t.byUser[userID]; ok && a.LastActiveAt.After(at.Add(-every)) {
		return false, nil
	}
	t.byUser[userID] = ports.Activity{UserID: userID, LastActiveAt: at}
	return true, nil
}

// InactiveUnwarned lists unwarned users last active before before.
func (s *Store) InactiveUnwarned(ctx context.Context, before time.Time, limit int) ([]ports.Activity, error) {
	return s.activityWhere(ctx, limit, func(a ports.Activity) bool { return a.WarnedAt.IsZero() && a.LastActiveAt.Before(before) },
		func(a ports.Activity) time.Time { return a.LastActiveAt })
}

// WarnedInactive lists users warned at or before warnedBefore.
func (s *Store) WarnedInactive(ctx context.Context, warnedBefore time.Time, limit int) ([]ports.Activity, error) {
	return s.activityWhere(ctx, limit, func(a ports.Activity) bool { return !a.WarnedAt.IsZero() && !a.WarnedAt.After(warnedBefore) },
		func(a ports.Activity) time.Time { return a.WarnedAt })
}

func (s *Store) activityWhere(ctx context.Context, limit int, match func(ports.Activity) bool, key func(ports.Activity) time.Time) ([]ports.Activity, error) {
	t := &s.activity
	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	out := []ports.Activity{}
	for _, a := range t.byUser {
		if match(a) {
			out = append(out, a)
		}
	}
	t.mu.Unlock()
	slices.SortFunc(out, func(a, b ports.Activity) int { return key(a).Compare(key(b)) })
	return out[:min(len(out), max(limit, 0))], nil
}

// MarkWarned sets WarnedAt if the user is still unwarned and inactive since
// before.
func (s *Store) MarkWarned(ctx context.Context, userID string, at, before time.Time) (bool, error) {
	t := &s.activity
	if err := t.lock(ctx); err != nil {
		return false, err
	}
	defer t.mu.Unlock()
	a, ok := t.byUser[userID]
	if !ok || !a.WarnedAt.IsZero() || !a.LastActiveAt.Before(before) {
		return false, nil
	}
	a.WarnedAt = stamp(at)
	t.byUser[userID] = a
	return true, nil
}
