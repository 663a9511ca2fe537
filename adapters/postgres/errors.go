package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
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
// such as a token hash; it keeps the SQLSTATE, the constraint name, and the
// server's message where that names only objects (serverText).
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
		// table, a trigger), or a connection it refused (no such database or
		// role): retrying will not help, so it is no outage.
		return fmt.Errorf("postgres: %s: server error: %s", op, serverText(pgErr))
	}
	if isPG {
		return fmt.Errorf("postgres: %s: %w: server error: %s", op, ports.ErrUnavailable, serverText(pgErr))
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

// serverText is how an error names a server error: its SQLSTATE, after the
// server's own message when messages of that class name only objects and
// settings (a database, a role, a relation, a parameter) and never a value a
// statement carried. An operator with a wrong DATABASE_URL needs to read
// `database "app" does not exist`; a data exception such as `invalid input
// syntax for type uuid: "…"` could quote a token hash, so it keeps only its
// code.
func serverText(e *pgconn.PgError) string {
	if quotableMessage(e.Code) {
		return fmt.Sprintf("%s (SQLSTATE %s)", e.Message, e.Code)
	}
	return "SQLSTATE " + e.Code
}

// quotableMessage reports whether the messages of SQLSTATE code are safe to
// show (PostgreSQL Appendix A): connection, authorization, catalog, schema,
// resource, state and access-rule classes. A syntax error (42601) quotes the
// statement near the error, and bun inlines arguments into statements, so
// it is left out.
func quotableMessage(code string) bool {
	if len(code) != 5 || code == "42601" {
		return false
	}
	switch code[:2] {
	case "08", // connection exception
		"28", // invalid authorization: a wrong role or password
		"3D", // invalid catalog name: no such database
		"3F", // invalid schema name
		"42", // undefined table, column or parameter; permission denied
		"53", // insufficient resources: too many connections
		"55", // object not in prerequisite state
		"57", // operator intervention: shutdown, cannot connect now
		"58", // system error
		"25", // invalid transaction state: read-only after a failover
		"40": // serialization failure, deadlock
		return true
	}
	return false
}

// describe names a transport error without echoing anything a caller sent.
func describe(err error) string {
	var connErr *pgconn.ConnectError
	switch {
	case errors.As(err, &connErr):
		return "cannot connect: " + oneLine(connErr.Unwrap().Error())
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

// oneLine joins the lines of a multi-line error (pgx joins one error per
// connection attempt, and sslmode=prefer tries twice) into one log-friendly
// line, each distinct line once.
func oneLine(msg string) string {
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}
