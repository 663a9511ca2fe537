package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/adapters/postgres"
	"github.com/bharatauth/bharatauth-go/adapters/postgres/pgtest"
)

// newTestDB returns a Store over a fresh migrated schema t_<random> of the
// database at BHARATAUTH_TEST_POSTGRES_URL (default: the local service), and
// the raw handle for assertions in SQL. The schema is dropped in t.Cleanup;
// an unreachable database fails the test with instructions.
func newTestDB(t testing.TB) (*postgres.Store, *bun.DB) {
	t.Helper()
	db := pgtest.NewDB(t)
	store, err := postgres.New(db, postgres.Options{})
	require.NoError(t, err)
	return store, db
}

// countRows is the number of rows in table.
func countRows(t *testing.T, db *bun.DB, table string) int64 {
	t.Helper()
	n, err := db.NewSelect().Table(table).Count(t.Context())
	require.NoError(t, err)
	return n
}
