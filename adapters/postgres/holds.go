package postgres

import (
	"context"

	"github.com/bharatauth/bharatauth-go/ports"
)

var _ ports.AccountHoldsReader = (*Store)(nil)

// accountHoldsRow is a user's guardianship and newest erasure request, each
// all NULL (a zero row) when there is none.
type accountHoldsRow struct {
	Guardian guardianRow `bun:"embed:g_"`
	Erasure  erasureRow  `bun:"embed:e_"`
}

// holdsColumns are the columns of an accountHoldsRow, from the joins g and e.
const holdsColumns = `g.child_id AS g_child_id, g.guardian_email AS g_guardian_email, g.date_of_birth AS g_date_of_birth,
    g.requested_at AS g_requested_at, g.proposed AS g_proposed, g.confirmed_at AS g_confirmed_at,
    g.method AS g_method, g.guardian_id AS g_guardian_id, g.reference AS g_reference,
    e.id AS e_id, e.user_id AS e_user_id, e.email AS e_email, e.language AS e_language,
    e.status_hash AS e_status_hash, e.status AS e_status, e.received_at AS e_received_at,
    e.due_at AS e_due_at, e.closed_at AS e_closed_at, e.kept AS e_kept`

const accountHoldsSQL = `
SELECT ` + holdsColumns + `
FROM (SELECT ?::text AS id) AS k
LEFT JOIN ba_guardianships AS g ON g.child_id = k.id
LEFT JOIN LATERAL (
    SELECT * FROM ba_erasure_requests WHERE user_id = k.id ORDER BY received_at DESC, id DESC LIMIT 1
) AS e ON true`

// AccountHolds reads the user's guardianship and newest erasure request in
// one statement.
func (s *Store) AccountHolds(ctx context.Context, userID string) (ports.AccountHolds, error) {
	const op = "account holds"
	ctx, cancel := s.call(ctx)
	defer cancel()
	row, _, err := firstRow[accountHoldsRow](ctx, s.conn(ctx), accountHoldsSQL, userID)
	if err != nil {
		return ports.AccountHolds{}, fail(ctx, op, err)
	}
	return row.holds(), nil
}

// holds is the row as the port's record.
func (row accountHoldsRow) holds() ports.AccountHolds {
	var h ports.AccountHolds
	if row.Guardian.ChildID != "" {
		g := row.Guardian.guardianship()
		h.Guardianship = &g
	}
	if row.Erasure.ID != "" {
		e := row.Erasure.record()
		h.Erasure = &e
	}
	return h
}
