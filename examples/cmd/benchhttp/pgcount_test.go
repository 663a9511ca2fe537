package main

import (
	"bytes"
	"encoding/binary"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/postgres/pgtest"
)

// message frames a typed frontend message: type, length (itself included),
// body.
func message(typ byte, body string) []byte {
	b := []byte{typ, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(4+len(body)))
	return append(b, body...)
}

// untyped frames a message a connection opens with: length, code, body.
func untyped(code uint32, body string) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint32(b, uint32(8+len(body)))
	binary.BigEndian.PutUint32(b[4:], code)
	return append(b, body...)
}

const protocol3 = 196608

func TestCopyFrontendCountsQueriesAndExecutesAndForwardsEveryByte(t *testing.T) {
	t.Parallel()
	startup := untyped(protocol3, "user\x00postgres\x00database\x00bench\x00\x00")
	extended := func(sql string) []byte { // what pgx sends for one statement with arguments
		return bytes.Join([][]byte{message('P', "\x00"+sql+"\x00\x00\x00"), message('B', "\x00\x00\x00\x00\x00\x00\x00\x00"),
			message('D', "P\x00"), message('E', "\x00\x00\x00\x00\x00"), message('S', "")}, nil)
	}
	for _, tc := range []struct {
		name string
		in   [][]byte
		want int
	}{
		{name: "a connection that only starts", in: [][]byte{startup, message('X', "")}, want: 0},
		{name: "simple queries", in: [][]byte{startup, message('Q', "SELECT 1\x00"), message('Q', "SELECT 2\x00")}, want: 2},
		{name: "one Execute per extended statement, not one per message",
			in: [][]byte{startup, extended("SELECT $1"), extended("UPDATE t SET x = $1")}, want: 2},
		{name: "a transaction: BEGIN, a statement, COMMIT",
			in: [][]byte{startup, message('Q', "begin\x00"), extended("INSERT INTO t VALUES ($1)"), message('Q', "commit\x00")}, want: 3},
		{name: "pgx's liveness ping is no statement",
			in: [][]byte{startup, message('Q', "-- ping\x00"), message('Q', ";\x00"), message('Q', "-- note\nSELECT 1\x00")}, want: 1},
		{name: "an SSL request before the startup (answered N)",
			in: [][]byte{untyped(sslRequestCode, ""), startup, message('Q', "SELECT 1\x00")}, want: 1},
		{name: "a query text that holds an E and a Q",
			in: [][]byte{startup, message('Q', "SELECT 'EQ'\x00")}, want: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := bytes.Join(tc.in, nil)
			var dst bytes.Buffer
			n := 0
			err := copyFrontend(&dst, bytes.NewReader(src), func() { n++ })
			require.ErrorContains(t, err, "EOF", "it copies until the client hangs up")
			assert.Equal(t, tc.want, n)
			assert.Equal(t, src, dst.Bytes(), "every byte reaches PostgreSQL unchanged")
		})
	}
}

func TestCopyFrontendRefusesAMalformedLength(t *testing.T) {
	t.Parallel()
	bad := append(untyped(protocol3, "\x00"), 'Q', 0, 0, 0, 2)
	err := copyFrontend(&bytes.Buffer{}, bytes.NewReader(bad), func() {})
	require.ErrorContains(t, err, "malformed")
}

// Through the counter, pgx reaches PostgreSQL as usual and each statement it
// sends is counted once, whichever protocol carried it.
func TestStatementCounterCountsWhatPgxSendsToPostgreSQL(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	u, err := url.Parse(pgtest.URL())
	require.NoError(t, err)
	counter, err := newStatementCounter(u.Host)
	require.NoError(t, err)
	defer counter.Close()
	u.Host = counter.Addr()
	q := u.Query()
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	conn, err := pgx.Connect(ctx, u.String())
	require.NoError(t, err, "PostgreSQL must be reachable at %s: start it with `make services`", pgtest.URL())
	defer conn.Close(ctx)
	require.Zero(t, counter.Statements(), "connecting runs no statement")

	_, err = conn.Exec(ctx, "SELECT 1") // no arguments: the simple protocol
	require.NoError(t, err)
	var n int
	require.NoError(t, conn.QueryRow(ctx, "SELECT $1::int + 1", 41).Scan(&n)) // the extended protocol
	assert.Equal(t, 42, n)
	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "SELECT $1::text", "x")
	require.NoError(t, err)
	require.NoError(t, tx.Commit(ctx))
	require.NoError(t, conn.Ping(ctx))

	assert.EqualValues(t, 5, counter.Statements(), "SELECT, SELECT, BEGIN, SELECT, COMMIT; not the ping")
}
