package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
)

// sessionRow is one signed-in device: a row of the trust matrix and the head
// of its refresh-token family.
type sessionRow struct {
	bun.BaseModel `bun:"table:ba_sessions,alias:s"`

	ID                string    `bun:"id,pk"`
	UserID            string    `bun:"user_id"`
	RefreshHash       string    `bun:"refresh_hash"`
	DeviceFingerprint string    `bun:"device_fingerprint"`
	DeviceInfo        string    `bun:"device_info"`
	IPAddress         string    `bun:"ip_address"`
	IsPublicDevice    bool      `bun:"is_public_device"`
	IsVerifiedDevice  bool      `bun:"is_verified_device"`
	AuthMethod        string    `bun:"auth_method"`
	CreatedAt         time.Time `bun:"created_at"`
	ExpiresAt         time.Time `bun:"expires_at"`
	LastUsedAt        time.Time `bun:"last_used_at"`
	RevokedAt         time.Time `bun:"revoked_at,nullzero"`
	StepUpAt          time.Time `bun:"step_up_at,nullzero"`
}

// refreshTokenRow is a refresh-token hash a session rotated away. Presenting
// it again is reuse and revokes the family.
type refreshTokenRow struct {
	bun.BaseModel `bun:"table:ba_refresh_tokens"`

	Hash      string    `bun:"hash,pk"`
	SessionID string    `bun:"session_id"`
	RotatedAt time.Time `bun:"rotated_at"`
}

func newSessionRow(s ports.Session) sessionRow {
	return sessionRow{
		ID:                s.ID,
		UserID:            s.UserID,
		RefreshHash:       s.RefreshHash,
		DeviceFingerprint: s.DeviceFingerprint,
		DeviceInfo:        s.DeviceInfo,
		IPAddress:         s.IPAddress,
		IsPublicDevice:    s.IsPublicDevice,
		IsVerifiedDevice:  s.IsVerifiedDevice,
		AuthMethod:        s.AuthMethod,
		CreatedAt:         utc(s.CreatedAt),
		ExpiresAt:         utc(s.ExpiresAt),
		LastUsedAt:        utc(s.LastUsedAt),
		RevokedAt:         utc(s.RevokedAt),
		StepUpAt:          utc(s.StepUpAt),
	}
}

func (r sessionRow) session() ports.Session {
	return ports.Session{
		ID:                r.ID,
		UserID:            r.UserID,
		RefreshHash:       r.RefreshHash,
		DeviceFingerprint: r.DeviceFingerprint,
		DeviceInfo:        r.DeviceInfo,
		IPAddress:         r.IPAddress,
		IsPublicDevice:    r.IsPublicDevice,
		IsVerifiedDevice:  r.IsVerifiedDevice,
		AuthMethod:        r.AuthMethod,
		CreatedAt:         utc(r.CreatedAt),
		ExpiresAt:         utc(r.ExpiresAt),
		LastUsedAt:        utc(r.LastUsedAt),
		RevokedAt:         utc(r.RevokedAt),
		StepUpAt:          utc(r.StepUpAt),
	}
}

// CreateSession stores a new session. ErrConflict when the ID or the refresh
// hash exists (both are unique keys).
func (s *Store) CreateSession(ctx context.Context, sess ports.Session) error {
	const op = "create session"
	ctx, cancel := s.call(ctx)
	defer cancel()
	_, err := s.conn(ctx).NewInsert().Model(newSessionInsert(sess)).Exec(ctx)
	return fail(ctx, op, err)
}

// newSessionInsert is the row a new session is inserted as: never used yet,
// it was last used when created.
func newSessionInsert(sess ports.Session) *sessionRow {
	row := newSessionRow(sess)
	if row.LastUsedAt.IsZero() {
		row.LastUsedAt = row.CreatedAt
	}
	return &row
}

// Session returns a session by ID, revoked or expired ones included.
// ErrNotFound when there is none.
func (s *Store) Session(ctx context.Context, id string) (ports.Session, error) {
	var row sessionRow
	if err := s.get(ctx, "session", &row, "id = ?", id); err != nil {
		return ports.Session{}, err
	}
	return row.session(), nil
}

// SessionByRefresh returns the active session whose current refresh hash is
// hash. ErrNotFound when there is none.
func (s *Store) SessionByRefresh(ctx context.Context, hash string, now time.Time) (ports.Session, error) {
	var row sessionRow
	if err := s.get(ctx, "session by refresh", &row, "refresh_hash = ? AND revoked_at IS NULL AND expires_at > ?", hash, utc(now)); err != nil {
		return ports.Session{}, err
	}
	return row.session(), nil
}

// Sessions lists every session of the user, newest first.
func (s *Store) Sessions(ctx context.Context, userID string) ([]ports.Session, error) {
	return listWhere(ctx, s, "sessions", "user_id", userID, newestFirst, sessionRow.session)
}

// RotateRefresh replaces the session's refresh hash oldHash with newHash; see
// ports.SessionRepo for the outcomes (ErrReused comes with the revoked
// session). The success path is one statement (rotateUserSQL); the failure
// path is one transaction (rotateSlow).
func (s *Store) RotateRefresh(ctx context.Context, oldHash, newHash string, now time.Time, grace time.Duration) (ports.Session, error) {
	sess, _, err := s.rotate(ctx, oldHash, newHash, now, grace, false)
	return sess, err
}

// rotateSlow is RotateRefresh's failure path: one transaction that tells a
// retry within the grace, reuse (revoking the family), revocation, expiry
// and an unknown hash apart. now is in utc's form.
func (s *Store) rotateSlow(ctx context.Context, oldHash, newHash string, now time.Time, grace time.Duration) (ports.Session, error) {
	const op = "rotate refresh"
	ctx, cancel := s.call(ctx)
	defer cancel()
	var (
		outcome error
		result  ports.Session
	)
	err := s.conn(ctx).RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var cur sessionRow
		err := tx.NewSelect().Model(&cur).Where("refresh_hash = ?", oldHash).For("UPDATE").Scan(ctx)
		switch {
		case err == nil && !cur.RevokedAt.IsZero():
			outcome = notFound(op)
			return nil
		case err == nil && !now.Before(cur.ExpiresAt):
			outcome = fmt.Errorf("postgres: %s: %w", op, ports.ErrExpired)
			return nil
		case err == nil:
			// Active and on oldHash after all (it appeared after the first
			// statement's snapshot): rotate under the row lock we now hold.
			rotated, err := rotateLocked(ctx, tx, cur, oldHash, newHash, now)
			result = rotated
			return err
		case !noRows(err):
			return err
		}
		var fam refreshTokenRow
		err = tx.NewSelect().Model(&fam).Where("hash = ?", oldHash).Scan(ctx)
		if noRows(err) {
			outcome = notFound(op)
			return nil
		}
		if err != nil {
			return err
		}
		// A retry of the rotation that made newHash, within the grace: the
		// session as it is, under its row lock (so a concurrent reuse that
		// revokes it is seen).
		var child sessionRow
		err = tx.NewSelect().Model(&child).Where("id = ?", fam.SessionID).For("UPDATE").Scan(ctx)
		if err != nil && !noRows(err) {
			return err
		}
		if grace > 0 && err == nil && child.RefreshHash == newHash && child.RevokedAt.IsZero() && now.Before(child.ExpiresAt) &&
			!now.After(utc(fam.RotatedAt).Add(grace)) {
			result = child.session()
			return nil
		}
		// Reuse of a rotated-away token: revoke the whole family (RFC 9700)
		// and return it, so the caller knows whose token was copied. An
		// already revoked session keeps its first revocation time.
		var revoked sessionRow
		err = tx.NewUpdate().Model(&revoked).
			Set("revoked_at = coalesce(revoked_at, ?)", now).
			Where("id = ?", fam.SessionID).
			Returning("*").
			Scan(ctx)
		if err != nil && !noRows(err) {
			return err
		}
		// A copied token is a theft signal: the device is not trusted any more.
		if err := forgetDevice(ctx, tx, revoked.UserID, revoked.DeviceFingerprint); err != nil {
			return err
		}
		result = revoked.session()
		result.IsVerifiedDevice = false
		outcome = fmt.Errorf("postgres: %s: %w", op, ports.ErrReused)
		return nil
	})
	if err != nil {
		return ports.Session{}, fail(ctx, op, err)
	}
	return result, outcome
}

// rotateLocked rotates cur, whose row the transaction holds locked.
func rotateLocked(ctx context.Context, tx bun.Tx, cur sessionRow, oldHash, newHash string, now time.Time) (ports.Session, error) {
	cur.RefreshHash = newHash
	cur.LastUsedAt = now
	if _, err := tx.NewUpdate().Model(&cur).Column("refresh_hash", "last_used_at").WherePK().Exec(ctx); err != nil {
		return ports.Session{}, err
	}
	filed := refreshTokenRow{Hash: oldHash, SessionID: cur.ID, RotatedAt: now}
	if _, err := tx.NewInsert().Model(&filed).Exec(ctx); err != nil {
		return ports.Session{}, err
	}
	return cur.session(), nil
}

// RevokeSessions revokes, in one statement, the active sessions r selects and
// returns their IDs.
func (s *Store) RevokeSessions(ctx context.Context, r ports.Revocation, now time.Time) ([]string, error) {
	const op = "revoke sessions"
	ctx, cancel := s.call(ctx)
	defer cancel()
	now = utc(now)
	var revoked []sessionRow
	var err error
	if r.ForgetDevices { // two statements: one transaction
		err = s.conn(ctx).RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if revoked, err = revokeSelected(ctx, tx, r, now); err != nil {
				return err
			}
			return forgetRevokedDevices(ctx, tx, r, revoked)
		})
	} else { // a plain logout: one statement
		revoked, err = revokeSelected(ctx, s.conn(ctx), r, now)
	}
	if err != nil {
		return nil, fail(ctx, op, err)
	}
	ids := make([]string, len(revoked))
	for i, row := range revoked {
		ids[i] = row.ID
	}
	return ids, nil
}

// revokeSelected revokes the active sessions r selects and returns them.
func revokeSelected(ctx context.Context, db bun.IDB, r ports.Revocation, now time.Time) ([]sessionRow, error) {
	q := db.NewUpdate().Model((*sessionRow)(nil)).
		Set("revoked_at = ?", now).
		Where("revoked_at IS NULL").
		Where("expires_at > ?", now).
		Returning("id, user_id, device_fingerprint")
	switch {
	case r.SessionID != "":
		q = q.Where("id = ?", r.SessionID)
	case r.RefreshHash != "":
		q = q.Where("refresh_hash = ?", r.RefreshHash)
	case r.UserID != "":
		q = q.Where("user_id = ?", r.UserID)
		if r.ExceptSessionID != "" {
			q = q.Where("id <> ?", r.ExceptSessionID)
		}
	default:
		return nil, nil // an empty Revocation selects nothing
	}
	var revoked []sessionRow
	if err := q.Scan(ctx, &revoked); err != nil && !noRows(err) {
		return nil, err
	}
	return revoked, nil
}

// forgetRevokedDevices applies Revocation.ForgetDevices.
func forgetRevokedDevices(ctx context.Context, tx bun.Tx, r ports.Revocation, revoked []sessionRow) error {
	if r.UserID != "" {
		return forgetUserDevices(ctx, tx, r.UserID, r.ExceptSessionID)
	}
	for _, row := range revoked {
		if err := forgetDevice(ctx, tx, row.UserID, row.DeviceFingerprint); err != nil {
			return err
		}
	}
	return nil
}

// forgetUserDevices un-verifies every session of userID, ended ones included,
// except those on the device of exceptID (the caller's own).
func forgetUserDevices(ctx context.Context, db bun.IDB, userID, exceptID string) error {
	_, err := db.NewRaw(`
UPDATE ba_sessions SET is_verified_device = false
WHERE user_id = ? AND is_verified_device
  AND device_fingerprint IS DISTINCT FROM
      (SELECT nullif(device_fingerprint, '') FROM ba_sessions WHERE id = ? AND user_id = ?)`,
		userID, exceptID, userID).Exec(ctx)
	return err
}

// forgetDevice un-verifies every session of userID with fingerprint, so
// KnownDevice no longer knows the device.
func forgetDevice(ctx context.Context, db bun.IDB, userID, fingerprint string) error {
	if fingerprint == "" {
		return nil
	}
	_, err := db.NewUpdate().Model((*sessionRow)(nil)).
		Set("is_verified_device = false").
		Where("user_id = ? AND device_fingerprint = ? AND is_verified_device", userID, fingerprint).
		Exec(ctx)
	return err
}
