package core

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
)

// Tests of the four enumeration-safe request routes: OTP, password reset, PIN
// reset and unlock requests.

// requestRoute is one of the four routes, called with an identifier.
type requestRoute struct {
	name   string
	bucket string // of the per-IP limit
	budget string // the per-identifier mail budget
	perIP  func(RateLimits) ports.RateRule
	call   func(e *env, identifier string) error
}

func requestRoutes() []requestRoute {
	ctx := context.Background()
	return []requestRoute{
		{name: "otp request", bucket: "otp_request", budget: budgetLoginCode, perIP: func(r RateLimits) ports.RateRule { return r.OTPRequestPerIP },
			call: func(e *env, id string) error {
				return e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: id, DeviceFingerprint: fpA, Client: e.client})
			}},
		{name: "password reset request", bucket: "password_reset_request", budget: budgetRecovery, perIP: func(r RateLimits) ports.RateRule { return r.PasswordResetRequestPerIP },
			call: func(e *env, id string) error {
				return e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: id, Client: e.client})
			}},
		{name: "pin reset request", bucket: "pin_reset_request", budget: budgetRecovery, perIP: func(r RateLimits) ports.RateRule { return r.PINResetRequestPerIP },
			call: func(e *env, id string) error {
				return e.auth.RequestPINReset(ctx, IdentifierInput{Identifier: id, Client: e.client})
			}},
		{name: "unlock request", bucket: "unlock_request", budget: budgetRecovery, perIP: func(r RateLimits) ports.RateRule { return r.UnlockRequestPerIP },
			call: func(e *env, id string) error {
				return e.auth.RequestUnlock(ctx, IdentifierInput{Identifier: id, Client: e.client})
			}},
	}
}

// callLog lists the store and limiter calls made, in order.
type callLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *callLog) add(call string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, call)
}

// take returns the calls made since the last take.
func (l *callLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	calls := l.calls
	l.calls = nil
	return calls
}

// countingLimiter logs each limiter call by its bucket: the key without the
// IP, identifier or account it ends with.
type countingLimiter struct {
	*memory.Limiter
	log *callLog
}

func (c countingLimiter) Allow(ctx context.Context, key string, rule ports.RateRule, now time.Time) (ports.RateDecision, error) {
	c.log.add("Allow " + key[:strings.LastIndex(key, ":")])
	return c.Limiter.Allow(ctx, key, rule, now)
}

// countingStore logs each call of every port a request could reach. Lockout
// calls are not logged: the request routes have no business with them, and
// the PostgreSQL test in examples/integration counts every statement.
type countingStore struct {
	*memory.Store
	log *callLog
}

func (c countingStore) UserByEmail(ctx context.Context, email string) (ports.User, error) {
	c.log.add("UserByEmail")
	return c.Store.UserByEmail(ctx, email)
}
func (c countingStore) UserByUsername(ctx context.Context, username string) (ports.User, error) {
	c.log.add("UserByUsername")
	return c.Store.UserByUsername(ctx, username)
}
func (c countingStore) UserByID(ctx context.Context, id string) (ports.User, error) {
	c.log.add("UserByID")
	return c.Store.UserByID(ctx, id)
}
func (c countingStore) MarkEmailVerified(ctx context.Context, userID string, at time.Time) error {
	c.log.add("MarkEmailVerified")
	return c.Store.MarkEmailVerified(ctx, userID, at)
}
func (c countingStore) Credentials(ctx context.Context, userID string) (ports.Credentials, error) {
	c.log.add("Credentials")
	return c.Store.Credentials(ctx, userID)
}
func (c countingStore) Session(ctx context.Context, id string) (ports.Session, error) {
	c.log.add("Session")
	return c.Store.Session(ctx, id)
}
func (c countingStore) Sessions(ctx context.Context, userID string) ([]ports.Session, error) {
	c.log.add("Sessions")
	return c.Store.Sessions(ctx, userID)
}
func (c countingStore) RevokeSessions(ctx context.Context, r ports.Revocation, now time.Time) ([]string, error) {
	c.log.add("RevokeSessions")
	return c.Store.RevokeSessions(ctx, r, now)
}
func (c countingStore) KnownDevice(ctx context.Context, userID, fingerprint string, now time.Time) (bool, error) {
	c.log.add("KnownDevice")
	return c.Store.KnownDevice(ctx, userID, fingerprint, now)
}
func (c countingStore) IssueToken(ctx context.Context, t ports.OneTimeToken) error {
	c.log.add("IssueToken")
	return c.Store.IssueToken(ctx, t)
}
func (c countingStore) Tokens(ctx context.Context, subject string) ([]ports.OneTimeToken, error) {
	c.log.add("Tokens")
	return c.Store.Tokens(ctx, subject)
}
func (c countingStore) ConsentHistory(ctx context.Context, userID string) ([]ports.ConsentRecord, error) {
	c.log.add("ConsentHistory")
	return c.Store.ConsentHistory(ctx, userID)
}
func (c countingStore) RecordIPFailure(ctx context.Context, ip, identifier string, now time.Time, p ports.IPPolicy) (time.Time, error) {
	c.log.add("RecordIPFailure")
	return c.Store.RecordIPFailure(ctx, ip, identifier, now, p)
}
func (c countingStore) IPBlockedUntil(ctx context.Context, ip string, now time.Time) (time.Time, error) {
	c.log.add("IPBlockedUntil")
	return c.Store.IPBlockedUntil(ctx, ip, now)
}
func (c countingStore) RecordEvent(ctx context.Context, ev ports.SecurityEvent) error {
	c.log.add("RecordEvent")
	return c.Store.RecordEvent(ctx, ev)
}
func (c countingStore) Events(ctx context.Context, userID string) ([]ports.SecurityEvent, error) {
	c.log.add("Events")
	return c.Store.Events(ctx, userID)
}

// counted logs the calls of every port but the lockout store, and of the
// limiter, and runs the work after answers in the background.
func counted(log *callLog) envOption {
	return func(c *Config, d *Deps) {
		c.MailInline = false
		s := countingStore{Store: d.Storage.(*memory.Store), log: log}
		d.Users, d.Registry, d.Credentials, d.Sessions, d.Devices = s, s, s, s, s
		d.Tokens, d.Consents, d.Abuse, d.Events = s, s, s, s
		d.Limiter = countingLimiter{Limiter: d.Limiter.(*memory.Limiter), log: log}
	}
}

// Before the answer, a request about a real account makes the same store and
// limiter calls as one about nobody, and answers the same; the token, the
// inbox budget and the email come after the answer.
func TestRequestsAnswerAlikeAfterTheSameCalls(t *testing.T) {
	t.Parallel()
	for _, route := range requestRoutes() {
		t.Run(route.name, func(t *testing.T) {
			t.Parallel()
			log := &callLog{}
			e := newEnv(t, counted(log))
			ctx := context.Background()
			_, err := e.auth.Register(ctx, RegisterInput{Email: "known@example.in", Username: "known", Password: testPassword,
				Consents: allGranted(), Client: e.client})
			require.NoError(t, err)
			suspended := e.register("suspended@example.in")
			require.NoError(t, e.store.SetSuspended(ctx, suspended.ID, true))
			require.NoError(t, e.auth.Drain(ctx))
			mailsBefore := e.mailsTo("known@example.in")

			release := holdWorkers(e) // so that no job runs while the calls are compared
			log.take()
			answers := map[string]error{}
			calls := map[string][]string{}
			for _, id := range []string{"known@example.in", "nobody@example.in", "suspended@example.in", "known", "nobody"} {
				answers[id] = route.call(e, id)
				calls[id] = log.take()
			}
			for id, err := range answers {
				assert.NoError(t, err, id)
			}
			assert.Equal(t, calls["nobody@example.in"], calls["known@example.in"], "an email address")
			assert.Equal(t, calls["nobody@example.in"], calls["suspended@example.in"], "a suspended account")
			assert.Equal(t, calls["nobody"], calls["known"], "a username")
			assert.Equal(t, []string{"IPBlockedUntil", "Allow " + route.bucket + ":ip",
				"Allow mail:" + route.budget + ":id", "UserByEmail"}, calls["nobody@example.in"])

			release()
			require.NoError(t, e.auth.Drain(ctx))
			after := log.take()
			assert.Equal(t, 2, countOf(after, "Allow mail:"+route.budget+":user"), "the inbox budget, after the answer: %v", after)
			assert.Equal(t, 2, countOf(after, "IssueToken"), "the tokens, after the answer: %v", after)
			assert.Equal(t, mailsBefore+2, e.mailsTo("known@example.in"), "by email and by username")
			assert.Equal(t, 1, e.mailsTo("suspended@example.in"), "only the verification link")
			assert.Zero(t, e.mailsTo("nobody@example.in"))
		})
	}
}

func countOf(calls []string, call string) int {
	n := 0
	for _, c := range calls {
		if c == call {
			n++
		}
	}
	return n
}

// Each request route allows 5 requests per IP in 5 minutes, checked after the
// IP block and before the per-identifier limit: a refused request spends no
// identifier's budget, and other IPs are not affected.
func TestRequestRoutesAreLimitedPerIP(t *testing.T) {
	t.Parallel()
	for _, route := range requestRoutes() {
		t.Run(route.name, func(t *testing.T) {
			t.Parallel()
			rule := route.perIP(DefaultConfig().RateLimits)
			require.Equal(t, ports.RateRule{Limit: 5, Window: 5 * time.Minute}, rule, "the documented default")

			e := newEnv(t)
			e.register("victim@example.in")
			e.client = Client{IP: "192.0.2.1", UserAgent: testUA}
			for i := 0; i < rule.Limit; i++ {
				require.NoError(t, route.call(e, distinct(i)), "request %d", i+1)
			}
			ce := requireKind(t, route.call(e, "victim@example.in"), KindRateLimited)
			assert.Greater(t, ce.RetryAfter, time.Duration(0))
			assert.LessOrEqual(t, ce.RetryAfter, rule.Window)

			// Another IP is not limited, and the victim's 5 per hour are all
			// still there: the refused request did not spend one.
			e.client = Client{IP: "192.0.2.2", UserAgent: testUA}
			for i := 0; i < 5; i++ {
				require.NoError(t, route.call(e, "victim@example.in"), "request %d from another IP", i+1)
			}

			e.client = Client{IP: "192.0.2.1", UserAgent: testUA}
			e.clock.Advance(rule.Window)
			require.NoError(t, route.call(e, distinct(rule.Limit)))
		})
	}
}

// A blocked IP is refused on every request route before any limit is spent.
func TestRequestRoutesRefuseABlockedIP(t *testing.T) {
	t.Parallel()
	for _, route := range requestRoutes() {
		t.Run(route.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			const ip = "198.51.100.77"
			for _, id := range []string{"a@example.in", "b@example.in", "c@example.in"} {
				_ = e.loginIP(id, "wrong-password", ip)
			}
			e.client = Client{IP: ip, UserAgent: testUA}
			for i := 0; i < 7; i++ { // more than the per-IP limit: the block answers first
				ce := requireKind(t, route.call(e, "a@example.in"), KindIPBlocked)
				assert.Equal(t, 24*time.Hour, ce.RetryAfter)
			}
		})
	}
}
