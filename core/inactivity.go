package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// Inactive accounts (DPDP Rules 2025, Rule 8(1)–(2) and the Third
// Schedule): with Config.InactivityErasure set, an account inactive that
// long is erased, after a warning emailed at least inactivityWarning before.
const (
	inactivityWarning  = 48 * time.Hour // the least notice an inactive user gets
	activityEvery      = 24 * time.Hour // last activity is written at most this often
	minInactivity      = 30 * 24 * time.Hour
	inactivityBatch    = 100 // users warned, and users erased, per Maintain run
	inactivityDetail   = "inactivity"
	inactivityLogEvent = "bharatauth: recording activity failed"
)

// touchActivity records that u is active (a sign-in, a refresh), at most
// once a day. A failure is logged: activity is bookkeeping, not a gate.
// A write this process made within activityEvery is not repeated, so a
// refresh or sign-in of an active user costs no round trip for it.
func (a *Auth) touchActivity(ctx context.Context, userID string) {
	if a.deps.Activity == nil {
		return
	}
	now := a.now()
	if a.activity.recent(userID, now) {
		return
	}
	if _, err := a.deps.Activity.TouchActivity(ctx, userID, now, activityEvery); err != nil {
		a.log.WarnContext(ctx, inactivityLogEvent, "user_id", userID, "error", err)
		return
	}
	a.activity.remember(userID, now)
}

// activityMemo remembers when this process last wrote each user's activity.
// Skipping a write it made less than activityEvery ago cannot hide a sign-in
// from the inactivity rule: a warning needs far longer without activity
// (InactivityErasure is at least 30 days), so by then the entry has lapsed.
type activityMemo struct {
	mu      sync.Mutex
	written map[string]time.Time
}

// activityMemoMax bounds the memo's memory: past it the memo starts afresh,
// which costs at most one extra write per active user.
const activityMemoMax = 100_000

func (m *activityMemo) recent(userID string, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	at, ok := m.written[userID]
	return ok && now.Sub(at) < activityEvery && !now.Before(at)
}

func (m *activityMemo) remember(userID string, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.written == nil || len(m.written) >= activityMemoMax {
		m.written = make(map[string]time.Time)
	}
	m.written[userID] = now
}

// handleInactivity warns the users inactive for InactivityErasure less the
// warning period, and erases those warned at least that period ago who are
// still inactive. A sign-in or refresh in between clears the warning.
func (a *Auth) handleInactivity(ctx context.Context, report *MaintenanceReport) error {
	if a.cfg.InactivityErasure <= 0 || a.deps.Activity == nil {
		return nil
	}
	const op = "Maintain"
	now := a.now()
	warnBefore := now.Add(-(a.cfg.InactivityErasure - inactivityWarning))
	idle, err := a.deps.Activity.InactiveUnwarned(ctx, warnBefore, inactivityBatch)
	if err != nil {
		return storeError(op, err)
	}
	var errs []error
	for _, act := range idle {
		if err := a.warnInactive(ctx, op, act, warnBefore, now); err != nil {
			errs = append(errs, fmt.Errorf("warning user %s: %w", act.UserID, err))
			continue
		}
		report.InactivityWarnings++
	}
	warned, err := a.deps.Activity.WarnedInactive(ctx, now.Add(-inactivityWarning), inactivityBatch)
	if err != nil {
		return errors.Join(append(errs, storeError(op, err))...)
	}
	for _, act := range warned {
		if act.LastActiveAt.After(now.Add(-a.cfg.InactivityErasure)) {
			continue // warned early (a shorter setting before): erased when the full period has passed
		}
		switch err := a.eraseInactive(ctx, op, act.UserID); {
		case err == nil:
			report.InactiveErased++
		case KindOf(err) != KindConflict:
			errs = append(errs, fmt.Errorf("erasing inactive user %s: %w", act.UserID, err))
		}
	}
	return errors.Join(errs...)
}

// warnInactive marks the user warned and emails the date their account will
// be erased unless they sign in: at least inactivityWarning from now.
func (a *Auth) warnInactive(ctx context.Context, op string, act ports.Activity, before, now time.Time) error {
	u, err := a.deps.Users.UserByID(ctx, act.UserID)
	if err != nil {
		return storeError(op, err)
	}
	ok, err := a.deps.Activity.MarkWarned(ctx, u.ID, now, before)
	if err != nil || !ok {
		return storeError(op, err) // !ok: active meanwhile
	}
	due := act.LastActiveAt.Add(a.cfg.InactivityErasure)
	if earliest := now.Add(inactivityWarning); due.Before(earliest) {
		due = earliest
	}
	a.send(ctx, u, emails.InactivityWarning, emails.Data{At: act.LastActiveAt, DueAt: due}, Client{})
	return nil
}

// eraseInactive opens an erasure request for an inactive user and, without
// an ErasureHandler, carries it out at once; with one, the app does.
func (a *Auth) eraseInactive(ctx context.Context, op, userID string) error {
	u, err := a.deps.Users.UserByID(ctx, userID)
	if err != nil {
		return storeError(op, err)
	}
	now := a.now()
	rec := ports.ErasureRecord{ID: newID("era_"), UserID: u.ID, Email: u.Email, Language: u.Language,
		StatusHash: tokenHash(newToken()), Status: ports.ErasureReceived, ReceivedAt: now, DueAt: now}
	if err := a.deps.Erasures.CreateErasureRequest(ctx, rec); err != nil {
		if errors.Is(err, ports.ErrConflict) {
			return newError(op, KindConflict, codeErasurePending, "an erasure request is open already")
		}
		return storeError(op, err)
	}
	a.event(ctx, u.ID, ports.EventErasureRequested, Client{}, inactivityDetail)
	if a.deps.Erasure != nil {
		return a.deps.Erasure.ErasureRequested(ctx, ports.ErasureRequest{ID: rec.ID, UserID: u.ID, Email: u.Email,
			RequestedAt: now, DueAt: now})
	}
	return a.erase(ctx, op, rec)
}
