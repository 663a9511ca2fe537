package integration

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/adapters/postgres"
	"github.com/bharatauth/bharatauth-go/adapters/postgres/pgtest"
	baredis "github.com/bharatauth/bharatauth-go/adapters/redis"
	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
)

const (
	password = "correct horse battery staple"
	fp       = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
)

var (
	client  = core.Client{IP: "203.0.113.7", UserAgent: "integration"}
	codeRE  = regexp.MustCompile(`\b\d{6}\b`)
	tokenRE = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)
	consent = func() []core.ConsentDecision {
		var ds []core.ConsentDecision
		for _, c := range core.DefaultCategories() {
			ds = append(ds, core.ConsentDecision{Category: c.Name, Granted: true})
		}
		return ds
	}()
)

// instance is one app instance: core over the shared PostgreSQL store, with
// its own Redis client and session cache when redis is on.
type instance struct {
	auth   *core.Auth
	store  *postgres.Store
	db     *bun.DB
	outbox *memory.Outbox
	clock  *memory.Clock // starts at the wall clock; tests of time rules advance it
}

type setup struct {
	fastHashing bool
	redisPrefix string // when set: Redis session and user caches with these keys (instances sharing them see each other)
	background  bool   // emails and other work after answers run in the background (MailInline off), as in production
	// tokens, when set, wraps the store's one-time-token port.
	tokens func(ports.OneTimeTokenRepo) ports.OneTimeTokenRepo
	// mailer, when set, sends the instance's email instead of its outbox.
	mailer ports.Mailer
	// storage, when set, is what core gets as Deps.Storage in place of the store.
	storage func(*postgres.Store) ports.Storage
}

func newInstance(tb testing.TB, db *bun.DB, s setup) *instance {
	tb.Helper()
	store, err := postgres.New(db, postgres.Options{})
	require.NoError(tb, err)
	in := &instance{store: store, db: db, outbox: memory.NewOutbox(), clock: memory.NewClock(time.Now())}
	deps := core.Deps{Storage: store, Mailer: in.outbox, Clock: in.clock}
	if s.storage != nil {
		deps.Storage = s.storage(store)
	}
	if s.mailer != nil {
		deps.Mailer = s.mailer
	}
	if s.tokens != nil {
		deps.Tokens = s.tokens(store)
	}
	if s.redisPrefix != "" {
		rc := redisClient(tb)
		sessions, err := baredis.NewSessionCache(store, rc, baredis.SessionCacheOptions{Prefix: s.redisPrefix})
		require.NoError(tb, err)
		devices, err := baredis.NewDeviceTrustCache(store, sessions)
		require.NoError(tb, err)
		users, err := baredis.NewUserCache(store, rc, baredis.UserCacheOptions{Prefix: s.redisPrefix + "user:"})
		require.NoError(tb, err)
		deps.Sessions, deps.Devices = sessions, devices
		deps.Users, deps.Registry, deps.Erasures, deps.Guardians = users, users, users, users
	}
	cfg := core.DefaultConfig()
	cfg.SecretKey = []byte("integration-secret-key-32-bytes-long!!")
	cfg.UnsafeFastHashingForTests = s.fastHashing
	cfg.MailInline = !s.background // inline: read the outbox right after a request
	cfg.Logger = slog.New(slog.DiscardHandler)
	in.auth, err = core.New(cfg, deps)
	require.NoError(tb, err)
	tb.Cleanup(func() { // stops the mail worker of an instance that mails in the background
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = in.auth.Close(ctx)
	})
	return in
}

// newPrefix is a Redis key prefix of its own for one test.
func newPrefix() string { return "ba:it:" + randomHex() + ":" }

func redisURL() string {
	if u := os.Getenv("BHARATAUTH_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "127.0.0.1:6379"
}

func redisClient(tb testing.TB) rueidis.Client {
	tb.Helper()
	c, err := baredis.NewClient(redisURL(), baredis.ClientOptions{})
	if err != nil {
		tb.Fatalf("Redis at %s is unreachable (%v); start it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no", redisURL(), err)
	}
	tb.Cleanup(c.Close)
	return c
}

// register creates an account and verifies its email with the emailed link,
// as its owner would.
func (in *instance) register(tb testing.TB, email string) {
	tb.Helper()
	_, err := in.auth.Register(tb.Context(), core.RegisterInput{Email: email, Password: password, Consents: consent, Client: client})
	require.NoError(tb, err)
	require.NoError(tb, in.auth.Drain(tb.Context())) // for instances that mail in the background
	m, ok := in.outbox.Last(email)
	require.True(tb, ok, "no verification email")
	link := tokenRE.FindStringSubmatch(m.Text)
	require.Len(tb, link, 2, "no link in %q", m.Subject)
	require.NoError(tb, in.auth.VerifyEmail(tb.Context(), core.LinkInput{Token: link[1], Client: client}))
}

func (in *instance) login(tb testing.TB, email string) core.LoginResult {
	tb.Helper()
	res, err := in.auth.Login(tb.Context(), core.LoginInput{Identifier: email, Password: password, DeviceFingerprint: fp, Client: client})
	require.NoError(tb, err)
	return res
}

func (in *instance) principal(tb testing.TB, res core.LoginResult) core.Principal {
	tb.Helper()
	p, err := in.auth.Authenticate(tb.Context(), res.AccessToken)
	require.NoError(tb, err)
	return p
}

// trustedPrincipal signs in by an emailed code from the device that asked
// for it: a known-device session, trusted for sensitive actions.
func (in *instance) trustedPrincipal(tb testing.TB, email string) core.Principal {
	tb.Helper()
	ctx := tb.Context()
	require.NoError(tb, in.auth.RequestOTP(ctx, core.RequestOTPInput{Identifier: email, DeviceFingerprint: fp, Client: client}))
	res, err := in.auth.VerifyOTP(ctx, core.VerifyOTPInput{Identifier: email, Code: in.lastCode(tb, email), DeviceFingerprint: fp, Client: client})
	require.NoError(tb, err)
	require.Equal(tb, core.TrustKnown, res.Trust)
	return in.principal(tb, res)
}

func (in *instance) lastCode(tb testing.TB, email string) string {
	tb.Helper()
	m, ok := in.outbox.Last(email)
	require.True(tb, ok)
	code := codeRE.FindString(m.Text)
	require.NotEmpty(tb, code)
	return code
}

// newDB is a migrated private schema.
func newDB(tb testing.TB) *bun.DB { return pgtest.NewDB(tb) }

// statementLog keeps every statement run, with its literals (emails, IPs,
// times) replaced by "?", so that two requests about different identifiers
// compare equal when they ran the same SQL.
type statementLog struct{ pgtest.Statements }

var literal = regexp.MustCompile(`'(?:[^']|'')*'`)

// take returns the statements run since the last take.
func (l *statementLog) take() []string {
	stmts := l.Take()
	for i, s := range stmts {
		stmts[i] = literal.ReplaceAllString(s, "?")
	}
	return stmts
}

// newRegistered is a fast-hashing instance over a database of its own, in
// which email has registered and verified its address.
func newRegistered(t *testing.T, email string) *instance {
	t.Helper()
	in := newInstance(t, newDB(t), setup{fastHashing: true})
	in.register(t, email)
	return in
}

// leftovers reads what the sign-ins so far left behind: pending attempts and
// counted failures summed over every lockout key, and sessions.
func (in *instance) leftovers(t *testing.T) (pending, failures, sessions int) {
	t.Helper()
	require.NoError(t, in.db.NewRaw(`SELECT coalesce(sum(pending), 0), coalesce(sum(failures), 0) FROM ba_lockouts`).
		Scan(t.Context(), &pending, &failures))
	require.NoError(t, in.db.NewRaw(`SELECT count(*) FROM ba_sessions`).Scan(t.Context(), &sessions))
	return pending, failures, sessions
}

func randomHex() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
