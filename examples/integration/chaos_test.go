package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/adapters/postgres"
	"github.com/bharatauth/bharatauth-go/adapters/postgres/pgtest"
	baredis "github.com/bharatauth/bharatauth-go/adapters/redis"
	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

// Chaos under load: HTTP clients sign in, refresh and call /me while the
// database (a private PostgreSQL, never the shared one) or Redis (a private
// redis-server) goes away and comes back. Every wait is bounded; the load
// stops by itself.

// chaosWorkers sign in and refresh at once; on 2 cores a few suffice to keep
// requests in flight at every moment of an outage.
const chaosWorkers = 4

// chaosBound bounds each wait of a chaos test (an outage seen, a recovery).
const chaosBound = 20 * time.Second

func TestPostgresRestartUnderLoadAnswers503ThenRecoversWithNothingHalfWritten(t *testing.T) {
	t.Parallel()
	pg := startPrivatePostgres(t)
	db := pgtest.Open(t, pg.url())
	t.Cleanup(func() { _ = db.Close() })
	store, err := postgres.New(db, postgres.Options{QueryTimeout: 2 * time.Second})
	require.NoError(t, err)
	migrateCtx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	require.NoError(t, store.Migrate(migrateCtx))
	auth := chaosAuth(t, core.Deps{Storage: store, Mailer: memory.NewOutbox()})
	api := chaosServer(t, auth)
	users := chaosUsers(t, api, store)

	load := startLoad(t, api, users, true)
	load.waitFor(t, "requests before the outage", func(s loadStats) bool { return s.ok >= 20 })
	pg.stop()
	load.waitFor(t, "a 503 during the outage", func(s loadStats) bool { return s.byStatus[http.StatusServiceUnavailable] > 0 })
	time.Sleep(500 * time.Millisecond) // an outage long enough for every kind of request to meet it
	pg.start()
	load.recovered(t)
	stats := load.stop()

	t.Logf("answers by status: %v", stats.byStatus)
	assert.Empty(t, load.unexpected(), "every request got an answer, a success or a 503")
	for status := range stats.byStatus {
		assert.Contains(t, []int{http.StatusOK, http.StatusCreated, http.StatusServiceUnavailable}, status,
			"during and after a database restart: only successes and 503, never %d", status)
	}
	assertNothingHalfWritten(t, api, auth, store, db, load)
}

func TestRedisKilledUnderLoadFailsOpenThenCachesResume(t *testing.T) {
	t.Parallel()
	rds := startChaosRedis(t)
	db := newDB(t)
	store, err := postgres.New(db, postgres.Options{})
	require.NoError(t, err)
	rc, err := baredis.NewClient(rds.addr(), baredis.ClientOptions{})
	require.NoError(t, err)
	t.Cleanup(rc.Close)
	quiet := slog.New(slog.DiscardHandler)
	limiter, err := baredis.NewLimiter(rc, baredis.LimiterOptions{Logger: quiet})
	require.NoError(t, err)
	reads := &countedSessions{SessionRepo: store}
	sessions, err := baredis.NewSessionCache(reads, rc, baredis.SessionCacheOptions{Logger: quiet})
	require.NoError(t, err)
	devices, err := baredis.NewDeviceTrustCache(store, sessions)
	require.NoError(t, err)
	abuse, err := baredis.NewIPBlockCache(store, rc, baredis.IPBlockOptions{Logger: quiet})
	require.NoError(t, err)
	auth := chaosAuth(t, core.Deps{Storage: store, Mailer: memory.NewOutbox(), Limiter: limiter,
		Sessions: sessions, Devices: devices, Abuse: abuse})
	api := chaosServer(t, auth)
	users := chaosUsers(t, api, store)

	load := startLoad(t, api, users, false)
	load.waitFor(t, "requests before the outage", func(s loadStats) bool { return s.ok >= 20 })
	rds.kill()
	beforeKill := load.snapshot().ok
	time.Sleep(1500 * time.Millisecond) // past the adapters' one-second bypass, so they probe a dead server
	require.Error(t, rc.Do(t.Context(), rc.B().Ping().Build()).Error(), "Redis is down")
	require.Greater(t, load.snapshot().ok, beforeKill+10, "requests kept succeeding while Redis was down")
	rds.start()
	load.recovered(t)
	// Under the load, the limiter and the session cache write to the
	// restarted (empty) Redis again.
	require.Eventually(t, func() bool {
		n, err := rc.Do(t.Context(), rc.B().Dbsize().Build()).AsInt64()
		return err == nil && n > 0
	}, chaosBound, 50*time.Millisecond, "rate-limit and session keys are written to the restarted Redis")
	stats := load.stop()

	t.Logf("answers by status: %v", stats.byStatus)
	assert.Empty(t, load.unexpected(), "every request got an answer, a success")
	assert.Equal(t, map[int]int{http.StatusOK: stats.ok}, stats.byStatus, "Redis down fails open: every request succeeds")

	// The session cache resumes: a session read five times is read from the
	// store at most once.
	res := httpLogin(t, api, users[0].email)
	require.Equal(t, http.StatusOK, res.status)
	before := reads.n.Load()
	for range 5 {
		assert.Equal(t, http.StatusOK, get(t, api, "/me", res.AccessToken))
	}
	assert.LessOrEqual(t, reads.n.Load()-before, int64(1), "after the restart sessions are served from the cache")
}

// assertNothingHalfWritten checks the state a database restart left: every
// consent chain verifies, every account that exists holds all its consents,
// every session is whole and usable, and every user can still sign in.
func assertNothingHalfWritten(t *testing.T, api *httptest.Server, auth *core.Auth, store *postgres.Store, db *bun.DB, load *load) {
	t.Helper()
	ctx := t.Context()
	var ids []string
	require.NoError(t, db.NewSelect().Table("ba_users").Column("id").Scan(ctx, &ids))
	require.GreaterOrEqual(t, len(ids), len(load.users))
	for _, id := range ids {
		report, err := auth.Admin().VerifyConsentChain(ctx, id)
		require.NoError(t, err)
		assert.True(t, report.Intact, "user %s: consent chain broken at %d: %s", id, report.BrokenAt, report.Reason)
		assert.Equal(t, len(core.DefaultCategories()), report.Rows, "user %s: every decision of its registration, or no account", id)
		sessions, err := store.Sessions(ctx, id)
		require.NoError(t, err)
		for _, s := range sessions {
			assert.NotEmpty(t, s.RefreshHash, "session %s", s.ID)
			assert.True(t, s.ExpiresAt.After(s.CreatedAt), "session %s", s.ID)
			assert.False(t, s.LastUsedAt.Before(s.CreatedAt), "session %s", s.ID)
		}
	}
	for _, u := range load.users {
		// The chain a worker holds still rotates: no rotation was half-done.
		status, _ := post(t, api, "/refresh", "", `{"refresh_token":"`+u.refresh+`"}`)
		assert.Equal(t, http.StatusOK, status, "%s: the refresh token the worker holds", u.email)
		// No attempt left behind by the outage locks anybody out.
		assert.Equal(t, http.StatusOK, httpLogin(t, api, u.email).status, "%s signs in", u.email)
	}
}

// chaosAuth is core over deps with the test's fast hashing and no logging;
// the per-IP rules allow the whole load from one test address.
func chaosAuth(t *testing.T, deps core.Deps) *core.Auth {
	t.Helper()
	cfg := core.DefaultConfig()
	cfg.SecretKey = []byte("integration-secret-key-32-bytes-long!!")
	cfg.UnsafeFastHashingForTests = true
	cfg.MailInline = true
	cfg.Logger = slog.New(slog.DiscardHandler)
	cfg.RateLimits.LoginPerIP.Limit = 1 << 30
	cfg.RateLimits.RegisterPerIP.Limit = 1 << 30
	a, err := core.New(cfg, deps)
	require.NoError(t, err)
	return a
}

func chaosServer(t *testing.T, auth *core.Auth) *httptest.Server {
	t.Helper()
	h, err := bahttp.New(auth, bahttp.Options{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// chaosUser is one worker's account and the refresh token it holds.
type chaosUser struct {
	email   string
	refresh string
}

// chaosUsers registers and verifies one account per worker, and signs each in.
func chaosUsers(t *testing.T, api *httptest.Server, store *postgres.Store) []*chaosUser {
	t.Helper()
	users := make([]*chaosUser, chaosWorkers)
	for i := range users {
		email := fmt.Sprintf("chaos%d-%s@example.in", i, randomHex())
		status, _ := post(t, api, "/register", "", registerBody(email))
		require.Equal(t, http.StatusCreated, status)
		u, err := store.UserByEmail(t.Context(), email)
		require.NoError(t, err)
		require.NoError(t, store.MarkEmailVerified(t.Context(), u.ID, time.Now()))
		res := httpLogin(t, api, email)
		require.Equal(t, http.StatusOK, res.status)
		users[i] = &chaosUser{email: email, refresh: res.RefreshToken}
	}
	return users
}

func registerBody(email string) string {
	var cs []string
	for _, c := range core.DefaultCategories() {
		cs = append(cs, `{"category":"`+c.Name+`","granted":true}`)
	}
	return `{"email":"` + email + `","password":"` + password + `","consents":[` + strings.Join(cs, ",") + `]}`
}

// tokens is a sign-in's or a refresh's answer.
type tokens struct {
	status       int
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

func httpLogin(t *testing.T, api *httptest.Server, email string) tokens {
	t.Helper()
	status, body := post(t, api, "/login", "", `{"identifier":"`+email+`","password":"`+password+`","device_fingerprint":"`+fp+`"}`)
	var res tokens
	_ = json.Unmarshal(body, &res)
	res.status = status
	return res
}

// post sends one JSON request; a transport error (the test server itself
// failing) fails the test.
func post(t *testing.T, api *httptest.Server, path, bearer, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, api.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return send(t, api, req)
}

func get(t *testing.T, api *httptest.Server, path, bearer string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, api.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+bearer)
	status, _ := send(t, api, req)
	return status
}

func send(t *testing.T, api *httptest.Server, req *http.Request) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(req.Context(), chaosBound)
	defer cancel()
	res, err := api.Client().Do(req.WithContext(ctx))
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, body
}

// load is the running load: each worker signs its user in, refreshes the
// token it holds and calls /me, in turn; with registrations on, it also
// registers a fresh account each round.
type load struct {
	api      *httptest.Server
	users    []*chaosUser
	register bool
	stopping atomic.Bool
	done     sync.WaitGroup

	mu    sync.Mutex
	stats loadStats
	fails []error
}

type loadStats struct {
	ok       int
	byStatus map[int]int
	// okSince counts successes per worker since the last resetRecovery.
	okSince []int
}

func startLoad(t *testing.T, api *httptest.Server, users []*chaosUser, register bool) *load {
	t.Helper()
	l := &load{api: api, users: users, register: register,
		stats: loadStats{byStatus: map[int]int{}, okSince: make([]int, len(users))}}
	for w := range users {
		l.done.Go(func() { l.work(w) })
	}
	t.Cleanup(func() { l.stop() })
	return l
}

// maxLoadRequests bounds a run even if a wait above were to misbehave.
const maxLoadRequests = 20000

func (l *load) work(w int) {
	u := l.users[w]
	var access string
	for round := 0; !l.stopping.Load(); round++ {
		if l.total() > maxLoadRequests {
			return
		}
		if access == "" || round%3 == 0 {
			if res, ok := l.tokens(w, "/login", `{"identifier":"`+u.email+`","password":"`+password+`","device_fingerprint":"`+fp+`"}`); ok {
				access, u.refresh = res.AccessToken, res.RefreshToken
			}
			continue
		}
		if res, ok := l.tokens(w, "/refresh", `{"refresh_token":"`+u.refresh+`"}`); ok {
			access, u.refresh = res.AccessToken, res.RefreshToken
		}
		l.call(w, http.MethodGet, "/me", access, "")
		if l.register && w == 0 {
			l.call(w, http.MethodPost, "/register", "", registerBody(fmt.Sprintf("reg-%s@example.in", randomHex())))
		}
	}
}

// tokens posts body to path and decodes the tokens of a 200.
func (l *load) tokens(w int, path, body string) (tokens, bool) {
	status, raw := l.call(w, http.MethodPost, path, "", body)
	var res tokens
	if status != http.StatusOK || json.Unmarshal(raw, &res) != nil {
		return tokens{}, false
	}
	return res, true
}

// call sends one request and counts its answer.
func (l *load) call(w int, method, path, bearer, body string) (int, []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), chaosBound)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, l.api.URL+path, strings.NewReader(body))
	if err != nil {
		l.fail(err)
		return 0, nil
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := l.api.Client().Do(req)
	if err != nil {
		l.fail(fmt.Errorf("%s %s: %w", method, path, err))
		return 0, nil
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stats.byStatus[res.StatusCode]++
	if res.StatusCode < 300 {
		l.stats.ok++
		l.stats.okSince[w]++
	} else if res.StatusCode != http.StatusServiceUnavailable {
		l.fails = append(l.fails, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw))
	}
	return res.StatusCode, raw
}

func (l *load) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fails = append(l.fails, err)
}

func (l *load) total() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.stats.byStatus {
		n += c
	}
	return n
}

func (l *load) snapshot() loadStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.stats
	s.byStatus = make(map[int]int, len(l.stats.byStatus))
	for k, v := range l.stats.byStatus {
		s.byStatus[k] = v
	}
	s.okSince = slices.Clone(l.stats.okSince)
	return s
}

// waitFor waits, bounded, until the load's counts satisfy cond.
func (l *load) waitFor(t *testing.T, what string, cond func(loadStats) bool) {
	t.Helper()
	deadline := time.Now().Add(chaosBound)
	for !cond(l.snapshot()) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v: %v (unexpected answers: %v)", what, chaosBound, l.snapshot().byStatus, l.unexpected())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// recovered waits until every worker has succeeded several times since the
// service came back: recovery needs no help.
func (l *load) recovered(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	clear(l.stats.okSince)
	l.mu.Unlock()
	l.waitFor(t, "recovery of every worker", func(s loadStats) bool {
		return !slices.ContainsFunc(s.okSince, func(n int) bool { return n < 3 })
	})
}

func (l *load) unexpected() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.fails[:min(len(l.fails), 5)])
}

// stop ends the load and returns its counts; unexpected answers fail the
// test through the caller's assertions on byStatus.
func (l *load) stop() loadStats {
	l.stopping.Store(true)
	l.done.Wait()
	return l.snapshot()
}

// countedSessions counts the Session reads that reach the store.
type countedSessions struct {
	ports.SessionRepo
	n atomic.Int64
}

func (c *countedSessions) Session(ctx context.Context, id string) (ports.Session, error) {
	c.n.Add(1)
	return c.SessionRepo.Session(ctx, id)
}

// privatePostgres is a PostgreSQL server of the test's own (initdb in a
// temporary directory, its own port), which the test stops and starts. As
// root, its commands run as the postgres user: the server refuses root.
type privatePostgres struct {
	t    *testing.T
	bin  string
	dir  string
	port int
}

func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Fatal("the chaos test needs PostgreSQL's server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)")
	}
	slices.Sort(bins)
	dir, err := os.MkdirTemp("", "bharatauth-chaos-pg-")
	require.NoError(t, err)
	p := &privatePostgres{t: t, bin: filepath.Dir(bins[len(bins)-1]), dir: dir, port: freePort(t)}
	t.Cleanup(func() {
		_ = p.run("pg_ctl", "-D", p.data(), "-m", "immediate", "-w", "stop")
		_ = os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		pgUser, err := user.Lookup("postgres")
		require.NoError(t, err, "running as root, the private PostgreSQL runs as the postgres user")
		uid, _ := strconv.Atoi(pgUser.Uid)
		gid, _ := strconv.Atoi(pgUser.Gid)
		require.NoError(t, os.Chown(dir, uid, gid))
	}
	require.NoError(t, p.run("initdb", "-D", p.data(), "-A", "trust", "-U", "postgres", "-N"))
	p.start()
	return p
}

func (p *privatePostgres) data() string { return filepath.Join(p.dir, "data") }

func (p *privatePostgres) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

func (p *privatePostgres) start() {
	p.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50", p.port, p.dir)
	require.NoError(p.t, p.run("pg_ctl", "-D", p.data(), "-o", opts, "-l", filepath.Join(p.dir, "log"), "-w", "-t", "30", "start"))
}

// stop kills the server the way a crash would: no checkpoint, connections cut.
func (p *privatePostgres) stop() {
	p.t.Helper()
	require.NoError(p.t, p.run("pg_ctl", "-D", p.data(), "-m", "immediate", "-w", "stop"))
}

func (p *privatePostgres) run(name string, args ...string) error {
	cmd := exec.Command(filepath.Join(p.bin, name), args...)
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(p.bin, name)}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", name, err, out)
	}
	return nil
}

// chaosRedis is a redis-server of the test's own that the test kills and
// starts again on the same port.
type chaosRedis struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
}

func startChaosRedis(t *testing.T) *chaosRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("the chaos test needs redis-server on PATH (apt-get install redis-server): %v", err)
	}
	r := &chaosRedis{t: t, port: freePort(t)}
	r.start()
	t.Cleanup(r.kill)
	return r
}

func (r *chaosRedis) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

func (r *chaosRedis) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", r.t.TempDir())
	require.NoError(r.t, r.cmd.Start())
	deadline := time.Now().Add(chaosBound)
	for {
		conn, err := net.DialTimeout("tcp", r.addr(), 100*time.Millisecond)
		if err == nil {
			_ = conn.Close()
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("private redis-server on %s did not start", r.addr())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends the server at once (SIGKILL): its data is gone.
func (r *chaosRedis) kill() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	_ = r.cmd.Wait()
	r.cmd = nil
}

// freePort returns a loopback TCP port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
