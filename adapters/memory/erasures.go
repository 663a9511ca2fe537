package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// erasureTable holds erasure requests in the order they were received.
type erasureTable struct {
	rowTable[ports.ErasureRecord]
}

// CreateErasureRequest stores r. ErrConflict when its ID or status hash
// exists, or when the user has an open request.
func (s *Store) CreateErasureRequest(ctx context.Context, r ports.ErasureRecord) error {
	r.Status = ports.ErasureReceived
	r.ReceivedAt, r.DueAt, r.ClosedAt = stamp(r.ReceivedAt), stamp(r.DueAt), time.Time{}
	return s.erasures.insert(ctx, "create erasure request", r, func(o ports.ErasureRecord) bool {
		return o.ID == r.ID || o.StatusHash == r.StatusHash || (o.UserID == r.UserID && o.Status == ports.ErasureReceived)
	})
}

// ErasureRequest returns a request by ID. ErrNotFound when none.
func (s *Store) ErasureRequest(ctx context.Context, id string) (ports.ErasureRecord, error) {
	return s.erasures.first(ctx, "erasure request", func(r ports.ErasureRecord) bool { return r.ID == id })
}

// ErasureRequestByStatusHash returns the request with that status hash.
// ErrNotFound when none.
func (s *Store) ErasureRequestByStatusHash(ctx context.Context, hash string) (ports.ErasureRecord, error) {
	return s.erasures.first(ctx, "erasure request by status", func(r ports.ErasureRecord) bool { return r.StatusHash == hash })
}

// ErasureRequests lists the user's requests, newest first.
func (s *Store) ErasureRequests(ctx context.Context, userID string) ([]ports.ErasureRecord, error) {
	return s.erasures.list(ctx, func(r ports.ErasureRecord) bool { return r.UserID == userID },
		func(r ports.ErasureRecord) time.Time { return r.ReceivedAt }, true)
}

// DueErasureRequests lists at most limit open requests due at or before now,
// soonest due first.
func (s *Store) DueErasureRequests(ctx context.Context, now time.Time, limit int) ([]ports.ErasureRecord, error) {
	due, err := s.erasures.list(ctx, func(r ports.ErasureRecord) bool {
		return r.Status == ports.ErasureReceived && !r.DueAt.After(now)
	}, func(r ports.ErasureRecord) time.Time { return r.DueAt }, false)
	return due[:min(len(due), max(limit, 0))], err
}

// CancelErasureRequest closes the open request id as cancelled at at.
// ErrNotFound when it is not open.
func (s *Store) CancelErasureRequest(ctx context.Context, id string, at time.Time) (ports.ErasureRecord, error) {
	if err := s.erasures.lock(ctx); err != nil {
		return ports.ErasureRecord{}, err
	}
	defer s.erasures.mu.Unlock()
	return s.erasures.close(id, "", ports.ErasureCancelled, at, "")
}

// close closes the open request id (of userID, when set); the caller holds mu.
func (et *erasureTable) close(id, userID, status string, at time.Time, kept string) (ports.ErasureRecord, error) {
	i := slices.IndexFunc(et.rows, func(r ports.ErasureRecord) bool {
		return r.ID == id && r.Status == ports.ErasureReceived && (userID == "" || r.UserID == userID)
	})
	if i < 0 {
		return ports.ErasureRecord{}, fmt.Errorf("memory: close erasure request: %w", ports.ErrNotFound)
	}
	r := &et.rows[i]
	r.Status, r.ClosedAt, r.Kept, r.Email, r.Language = status, stamp(at), kept, "", ""
	return *r, nil
}

// EraseUser erases the user's BharatAuth data and completes the request, all
// under the locks of every table it touches (taken in one order: erasures,
// accounts, sessions, tokens, counters, events, activity, consents), so no reader
// sees half of it.
func (s *Store) EraseUser(ctx context.Context, e ports.UserErasure) (ports.ErasureRecord, error) {
	et := &s.erasures
	if err := et.lock(ctx); err != nil {
		return ports.ErasureRecord{}, err
	}
	defer et.mu.Unlock()
	i := slices.IndexFunc(et.rows, func(r ports.ErasureRecord) bool {
		return r.ID == e.RequestID && r.UserID == e.UserID && r.Status == ports.ErasureReceived
	})
	if i < 0 {
		return ports.ErasureRecord{}, fmt.Errorf("memory: erase user: %w", ports.ErrNotFound)
	}
	s.accounts.eraseUser(e.UserID)
	sessionIDs := s.sessions.eraseUser(e.UserID)
	s.tokens.eraseSubjects(append(sessionIDs, e.UserID))
	s.locks.mu.Lock()
	for _, key := range e.LockKeys {
		delete(s.locks.states, key)
	}
	s.locks.mu.Unlock()
	s.events.pseudonymise(e.UserID)
	s.activity.mu.Lock()
	delete(s.activity.byUser, e.UserID)
	s.activity.mu.Unlock()
	s.consents.pseudonymise(e.UserID)
	return et.close(e.RequestID, e.UserID, ports.ErasureCompleted, e.At, e.Kept)
}

// eraseUser deletes the user's row, the keys to it and its credentials.
func (a *accountTable) eraseUser(userID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if u, ok := a.users[userID]; ok {
		a.unindexLocked(u)
		delete(a.users, userID)
	}
	delete(a.creds, userID)
}

// eraseUser deletes the user's sessions and their token families, and
// returns the IDs of the sessions it deleted.
func (st *sessionTable) eraseUser(userID string) []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	ids := st.byUser[userID]
	gone := map[string]bool{}
	for _, id := range ids {
		gone[id] = true
		delete(st.byHash, st.byID[id].RefreshHash)
		delete(st.byID, id)
	}
	for hash, r := range st.rotated {
		if gone[r.sessionID] {
			delete(st.rotated, hash)
		}
	}
	delete(st.byUser, userID)
	return ids
}

// eraseSubjects deletes every token of the subjects.
func (tt *tokenTable) eraseSubjects(subjects []string) {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	for _, subject := range subjects {
		for _, row := range tt.bySubject[subject] {
			delete(tt.byID, row.ID)
			if tt.byHash[row.Hash] == row {
				delete(tt.byHash, row.Hash)
			}
		}
		delete(tt.bySubject, subject)
	}
}

// pseudonymise empties the IP address and user agent of the user's events.
func (ev *eventTable) pseudonymise(userID string) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	for i := range ev.byUser[userID] {
		e := &ev.byUser[userID][i]
		e.IPAddress, e.UserAgent = "", ""
	}
}
