// Command benchhttp measures examples/production over HTTP on loopback and
// prints a markdown table: requests per second, p50 and p99 latency, SQL
// statements and commits per request, server CPU per request and the
// server's peak RSS, for password login, refresh and /me with 1 and 16
// closed-loop clients.
//
// It runs the binary built from examples/production (-server) on a fresh
// PostgreSQL database, then again with Redis when Redis answers, signs
// users up through the API (reading the console mailer's links and codes),
// and drops the database at the end. Each table row is two server runs: one
// through a wire-protocol counter that counts statements, and a timed one
// straight to PostgreSQL whose commits come from pg_stat_database once the
// server has stopped (a backend reports its counts reliably only when it
// exits). `make bench-http` builds both binaries and runs it.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/rueidis"

	"github.com/bharatauth/bharatauth-go/examples/internal/loadgen"
)

// userCount is how many accounts each mode signs up: one per worker of the
// widest run, so that no two workers ever sign in to one account at once
// (concurrent attempts on one account are refused by design).
const userCount = 16

// plan is one table row's bounds.
type plan struct {
	workers  int
	requests int           // timed requests, at most
	within   time.Duration // and at most this long
	warmup   int           // untimed requests first: the pool connects, caches fill
	counted  int           // requests of the statement-counting run
}

// sideRunLimit bounds the warm-up and the counting run in time, so that a
// busy machine cannot stretch the whole benchmark far past its timed runs.
const sideRunLimit = 10 * time.Second

// Rows of each workload. A login is an argon2id hash of ~30 ms of CPU by
// design, so it gets fewer requests.
var (
	loginPlans = []plan{
		{workers: 1, requests: 60, within: 20 * time.Second, warmup: 4, counted: 10},
		{workers: 16, requests: 240, within: 20 * time.Second, warmup: 32, counted: 32},
	}
	cheapPlans = []plan{
		{workers: 1, requests: 3000, within: 20 * time.Second, warmup: 100, counted: 200},
		{workers: 16, requests: 8000, within: 20 * time.Second, warmup: 320, counted: 320},
	}
)

func main() {
	server := flag.String("server", "", "the examples/production binary (required)")
	pgURL := flag.String("postgres", envOr("BHARATAUTH_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"),
		"a PostgreSQL URL whose role may create databases; the benchmark's own database is created beside it and dropped")
	redisURL := flag.String("redis", envOr("BHARATAUTH_TEST_REDIS_URL", "redis://127.0.0.1:6379"),
		"Redis for the second mode; empty: PostgreSQL only")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *server, *pgURL, *redisURL, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchhttp:", err)
		os.Exit(1)
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// mode is one configuration of the server.
type mode struct {
	name     string
	redisURL string // "" for PostgreSQL only
}

func run(ctx context.Context, server, pgURL, redisURL string, out, progress io.Writer) error {
	if server == "" {
		return errors.New("-server is required: the binary built from examples/production")
	}
	u, err := url.Parse(pgURL)
	if err != nil {
		return fmt.Errorf("-postgres: %w", err)
	}
	pgHostPort := u.Host
	if u.Port() == "" {
		pgHostPort = net.JoinHostPort(u.Hostname(), "5432")
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-postgres must be on loopback (the benchmark measures one machine), got %s", u.Hostname())
	}
	admin, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		return fmt.Errorf("PostgreSQL at %s: %w (start it with `make services`)", pgHostPort, err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	modes := []mode{{name: "PostgreSQL"}}
	redisVersion := ""
	if redisURL != "" {
		if redisVersion, err = redisInfo(ctx, redisURL); err != nil {
			fmt.Fprintf(progress, "Redis at %s did not answer (%v): PostgreSQL only\n", redisURL, err)
		} else {
			modes = append(modes, mode{name: "PostgreSQL + Redis", redisURL: redisURL})
		}
	}
	m := machine(ctx, admin, redisVersion)
	var rows []row
	for _, md := range modes {
		r, err := runMode(ctx, md, server, admin, u, pgHostPort, progress)
		if err != nil {
			return fmt.Errorf("%s: %w", md.name, err)
		}
		rows = append(rows, r...)
	}
	m.loadAfter = loadAverage()
	printReport(out, m, rows)
	return nil
}

// runMode signs users up on a fresh database and measures every row of every
// workload, then drops the database (and its Redis keys).
func runMode(ctx context.Context, md mode, server string, admin *pgx.Conn, adminURL *url.URL, pgHostPort string, progress io.Writer) (rows []row, err error) {
	db, err := createDatabase(ctx, admin, adminURL)
	if err != nil {
		return nil, err
	}
	defer func() {
		cleanup := context.WithoutCancel(ctx)
		err = errors.Join(err, db.drop(cleanup))
		if md.redisURL != "" {
			err = errors.Join(err, dropRedisKeys(cleanup, md.redisURL, db.redisPrefix()))
		}
	}()
	b := &bench{mode: md, binary: server, db: db, pgHostPort: pgHostPort, src: &sources{}, secret: randomHex(32)}
	fmt.Fprintf(progress, "%s: database %s, signing up %d users\n", md.name, db.name, userCount)
	srv, err := b.start(ctx, pgHostPort)
	if err != nil {
		return nil, err
	}
	b.users, err = signUp(ctx, srv, b.src, db.name, userCount)
	if err = errors.Join(srv.withLogs(err), srv.stop()); err != nil {
		return nil, fmt.Errorf("sign-up: %w", err)
	}
	for _, wl := range workloads {
		for _, p := range wl.plans {
			fmt.Fprintf(progress, "%s: %s, %d clients\n", md.name, wl.name, p.workers)
			r, err := b.measure(ctx, wl, p)
			if err != nil {
				return nil, fmt.Errorf("%s with %d clients: %w", wl.name, p.workers, err)
			}
			rows = append(rows, r)
		}
	}
	return rows, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// bench is one mode's state: its database, its users and their tokens.
type bench struct {
	mode       mode
	binary     string
	db         *database
	pgHostPort string
	src        *sources
	secret     string
	users      []*user
}

// redisPrefix keeps this run's keys apart from any other user of the Redis.
func (d *database) redisPrefix() string { return "ba:" + d.name + ":" }

// start runs the server against PostgreSQL at hostport.
func (b *bench) start(ctx context.Context, hostport string) (*serverProc, error) {
	env := []string{
		"DATABASE_URL=" + b.db.serverURL(hostport),
		"BHARATAUTH_SECRET=" + b.secret,
		"BHARATAUTH_ADDR=127.0.0.1:0",
		"MAILER=console", // the sign-up reads links and codes from stdout
	}
	if b.mode.redisURL != "" {
		env = append(env, "REDIS_URL="+b.mode.redisURL, "BHARATAUTH_REDIS_PREFIX="+b.db.redisPrefix())
	}
	return startServer(ctx, b.binary, env)
}

// row is one measured line of the table.
type row struct {
	mode, workload string
	workers        int
	timed          loadgen.Result
	statements     float64 // per request, from the counting run
	counted        int     // requests of the counting run
	commits        float64 // per request, over warm-up and timed requests
	rollbacks      int64
	cpu            time.Duration // server CPU per timed request
	peakRSS        int64
}

// measure runs one row: a counting run, then a timed run.
func (b *bench) measure(ctx context.Context, wl workload, p plan) (row, error) {
	r := row{mode: b.mode.name, workload: wl.name, workers: p.workers}
	if p.workers > len(b.users) {
		return r, fmt.Errorf("%d workers need as many users, there are %d", p.workers, len(b.users))
	}
	stmts, counted, err := b.countStatements(ctx, wl, p)
	if err != nil {
		return r, fmt.Errorf("counting run: %w", err)
	}
	r.statements, r.counted = float64(stmts)/float64(counted), counted

	srv, err := b.start(ctx, b.pgHostPort)
	if err != nil {
		return r, err
	}
	stopped := false
	defer func() {
		if !stopped {
			_ = srv.stop()
		}
	}()
	before, err := b.db.settled(ctx)
	if err != nil {
		return r, err
	}
	req, release := wl.newRequest(srv.base, b.users, b.src, p.workers)
	defer release()
	warm, err := loadgen.Run(ctx, loadgen.Options{Workers: p.workers, MaxRequests: p.warmup, MaxDuration: sideRunLimit}, req)
	if err = errors.Join(err, srv.withLogs(failed("warm-up", warm))); err != nil {
		return r, err
	}
	cpu0, err := srv.cpu()
	if err != nil {
		return r, err
	}
	r.timed, err = loadgen.Run(ctx, loadgen.Options{Workers: p.workers, MaxRequests: p.requests, MaxDuration: p.within}, req)
	if err = errors.Join(err, srv.withLogs(failed("timed run", r.timed))); err != nil {
		return r, err
	}
	cpu1, err := srv.cpu()
	if err != nil {
		return r, err
	}
	r.cpu = (cpu1 - cpu0) / time.Duration(r.timed.Requests)
	if r.peakRSS, err = srv.peakRSS(); err != nil {
		return r, err
	}
	release()
	stopped = true
	if err := srv.stop(); err != nil {
		return r, err
	}
	after, err := b.db.settled(ctx)
	if err != nil {
		return r, err
	}
	d := after.minus(before)
	r.commits = float64(d.transactions()) / float64(warm.Requests+r.timed.Requests)
	r.rollbacks = d.rollbacks
	return r, nil
}

// countStatements runs p.counted requests with the server behind the
// statement counter and returns the statements they caused (work done after
// the answers included: the server has stopped when they are read).
func (b *bench) countStatements(ctx context.Context, wl workload, p plan) (int64, int, error) {
	counter, err := newStatementCounter(b.pgHostPort)
	if err != nil {
		return 0, 0, err
	}
	defer counter.Close()
	srv, err := b.start(ctx, counter.Addr())
	if err != nil {
		return 0, 0, err
	}
	start := counter.Statements() // the migrations' check at start is not a request's
	req, release := wl.newRequest(srv.base, b.users, b.src, p.workers)
	res, err := loadgen.Run(ctx, loadgen.Options{Workers: p.workers, MaxRequests: p.counted, MaxDuration: sideRunLimit}, req)
	release()
	if err = errors.Join(err, srv.withLogs(failed("counting run", res)), srv.stop()); err != nil {
		return 0, 0, err
	}
	return counter.Statements() - start, res.Requests, nil
}

// failed turns failed requests into an error: a table with failures in it
// would measure something else.
func failed(what string, res loadgen.Result) error {
	if res.Errors > 0 {
		return fmt.Errorf("%s: %d of %d requests failed, the first: %w", what, res.Errors, res.Requests, res.FirstErr)
	}
	if res.Requests == 0 {
		return fmt.Errorf("%s: no request was answered", what)
	}
	return nil
}

// redisInfo pings Redis and returns its version.
func redisInfo(ctx context.Context, redisURL string) (string, error) {
	opt, err := rueidis.ParseURL(redisURL)
	if err != nil {
		return "", err
	}
	opt.DisableCache = true
	c, err := rueidis.NewClient(opt)
	if err != nil {
		return "", err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	info, err := c.Do(ctx, c.B().Info().Section("server").Build()).ToString()
	if err != nil {
		return "", err
	}
	return infoField(info, "redis_version"), nil
}

// dropRedisKeys deletes the keys a mode's server wrote (its prefix only).
func dropRedisKeys(ctx context.Context, redisURL, prefix string) error {
	opt, err := rueidis.ParseURL(redisURL)
	if err != nil {
		return err
	}
	opt.DisableCache = true
	c, err := rueidis.NewClient(opt)
	if err != nil {
		return err
	}
	defer c.Close()
	var cursor uint64
	for {
		e, err := c.Do(ctx, c.B().Scan().Cursor(cursor).Match(prefix+"*").Count(1000).Build()).AsScanEntry()
		if err != nil {
			return err
		}
		if len(e.Elements) > 0 {
			if err := c.Do(ctx, c.B().Unlink().Key(e.Elements...).Build()).Error(); err != nil {
				return err
			}
		}
		if cursor = e.Cursor; cursor == 0 {
			return nil
		}
	}
}
