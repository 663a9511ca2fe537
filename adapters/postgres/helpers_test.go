package postgres_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/adapters/postgres"
	"github.com/bharatauth/bharatauth-go/adapters/postgres/pgtest"
	"github.com/bharatauth/bharatauth-go/ports"
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

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func testSession(id, userID, hash string) ports.Session {
	return ports.Session{
		ID: id, UserID: userID, RefreshHash: hash,
		DeviceFingerprint: "fp-" + id, DeviceInfo: "Firefox", IPAddress: "203.0.113.7",
		AuthMethod: "pwd", CreatedAt: t0, ExpiresAt: t0.Add(30 * 24 * time.Hour), LastUsedAt: t0,
	}
}
