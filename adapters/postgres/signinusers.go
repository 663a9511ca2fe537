package postgres

import (
	"context"

	"github.com/bharatauth/bharatauth-go/ports"
)

var _ ports.SignInUsers = (*Store)(nil)

// signInUserRow is a user with whether the sign-in's device is known.
type signInUserRow struct {
	User  userRow `bun:"embed:u_"`
	Known bool    `bun:"known"`
}

// signInUserSQL finds the user as findUser does and asks KnownDevice's
// question in the same statement. ?0 the device, ?1 the email or username.
const signInUserSQL = `
SELECT ` + userColumns + `,
    ?0 <> '' AND EXISTS (
        SELECT 1 FROM ba_sessions AS s
        WHERE s.user_id = u.id AND s.device_fingerprint = ?0 AND s.is_verified_device) AS known
FROM ba_users AS u
LEFT JOIN ba_accounts AS a ON a.user_id = u.id
WHERE `

// SignInUser reads the user by email or username and whether the device is
// known, in one statement. ErrNotFound when no user matches.
func (s *Store) SignInUser(ctx context.Context, l ports.SignInLookup) (ports.User, bool, error) {
	const op = "sign-in user"
	where, arg := "lower(u.email) = lower(?1) LIMIT 1", l.Email
	if l.Email == "" {
		if l.Username == "" {
			return ports.User{}, false, notFound(op)
		}
		where, arg = "lower(u.username) = lower(?1) LIMIT 1", l.Username
	}
	ctx, cancel := s.call(ctx)
	defer cancel()
	row, found, err := firstRow[signInUserRow](ctx, s.conn(ctx), signInUserSQL+where, l.DeviceFingerprint, arg)
	if err != nil {
		return ports.User{}, false, fail(ctx, op, err)
	}
	if !found {
		return ports.User{}, false, notFound(op)
	}
	return row.User.user(), row.Known, nil
}
