package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// KnownDevice reports whether the user has any session with fingerprint marked
// as a verified device.
func (s *Store) KnownDevice(ctx context.Context, userID, fingerprint string, _ time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if fingerprint == "" {
		return false, nil
	}
	st := &s.sessions
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, id := range st.byUser[userID] {
		row := st.byID[id]
		if row.DeviceFingerprint != fingerprint {
			continue
		}
		if row.IsVerifiedDevice {
			return true, nil
		}
	}
	return false, nil
}

// MarkStepUp records a step-up on the session at time at and, with
// verifyDevice, marks its device verified. ErrNotFound for an unknown or
// revoked session.
func (s *Store) MarkStepUp(ctx context.Context, sessionID string, at time.Time, verifyDevice bool) error {
	st := &s.sessions
	if err := st.lock(ctx); err != nil {
		return err
	}
	defer st.mu.Unlock()
	row, ok := st.byID[sessionID]
	if !ok || !row.RevokedAt.IsZero() {
		return fmt.Errorf("memory: mark step-up: %w", ports.ErrNotFound)
	}
	row.StepUpAt = stamp(at)
	if verifyDevice {
		row.IsVerifiedDevice = true
	}
	return nil
}

// ConsumeStepUp uses and clears the session's step-up mark when it is at or
// after notBefore. An unknown session has no mark: (false, nil).
func (s *Store) ConsumeStepUp(ctx context.Context, sessionID string, notBefore time.Time) (bool, error) {
	st := &s.sessions
	if err := st.lock(ctx); err != nil {
		return false, err
	}
	defer st.mu.Unlock()
	row, ok := st.byID[sessionID]
	if !ok || row.StepUpAt.IsZero() || row.StepUpAt.Before(notBefore) {
		return false, nil
	}
	row.StepUpAt = time.Time{}
	return true, nil
}
