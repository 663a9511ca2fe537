package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestIPBlockedAtTheThirdDistinctIdentifierFor24Hours(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "one@example.in")
	const ip = "198.51.100.9"

	requireKind(t, e.loginIP("one@example.in", "wrong-password", ip), KindUnauthorized)
	requireKind(t, e.loginIP("one@example.in", "wrong-password", ip), KindUnauthorized) // same identifier again
	requireKind(t, e.loginIP("ghost-two@example.in", "wrong-password", ip), KindUnauthorized)
	ce := requireKind(t, e.loginIP("ghost-three", "wrong-password", ip), KindIPBlocked) // the 3rd distinct one crosses
	assert.Equal(t, 24*time.Hour, ce.RetryAfter)

	// Whatever the credentials, from that IP, until the block lapses.
	requireKind(t, e.loginIP("one@example.in", testPassword, ip), KindIPBlocked)
	require.NoError(t, e.loginIP("one@example.in", testPassword, "198.51.100.10"))
	e.clock.Advance(24*time.Hour - time.Second)
	requireKind(t, e.loginIP("one@example.in", testPassword, ip), KindIPBlocked)
	e.clock.Advance(time.Second)
	require.NoError(t, e.loginIP("one@example.in", testPassword, ip))
}

// The IP block's window has the edge of every failure counter (countWindowEdge):
// a failure exactly 24 hours after the first still crosses the threshold with
// it; a second later the first has dropped out.
func TestIPFailuresCountFor24Hours(t *testing.T) {
	t.Parallel()
	for _, tc := range countWindowEdge {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withoutLimiter())
			const ip = "198.51.100.20"
			requireKind(t, e.loginIP("a@example.in", "wrong-password", ip), KindUnauthorized)
			requireKind(t, e.loginIP("b@example.in", "wrong-password", ip), KindUnauthorized)
			e.clock.Advance(tc.gap)
			err := e.loginIP("c@example.in", "wrong-password", ip)
			if tc.kept {
				requireKind(t, err, KindIPBlocked)
			} else {
				requireKind(t, err, KindUnauthorized)
			}
		})
	}
}

func TestIPBlockCountsOTPVerifyFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	const ip = "198.51.100.30"
	c := Client{IP: ip}
	for i, id := range []string{"x@example.in", "y@example.in", "z@example.in"} {
		_, err := e.auth.VerifyOTP(t.Context(), VerifyOTPInput{Identifier: id, Code: "123456", Client: c})
		if i < 2 {
			requireKind(t, err, KindUnauthorized)
		} else {
			requireKind(t, err, KindIPBlocked)
		}
	}
}

func TestAllowListedIPIsNeverBlocked(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter(), func(c *Config, _ *Deps) {
		c.IPBlock.AllowList = []netip.Prefix{netip.MustParsePrefix("100.64.0.0/10")} // carrier-grade NAT
	})
	for _, id := range []string{"p@example.in", "q@example.in", "r@example.in", "s@example.in"} {
		requireKind(t, e.loginIP(id, "wrong-password", "100.64.1.2"), KindUnauthorized)
	}
}

func TestIPv6IsCountedPerSlash64(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	requireKind(t, e.loginIP("a@example.in", "wrong-password", "2001:db8:1:2::1"), KindUnauthorized)
	requireKind(t, e.loginIP("b@example.in", "wrong-password", "2001:db8:1:2:ffff::9"), KindUnauthorized)
	requireKind(t, e.loginIP("c@example.in", "wrong-password", "2001:db8:1:2:abcd::3"), KindIPBlocked)
	requireKind(t, e.loginIP("c@example.in", "wrong-password", "2001:db8:1:3::1"), KindUnauthorized)
}

func TestRateLimitsPerIP(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, tc := range []struct {
		name   string
		limit  int
		window time.Duration
		call   func(e *env, i int) error
	}{
		{name: "login 20 per 15 minutes", limit: 20, window: 15 * time.Minute, call: func(e *env, i int) error {
			return e.loginIP("same@example.in", "wrong-password", "192.0.2.1") // locks at 5; the limiter still counts
		}},
		{name: "otp request 5 per 5 minutes", limit: 5, window: 5 * time.Minute, call: func(e *env, i int) error {
			return e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: distinct(i), Client: e.client})
		}},
		{name: "otp verify 20 per 15 minutes", limit: 20, window: 15 * time.Minute, call: func(e *env, i int) error {
			_, err := e.auth.VerifyOTP(ctx, VerifyOTPInput{Identifier: "same@example.in", Code: "123456", Client: e.client})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.client = Client{IP: "192.0.2.1"}
			for i := 0; i < tc.limit; i++ {
				if err := tc.call(e, i); KindOf(err) == KindRateLimited {
					t.Fatalf("request %d was limited", i+1)
				}
			}
			ce := requireKind(t, tc.call(e, tc.limit), KindRateLimited)
			assert.Greater(t, ce.RetryAfter, time.Duration(0))
			assert.LessOrEqual(t, ce.RetryAfter, tc.window)
			e.clock.Advance(tc.window - time.Second)
			requireKind(t, tc.call(e, tc.limit+1), KindRateLimited)
			e.clock.Advance(time.Second)
			assert.NotEqual(t, KindRateLimited, KindOf(tc.call(e, tc.limit+1)))
		})
	}
}

func TestPINVerifyLimitedAt15Per10Minutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.register("pinrl@example.in")
	p := e.principal(e.knownDeviceLogin("pinrl@example.in"))
	ctx := t.Context()
	require.NoError(t, e.auth.SetPIN(ctx, p, SetPINInput{PIN: testPIN, Client: e.client}))
	for i := 0; i < 15; i++ {
		require.NoError(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: testPIN, Client: e.client}), "verify %d", i+1)
	}
	ce := requireKind(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: testPIN, Client: e.client}), KindRateLimited)
	assert.LessOrEqual(t, ce.RetryAfter, 10*time.Minute)
	e.clock.Advance(10*time.Minute - time.Second)
	requireKind(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: testPIN, Client: e.client}), KindRateLimited)
	e.clock.Advance(time.Second)
	require.NoError(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: testPIN, Client: e.client}))
}

func TestRequestsPerIdentifierLimitedAt5PerHourPerBudget(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config, _ *Deps) { c.IPBlock.AllowList = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")} })
	e.register("inbox@example.in")
	// Recovery links (password reset, PIN reset, unlock) share one budget
	// per identifier, known or not; login codes have their own.
	var loginCode func(id string) error
	var recovery []func(id string) error
	for _, route := range requestRoutes() {
		call := func(id string) error { return route.call(e, id) }
		if route.budget == budgetRecovery {
			recovery = append(recovery, call)
		} else {
			loginCode = call
		}
	}
	require.Len(t, recovery, 3)
	for _, id := range []string{"inbox@example.in", "nobody@example.in"} {
		for i := 0; i < 5; i++ {
			require.NoError(t, loginCode(id), "login code %d", i+1)
		}
		requireKind(t, loginCode(id), KindRateLimited)
		for i := 0; i < 5; i++ {
			require.NoError(t, recovery[i%3](id), "a stranger's login codes leave recovery request %d alone", i+1)
		}
		requireKind(t, recovery[0](id), KindRateLimited)
	}
	assert.Equal(t, 10+1, e.mailsTo("inbox@example.in")) // 5 codes, 5 links, the verification link
	e.clock.Advance(time.Hour - time.Second)
	requireKind(t, recovery[0]("inbox@example.in"), KindRateLimited)
	e.clock.Advance(time.Second)
	require.NoError(t, recovery[0]("inbox@example.in"))
}

// brokenLimiter fails every check, like a down Redis.
type brokenLimiter struct{}

func TestRateLimiterFailsOpen(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(_ *Config, d *Deps) { d.Limiter = brokenLimiter{} })
	e.register("open@example.in")
	for i := 0; i < 30; i++ {
		require.NoError(t, errOf(e.login("open@example.in", testPassword)))
	}
}

func TestAMissingClientIPIsLoggedOncePerInterval(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	e := newEnv(t, logTo(logs))
	for i := 0; i < 3; i++ {
		_, _ = e.auth.Login(t.Context(), LoginInput{Identifier: "x@example.in", Password: "whatever-password"})
	}
	assert.Equal(t, 1, bytes.Count([]byte(logs.String()), []byte("without a client IP")))
	// Once the interval has passed, exactly, the next one is logged again.
	e.clock.Advance(failOpenLogEvery - time.Nanosecond)
	_, _ = e.auth.Login(t.Context(), LoginInput{Identifier: "x@example.in", Password: "whatever-password"})
	assert.Equal(t, 1, bytes.Count([]byte(logs.String()), []byte("without a client IP")))
	e.clock.Advance(time.Nanosecond)
	_, _ = e.auth.Login(t.Context(), LoginInput{Identifier: "x@example.in", Password: "whatever-password"})
	assert.Equal(t, 2, bytes.Count([]byte(logs.String()), []byte("without a client IP")))
}

// An email address and a username of one account share one inbox budget.
func TestInboxBudgetIsPerAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	u, err := e.auth.Register(ctx, RegisterInput{Email: "inbox@example.in", Username: "inboxuser", Password: testPassword,
		Consents: allGranted(), Client: e.client})
	require.NoError(t, err)
	require.NoError(t, e.store.MarkEmailVerified(ctx, u.ID, e.clock.Now()))
	for i := 0; i < 5; i++ {
		id := "inbox@example.in"
		if i%2 == 1 {
			id = "inboxuser"
		}
		require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: id, Client: e.client}))
	}
	// The 6th: answered like any request (a 429 would say the username and the
	// email are one account), and not sent. It comes from another IP, as the
	// first has spent its 5 per 5 minutes.
	e.client.IP = "192.0.2.9"
	before := e.mailsTo("inbox@example.in")
	require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: "inboxuser", Client: e.client}))
	assert.Equal(t, before, e.mailsTo("inbox@example.in"))

	// The signed-in user can still step up: step-up codes have their own budget.
	p := e.principal(e.mustLogin("inbox@example.in"))
	require.NoError(t, e.auth.RequestStepUp(ctx, p, e.client))
}

// OTP, password reset, PIN reset and unlock requests share one
// per-identifier budget: 5 OTP requests an hour by strangers (each mailing the
// owner a login code, useless while the stranger keeps the sign-in counter
// locked) refuse the owner's own unlock and reset requests.
func TestStrangersOTPRequestsDoNotRefuseTheOwnersRecoveryRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	u := e.register("victim@example.in")
	for i := 0; i < 5; i++ {
		require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: u.Email, Client: Client{IP: fmt.Sprintf("198.51.100.%d", i+1)}}))
	}
	assert.NoError(t, e.auth.RequestUnlock(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
	assert.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
}

// refusingLimiter refuses every request with the RetryAfter it was given.
type refusingLimiter struct{ retryAfter time.Duration }

func (l refusingLimiter) Allow(context.Context, string, ports.RateRule, time.Time) (ports.RateDecision, error) {
	return ports.RateDecision{RetryAfter: l.retryAfter}, nil
}

func (brokenLimiter) Allow(context.Context, string, ports.RateRule, time.Time) (ports.RateDecision, error) {
	return ports.RateDecision{}, errors.New("redis: connection refused")
}

// A refusal's Retry-After is the limiter's; a limiter that says "now" or
// less still gets a Retry-After of one second, so a client never retries in
// a tight loop.
func TestRateLimitRefusalRetryAfterIsTheLimitersAndAtLeastOneSecond(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		limiter time.Duration
		want    time.Duration
	}{
		{name: "the limiter's wait", limiter: 42 * time.Second, want: 42 * time.Second},
		{name: "under a second is kept", limiter: time.Millisecond, want: time.Millisecond},
		{name: "zero becomes one second", limiter: 0, want: time.Second},
		{name: "negative becomes one second", limiter: -time.Minute, want: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(_ *Config, d *Deps) { d.Limiter = refusingLimiter{retryAfter: tt.limiter} })
			ce := requireKind(t, e.loginIP("someone@example.in", testPassword, "192.0.2.50"), KindRateLimited)
			assert.Equal(t, tt.want, ce.RetryAfter)
		})
	}
}

// A rule whose Limit is 0 is switched off: the limiter is not asked, so even
// one that refuses everything lets the request through.
func TestRateRuleWithZeroLimitIsOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config, d *Deps) {
		d.Limiter = refusingLimiter{retryAfter: time.Minute}
		c.RateLimits.LoginPerIP = ports.RateRule{Window: time.Minute}
	})
	requireKind(t, e.loginIP("someone@example.in", testPassword, "192.0.2.51"), KindUnauthorized)
}
