package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/uptrace/bun/migrate"
)

// migrationFiles holds the versioned schema: NAME.tx.up.sql files, each run in
// one transaction. Every statement is idempotent (IF NOT EXISTS, OR REPLACE),
// so a migration interrupted between its commit and its bookkeeping row is
// safe to run again.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Names of bun's bookkeeping tables, prefixed like every BharatAuth table.
const (
	migrationsTable     = "ba_migrations"
	migrationLocksTable = "ba_migration_locks"
)

// migrateLockKey names the session advisory lock that serialises concurrent
// Migrate calls on one schema (two app instances starting at once).
const migrateLockKey = "bharatauth.migrate"

// Migrate brings the schema up to date. It is idempotent, and safe when
// several processes call it at once: they take turns under a PostgreSQL
// advisory lock scoped to the current schema. A failed migration is not
// recorded as applied, so the next call retries it.
//
// Migrate is not bounded by Options.QueryTimeout (a migration on a large table
// may take long); bound it with ctx.
func (s *Store) Migrate(ctx context.Context) error {
	migrations := migrate.NewMigrations()
	if err := migrations.Discover(migrationFiles); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	migrator := migrate.NewMigrator(s.db, migrations,
		migrate.WithTableName(migrationsTable),
		migrate.WithLocksTableName(migrationLocksTable),
		migrate.WithMarkAppliedOnSuccess(true),
	)

	// bun's own lock is a table row that a crashed process leaves behind, so
	// hold a session advisory lock on a dedicated connection instead: the
	// server releases it when that connection ends, however the process dies.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fail(ctx, "migrate", err)
	}
	defer conn.Close()
	const lockSQL = "SELECT pg_advisory_lock(hashtextextended(? || current_schema(), 0))"
	if _, err := conn.ExecContext(ctx, lockSQL, migrateLockKey); err != nil {
		return fail(ctx, "migrate: lock", err)
	}
	defer func() {
		// A fresh context: the unlock must run even when ctx is done. If it
		// cannot run, closing the connection releases the lock anyway.
		const unlockSQL = "SELECT pg_advisory_unlock(hashtextextended(? || current_schema(), 0))"
		unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), defaultQueryTimeout)
		defer cancel()
		_, _ = conn.ExecContext(unlockCtx, unlockSQL, migrateLockKey)
	}()

	if err := migrator.Init(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: init: %w", err)
	}
	if _, err := migrator.Migrate(ctx); err != nil {
		// The migration SQL is ours and holds no secret: keep the server's
		// message, it is what an operator needs.
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}
