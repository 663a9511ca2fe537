package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
//   - everything else (refused or broken connections, a killed backend, our
//     own query timeout, an unexpected server error) wraps
//     ports.ErrUnavailable: the statement or transaction did not commit.
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
	if isPG {
		return fmt.Errorf("postgres: %s: %w: server error SQLSTATE %s", op, ports.ErrUnavailable, pgErr.Code)
	}
	return fmt.Errorf("postgres: %s: %w: %s", op, ports.ErrUnavailable, describe(err))
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
