package memory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// sessionRow is a stored session plus the insertion order that breaks ties
// between sessions created at the same instant.
type sessionRow struct {
	ports.Session
	seq int64
}

// sessionTable holds sessions and their refresh-token families. A family is
// the session's current hash (byHash) plus every hash it rotated away
// (rotated), each pointing back to the session.
type sessionTable struct {
	tableLock
	seq     int64
	byID    map[string]*sessionRow
	byUser  map[string][]string
	byHash  map[string]string
	rotated map[string]rotation
}

func newSessionTable() sessionTable {
	return sessionTable{
		byID:    map[string]*sessionRow{},
		byUser:  map[string][]string{},
		byHash:  map[string]string{},
		rotated: map[string]rotation{},
	}
}

// hashTaken reports whether any family ever used hash.
func (st *sessionTable) hashTaken(hash string) bool {
	_, current := st.byHash[hash]
	_, old := st.rotated[hash]
	return current || old
}

// normalised returns s with every time in UTC at microsecond precision.
func normalised(s ports.Session) ports.Session {
	s.CreatedAt, s.ExpiresAt, s.LastUsedAt = stamp(s.CreatedAt), stamp(s.ExpiresAt), stamp(s.LastUsedAt)
	s.RevokedAt, s.StepUpAt = stamp(s.RevokedAt), stamp(s.StepUpAt)
	return s
}

// CreateSession stores a new session. ErrConflict when the ID or the refresh
// hash exists (a rotated-away hash counts as existing).
func (s *Store) CreateSession(ctx context.Context, sess ports.Session) error {
	st := &s.sessions
	if err := st.lock(ctx); err != nil {
		return err
	}
	defer st.mu.Unlock()
	if _, ok := st.byID[sess.ID]; ok {
		return fmt.Errorf("memory: create session: id: %w", ports.ErrConflict)
	}
	if st.hashTaken(sess.RefreshHash) {
		return fmt.Errorf("memory: create session: refresh hash: %w", ports.ErrConflict)
	}
	st.seq++
	st.byID[sess.ID] = &sessionRow{Session: normalised(sess), seq: st.seq}
	st.byUser[sess.UserID] = append(st.byUser[sess.UserID], sess.ID)
	st.byHash[sess.RefreshHash] = sess.ID
	return nil
}

// Session returns a session by ID, revoked and expired ones included.
// ErrNotFound when there is none.
func (s *Store) Session(ctx context.Context, id string) (ports.Session, error) {
	st := &s.sessions
	if err := st.lock(ctx); err != nil {
		return ports.Session{}, err
	}
	defer st.mu.Unlock()
	row, ok := st.byID[id]
	if !ok {
		return ports.Session{}, fmt.Errorf("memory: session: %w", ports.ErrNotFound)
	}
	return row.Session, nil
}

// Sessions lists every session of the user, newest first.
func (s *Store) Sessions(ctx context.Context, userID string) ([]ports.Session, error) {
	st := &s.sessions
	if err := st.lock(ctx); err != nil {
		return nil, err
	}
	rows := make([]*sessionRow, 0, len(st.byUser[userID]))
	for _, id := range st.byUser[userID] {
		r := *st.byID[id]
		rows = append(rows, &r)
	}
	st.mu.Unlock()
	slices.SortFunc(rows, func(a, b *sessionRow) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return int(b.seq - a.seq)
	})
	out := make([]ports.Session, len(rows))
	for i, r := range rows {
		out[i] = r.Session
	}
	return out, nil
}

// rotation is a hash a session rotated away, and when.
type rotation struct {
	sessionID string
	at        time.Time
}

// RotateRefresh replaces the current hash oldHash with newHash atomically.
// A rotated-away oldHash revokes the session (reuse, RFC 9700) and returns it
// with ErrReused; a revoked session or unknown hash is ErrNotFound; an expired
// session is ErrExpired. ErrConflict when newHash was ever used.
func (s *Store) RotateRefresh(ctx context.Context, oldHash, newHash string, now time.Time, grace time.Duration) (ports.Session, error) {
	now = stamp(now)
	st := &s.sessions
	if err := st.lock(ctx); err != nil {
		return ports.Session{}, err
	}
	defer st.mu.Unlock()
	if r, ok := st.rotated[oldHash]; ok {
		row := st.byID[r.sessionID]
		if grace > 0 && row.RefreshHash == newHash && row.Active(now) && now.Sub(r.at) <= grace {
			return row.Session, nil // a retry of the rotation that made newHash
		}
		if row.RevokedAt.IsZero() {
			row.RevokedAt = now
		}
		st.forgetDevice(row.UserID, row.DeviceFingerprint)
		return row.Session, fmt.Errorf("memory: rotate refresh: %w", ports.ErrReused)
	}
	id, ok := st.byHash[oldHash]
	if !ok {
		return ports.Session{}, fmt.Errorf("memory: rotate refresh: %w", ports.ErrNotFound)
	}
	row := st.byID[id]
	switch {
	case !row.RevokedAt.IsZero():
		return ports.Session{}, fmt.Errorf("memory: rotate refresh: revoked: %w", ports.ErrNotFound)
	case !now.Before(row.ExpiresAt):
		return ports.Session{}, fmt.Errorf("memory: rotate refresh: %w", ports.ErrExpired)
	case st.hashTaken(newHash):
		return ports.Session{}, fmt.Errorf("memory: rotate refresh: new hash: %w", ports.ErrConflict)
	}
	delete(st.byHash, oldHash)
	st.rotated[oldHash] = rotation{sessionID: id, at: now}
	st.byHash[newHash] = id
	row.RefreshHash = newHash
	row.LastUsedAt = now
	return row.Session, nil
}

// SessionByRefresh returns the active session whose current hash is hash.
func (s *Store) SessionByRefresh(ctx context.Context, hash string, now time.Time) (ports.Session, error) {
	now = stamp(now)
	st := &s.sessions
	if err := st.lock(ctx); err != nil {
		return ports.Session{}, err
	}
	defer st.mu.Unlock()
	id, ok := st.byHash[hash]
	if !ok || !st.byID[id].Active(now) {
		return ports.Session{}, fmt.Errorf("memory: session by refresh: %w", ports.ErrNotFound)
	}
	return st.byID[id].Session, nil
}

// errSelector reports a Revocation that does not select by exactly one field.
var errSelector = errors.New("memory: revoke sessions: set exactly one of SessionID, RefreshHash, UserID")

// RevokeSessions revokes the sessions r selects that are active at now and
// returns their IDs.
func (s *Store) RevokeSessions(ctx context.Context, r ports.Revocation, now time.Time) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	selectors := 0
	for _, v := range []string{r.SessionID, r.RefreshHash, r.UserID} {
		if v != "" {
			selectors++
		}
	}
	if selectors != 1 {
		return nil, errSelector
	}
	now = stamp(now)
	st := &s.sessions
	st.mu.Lock()
	defer st.mu.Unlock()
	var candidates []string
	switch {
	case r.SessionID != "":
		candidates = []string{r.SessionID}
	case r.RefreshHash != "":
		candidates = []string{st.byHash[r.RefreshHash]}
	default:
		candidates = st.byUser[r.UserID]
	}
	var revoked []string
	for _, id := range candidates {
		row, ok := st.byID[id]
		if !ok || id == r.ExceptSessionID || !row.Active(now) {
			continue
		}
		row.RevokedAt = now
		revoked = append(revoked, id)
		if r.ForgetDevices && r.UserID == "" {
			st.forgetDevice(row.UserID, row.DeviceFingerprint)
		}
	}
	if r.ForgetDevices && r.UserID != "" {
		st.forgetUserDevices(r.UserID, r.ExceptSessionID)
	}
	return revoked, nil
}

// forgetUserDevices un-verifies every session of userID except those on the
// device of exceptID; the caller holds st.mu.
func (st *sessionTable) forgetUserDevices(userID, exceptID string) {
	keep := ""
	if row, ok := st.byID[exceptID]; ok && row.UserID == userID {
		keep = row.DeviceFingerprint
	}
	for _, id := range st.byUser[userID] {
		if row := st.byID[id]; keep == "" || row.DeviceFingerprint != keep {
			row.IsVerifiedDevice = false
		}
	}
}

// forgetDevice clears IsVerifiedDevice on every session of userID with
// fingerprint; the caller holds st.mu.
func (st *sessionTable) forgetDevice(userID, fingerprint string) {
	if fingerprint == "" {
		return
	}
	for _, id := range st.byUser[userID] {
		if row := st.byID[id]; row.DeviceFingerprint == fingerprint {
			row.IsVerifiedDevice = false
		}
	}
}
