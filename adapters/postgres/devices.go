package postgres

import (
	"context"
	"time"
)

// KnownDevice reports whether fingerprint is a verified device of the user:
// any session with it that was marked verified. Served by the (user_id,
// device_fingerprint) index.
func (s *Store) KnownDevice(ctx context.Context, userID, fingerprint string, _ time.Time) (bool, error) {
	const op = "known device"
	if fingerprint == "" {
		return false, nil
	}
	ctx, cancel := s.call(ctx)
	defer cancel()
	var known bool
	err := s.conn(ctx).NewRaw(`
SELECT EXISTS (
    SELECT 1 FROM ba_sessions
    WHERE user_id = ? AND device_fingerprint = ? AND is_verified_device)`,
		userID, fingerprint).Scan(ctx, &known)
	if err != nil {
		return false, fail(ctx, op, err)
	}
	return known, nil
}

// MarkStepUp records a step-up on the session at time at and, with
// verifyDevice, marks its device verified. ErrNotFound for an unknown or
// revoked session.
func (s *Store) MarkStepUp(ctx context.Context, sessionID string, at time.Time, verifyDevice bool) error {
	const op = "mark step-up"
	ctx, cancel := s.call(ctx)
	defer cancel()
	res, err := s.conn(ctx).NewUpdate().Model((*sessionRow)(nil)).
		Set("step_up_at = ?", utc(at)).
		Set("is_verified_device = is_verified_device OR ?", verifyDevice).
		Where("id = ? AND revoked_at IS NULL", sessionID).
		Exec(ctx)
	return s.expectRow(ctx, op, res, err)
}

// ConsumeStepUp clears the session's step-up mark if it is at or after
// notBefore, in one conditional UPDATE: of concurrent callers exactly one
// sees the mark.
func (s *Store) ConsumeStepUp(ctx context.Context, sessionID string, notBefore time.Time) (bool, error) {
	const op = "consume step-up"
	ctx, cancel := s.call(ctx)
	defer cancel()
	res, err := s.conn(ctx).NewUpdate().Model((*sessionRow)(nil)).
		Set("step_up_at = NULL").
		Where("id = ? AND step_up_at >= ?", sessionID, utc(notBefore)).
		Exec(ctx)
	if err != nil {
		return false, fail(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fail(ctx, op, err)
	}
	return n == 1, nil
}
