package redis_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	bredis "github.com/bharatauth/bharatauth-go/adapters/redis"
	"github.com/bharatauth/bharatauth-go/ports"
)

const startRedisHint = `start it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log (or point BHARATAUTH_TEST_REDIS_URL at a running Redis)`

// redisURL is the Redis the integration tests use.
func redisURL() string {
	if u := os.Getenv("BHARATAUTH_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "127.0.0.1:6379"
}

// newClient connects a fresh client to the test Redis, or fails the test with
// how to start it. Each client has its own connections and client-side cache,
// like a separate app instance.
func newClient(t testing.TB) rueidis.Client {
	t.Helper()
	c, err := bredis.NewClient(redisURL(), bredis.ClientOptions{})
	if err != nil {
		t.Fatalf("Redis at %s is unreachable (%v); %s", redisURL(), err, startRedisHint)
	}
	t.Cleanup(c.Close)
	return c
}

// sharedRedis is one client for the whole test binary, connected on first
// use, for suites that build many adapters.
type sharedRedis struct {
	once   sync.Once
	client rueidis.Client
	err    error
}

// get connects once to url, or fails the test with what (the Redis named in
// the message) is unreachable and hint (how to start it).
func (s *sharedRedis) get(t testing.TB, url, what, hint string) rueidis.Client {
	t.Helper()
	s.once.Do(func() { s.client, s.err = bredis.NewClient(url, bredis.ClientOptions{}) })
	if s.err != nil {
		t.Fatalf("%s at %s is unreachable (%v); %s", what, url, s.err, hint)
	}
	return s.client
}

var sharedSingle sharedRedis

// shared returns the test binary's client of the test Redis.
func shared(t testing.TB) rueidis.Client {
	t.Helper()
	return sharedSingle.get(t, redisURL(), "Redis", startRedisHint)
}

const startClusterHint = "start it with `make services` (.ci/services.sh starts 3 primaries on 127.0.0.1:7001-7003), or point BHARATAUTH_TEST_REDIS_CLUSTER at a running cluster (host:port,host:port,…)"

// clusterURL is the test Redis Cluster: BHARATAUTH_TEST_REDIS_CLUSTER, by
// default the one .ci/services.sh starts.
func clusterURL() string {
	if u := os.Getenv("BHARATAUTH_TEST_REDIS_CLUSTER"); u != "" {
		return u
	}
	return "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003"
}

var sharedClusterClient sharedRedis

// sharedCluster returns the test binary's client of the test cluster, or
// fails the test with how to start it: it never skips.
func sharedCluster(t testing.TB) rueidis.Client {
	t.Helper()
	c := sharedClusterClient.get(t, clusterURL(), "the Redis Cluster", startClusterHint)
	if c.Mode() != rueidis.ClientModeCluster {
		t.Fatalf("Redis at %s is not a cluster (mode %s); %s", clusterURL(), c.Mode(), startClusterHint)
	}
	return c
}

// prefix returns a random key prefix and deletes its keys when the test ends,
// so parallel tests and repeated runs never see each other's keys.
func prefix(t testing.TB, c rueidis.Client) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	p := "ba:test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() { deleteKeys(c, p) })
	return p
}

// deleteKeys deletes every key that starts with prefix: on each node of a
// cluster (SCAN sees one node's keys), one key per DEL (a DEL of keys in
// different slots is refused by a cluster).
func deleteKeys(c rueidis.Client, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, node := range c.Nodes() {
		var cursor uint64
		for {
			e, err := node.Do(ctx, node.B().Scan().Cursor(cursor).Match(prefix+"*").Count(500).Build()).AsScanEntry()
			if err != nil {
				break
			}
			dels := make(rueidis.Commands, 0, len(e.Elements))
			for _, k := range e.Elements {
				dels = append(dels, c.B().Del().Key(k).Build())
			}
			c.DoMulti(ctx, dels...)
			if e.Cursor == 0 {
				break
			}
			cursor = e.Cursor
		}
	}
}

func randomID(p string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return p + hex.EncodeToString(b)
}

// countingSessions is a fake SessionRepo: the memory store plus a count of
// Session reads, to tell cache hits from store reads.
type countingSessions struct {
	*memory.Store
	reads atomic.Int64
}

func (c *countingSessions) Session(ctx context.Context, id string) (ports.Session, error) {
	c.reads.Add(1)
	return c.Store.Session(ctx, id)
}

// countingGuard is the memory AbuseGuard plus a count of IPBlockedUntil calls.
type countingGuard struct {
	*memory.Store
	checks atomic.Int64
}

func (c *countingGuard) IPBlockedUntil(ctx context.Context, ip string, now time.Time) (time.Time, error) {
	c.checks.Add(1)
	return c.Store.IPBlockedUntil(ctx, ip, now)
}

var ipPolicy = ports.IPPolicy{DistinctIdentifiers: 3, Window: 24 * time.Hour, BlockFor: 24 * time.Hour}

// privateRedis is a redis-server of the test's own, on a free port, that the
// fault tests stop, pause and restart.
type privateRedis struct {
	t    *testing.T
	port int
	dir  string // kept across restarts, so a SAVEd dump.rdb is loaded again
	cmd  *exec.Cmd
}

func startPrivateRedis(t *testing.T) *privateRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("the fault tests need redis-server on PATH (apt-get install redis-server): %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	r := &privateRedis{t: t, port: port, dir: t.TempDir()}
	r.start()
	t.Cleanup(r.stop)
	return r
}

// client connects a rueidis client to r, closed when the test ends.
func (r *privateRedis) client() rueidis.Client {
	r.t.Helper()
	c, err := bredis.NewClient(r.addr(), bredis.ClientOptions{})
	require.NoError(r.t, err)
	r.t.Cleanup(c.Close)
	return c
}

func (r *privateRedis) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

func (r *privateRedis) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", r.dir)
	require.NoError(r.t, r.cmd.Start())
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", r.addr(), 100*time.Millisecond)
		if err == nil {
			_ = conn.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatalf("private redis-server on %s did not start", r.addr())
}

func (r *privateRedis) stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGCONT) // a paused server cannot die
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

func (r *privateRedis) pause() {
	require.NoError(r.t, r.cmd.Process.Signal(syscall.SIGSTOP))
}

func (r *privateRedis) resume() {
	require.NoError(r.t, r.cmd.Process.Signal(syscall.SIGCONT))
}

// within runs f and fails the test when it takes longer than bound.
func within(t *testing.T, bound time.Duration, what string, f func()) time.Duration {
	t.Helper()
	start := time.Now()
	f()
	took := time.Since(start)
	require.LessOrEqual(t, took, bound, fmt.Sprintf("%s took %v", what, took))
	return took
}

// failBound is the generous upper bound every call must meet while Redis is
// stopped or paused: it checks the bound exists, not speed.
const failBound = 2 * time.Second

// newCase is one call of a constructor that checks its arguments: args holds
// them, wantErr says they are refused.
type newCase[A any] struct {
	name    string
	args    A
	wantErr bool
}

// testValidates calls newT with each case's args: a refused call returns an
// error and no value, an accepted one a value and no error.
func testValidates[A any, T any](t *testing.T, newT func(A) (T, error), cases []newCase[A]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := newT(tc.args)
			if tc.wantErr {
				require.Error(t, err)
				require.Nil(t, v)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, v)
		})
	}
}

// cacheArgs are the arguments of a cache constructor: the store it fronts,
// the Redis client and the options.
type cacheArgs[I, O any] struct {
	inner  I
	client rueidis.Client
	opts   O
}

// testCacheValidates is testValidates for a cache over inner, with the cases
// every cache shares (zero options work; a nil inner or a nil client is
// refused) before the cases for its own options.
func testCacheValidates[I, O, T any](t *testing.T, inner I, newT func(I, rueidis.Client, O) (T, error), cases []newCase[O]) {
	t.Helper()
	c := shared(t)
	var noInner I
	var zero O
	all := []newCase[cacheArgs[I, O]]{
		{name: "zero options work", args: cacheArgs[I, O]{inner: inner, client: c, opts: zero}},
		{name: "nil inner", args: cacheArgs[I, O]{inner: noInner, client: c, opts: zero}, wantErr: true},
		{name: "nil client", args: cacheArgs[I, O]{inner: inner, opts: zero}, wantErr: true},
	}
	for _, tc := range cases {
		all = append(all, newCase[cacheArgs[I, O]]{name: tc.name, args: cacheArgs[I, O]{inner: inner, client: c, opts: tc.args}, wantErr: tc.wantErr})
	}
	testValidates(t, func(a cacheArgs[I, O]) (T, error) { return newT(a.inner, a.client, a.opts) }, all)
}

// commandCalls reads the command statistics of the Redis c serves (a private
// one: the shared Redis counts everyone's commands) and returns how many
// calls of a command it counted.
func commandCalls(t *testing.T, c rueidis.Client) func(cmd string) int {
	t.Helper()
	stats, err := c.Do(t.Context(), c.B().Info().Section("commandstats").Build()).ToString()
	require.NoError(t, err)
	return func(cmd string) int {
		for _, line := range strings.Split(stats, "\r\n") {
			if rest, ok := strings.CutPrefix(line, "cmdstat_"+cmd+":calls="); ok {
				n, err := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
				require.NoError(t, err)
				return n
			}
		}
		return 0
	}
}

// waitBound bounds every wait of a test on another goroutine.
const waitBound = 10 * time.Second

// probeWait is the time reads skip Redis after a failure (probeInterval).
const probeWait = time.Second

// waitFor waits until ch is closed, or fails the test after waitBound.
func waitFor(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(waitBound):
		t.Fatalf("gave up after %v", waitBound)
	}
}

// receive returns the next value of ch, or fails the test after waitBound.
func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitBound):
		t.Fatalf("gave up after %v", waitBound)
		var zero T
		return zero
	}
}

// newLimiterOn is a Limiter on client c under key prefix p (the default
// prefix when p is empty).
func newLimiterOn(t testing.TB, c rueidis.Client, p string) *bredis.Limiter {
	t.Helper()
	l, err := bredis.NewLimiter(c, bredis.LimiterOptions{Prefix: p})
	require.NoError(t, err)
	return l
}

// newSMSBudgetOn is an SMSBudget on client c under key prefix p (the default
// prefix when p is empty).
func newSMSBudgetOn(t testing.TB, c rueidis.Client, p string) *bredis.SMSBudget {
	t.Helper()
	b, err := bredis.NewSMSBudget(c, bredis.SMSBudgetOptions{Prefix: p})
	require.NoError(t, err)
	return b
}

func newHash() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newTestSession(userID string, now time.Time) ports.Session {
	return ports.Session{
		ID: randomID("ses_"), UserID: userID, RefreshHash: newHash(),
		DeviceInfo: "Mozilla/5.0 (Linux; Android 14)", IPAddress: "203.0.113.9", AuthMethod: "pwd",
		CreatedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour), LastUsedAt: now,
	}
}
