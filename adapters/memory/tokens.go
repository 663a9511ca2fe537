package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// tokenRow is a stored one-time token plus its issue order, which breaks ties
// between tokens created at the same instant.
type tokenRow struct {
	ports.OneTimeToken
	seq int64
}

// newer orders rows newest first.
func newer(a, b *tokenRow) int {
	if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
		return c
	}
	return int(b.seq - a.seq)
}

// tokenTable holds OTP codes and link tokens.
//
// Only link tokens (MaxAttempts 0) are indexed and kept unique by hash. A
// code's hash is an HMAC of six digits, so over a few hundred thousand codes
// two of them are bound to hash alike; refusing the newer one with
// ErrConflict would fail an OTP request at random. Codes are found by subject
// and purpose instead, which is all ConsumeCode needs.
type tokenTable struct {
	tableLock
	seq       int64
	byID      map[string]*tokenRow
	byHash    map[string]*tokenRow   // link tokens only
	bySubject map[string][]*tokenRow // in issue order
}

// isLink reports whether t is a link token rather than an OTP code.
func isLink(t ports.OneTimeToken) bool { return t.MaxAttempts == 0 }

func newTokenTable() tokenTable {
	return tokenTable{
		byID:      map[string]*tokenRow{},
		byHash:    map[string]*tokenRow{},
		bySubject: map[string][]*tokenRow{},
	}
}

// IssueToken stores t and marks every unused token of the same subject and
// purpose used at t.CreatedAt. ErrConflict when the ID exists or, for a link
// token, the hash exists; then nothing changes.
func (s *Store) IssueToken(ctx context.Context, t ports.OneTimeToken) error {
	t.CreatedAt, t.ExpiresAt, t.UsedAt = stamp(t.CreatedAt), stamp(t.ExpiresAt), stamp(t.UsedAt)
	tt := &s.tokens
	if err := tt.lock(ctx); err != nil {
		return err
	}
	defer tt.mu.Unlock()
	if _, ok := tt.byID[t.ID]; ok {
		return fmt.Errorf("memory: issue token: id: %w", ports.ErrConflict)
	}
	if _, ok := tt.byHash[t.Hash]; ok && isLink(t) {
		return fmt.Errorf("memory: issue token: hash: %w", ports.ErrConflict)
	}
	for _, old := range tt.bySubject[t.Subject] {
		if old.Purpose == t.Purpose && old.UsedAt.IsZero() {
			old.UsedAt = t.CreatedAt
		}
	}
	tt.seq++
	row := &tokenRow{OneTimeToken: t, seq: tt.seq}
	tt.byID[t.ID] = row
	if isLink(t) {
		tt.byHash[t.Hash] = row
	}
	tt.bySubject[t.Subject] = append(tt.bySubject[t.Subject], row)
	return nil
}

// ConsumeLink marks the unused token of purpose with hash used at now.
// ErrNotFound for an unknown, used or other-purpose hash; ErrExpired when it
// expired (at or after ExpiresAt), leaving it unused.
func (s *Store) ConsumeLink(ctx context.Context, purpose, hash string, now time.Time) (ports.OneTimeToken, error) {
	tt := &s.tokens
	if err := tt.lock(ctx); err != nil {
		return ports.OneTimeToken{}, err
	}
	defer tt.mu.Unlock()
	row, ok := tt.byHash[hash]
	if !ok || row.Purpose != purpose || !row.UsedAt.IsZero() {
		return ports.OneTimeToken{}, fmt.Errorf("memory: consume link: %w", ports.ErrNotFound)
	}
	if !now.Before(row.ExpiresAt) {
		return ports.OneTimeToken{}, fmt.Errorf("memory: consume link: %w", ports.ErrExpired)
	}
	row.UsedAt = stamp(now)
	return row.OneTimeToken, nil
}

// ConsumeCode checks hash against the newest unused code of subject and
// purpose, counting a wrong try; see ports.OneTimeTokenRepo for the answers.
func (s *Store) ConsumeCode(ctx context.Context, subject, purpose, hash string, now time.Time) (ports.OneTimeToken, error) {
	tt := &s.tokens
	if err := tt.lock(ctx); err != nil {
		return ports.OneTimeToken{}, err
	}
	defer tt.mu.Unlock()
	var code *tokenRow
	for _, row := range tt.bySubject[subject] {
		if row.Purpose == purpose && row.UsedAt.IsZero() && (code == nil || newer(row, code) < 0) {
			code = row
		}
	}
	switch {
	case code == nil:
		return ports.OneTimeToken{}, fmt.Errorf("memory: consume code: %w", ports.ErrNotFound)
	case !now.Before(code.ExpiresAt):
		return ports.OneTimeToken{}, fmt.Errorf("memory: consume code: %w", ports.ErrExpired)
	case code.Attempts >= code.MaxAttempts:
		return ports.OneTimeToken{}, fmt.Errorf("memory: consume code: %w", ports.ErrExhausted)
	case code.Hash != hash:
		code.Attempts++
		if code.Attempts >= code.MaxAttempts {
			return ports.OneTimeToken{}, fmt.Errorf("memory: consume code: %w", ports.ErrExhausted)
		}
		return ports.OneTimeToken{}, fmt.Errorf("memory: consume code: %w", ports.ErrMismatch)
	}
	code.UsedAt = stamp(now)
	return code.OneTimeToken, nil
}

// Tokens lists the tokens of subject, newest first.
func (s *Store) Tokens(ctx context.Context, subject string) ([]ports.OneTimeToken, error) {
	tt := &s.tokens
	if err := tt.lock(ctx); err != nil {
		return nil, err
	}
	rows := make([]tokenRow, len(tt.bySubject[subject]))
	for i, r := range tt.bySubject[subject] {
		rows[i] = *r
	}
	tt.mu.Unlock()
	slices.SortFunc(rows, func(a, b tokenRow) int { return newer(&a, &b) })
	out := make([]ports.OneTimeToken, len(rows))
	for i, r := range rows {
		out[i] = r.OneTimeToken
	}
	return out, nil
}
