package postgres

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/bharatauth/bharatauth-go/ports"
)

var _ ports.SignInSessions = (*Store)(nil)

// OpenSignInSession inserts the session with the attempts' ends and the
// events as data-modifying WITH queries of the same statement: one round
// trip, and one commit outside a transaction. The three touch different
// tables, so that running on one snapshot changes nothing they compute.
//
// The lockout rows are locked first, in the order of o.Attempts (a sign-in's
// identifier or device, then its account): the order in which a sign-in's
// admissions lock them, in one transaction where core groups them. Locked in
// the order a scan happens to find them, a sign-in ending here and another
// being admitted on the same two keys could each hold one row and wait for
// the other (PostgreSQL ends that deadlock by failing one of them).
func (s *Store) OpenSignInSession(ctx context.Context, o ports.SignInOpening) error {
	const op = "open sign-in session"
	ctx, cancel := s.call(ctx)
	defer cancel()
	db := s.conn(ctx)
	q := db.NewInsert().Model(newSessionInsert(o.Session))
	if len(o.Attempts) > 0 {
		locked := db.NewSelect().TableExpr("ba_lockouts").Column("key").Where("key IN (?)", bun.In(o.Attempts)).
			OrderExpr("array_position(?, key)", pgdialect.Array(o.Attempts)).For("UPDATE")
		q = q.With("locked", locked).
			With("ended", db.NewUpdate().TableExpr("ba_lockouts AS l").Set(succeededSet).
				Where("l.key IN (SELECT key FROM locked)"))
	}
	if len(o.Events) > 0 {
		events := make([]eventRow, len(o.Events))
		for i, e := range o.Events {
			events[i] = newEventRow(e)
		}
		q = q.With("recorded", db.NewInsert().Model(&events).ExcludeColumn("id"))
	}
	_, err := q.Exec(ctx)
	return fail(ctx, op, err)
}
