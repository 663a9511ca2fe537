package postgres

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
)

// eventRow is one security event about a user.
type eventRow struct {
	bun.BaseModel `bun:"table:ba_security_events"`

	ID        int64     `bun:"id,pk,autoincrement"`
	UserID    string    `bun:"user_id"`
	Kind      string    `bun:"kind"`
	IPAddress string    `bun:"ip_address"`
	UserAgent string    `bun:"user_agent"`
	Detail    string    `bun:"detail"`
	At        time.Time `bun:"at"`
}

// RecordEvent appends e.
func (s *Store) RecordEvent(ctx context.Context, e ports.SecurityEvent) error {
	const op = "record event"
	ctx, cancel := s.call(ctx)
	defer cancel()
	row := newEventRow(e)
	_, err := s.conn(ctx).NewInsert().Model(&row).ExcludeColumn("id").Exec(ctx)
	return fail(ctx, op, err)
}

func newEventRow(e ports.SecurityEvent) eventRow {
	return eventRow{
		UserID:    e.UserID,
		Kind:      e.Kind,
		IPAddress: e.IPAddress,
		UserAgent: e.UserAgent,
		Detail:    e.Detail,
		At:        utc(e.At),
	}
}

// Events lists the user's events, oldest first (ties in insertion order).
func (s *Store) Events(ctx context.Context, userID string) ([]ports.SecurityEvent, error) {
	return listWhere(ctx, s, "events", "user_id", userID, "at ASC, id ASC", eventRow.event)
}

func (r eventRow) event() ports.SecurityEvent {
	return ports.SecurityEvent{
		UserID:    r.UserID,
		Kind:      r.Kind,
		IPAddress: r.IPAddress,
		UserAgent: r.UserAgent,
		Detail:    r.Detail,
		At:        utc(r.At),
	}
}

// pseudonymiseEventsSQL empties the IP and user agent of at most ?1 events
// before ?0, chosen oldest first through the partial index of identifying
// events.
const pseudonymiseEventsSQL = `
WITH changed AS (
    UPDATE ba_security_events SET ip_address = '', user_agent = ''
    WHERE id = ANY (ARRAY(
        SELECT id FROM ba_security_events
        WHERE at < ?0 AND (ip_address <> '' OR user_agent <> '')
        ORDER BY at LIMIT ?1))
    RETURNING 1
)
SELECT count(*) FROM changed`

// pseudonymiseConsentsSQL empties the IP and user agent of at most ?1 chain
// version 2 consent rows recorded before ?0, oldest first through the partial
// index of identifying rows; the append-only trigger allows this one update.
const pseudonymiseConsentsSQL = `
WITH changed AS (
    UPDATE ba_consent_log SET ip_address = '', user_agent = ''
    WHERE id = ANY (ARRAY(
        SELECT id FROM ba_consent_log
        WHERE recorded_at < ?0 AND chain_version >= 2 AND (ip_address <> '' OR user_agent <> '')
        ORDER BY recorded_at LIMIT ?1))
    RETURNING 1
)
SELECT count(*) FROM changed`

// PseudonymiseEvents empties the IP address and user agent of at most limit
// events before before, oldest first, in one statement.
func (s *Store) PseudonymiseEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	return s.pseudonymise(ctx, "pseudonymise events", pseudonymiseEventsSQL, before, limit)
}

// PseudonymiseConsents empties the IP address and user agent of at most limit
// chain version 2 consent rows before before, oldest first, in one statement.
func (s *Store) PseudonymiseConsents(ctx context.Context, before time.Time, limit int) (int, error) {
	return s.pseudonymise(ctx, "pseudonymise consents", pseudonymiseConsentsSQL, before, limit)
}

// pseudonymise runs one of the pseudonymising statements, which take the
// cutoff as ?0 and the limit as ?1 and return how many rows they changed.
func (s *Store) pseudonymise(ctx context.Context, op, query string, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	ctx, cancel := s.call(ctx)
	defer cancel()
	var n int
	if err := s.db.NewRaw(query, utc(before), limit).Scan(ctx, &n); err != nil {
		return 0, fail(ctx, op, err)
	}
	return n, nil
}
