package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/bharatauth/bharatauth-go/adapters/postgres"
	"github.com/bharatauth/bharatauth-go/adapters/postgres/pgtest"
	"github.com/bharatauth/bharatauth-go/ports"
)

// counter is a bun query hook counting statements (BEGIN and COMMIT
// included): with default_query_exec_mode=exec each is one round trip.
type counter struct{ n atomic.Int64 }

func (c *counter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (c *counter) AfterQuery(context.Context, *bun.QueryEvent)                        { c.n.Add(1) }

// benchDrivers opens one migrated schema through pgx in exec mode (the
// choice), pgx in simple-protocol mode and bun's own pgdriver.
func benchDrivers(b *testing.B) map[string]*bun.DB {
	pgx := pgtest.NewDB(b)
	var schema string
	require.NoError(b, pgx.NewRaw("SELECT current_schema()").Scan(b.Context(), &schema))

	u, err := url.Parse(pgtest.URL())
	require.NoError(b, err)
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	connector := pgdriver.NewConnector(
		pgdriver.WithDSN(u.String()),
		pgdriver.WithConnParams(map[string]any{"search_path": schema}),
	)
	pg := bun.NewDB(sql.OpenDB(connector), pgdialect.New())
	b.Cleanup(func() { _ = pg.Close() })

	// pgx again in simple-protocol mode: bun inlines arguments anyway, so the
	// extended protocol's Parse/Describe buys nothing.
	simpleURL := pgtest.WithSearchPath(b, pgtest.URL(), schema)
	su, err := url.Parse(simpleURL)
	require.NoError(b, err)
	sq := su.Query()
	sq.Set("default_query_exec_mode", "simple_protocol")
	su.RawQuery = sq.Encode()
	simple := pgtest.Open(b, su.String())
	b.Cleanup(func() { _ = simple.Close() })
	return map[string]*bun.DB{"pgx": pgx, "pgx-simple": simple, "pgdriver": pg}
}

func BenchmarkStore(b *testing.B) {
	ctx := b.Context()
	now := time.Now().UTC()
	for _, driver := range []string{"pgx", "pgx-simple", "pgdriver"} {
		dbs := benchDrivers(b)
		db := dbs[driver]
		store, err := postgres.New(db, postgres.Options{})
		require.NoError(b, err)
		count := &counter{}
		db.AddQueryHook(count)

		benches := []struct {
			name  string
			setup func(b *testing.B, run string)
			op    func(run string, i int) error
		}{
			{
				name: "Session",
				setup: func(b *testing.B, run string) {
					require.NoError(b, store.CreateSession(ctx, testSession(run+"s", "bench-u", run+"h")))
				},
				op: func(run string, i int) error { _, err := store.Session(ctx, run+"s"); return err },
			},
			{
				name: "RotateRefresh",
				setup: func(b *testing.B, run string) {
					s := testSession(run+"r", "bench-u", run+"rot-0")
					s.ExpiresAt = now.Add(time.Hour)
					require.NoError(b, store.CreateSession(ctx, s))
				},
				op: func(run string, i int) error {
					_, err := store.RotateRefresh(ctx, fmt.Sprintf("%srot-%d", run, i), fmt.Sprintf("%srot-%d", run, i+1), now, 0)
					return err
				},
			},
			{
				name: "BeginAttempt+FinishAttempt",
				op: func(run string, i int) error {
					// A wrong guess: admitted, then failed, on 100 hot keys; no
					// lock thresholds, so every call counts.
					key, policy := fmt.Sprintf("bench-key-%d", i%100), ports.LockPolicy{ResetAfter: 24 * time.Hour}
					if _, _, err := store.BeginAttempt(ctx, key, now, policy); err != nil {
						return err
					}
					_, err := store.FinishAttempt(ctx, key, now, policy, ports.Failed)
					return err
				},
			},
			{
				name: "ConsumeCode",
				setup: func(b *testing.B, run string) {
					_, err := db.ExecContext(ctx, `INSERT INTO ba_otp_tokens
						(id, purpose, subject, hash, created_at, expires_at, max_attempts)
						SELECT ? || i, 'login_otp', ? || i, ? || 'code-' || i, ?, ?, 5
						FROM generate_series(0, ?) i`, run, run, run, now, now.Add(time.Hour), b.N)
					require.NoError(b, err)
				},
				op: func(run string, i int) error {
					_, err := store.ConsumeCode(ctx, fmt.Sprintf("%s%d", run, i), ports.PurposeLoginOTP,
						fmt.Sprintf("%scode-%d", run, i), now)
					return err
				},
			},
			{
				// What each delivered email costs the outbox: queued, then
				// deleted once sent.
				name: "EnqueueMail+RemoveMail",
				op: func(run string, i int) error {
					id := fmt.Sprintf("%smail-%d", run, i)
					m := ports.QueuedMail{ID: id, Payload: make([]byte, 2048), NotAfter: now.Add(10 * time.Minute),
						DueAt: now, Attempts: 1, Lease: "bench", LeasedUntil: now.Add(2 * time.Minute)}
					if err := store.EnqueueMail(ctx, m); err != nil {
						return err
					}
					return store.RemoveMail(ctx, id)
				},
			},
		}
		for _, bench := range benches {
			b.Run(bench.name+"/"+driver, func(b *testing.B) {
				// b.Run calls this again for each b.N: keep each run's rows apart.
				run := fmt.Sprintf("b%d-", time.Now().UnixNano())
				if bench.setup != nil {
					bench.setup(b, run)
				}
				count.n.Store(0)
				b.ResetTimer()
				for i := range b.N {
					if err := bench.op(run, i); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(count.n.Load())/float64(b.N), "stmts/op")
			})
		}
	}
}
