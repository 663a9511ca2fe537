package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

var _ ports.SessionUsers = (*Store)(nil)

// userColumns selects a userRow beside another table's row: ba_users u and
// ba_accounts a left-joined, every column under the u_ prefix (all NULL, so
// a zero row, when there is no user).
const userColumns = `u.id AS u_id, u.email AS u_email, u.phone AS u_phone, u.username AS u_username,
    u.display_name AS u_display_name, u.language AS u_language, u.created_at AS u_created_at,
    a.email_verified_at AS u_email_verified_at, a.phone_verified_at AS u_phone_verified_at,
    coalesce(a.suspended, false) AS u_suspended`

// sessionUserRow is a session with its user.
type sessionUserRow struct {
	sessionRow
	User userRow `bun:"embed:u_"`
}

// user is the session's user, or the zero User when the join found none.
func (r sessionUserRow) user() ports.User {
	if r.User.ID == "" {
		return ports.User{}
	}
	return r.User.user()
}

const sessionUserSQL = `
SELECT s.*, ` + userColumns + `
FROM ba_sessions AS s
LEFT JOIN ba_users AS u ON u.id = s.user_id
LEFT JOIN ba_accounts AS a ON a.user_id = u.id
WHERE s.id = ?`

// SessionUser returns the session and its user in one statement.
// ErrNotFound when there is no session.
func (s *Store) SessionUser(ctx context.Context, id string) (ports.Session, ports.User, error) {
	const op = "session with user"
	ctx, cancel := s.call(ctx)
	defer cancel()
	row, ok, err := firstRow[sessionUserRow](ctx, s.conn(ctx), sessionUserSQL, id)
	if err != nil {
		return ports.Session{}, ports.User{}, fail(ctx, op, err)
	}
	if !ok {
		return ports.Session{}, ports.User{}, notFound(op)
	}
	return row.session(), row.user(), nil
}

// rotateUserSQL is the success path of a rotation in one statement: move the
// session to the new hash if it is active and still on the old one, file the
// old hash in its family, and return the session with its user. Of concurrent
// callers with one old hash, the first takes the row lock; the others re-check
// refresh_hash after it commits and match nothing.
const rotateUserSQL = `
WITH rotated AS (
    UPDATE ba_sessions SET refresh_hash = ?1, last_used_at = ?2
    WHERE refresh_hash = ?0 AND revoked_at IS NULL AND expires_at > ?2
    RETURNING *
), filed AS (
    INSERT INTO ba_refresh_tokens (hash, session_id, rotated_at)
    SELECT ?0, id, ?2::timestamptz FROM rotated
)
SELECT r.*, ` + userColumns + `
FROM rotated AS r
LEFT JOIN ba_users AS u ON u.id = r.user_id
LEFT JOIN ba_accounts AS a ON a.user_id = u.id`

// RotateRefreshUser rotates as RotateRefresh does and returns the session's
// user: on the success path within the rotation's one statement.
func (s *Store) RotateRefreshUser(ctx context.Context, oldHash, newHash string, now time.Time, grace time.Duration) (ports.Session, ports.User, error) {
	return s.rotate(ctx, oldHash, newHash, now, grace, true)
}

// rotate is RotateRefresh and RotateRefreshUser. Off the success path
// (a retry within the grace, reuse, an ended session) it answers as
// rotateSlow does, and withUser reads a retry's user with one more statement.
func (s *Store) rotate(ctx context.Context, oldHash, newHash string, now time.Time, grace time.Duration, withUser bool) (ports.Session, ports.User, error) {
	now = utc(now)
	row, ok, err := s.rotateFast(ctx, oldHash, newHash, now)
	if err != nil {
		return ports.Session{}, ports.User{}, err
	}
	if ok {
		return row.session(), row.user(), nil
	}
	sess, err := s.rotateSlow(ctx, oldHash, newHash, now, grace)
	if err != nil || !withUser {
		return sess, ports.User{}, err
	}
	u, err := s.UserByID(ctx, sess.UserID)
	if errors.Is(err, ports.ErrNotFound) {
		return sess, ports.User{}, nil
	}
	return sess, u, err
}

// rotateFast runs rotateUserSQL within one call's bound: the rotated
// session with its user, or ok false when the success path did not apply.
func (s *Store) rotateFast(ctx context.Context, oldHash, newHash string, now time.Time) (sessionUserRow, bool, error) {
	const op = "rotate refresh"
	ctx, cancel := s.call(ctx)
	defer cancel()
	row, ok, err := firstRow[sessionUserRow](ctx, s.conn(ctx), rotateUserSQL, oldHash, newHash, now)
	if err != nil {
		return row, false, fail(ctx, op, err)
	}
	return row, ok, nil
}
