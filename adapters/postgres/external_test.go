package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

// appUser is an app's own user model in external mode: its table, its bigint
// IDs, its column names. BharatAuth only ever reads it through appDirectory.
type appUser struct {
	bun.BaseModel `bun:"table:users"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Email     string    `bun:"email"`
	FullName  string    `bun:"full_name"`
	Verified  bool      `bun:"verified"`
	Banned    bool      `bun:"banned"`
	CreatedAt time.Time `bun:"created_at"`
}

// appDirectory is the small ports.UserDirectory an external-mode app writes
// over its own table; user IDs cross the port as decimal strings.
type appDirectory struct{ db *bun.DB }

var _ ports.UserDirectory = appDirectory{}

// user maps the app's row onto what BharatAuth needs to know.
func (u appUser) user() ports.User {
	return ports.User{
		ID: strconv.FormatInt(u.ID, 10), Email: u.Email, DisplayName: u.FullName,
		EmailVerified: u.Verified, Suspended: u.Banned, CreatedAt: u.CreatedAt.UTC(),
	}
}

func (d appDirectory) find(ctx context.Context, where string, arg any) (ports.User, error) {
	var u appUser
	err := d.db.NewSelect().Model(&u).Where(where, arg).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return ports.User{}, fmt.Errorf("app users: %w", ports.ErrNotFound)
	}
	if err != nil {
		return ports.User{}, err
	}
	return u.user(), nil
}

func (d appDirectory) UserByEmail(ctx context.Context, email string) (ports.User, error) {
	return d.find(ctx, "lower(email) = lower(?)", email)
}

func (d appDirectory) UserByUsername(ctx context.Context, username string) (ports.User, error) {
	return ports.User{}, fmt.Errorf("app users have no usernames: %w", ports.ErrNotFound)
}

func (d appDirectory) UserByID(ctx context.Context, id string) (ports.User, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return ports.User{}, fmt.Errorf("app users: %w", ports.ErrNotFound)
	}
	return d.find(ctx, "id = ?", n)
}

// TestAppDirectoryConformance runs the UserDirectory suite over the app's
// directory, as an external-mode app runs it over its own: the app's sign-up
// (here an insert into its table) seeds the users.
func TestAppDirectoryConformance(t *testing.T) {
	porttest.UserDirectory(t, porttest.DirectoryHarness{
		NewDirectory: func(t *testing.T) (ports.UserDirectory, func(ports.User) ports.User) {
			_, db := newTestDB(t)
			_, err := db.NewCreateTable().Model((*appUser)(nil)).Exec(t.Context())
			require.NoError(t, err)
			return appDirectory{db: db}, func(u ports.User) ports.User {
				row := appUser{Email: u.Email, FullName: u.DisplayName, Verified: u.EmailVerified, Banned: u.Suspended, CreatedAt: u.CreatedAt}
				_, err := db.NewInsert().Model(&row).Exec(t.Context())
				require.NoError(t, err)
				return row.user()
			}
		},
		NoUsernames: true,
	})
}

// TestExternalMode runs BharatAuth's stores next to an app's own users table
// that a trigger makes read-only, proving the Store never writes to it.
func TestExternalMode(t *testing.T) {
	t.Parallel()
	store, db := newTestDB(t)
	ctx := t.Context()

	_, err := db.NewCreateTable().Model((*appUser)(nil)).Exec(ctx)
	require.NoError(t, err)
	asha := appUser{Email: "Asha@Example.in", FullName: "Asha", Verified: true, CreatedAt: t0}
	_, err = db.NewInsert().Model(&asha).Exec(ctx)
	require.NoError(t, err)
	for _, stmt := range []string{
		`CREATE FUNCTION app_users_read_only() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN RAISE EXCEPTION 'users is read-only for BharatAuth: % refused', TG_OP; END; $$`,
		`CREATE TRIGGER app_users_read_only BEFORE INSERT OR UPDATE OR DELETE ON users
		 FOR EACH ROW EXECUTE FUNCTION app_users_read_only()`,
		`CREATE TRIGGER app_users_no_truncate BEFORE TRUNCATE ON users
		 FOR EACH STATEMENT EXECUTE FUNCTION app_users_read_only()`,
	} {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err)
	}
	// The trigger works: a write is refused.
	_, err = db.NewUpdate().Model(&asha).Set("full_name = 'x'").WherePK().Exec(ctx)
	require.ErrorContains(t, err, "read-only")

	dir := appDirectory{db: db}
	user, err := dir.UserByEmail(ctx, "asha@example.in")
	require.NoError(t, err)
	uid := user.ID
	policy := ports.LockPolicy{SoftLockAfter: 5, SoftLockFor: 7 * time.Minute, HardLockAfter: 10, ResetAfter: 24 * time.Hour}

	steps := []struct {
		name string
		run  func() error
	}{
		{name: "set password hash", run: func() error {
			return store.SetPasswordHash(ctx, uid, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", t0)
		}},
		{name: "set pin hash", run: func() error { return store.SetPINHash(ctx, uid, "$argon2id$pin", t0) }},
		{name: "read credentials", run: func() error {
			c, err := store.Credentials(ctx, uid)
			if err == nil && c.PasswordHash == "" {
				err = errors.New("password hash lost")
			}
			return err
		}},
		{name: "begin an attempt", run: func() error {
			_, _, err := store.BeginAttempt(ctx, "id:"+uid, t0, policy)
			return err
		}},
		{name: "fail an attempt", run: func() error {
			_, err := store.FinishAttempt(ctx, "id:"+uid, t0, policy, ports.Failed)
			return err
		}},
		{name: "clear failures", run: func() error { return store.ClearFailures(ctx, "id:"+uid) }},
		{name: "create session", run: func() error { return store.CreateSession(ctx, testSession("s-ext", uid, "ext-h0")) }},
		{name: "rotate refresh", run: func() error {
			_, err := store.RotateRefresh(ctx, "ext-h0", "ext-h1", t0.Add(time.Minute), 0)
			return err
		}},
		{name: "step-up", run: func() error { return store.MarkStepUp(ctx, "s-ext", t0.Add(time.Minute), true) }},
		{name: "issue and consume a code", run: func() error {
			err := store.IssueToken(ctx, ports.OneTimeToken{
				ID: "ext-otp", Purpose: ports.PurposeLoginOTP, Subject: uid, Hash: "ext-code",
				CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute), MaxAttempts: 5,
			})
			if err != nil {
				return err
			}
			_, err = store.ConsumeCode(ctx, uid, ports.PurposeLoginOTP, "ext-code", t0.Add(time.Minute))
			return err
		}},
		{name: "append consents", run: func() error {
			_, err := store.AppendConsents(ctx, uid, ports.ConsentAppend{Rows: []ports.ConsentRecord{{Category: "identity", Granted: true, RecordedAt: t0}}})
			return err
		}},
		{name: "record event", run: func() error {
			return store.RecordEvent(ctx, ports.SecurityEvent{UserID: uid, Kind: ports.EventLoginSucceeded, At: t0})
		}},
		{name: "record ip failure", run: func() error {
			_, err := store.RecordIPFailure(ctx, "198.51.100.1", "asha@example.in", t0,
				ports.IPPolicy{DistinctIdentifiers: 3, Window: 24 * time.Hour, BlockFor: 24 * time.Hour})
			return err
		}},
		{name: "revoke all sessions", run: func() error {
			_, err := store.RevokeSessions(ctx, ports.Revocation{UserID: uid}, t0.Add(time.Hour))
			return err
		}},
		{name: "purge", run: func() error {
			_, err := store.Purge(ctx, t0.Add(365*24*time.Hour), 10)
			return err
		}},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			require.NoError(t, step.run())
		})
	}

	// The app's row is untouched, and managed-mode tables stayed empty.
	var after appUser
	require.NoError(t, db.NewSelect().Model(&after).Where("id = ?", asha.ID).Scan(ctx))
	assert.Equal(t, asha.Email, after.Email)
	assert.Equal(t, asha.FullName, after.FullName)
	n, err := db.NewSelect().Table("ba_users").Count(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)

	creds, err := store.Credentials(ctx, uid)
	require.NoError(t, err)
	assert.Equal(t, uid, creds.UserID)
}
