package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Compile-time proof that *Store implements every storage port (Storage) and
// keeps users (UserRegistry).
var (
	_ ports.Storage       = (*Store)(nil)
	_ ports.UserRegistry  = (*Store)(nil)
	_ ports.Pinger        = (*Store)(nil)
	_ ports.ConsentOutbox = (*Store)(nil)
	_ ports.MailQueue     = (*Store)(nil)
)

// Defaults applied to the zero Options.
const (
	defaultQueryTimeout       = 5 * time.Second
	defaultIPFailureRetention = 24 * time.Hour
	defaultCounterRetention   = 24 * time.Hour
	defaultPurgeBatch         = 1000
)

// Options tunes a Store. The zero value is ready to use.
type Options struct {
	// QueryTimeout bounds every method call (all its statements together), so
	// that a stuck database answers ErrUnavailable instead of hanging a login.
	// Zero means 5 seconds; a negative value disables the bound (the caller's
	// context still applies).
	QueryTimeout time.Duration
	// IPFailureRetention is how long Purge keeps per-IP failure rows. Keep it
	// at least as long as the IPPolicy.Window core uses. Zero means 24 hours.
	IPFailureRetention time.Duration
	// CounterRetention is how long Purge keeps an idle failure counter that
	// never locked. Keep it at least as long as the LockPolicy.ResetAfter
	// core uses, so a purged counter is one whose next failure would restart
	// at 1 anyway. Zero means 24 hours.
	CounterRetention time.Duration
}

// Store implements the BharatAuth storage ports over PostgreSQL. It is safe
// for concurrent use; every atomic rule of the ports is one SQL statement or
// one transaction inside a single method.
type Store struct {
	db                 *bun.DB
	queryTimeout       time.Duration
	ipFailureRetention time.Duration
	counterRetention   time.Duration
}

// New returns a Store over db, which must use the PostgreSQL dialect
// (pgdialect). Call Migrate before first use.
func New(db *bun.DB, opts Options) (*Store, error) {
	if db == nil {
		return nil, errors.New("postgres: nil *bun.DB")
	}
	if name := db.Dialect().Name(); name != dialect.PG {
		return nil, errors.New("postgres: the *bun.DB must use pgdialect, got " + name.String())
	}
	if opts.IPFailureRetention < 0 || opts.CounterRetention < 0 {
		return nil, errors.New("postgres: negative IPFailureRetention or CounterRetention")
	}
	s := &Store{
		db:                 db,
		queryTimeout:       opts.QueryTimeout,
		ipFailureRetention: opts.IPFailureRetention,
		counterRetention:   opts.CounterRetention,
	}
	if s.counterRetention == 0 {
		s.counterRetention = defaultCounterRetention
	}
	if s.queryTimeout == 0 {
		s.queryTimeout = defaultQueryTimeout
	}
	if s.ipFailureRetention == 0 {
		s.ipFailureRetention = defaultIPFailureRetention
	}
	return s, nil
}

// DB returns the database the Store uses, for an app that wants to share it.
func (s *Store) DB() *bun.DB { return s.db }

// call bounds ctx by the query timeout. The returned context carries a marker
// so that fail can tell our own timeout (the store is unavailable) from the
// caller's deadline (which passes through).
func (s *Store) call(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.queryTimeout < 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, s.queryTimeout, errQueryTimeout)
}

// utc normalises a time read from or written to the database: UTC, at the
// microsecond precision PostgreSQL keeps. The zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// newestFirst is the order of the lists that show the newest record first.
const newestFirst = "created_at DESC, id DESC"

// listWhere lists the rows of R whose column equals value in order, as port
// records.
func listWhere[R any, T any](ctx context.Context, s *Store, op, column, value, order string, record func(R) T) ([]T, error) {
	ctx, cancel := s.call(ctx)
	defer cancel()
	var rows []R
	err := s.conn(ctx).NewSelect().Model(&rows).
		Where("? = ?", bun.Ident(column), value).
		OrderExpr(order).
		Scan(ctx)
	if err != nil {
		return nil, fail(ctx, op, err)
	}
	out := make([]T, 0, len(rows))
	for _, r := range rows {
		out = append(out, record(r))
	}
	return out, nil
}

// getRow scans into row the one row of its table that where selects; a
// wrapped ErrNotFound when there is none. ctx is already bounded by the
// caller.
func getRow(ctx context.Context, db bun.IDB, op string, row any, where string, args ...any) error {
	err := db.NewSelect().Model(row).Where(where, args...).Scan(ctx)
	if noRows(err) {
		return notFound(op)
	}
	return fail(ctx, op, err)
}

// noRows reports whether err says a statement returned no row.
func noRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// get is getRow as a call of its own, within the per-call bound.
func (s *Store) get(ctx context.Context, op string, row any, where string, args ...any) error {
	ctx, cancel := s.call(ctx)
	defer cancel()
	return getRow(ctx, s.conn(ctx), op, row, where, args...)
}

// firstRow runs a statement that returns at most one row and scans it;
// found is false when it returned none. ctx is already bounded by the caller.
func firstRow[R any](ctx context.Context, db bun.IDB, query string, args ...any) (row R, found bool, err error) {
	var rows []R
	if err := db.NewRaw(query, args...).Scan(ctx, &rows); err != nil || len(rows) == 0 {
		return row, false, err
	}
	return rows[0], true, nil
}

// selectAll reads the rows of R that query selects, in its order, as port
// records (an empty slice when none).
func selectAll[R any, T any](ctx context.Context, s *Store, op string, query func(*bun.SelectQuery) *bun.SelectQuery, record func(R) T) ([]T, error) {
	ctx, cancel := s.call(ctx)
	defer cancel()
	var rows []R
	if err := query(s.conn(ctx).NewSelect().Model(&rows)).Scan(ctx); err != nil {
		return nil, fail(ctx, op, err)
	}
	out := make([]T, 0, len(rows))
	for _, r := range rows {
		out = append(out, record(r))
	}
	return out, nil
}

// Ping checks that PostgreSQL answers, within the per-call bound: core's
// readiness check. An error wraps ports.ErrUnavailable.
func (s *Store) Ping(ctx context.Context) error {
	const op = "ping"
	ctx, cancel := s.call(ctx)
	defer cancel()
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("postgres: %s: %w: %w", op, ports.ErrUnavailable, err)
	}
	return nil
}
