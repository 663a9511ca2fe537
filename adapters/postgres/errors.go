package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/bharatauth/bharatauth-go/ports"
)

// errQueryTimeout is the cause attached to the per-call timeout context.
var errQueryTimeout = errors.New("query timeout")

// SQLSTATE codes the adapter reacts to.
const (
	sqlstateUniqueViolation = "23505"
)

// fail turns a database error into the error a port method returns:
//   - a unique violation wraps ports.ErrConflict;
//   - the caller's cancellation or deadline passes through (wrapped, so
//     errors.Is still finds context.Canceled / context.DeadlineExceeded);
//   - a server error of a transient class (connection exceptions, a killed
//     or restarting backend, statement timeouts, resource exhaustion,
//     serialization failures and deadlocks) and every transport error
//     (refused or broken connections, our own query timeout) wraps
//     ports.ErrUnavailable: the statement or transaction did not commit, and
//     trying again later may work;
//   - any other server error (bad data, a missing table) is a plain error.
//
// The message never quotes a server error's DETAIL, which can echo a key value
// such as a token hash; it keeps only the SQLSTATE and constraint name.
func fail(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	isPG := errors.As(err, &pgErr)
	if isPG && pgErr.Code == sqlstateUniqueViolation {
		return fmt.Errorf("postgres: %s: %w (constraint %s)", op, ports.ErrConflict, pgErr.ConstraintName)
	}
	if ctx.Err() != nil {
		if errors.Is(context.Cause(ctx), errQueryTimeout) {
			return fmt.Errorf("postgres: %s: %w: %w", op, ports.ErrUnavailable, errQueryTimeout)
		}
		// The caller gave up: report that, not an outage.
		return fmt.Errorf("postgres: %s: %w", op, ctx.Err())
	}
	if isPG && !transient(pgErr.Code) {
		// A statement the server refused for what it is (bad data, a missing
		// table, a trigger): retrying will not help, so it is no outage.
		return fmt.Errorf("postgres: %s: server error SQLSTATE %s", op, pgErr.Code)
	}
	if isPG {
		return fmt.Errorf("postgres: %s: %w: server error SQLSTATE %s", op, ports.ErrUnavailable, pgErr.Code)
	}
	return fmt.Errorf("postgres: %s: %w: %s", op, ports.ErrUnavailable, describe(err))
}

// transient reports whether a SQLSTATE says "try again later" rather than
// "this statement is wrong" (PostgreSQL Appendix A).
func transient(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"), // connection exception
		strings.HasPrefix(code, "53"),    // insufficient resources
		strings.HasPrefix(code, "57P"),   // admin shutdown, crash shutdown, cannot connect now
		strings.HasPrefix(code, "58"),    // system error (I/O)
		code == "57014",                  // query canceled (statement_timeout)
		code == "55P03",                  // lock not available (lock_timeout)
		code == "25006",                  // read-only transaction: a replica right after a failover
		code == "40001", code == "40P01": // serialization failure, deadlock
		return true
	}
	return false
}

// describe names a transport error without echoing anything a caller sent.
func describe(err error) string {
	var connErr *pgconn.ConnectError
	switch {
	case errors.As(err, &connErr):
		return "cannot connect: " + connErr.Unwrap().Error()
	case errors.Is(err, sql.ErrConnDone), errors.Is(err, sql.ErrTxDone):
		return "connection lost"
	default:
		return err.Error()
	}
}

// notFound wraps ports.ErrNotFound for op.
func notFound(op string) error {
	return fmt.Errorf("postgres: %s: %w", op, ports.ErrNotFound)
}
