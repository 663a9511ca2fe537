package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/redis/rueidis"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/adapters/postgres"
	baredis "github.com/bharatauth/bharatauth-go/adapters/redis"
	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

// Purge cadence: expired sessions, used codes and lapsed IP blocks are deleted
// in batches, so tables stay small without long locks.
const (
	purgeEvery = 10 * time.Minute
	purgeBatch = 1000
)

// app is the wired service.
type app struct {
	handler http.Handler
	metrics http.Handler // /metrics, when BHARATAUTH_METRICS_ADDR is set
	auth    *core.Auth
	store   *postgres.Store
	db      *bun.DB
	redis   rueidis.Client
	redisOn bool
	log     *slog.Logger
}

// build connects to PostgreSQL (and Redis, when configured), migrates, and
// wires core and the HTTP handler.
func build(ctx context.Context, s settings, out io.Writer, log *slog.Logger) (*app, error) {
	if err := migrate(ctx, s.DatabaseURL); err != nil {
		return nil, err
	}
	db, err := openDB(s.DatabaseURL, statementTimeout)
	if err != nil {
		return nil, err
	}
	a := &app{db: db, log: log}
	cfg := coreConfig(s, log)
	// Purge keeps what the rules still count on: IP failures for the IP-block
	// window, idle failure counters for the count-restart window.
	if a.store, err = postgres.New(db, postgres.Options{
		IPFailureRetention: cfg.IPBlock.Window, CounterRetention: cfg.Lockout.ResetAfter,
	}); err != nil {
		a.close()
		return nil, err
	}
	mailer, err := newMailer(ctx, s, out, log)
	if err != nil {
		a.close()
		return nil, err
	}
	// No Deps.Erasure: this service keeps no personal data of its own, so
	// core erases a user's data by itself once the erasure grace has passed
	// (maintenance below). An app with its own tables sets an ErasureHandler
	// and calls auth.CompleteErasure when its part is done.
	deps := core.Deps{Storage: a.store, Mailer: mailer}
	// SMS budgets: the store's (PostgreSQL) unless Redis takes them below.
	if s.SMS.Sender != "" {
		if deps.SMSSender, err = newSMSSender(ctx, s.SMS, out, log); err != nil {
			a.close()
			return nil, err
		}
	}
	if s.MetricsAddr != "" {
		if deps.Observer, a.metrics, err = newMetrics(); err != nil {
			a.close()
			return nil, err
		}
	}
	if s.RedisURL != "" {
		if err := a.withRedis(s.RedisURL, s.RedisPrefix, s.SMS.Sender != "", &deps); err != nil {
			a.close()
			return nil, err
		}
	}
	auth, err := core.New(cfg, deps)
	if err != nil {
		a.close()
		return nil, err
	}
	a.auth = auth
	if s.SMS.Sender != "" {
		budget := "postgres"
		if _, ok := deps.SMSBudget.(*baredis.SMSBudget); ok {
			budget = "redis"
		}
		log.Info("production: phone numbers on", "sms", s.SMS.Sender, "regions", cfg.Phone.Regions, "sms_budget", budget)
	}
	mux, err := apiMux(auth, s, log)
	if err != nil {
		a.close()
		return nil, err
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := db.PingContext(r.Context()); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
	a.handler = mux
	return a, nil
}

// apiMux mounts the API at /auth, refresh tokens in bodies (native apps),
// and with BHARATAUTH_COOKIE_MODE=on a second handler over the same Auth at
// /web/auth in cookie mode (browser apps). Both answer CORS for
// BHARATAUTH_CORS_ORIGINS, with credentials so the cookie travels, and
// publish their keys' URL under BHARATAUTH_API_URL.
func apiMux(auth *core.Auth, s settings, log *slog.Logger) (*http.ServeMux, error) {
	opts := bahttp.Options{TrustedProxies: s.TrustedProxies, Logger: log,
		CORS: bahttp.CORS{AllowedOrigins: s.CORSOrigins, AllowCredentials: len(s.CORSOrigins) > 0}}
	mux := http.NewServeMux()
	mounts := map[string]bahttp.Options{"/auth": opts}
	if s.CookieMode {
		web := opts
		web.Cookies = bahttp.Cookies{Enabled: true}
		mounts["/web/auth"] = web
	}
	for prefix, o := range mounts {
		o.PublicURL = s.APIURL + prefix // the discovery document's jwks_uri
		api, err := bahttp.New(auth, o)
		if err != nil {
			return nil, err
		}
		mux.Handle(prefix+"/", http.StripPrefix(prefix, api))
	}
	return mux, nil
}

// statementTimeout is the server's bound on one statement of the serving
// pool: under postgres.Options' default 5 s QueryTimeout, so the server gives
// up on a statement before the adapter does and a statement the client
// abandoned cannot commit later. (A transaction of several statements can
// still outlast it; each statement cannot.)
const statementTimeout = 4500 * time.Millisecond

// migrate applies the migrations on a pool of its own without a statement
// timeout: a migration may build an index on a large table, or wait for
// another instance that is migrating during a rolling deploy.
func migrate(ctx context.Context, dsn string) error {
	db, err := openDB(dsn, 0)
	if err != nil {
		return err
	}
	defer db.Close()
	store, err := postgres.New(db, postgres.Options{QueryTimeout: -1})
	if err != nil {
		return err
	}
	if err := store.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// openDB opens PostgreSQL through pgx's database/sql driver. bun inlines query
// arguments, so pgx's default prepare-per-query mode would cost an extra round
// trip: exec mode sends each query once. A statementTimeout > 0 becomes the
// statement_timeout runtime parameter, which pgx passes to the server. A
// connection taken from the pool is pinged only after pingAfterIdle unused
// (pgx's default, one second, pings most checkouts of a lightly loaded pool:
// a round trip before the request's first statement).
func openDB(dsn string, statementTimeout time.Duration) (*bun.DB, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL is not a URL")
	}
	q := u.Query()
	if q.Get("default_query_exec_mode") == "" {
		q.Set("default_query_exec_mode", "exec")
	}
	if q.Get("statement_timeout") == "" && statementTimeout > 0 {
		q.Set("statement_timeout", strconv.FormatInt(statementTimeout.Milliseconds(), 10))
	}
	u.RawQuery = q.Encode()
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL is not a valid PostgreSQL URL (its text is left out: it may hold a password)")
	}
	sqldb := stdlib.OpenDB(*cfg, stdlib.OptionShouldPing(func(_ context.Context, p stdlib.ShouldPingParams) bool {
		return p.IdleDuration > pingAfterIdle
	}))
	sqldb.SetMaxOpenConns(20)
	sqldb.SetMaxIdleConns(20)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

// pingAfterIdle is how long a pooled connection may sit unused before its
// next checkout pings it. A connection that died meanwhile (a restarted
// server, a proxy that drops idle links) then fails the ping and is replaced
// instead of failing a request; one used within the minute is trusted.
const pingAfterIdle = time.Minute

// withRedis puts the Redis layers in front of the store. A Redis that cannot
// be reached at start is not fatal: the app serves without Layer-1 limits and
// caches (the store keeps every rule), and says so. With sms, Redis keeps the
// SMS budgets too; unlike the limiter they fail closed (no SMS is sent while
// Redis does not answer), and without Redis the store keeps them.
func (a *app) withRedis(redisURL, prefix string, sms bool, deps *core.Deps) error {
	client, err := baredis.NewClient(redisURL, baredis.ClientOptions{})
	if err != nil {
		a.log.Warn("production: Redis unreachable at start; serving without rate limits and caches", "error", err)
		return nil
	}
	a.redis, a.redisOn = client, true
	limiter, err := baredis.NewLimiter(client, baredis.LimiterOptions{Prefix: prefix + "rl:", Logger: a.log})
	if err != nil {
		return err
	}
	ipBlocks, err := baredis.NewIPBlockCache(a.store, client, baredis.IPBlockOptions{Prefix: prefix + "ipb:", Logger: a.log})
	if err != nil {
		return err
	}
	sessions, err := baredis.NewSessionCache(a.store, client, baredis.SessionCacheOptions{Prefix: prefix + "sess:", Logger: a.log})
	if err != nil {
		return err
	}
	devices, err := baredis.NewDeviceTrustCache(a.store, sessions)
	if err != nil {
		return err
	}
	deps.Limiter, deps.Abuse, deps.Sessions, deps.Devices = limiter, ipBlocks, sessions, devices
	// Every port whose writes change a user goes through the user cache, so
	// that it sees each change (redis.UserCache), phone numbers included.
	users, err := baredis.NewUserCache(a.store, client, baredis.UserCacheOptions{Prefix: prefix + "user:", Logger: a.log})
	if err != nil {
		return err
	}
	deps.Users, deps.Registry, deps.Erasures, deps.Guardians = users, users, users, users
	if !sms {
		return nil
	}
	budget, err := baredis.NewSMSBudget(client, baredis.SMSBudgetOptions{Prefix: prefix + "sms:", Logger: a.log})
	if err != nil {
		return err
	}
	deps.SMSBudget = budget
	return nil
}

// coreConfig is DefaultConfig with the environment's secret and links.
func coreConfig(s settings, log *slog.Logger) core.Config {
	cfg := core.DefaultConfig()
	cfg.SecretKey = s.Secret
	cfg.Logger = log
	cfg.SigningKeys = s.SigningKeys
	if s.Issuer != "" {
		cfg.Issuer = s.Issuer
	}
	if s.Audience != "" {
		cfg.Audience = s.Audience
	}
	cfg.Links = core.LinkTemplates{
		VerifyEmail:   s.PublicURL + "/verify-email?token={token}",
		ResetPassword: s.PublicURL + "/reset-password?token={token}",
		ResetPIN:      s.PublicURL + "/reset-pin?token={token}",
		Unlock:        s.PublicURL + "/unlock?token={token}",

		GuardianConsent: s.PublicURL + "/guardian/confirm?token={token}",
		ChangeEmail:     s.PublicURL + "/change-email?token={token}",
	}
	s.SMS.phoneConfig(&cfg)
	return cfg
}

// purgeLoop deletes expired rows and runs core's maintenance (erasure
// requests whose grace ended) every purgeEvery until ctx ends.
func (a *app) purgeLoop(ctx context.Context) {
	t := time.NewTicker(purgeEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if report, err := a.auth.Maintain(ctx); err != nil {
				a.log.Warn("production: maintenance failed", "error", err, "report", fmt.Sprintf("%+v", report))
			} else if report != (core.MaintenanceReport{}) {
				a.log.Info("production: maintenance", "report", fmt.Sprintf("%+v", report))
			}
			stats, err := a.store.Purge(ctx, ports.SystemClock{}.Now(), purgeBatch)
			if err != nil {
				a.log.Warn("production: purge failed", "error", err)
				continue
			}
			a.log.Info("production: purged expired rows", "stats", fmt.Sprintf("%+v", stats))
			// Children's accounts no guardian consented to within GuardianWait.
			if n, err := a.auth.PurgePendingChildren(ctx); err != nil {
				a.log.Warn("production: purging pending children failed", "error", err)
			} else if n > 0 {
				a.log.Info("production: erased child accounts without a guardian's consent", "accounts", n)
			}
		}
	}
}

func (a *app) close() {
	if a.redis != nil {
		a.redis.Close()
	}
	_ = a.db.Close()
}

// consoleMailer prints emails (MAILER=console, never a default), for trying
// the service before a mail provider is set up.
func consoleMailer(out io.Writer) ports.Mailer { return memory.NewConsoleMailer(out) }
