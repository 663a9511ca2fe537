package memory

import (
	"context"
	"errors"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// SessionUser returns the session by ID and its user (the zero User when the
// user no longer exists). ErrNotFound when there is no session.
func (s *Store) SessionUser(ctx context.Context, id string) (ports.Session, ports.User, error) {
	sess, err := s.Session(ctx, id)
	if err != nil {
		return ports.Session{}, ports.User{}, err
	}
	return s.withUser(ctx, sess)
}

// RotateRefreshUser rotates as RotateRefresh does and, on success, returns the
// session's user too.
func (s *Store) RotateRefreshUser(ctx context.Context, oldHash, newHash string, now time.Time, grace time.Duration) (ports.Session, ports.User, error) {
	sess, err := s.RotateRefresh(ctx, oldHash, newHash, now, grace)
	if err != nil {
		return sess, ports.User{}, err
	}
	return s.withUser(ctx, sess)
}

// withUser pairs sess with its user, or with the zero User when there is none.
func (s *Store) withUser(ctx context.Context, sess ports.Session) (ports.Session, ports.User, error) {
	u, err := s.UserByID(ctx, sess.UserID)
	if errors.Is(err, ports.ErrNotFound) {
		return sess, ports.User{}, nil
	}
	return sess, u, err
}
