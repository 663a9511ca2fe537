package postgres_test

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/adapters/postgres"
	"github.com/bharatauth/bharatauth-go/adapters/postgres/pgtest"
	"github.com/bharatauth/bharatauth-go/ports"
)

// TestClosedPortIsUnavailable points a Store at a port nobody listens on:
// every method answers ErrUnavailable, fast, and leaks no secret.
func TestClosedPortIsUnavailable(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t, "postgres://postgres@127.0.0.1:1/test?sslmode=disable")
	t.Cleanup(func() { _ = db.Close() })
	store, err := postgres.New(db, postgres.Options{QueryTimeout: 2 * time.Second})
	require.NoError(t, err)
	ctx := t.Context()
	const secret = "super-secret-refresh-hash"

	tests := []struct {
		name string
		call func() error
	}{
		{name: "session", call: func() error { _, err := store.Session(ctx, "s"); return err }},
		{name: "ping", call: func() error { return store.Ping(ctx) }},
		{name: "rotate refresh", call: func() error { _, err := store.RotateRefresh(ctx, secret, secret+"2", t0, 0); return err }},
		{name: "begin attempt", call: func() error {
			_, _, err := store.BeginAttempt(ctx, "k", t0, ports.LockPolicy{SoftLockAfter: 5})
			return err
		}},
		{name: "finish attempt", call: func() error {
			_, err := store.FinishAttempt(ctx, "k", t0, ports.LockPolicy{SoftLockAfter: 5}, ports.Failed)
			return err
		}},
		{name: "consume code", call: func() error {
			_, err := store.ConsumeCode(ctx, "u", ports.PurposeLoginOTP, secret, t0)
			return err
		}},
		{name: "append consents", call: func() error {
			_, err := store.AppendConsents(ctx, "u", ports.ConsentAppend{Rows: []ports.ConsentRecord{{Category: "identity"}}})
			return err
		}},
		{name: "create user", call: func() error {
			_, err := store.CreateUser(ctx, ports.NewUser{Email: "a@example.in", PasswordHash: secret})
			return err
		}},
		{name: "migrate", call: func() error { return store.Migrate(ctx) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			err := tc.call()
			assert.Less(t, time.Since(start), 2*time.Second)
			require.ErrorIs(t, err, ports.ErrUnavailable)
			assert.NotContains(t, err.Error(), secret)
		})
	}
}

// TestCallerContextPassesThrough: a cancelled caller sees its own error, not
// an outage.
func TestCallerContextPassesThrough(t *testing.T) {
	t.Parallel()
	store, _ := newTestDB(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := store.Session(ctx, "s")
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, errors.Is(err, ports.ErrUnavailable))
}

// TestQueryTimeoutIsUnavailable: a statement stuck behind a lock past
// Options.QueryTimeout answers ErrUnavailable and writes nothing.
func TestQueryTimeoutIsUnavailable(t *testing.T) {
	t.Parallel()
	store, db := newTestDB(t)
	// Only the blocked call runs with the short bound; set-up and checks use
	// the default one, so a loaded machine cannot fail them.
	hurried, err := postgres.New(db, postgres.Options{QueryTimeout: 500 * time.Millisecond})
	require.NoError(t, err)
	ctx := t.Context()
	require.NoError(t, store.CreateSession(ctx, testSession("s-slow", "u", "slow-0")))

	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	_, err = tx.ExecContext(ctx, "SELECT 1 FROM ba_sessions WHERE id = 's-slow' FOR UPDATE")
	require.NoError(t, err)

	_, err = hurried.RotateRefresh(ctx, "slow-0", "slow-1", t0.Add(time.Minute), 0)
	require.ErrorIs(t, err, ports.ErrUnavailable)
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "our own bound is an outage, not the caller's deadline")
	// pgx cancels the stuck statement with a cancel request, which reaches the
	// server a moment after the call returned; release the lock only once the
	// server has dropped the statement, or it would run after all.
	require.Eventually(t, func() bool {
		var waiting int
		err := db.NewRaw(`SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%slow-1%'`).Scan(ctx, &waiting)
		return err == nil && waiting == 0
	}, 10*time.Second, 20*time.Millisecond, "the server never dropped the timed-out statement")
	require.NoError(t, tx.Rollback())

	s, err := store.Session(ctx, "s-slow")
	require.NoError(t, err)
	assert.Equal(t, "slow-0", s.RefreshHash)
	assert.Zero(t, countRows(t, db, "ba_refresh_tokens"))
}

// TestKilledBackendLeavesNothingHalfWritten terminates the server process of
// a Store call mid-transaction with pg_terminate_backend: the call answers
// ErrUnavailable and none of its writes survive.
func TestKilledBackendLeavesNothingHalfWritten(t *testing.T) {
	t.Parallel()
	store, db := newTestDB(t)
	ctx := t.Context()
	// Values unique to this run: the victim is found by its query text among
	// the backends of every test sharing the server.
	tag := strconv.FormatInt(time.Now().UnixNano(), 36)
	user, oldHash, newHash := "u-kill-"+tag, "kill-0-"+tag, "kill-1-"+tag
	require.NoError(t, store.CreateSession(ctx, testSession("s-kill", user, oldHash)))
	_, err := store.AppendConsents(ctx, user, ports.ConsentAppend{Rows: []ports.ConsentRecord{{Category: "identity", Granted: true, RecordedAt: t0}}})
	require.NoError(t, err)

	// A test-only trigger that stalls the second consent row of a batch, so
	// the append is killed after its first row is already inserted.
	for _, stmt := range []string{
		`CREATE FUNCTION stall_consent() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN IF NEW.category = 'stall' THEN PERFORM pg_sleep(30); END IF; RETURN NEW; END; $$`,
		`CREATE TRIGGER stall_consent BEFORE INSERT ON ba_consent_log
		 FOR EACH ROW EXECUTE FUNCTION stall_consent()`,
	} {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err)
	}

	tests := []struct {
		name string
		// hold blocks the victim from another connection; nil when the
		// victim stalls by itself. It returns a release func.
		hold   func(t *testing.T) func()
		wait   string // pg_stat_activity.wait_event of the stalled victim
		marker string // a value in the victim's query text
		call   func() error
		verify func(t *testing.T)
	}{
		{
			name:   "append consents killed after its first row",
			wait:   "PgSleep",
			marker: user,
			call: func() error {
				_, err := store.AppendConsents(ctx, user, ports.ConsentAppend{Rows: []ports.ConsentRecord{
					{Category: "contact", Granted: true, RecordedAt: t0},
					{Category: "stall", Granted: true, RecordedAt: t0},
				}})
				return err
			},
			verify: func(t *testing.T) {
				history, err := store.ConsentHistory(ctx, user)
				require.NoError(t, err)
				require.Len(t, history, 1, "neither row of the killed batch may survive")
				assert.Equal(t, "identity", history[0].Category)
			},
		},
		{
			name:   "rotate refresh killed while waiting for the session row",
			wait:   "transactionid",
			marker: oldHash,
			hold: func(t *testing.T) func() {
				tx, err := db.BeginTx(ctx, nil)
				require.NoError(t, err)
				_, err = tx.ExecContext(ctx, "UPDATE ba_sessions SET device_info = device_info WHERE id = 's-kill'")
				require.NoError(t, err)
				return func() { _ = tx.Rollback() }
			},
			call: func() error {
				_, err := store.RotateRefresh(ctx, oldHash, newHash, t0.Add(time.Minute), 0)
				return err
			},
			verify: func(t *testing.T) {
				s, err := store.Session(ctx, "s-kill")
				require.NoError(t, err)
				assert.Equal(t, oldHash, s.RefreshHash)
				assert.Zero(t, countRows(t, db, "ba_refresh_tokens"))
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			release := func() {}
			if tc.hold != nil {
				release = tc.hold(t)
			}
			done := make(chan error, 1)
			go func() { done <- tc.call() }()
			pid := waitForBackend(t, db, tc.wait, tc.marker)
			var killed bool
			require.NoError(t, db.NewRaw("SELECT pg_terminate_backend(?)", pid).Scan(ctx, &killed))
			require.True(t, killed)
			err := <-done
			release()
			require.ErrorIs(t, err, ports.ErrUnavailable)
			tc.verify(t)
		})
	}

	// The pool replaced the dead connection: the Store works again.
	_, err = store.RotateRefresh(ctx, oldHash, newHash, t0.Add(time.Minute), 0)
	require.NoError(t, err)
}

// waitForBackend polls pg_stat_activity for the backend that waits on event
// running a query that contains marker, and returns its pid.
func waitForBackend(t *testing.T, db *bun.DB, event, marker string) int {
	t.Helper()
	ctx := t.Context()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var pids []int
		err := db.NewRaw(`SELECT pid FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()
			  AND wait_event = ? AND strpos(query, ?) > 0`, event, marker).Scan(ctx, &pids)
		require.NoError(t, err)
		if len(pids) == 1 {
			return pids[0]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no backend waiting on %s", event)
	return 0
}

// TestRefusedStatementIsNoOutage: a statement the server refuses for what it
// is (here a NUL byte, which PostgreSQL cannot take in a query) is a plain
// error, not ErrUnavailable: retrying would not help, and an outage alert
// would mislead.
func TestRefusedStatementIsNoOutage(t *testing.T) {
	t.Parallel()
	store, _ := newTestDB(t)
	_, err := store.Session(t.Context(), "ses_\x00")
	require.Error(t, err)
	assert.False(t, errors.Is(err, ports.ErrUnavailable), "%v", err)
	assert.False(t, errors.Is(err, ports.ErrNotFound))
}

func TestTransientSQLStates(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]bool{
		"08006": true, "53300": true, "57P01": true, "58030": true, "57014": true, "55P03": true,
		"25006": true, "40001": true, "40P01": true,
		"42601": false, "22P02": false, "42P01": false, "P0001": false, "23503": false,
	} {
		assert.Equal(t, want, postgres.Transient(code), code)
	}
}

// A wrong DATABASE_URL is explained in the server's words: the database or
// role that does not exist, not only a SQLSTATE.
func TestWrongDatabaseURLSaysWhy(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(pgtest.URL())
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		change func(*url.URL)
		want   string
	}{
		{name: "no such database", change: func(u *url.URL) { u.Path = "/no_such_db_bharatauth" },
			want: `database "no_such_db_bharatauth" does not exist (SQLSTATE 3D000)`},
		{name: "no such role", change: func(u *url.URL) { u.User = url.User("no_such_role_bharatauth") },
			want: `role "no_such_role_bharatauth" does not exist (SQLSTATE 28000)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			wrong := *u
			tc.change(&wrong)
			db := pgtest.Open(t, wrong.String())
			t.Cleanup(func() { _ = db.Close() })
			store, err := postgres.New(db, postgres.Options{})
			require.NoError(t, err)
			err = store.Migrate(t.Context())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// Only messages that name objects are quoted: a data exception's message
// can carry a value a statement held, such as a token hash.
func TestServerMessagesQuotedOnlyWhenTheyNameObjects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code, message, want string
	}{
		{"3D000", `database "app" does not exist`, `database "app" does not exist (SQLSTATE 3D000)`},
		{"28P01", `password authentication failed for user "app"`, `password authentication failed for user "app" (SQLSTATE 28P01)`},
		{"42P01", `relation "ba_users" does not exist`, `relation "ba_users" does not exist (SQLSTATE 42P01)`},
		{"22P02", `invalid input syntax for type uuid: "secret-hash"`, `SQLSTATE 22P02`},
		{"42601", `syntax error at or near "secret-hash"`, `SQLSTATE 42601`},
		{"23505", `duplicate key value violates unique constraint "x"`, `SQLSTATE 23505`},
		{"P0001", `raised: secret-hash`, `SQLSTATE P0001`},
	} {
		assert.Equal(t, tc.want, postgres.ServerText(&pgconn.PgError{Code: tc.code, Message: tc.message}), tc.code)
	}
}

func TestConnectErrorsReadOnOneLine(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "a: refused; b: reset", postgres.OneLine("a: refused\na: refused\n b: reset \n"))
}
