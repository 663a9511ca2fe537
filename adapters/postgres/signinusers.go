package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

var _ ports.SignInUsers = (*Store)(nil)

// signInRow is a sign-in's user (all NULL when none matches) with whether its
// device is known, the IP's block and the user's holds.
type signInRow struct {
	User           userRow   `bun:"embed:u_"`
	Known          bool      `bun:"known"`
	IPBlockedUntil time.Time `bun:"ip_blocked_until"`
	accountHoldsRow
}

// signInSQL finds the user as findUser does, asks KnownDevice's question
// and IPBlockedUntil's, and reads the holds as AccountHolds does, in one
// statement that returns one row whether or not a user matches. ?0 the
// device, ?1 the email or username, ?2 the IP ("" matches no block), ?3 now,
// ?4 whether to read the holds; the WHERE of the user comes last.
const signInSQL = `
SELECT u.*, coalesce(u.known, false) AS known, b.blocked_until AS ip_blocked_until, ` + holdsColumns + `
FROM (SELECT CASE WHEN ?4 THEN 1 END AS holds) AS k
LEFT JOIN ba_ip_blocks AS b ON b.ip = ?2 AND b.blocked_until > ?3
LEFT JOIN LATERAL (
    SELECT ` + userColumns + `,
        ?0 <> '' AND EXISTS (
            SELECT 1 FROM ba_sessions AS s
            WHERE s.user_id = u.id AND s.device_fingerprint = ?0 AND s.is_verified_device) AS known
    FROM ba_users AS u
    LEFT JOIN ba_accounts AS a ON a.user_id = u.id
    WHERE %s LIMIT 1
) AS u ON true
LEFT JOIN ba_guardianships AS g ON k.holds = 1 AND g.child_id = u.u_id
LEFT JOIN LATERAL (
    SELECT * FROM ba_erasure_requests
    WHERE k.holds = 1 AND user_id = u.u_id ORDER BY received_at DESC, id DESC LIMIT 1
) AS e ON true`

var (
	signInByEmailSQL    = strings.Replace(signInSQL, "%s", "lower(u.email) = lower(?1) AND u.email <> ''", 1)
	signInByUsernameSQL = strings.Replace(signInSQL, "%s", "lower(u.username) = lower(?1)", 1)
)

// SignInUser reads the user by email or username, whether the device is
// known, the IP's block and, when asked, the user's holds, in one statement.
func (s *Store) SignInUser(ctx context.Context, l ports.SignInLookup) (ports.SignInRecord, error) {
	const op = "sign-in user"
	query, name := signInByEmailSQL, l.Email
	if l.Email == "" {
		query, name = signInByUsernameSQL, l.Username
	}
	ctx, cancel := s.call(ctx)
	defer cancel()
	row, _, err := firstRow[signInRow](ctx, s.conn(ctx), query, l.DeviceFingerprint, name, l.IP, utc(l.Now), l.Holds)
	if err != nil {
		return ports.SignInRecord{}, fail(ctx, op, err)
	}
	r := ports.SignInRecord{IPBlockedUntil: utc(row.IPBlockedUntil)}
	if row.User.ID == "" || name == "" {
		return r, nil
	}
	r.Found, r.User, r.KnownDevice, r.Holds = true, row.User.user(), row.Known, row.accountHoldsRow.holds()
	return r, nil
}
