package postgres

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
)

var _ ports.SignInSessions = (*Store)(nil)

// OpenSignInSession inserts the session with the attempts' ends and the
// events as data-modifying WITH queries of the same statement: one round
// trip, and one commit outside a transaction. The three touch different
// tables, so that running on one snapshot changes nothing they compute.
func (s *Store) OpenSignInSession(ctx context.Context, o ports.SignInOpening) error {
	const op = "open sign-in session"
	ctx, cancel := s.call(ctx)
	defer cancel()
	db := s.conn(ctx)
	q := db.NewInsert().Model(newSessionInsert(o.Session))
	if len(o.Attempts) > 0 {
		q = q.With("ended", db.NewUpdate().TableExpr("ba_lockouts AS l").Set(succeededSet).
			Where("l.key IN (?)", bun.In(o.Attempts)))
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
