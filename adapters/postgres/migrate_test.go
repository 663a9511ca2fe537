package postgres_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"

	"github.com/bharatauth/bharatauth-go/adapters/postgres"
	"github.com/bharatauth/bharatauth-go/adapters/postgres/pgtest"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

var baTables = []string{
	"ba_users", "ba_accounts", "ba_credentials", "ba_lockouts", "ba_sessions", "ba_refresh_tokens",
	"ba_otp_tokens", "ba_consent_log", "ba_consent_checkpoints", "ba_consent_outbox", "ba_guardianships", "ba_ip_failures", "ba_ip_blocks", "ba_security_events",
	"ba_mail_outbox", "ba_erasure_requests", "ba_grievances", "ba_nominees", "ba_activity", "ba_sms_budgets", "ba_sms_sends",
	"ba_migrations", "ba_migration_locks",
}

// TestMigrateIsIdempotentAndRaceSafe starts four "processes" (own pools) that
// migrate one empty schema at once, then migrates again.
func TestMigrateIsIdempotentAndRaceSafe(t *testing.T) {
	t.Parallel()
	db, schema := pgtest.NewSchema(t)
	ctx := t.Context()

	const processes = 4
	errs := make([]error, processes)
	porttest.Together(processes, func(i int) {
		pool := pgtest.Open(t, pgtest.WithSearchPath(t, pgtest.URL(), schema))
		defer pool.Close()
		store, err := postgres.New(pool, postgres.Options{})
		if err != nil {
			errs[i] = err
			return
		}
		errs[i] = store.Migrate(ctx)
	})
	for i, err := range errs {
		require.NoError(t, err, "process %d", i)
	}

	store, err := postgres.New(db, postgres.Options{})
	require.NoError(t, err)
	require.NoError(t, store.Migrate(ctx), "a second run is a no-op")

	var tables []string
	require.NoError(t, db.NewSelect().Table("pg_tables").Column("tablename").
		Where("schemaname = ?", schema).Order("tablename").Scan(ctx, &tables))
	assert.ElementsMatch(t, baTables, tables)

	applied, err := db.NewSelect().Table("ba_migrations").Count(ctx)
	require.NoError(t, err)
	files, err := filepath.Glob("migrations/*.up.sql")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	assert.EqualValues(t, len(files), applied, "each migration recorded once")
	locks, err := db.NewSelect().Table("ba_migration_locks").Count(ctx)
	require.NoError(t, err)
	assert.Zero(t, locks)
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	pg := pgtest.Open(t, pgtest.URL())
	t.Cleanup(func() { _ = pg.Close() })
	sqlite := bun.NewDB(pg.DB, sqlitedialect.New())

	tests := []struct {
		name    string
		db      *bun.DB
		opts    postgres.Options
		wantErr string
	}{
		{name: "zero options", db: pg},
		{name: "negative timeout disables the bound", db: pg, opts: postgres.Options{QueryTimeout: -1}},
		{name: "nil db", db: nil, wantErr: "nil *bun.DB"},
		{name: "other dialect", db: sqlite, wantErr: "pgdialect"},
		{name: "negative retention", db: pg, opts: postgres.Options{IPFailureRetention: -1}, wantErr: "IPFailureRetention"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := postgres.New(tc.db, tc.opts)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				assert.Nil(t, s)
				return
			}
			require.NoError(t, err)
			assert.Same(t, tc.db, s.DB())
		})
	}
}
