// Package pgtest gives tests a migrated, private PostgreSQL schema: NewDB
// creates schema t_<random>, connects with search_path set to it, runs
// BharatAuth's migrations and drops the schema when the test ends. Tests in
// several packages (the postgres adapter, core benchmarks, examples) use it
// so that they can run in parallel against one database. Statements records
// what a *bun.DB sends, for tests of the statements a flow runs.
//
// The database comes from BHARATAUTH_TEST_POSTGRES_URL, by default the local
// service (postgres://postgres@127.0.0.1:5432/test?sslmode=disable). When it
// cannot be reached the test fails, saying how to start PostgreSQL; it never
// skips.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/bharatauth/bharatauth-go/adapters/postgres"
)

// EnvURL names the environment variable holding the test database URL.
const EnvURL = "BHARATAUTH_TEST_POSTGRES_URL"

// DefaultURL is the database used when EnvURL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// startHint tells a developer how to bring the test database up.
const startHint = "start PostgreSQL with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start " +
	"(or point " + EnvURL + " at a reachable database)"

// maxConns caps each test schema's pool: many parallel tests share the
// server's 100 connections.
const maxConns = 10

// URL returns the test database URL (EnvURL, or DefaultURL).
func URL() string {
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	return DefaultURL
}

// NewDB returns a *bun.DB (pgx through database/sql, pgdialect) whose
// connections use a fresh schema holding BharatAuth's migrated tables. The
// schema is dropped and the pool closed in t.Cleanup.
func NewDB(t testing.TB) *bun.DB {
	t.Helper()
	db, _ := NewSchema(t)
	store, err := postgres.New(db, postgres.Options{})
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := store.Migrate(ctx); err != nil {
		t.Fatalf("pgtest: migrate: %v", err)
	}
	return db
}

// NewSchema is NewDB without the migrations: an empty private schema and its
// name, for tests of Migrate itself.
func NewSchema(t testing.TB) (*bun.DB, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	admin := Open(t, URL())
	defer admin.Close()
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("pgtest: PostgreSQL at %s is unreachable (%v); %s", redact(URL()), err, startHint)
	}
	schema := "t_" + randomHex(t, 8)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}

	db := Open(t, WithSearchPath(t, URL(), schema))
	t.Cleanup(func() {
		_ = db.Close()
		cleanup := Open(t, URL())
		defer cleanup.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := cleanup.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	return db, schema
}

// Open connects to rawURL the way production code should: pgx through
// database/sql with default_query_exec_mode=exec (bun inlines arguments, so
// pgx's prepare-per-statement default would cost an extra round trip).
func Open(t testing.TB, rawURL string) *bun.DB {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("pgtest: bad %s: %v", EnvURL, err)
	}
	q := u.Query()
	if q.Get("default_query_exec_mode") == "" {
		q.Set("default_query_exec_mode", "exec")
	}
	if q.Get("connect_timeout") == "" {
		q.Set("connect_timeout", "5")
	}
	u.RawQuery = q.Encode()
	sqldb, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatalf("pgtest: open: %v", err)
	}
	sqldb.SetMaxOpenConns(maxConns)
	sqldb.SetMaxIdleConns(maxConns)
	return bun.NewDB(sqldb, pgdialect.New())
}

// WithSearchPath returns rawURL with the search_path runtime parameter set to
// schema, so every pooled connection starts in it.
func WithSearchPath(t testing.TB, rawURL, schema string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("pgtest: bad %s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("pgtest: random: %v", err)
	}
	return hex.EncodeToString(b)
}

// redact hides a password in a URL before it goes into a failure message.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
