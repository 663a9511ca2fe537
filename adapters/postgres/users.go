package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
)

// userRow is a managed-mode user: identity in ba_users joined with its
// account state in ba_accounts.
type userRow struct {
	bun.BaseModel `bun:"table:ba_users,alias:u"`

	ID          string    `bun:"id,pk"`
	Email       string    `bun:"email"`
	Phone       string    `bun:"phone,nullzero"`
	Username    string    `bun:"username,nullzero"`
	DisplayName string    `bun:"display_name"`
	Language    string    `bun:"language"`
	CreatedAt   time.Time `bun:"created_at"`

	EmailVerifiedAt time.Time `bun:"email_verified_at,scanonly,nullzero"`
	PhoneVerifiedAt time.Time `bun:"phone_verified_at,scanonly,nullzero"`
	Suspended       bool      `bun:"suspended,scanonly"`
}

// accountRow is the mutable account state of a managed-mode user.
type accountRow struct {
	bun.BaseModel `bun:"table:ba_accounts"`

	UserID          string    `bun:"user_id,pk"`
	EmailVerifiedAt time.Time `bun:"email_verified_at,nullzero"`
	PhoneVerifiedAt time.Time `bun:"phone_verified_at,nullzero"`
	Suspended       bool      `bun:"suspended"`
}

func (r userRow) user() ports.User {
	return ports.User{
		ID:            r.ID,
		Email:         r.Email,
		Phone:         r.Phone,
		Username:      r.Username,
		DisplayName:   r.DisplayName,
		Language:      r.Language,
		EmailVerified: !r.EmailVerifiedAt.IsZero(),
		PhoneVerified: !r.PhoneVerifiedAt.IsZero(),
		Suspended:     r.Suspended,
		CreatedAt:     utc(r.CreatedAt),
	}
}

// UserByEmail finds a managed user by email, case-insensitively (served by
// the unique index on lower(email), which leaves out phone-only accounts'
// empty emails). ErrNotFound when none matches.
func (s *Store) UserByEmail(ctx context.Context, email string) (ports.User, error) {
	if email == "" {
		return ports.User{}, notFound("user by email")
	}
	return s.findUser(ctx, "user by email", "lower(u.email) = lower(?) AND u.email <> ''", email)
}

// UserByUsername finds a managed user by username, case-insensitively, so that
// "Asha" and "asha" cannot be two people. ErrNotFound when none matches.
func (s *Store) UserByUsername(ctx context.Context, username string) (ports.User, error) {
	if username == "" {
		return ports.User{}, notFound("user by username")
	}
	return s.findUser(ctx, "user by username", "lower(u.username) = lower(?)", username)
}

// UserByID finds a managed user by ID. ErrNotFound when none matches.
func (s *Store) UserByID(ctx context.Context, id string) (ports.User, error) {
	return s.findUser(ctx, "user by id", "u.id = ?", id)
}

func (s *Store) findUser(ctx context.Context, op, where string, arg any) (ports.User, error) {
	ctx, cancel := s.call(ctx)
	defer cancel()
	var row userRow
	err := s.conn(ctx).NewSelect().Model(&row).
		ColumnExpr("u.*").
		ColumnExpr("a.email_verified_at, a.phone_verified_at, coalesce(a.suspended, false) AS suspended").
		Join("LEFT JOIN ba_accounts AS a ON a.user_id = u.id").
		Where(where, arg).
		Limit(1).
		Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return ports.User{}, notFound(op)
	}
	if err != nil {
		return ports.User{}, fail(ctx, op, err)
	}
	return row.user(), nil
}

// CreateUser creates the user, its account row, its credentials row and the
// start of its consent chain in one transaction. ErrConflict when the email
// (case-insensitively), the username or the phone number is taken; then
// nothing is created.
func (s *Store) CreateUser(ctx context.Context, u ports.NewUser) (ports.User, error) {
	const op = "create user"
	email := strings.TrimSpace(u.Email)
	if email == "" && u.Phone == "" {
		return ports.User{}, fmt.Errorf("postgres: %s: neither an email nor a phone number", op)
	}
	id, err := newID()
	if err != nil {
		return ports.User{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	at := utc(u.CreatedAt)
	row := userRow{
		ID:          id,
		Email:       email,
		Phone:       u.Phone,
		Username:    strings.TrimSpace(u.Username),
		DisplayName: u.DisplayName,
		Language:    u.Language,
		CreatedAt:   at,
	}
	cred := credentialRow{UserID: id, PasswordHash: u.PasswordHash}
	if u.PasswordHash != "" {
		cred.PasswordChangedAt = at
	}

	ctx, cancel := s.call(ctx)
	defer cancel()
	err = s.conn(ctx).RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&accountRow{UserID: id}).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&cred).Exec(ctx); err != nil {
			return err
		}
		if u.Guardian != nil {
			g := newGuardianRow(id, *u.Guardian)
			if _, err := tx.NewInsert().Model(&g).Exec(ctx); err != nil {
				return err
			}
		}
		if len(u.Consents.Rows) == 0 {
			return nil
		}
		_, err := appendChain(ctx, tx, id, u.Consents)
		return err
	})
	if err != nil {
		return ports.User{}, fail(ctx, op, err)
	}
	return row.user(), nil
}

// MarkEmailVerified records the first verification time; repeating it keeps
// that time. ErrNotFound for an unknown user.
func (s *Store) MarkEmailVerified(ctx context.Context, userID string, at time.Time) error {
	const op = "mark email verified"
	ctx, cancel := s.call(ctx)
	defer cancel()
	res, err := s.conn(ctx).NewUpdate().Model((*accountRow)(nil)).
		Set("email_verified_at = coalesce(email_verified_at, ?)", utc(at)).
		Where("user_id = ?", userID).
		Exec(ctx)
	return s.expectRow(ctx, op, res, err)
}

// SetSuspended suspends or reinstates a user. ErrNotFound for an unknown user.
func (s *Store) SetSuspended(ctx context.Context, userID string, suspended bool) error {
	const op = "set suspended"
	ctx, cancel := s.call(ctx)
	defer cancel()
	res, err := s.conn(ctx).NewUpdate().Model((*accountRow)(nil)).
		Set("suspended = ?", suspended).
		Where("user_id = ?", userID).
		Exec(ctx)
	return s.expectRow(ctx, op, res, err)
}

// ClearProfile empties the display name, username and language of a user.
// ErrNotFound for an unknown user.
func (s *Store) ClearProfile(ctx context.Context, userID string) error {
	const op = "clear profile"
	ctx, cancel := s.call(ctx)
	defer cancel()
	res, err := s.conn(ctx).NewUpdate().Model((*userRow)(nil)).
		Set("display_name = ''").
		Set("username = NULL").
		Set("language = ''").
		Where("id = ?", userID).
		Exec(ctx)
	return s.expectRow(ctx, op, res, err)
}

// UpdateProfile replaces the display name, username and language in one
// UPDATE; the unique index on lower(username) refuses a taken username
// (ErrConflict). ErrNotFound for an unknown user.
func (s *Store) UpdateProfile(ctx context.Context, userID string, p ports.Profile) (ports.User, error) {
	const op = "update profile"
	err := s.updateUserRow(ctx, op, userID, func(q *bun.UpdateQuery) *bun.UpdateQuery {
		return q.Set("username = ?", nullString(p.Username)).Set("display_name = ?", p.DisplayName).Set("language = ?", p.Language)
	})
	if err != nil {
		return ports.User{}, err
	}
	return s.UserByID(ctx, userID)
}

// ChangeEmail replaces the email and marks it verified at at, in one
// transaction; the unique index on lower(email) refuses a taken one
// (ErrConflict). ErrNotFound for an unknown user.
func (s *Store) ChangeEmail(ctx context.Context, userID, email string, at time.Time) (ports.User, error) {
	return s.changeContact(ctx, "change email", userID, "email", email, at)
}

// changeContact sets the user's column (email or phone) to value and marks
// it verified at at (column_verified_at), in one transaction. ErrConflict
// from the column's unique index, ErrNotFound for an unknown user.
func (s *Store) changeContact(ctx context.Context, op, userID, column, value string, at time.Time) (ports.User, error) {
	ctx2, cancel := s.call(ctx)
	defer cancel()
	err := s.db.RunInTx(ctx2, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*userRow)(nil)).Set("? = ?", bun.Ident(column), value).Where("id = ?", userID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, sql.ErrNoRows)
		}
		_, err = tx.NewUpdate().Model((*accountRow)(nil)).Set("? = ?", bun.Ident(column+"_verified_at"), utc(at)).Where("user_id = ?", userID).Exec(ctx)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return ports.User{}, notFound(op)
	}
	if err != nil {
		return ports.User{}, fail(ctx2, op, err)
	}
	return s.UserByID(ctx, userID)
}

// updateUserRow runs one UPDATE of the user's ba_users row.
func (s *Store) updateUserRow(ctx context.Context, op, userID string, set func(*bun.UpdateQuery) *bun.UpdateQuery) error {
	ctx, cancel := s.call(ctx)
	defer cancel()
	res, err := set(s.db.NewUpdate().Model((*userRow)(nil))).Where("id = ?", userID).Exec(ctx)
	return s.expectRow(ctx, op, res, err)
}

// nullString stores "" as NULL, so that users without a username never
// collide in the unique index.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// expectRow maps an UPDATE that matched no row to ErrNotFound.
func (s *Store) expectRow(ctx context.Context, op string, res sql.Result, err error) error {
	if err != nil {
		return fail(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fail(ctx, op, err)
	}
	if n == 0 {
		return notFound(op)
	}
	return nil
}

// newID returns a random (version 4) UUID in its canonical text form.
func newID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
