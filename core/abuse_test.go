package core

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func (e *env) loginIP(identifier, password, ip string) error {
	_, err := e.auth.Login(context.Background(), LoginInput{Identifier: identifier, Password: password,
		Client: Client{IP: ip, UserAgent: testUA}})
	return err
}

func TestIPBlockedAtTheThirdDistinctIdentifierFor24Hours(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.register("one@example.in")
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

func TestIPFailuresOlderThan24HoursDoNotCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	const ip = "198.51.100.20"
	requireKind(t, e.loginIP("a@example.in", "wrong-password", ip), KindUnauthorized)
	requireKind(t, e.loginIP("b@example.in", "wrong-password", ip), KindUnauthorized)
	e.clock.Advance(24*time.Hour + time.Second)
	requireKind(t, e.loginIP("c@example.in", "wrong-password", ip), KindUnauthorized)
}

func TestIPBlockCountsOTPVerifyFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	const ip = "198.51.100.30"
	c := Client{IP: ip}
	for i, id := range []string{"x@example.in", "y@example.in", "z@example.in"} {
		_, err := e.auth.VerifyOTP(context.Background(), OTPVerifyInput{Identifier: id, Code: "123456", Client: c})
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

func TestIPKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{name: "ipv4", in: "203.0.113.7", want: "203.0.113.7"},
		{name: "mapped ipv4", in: "::ffff:203.0.113.7", want: "203.0.113.7"},
		{name: "ipv6 /64", in: "2001:db8::1", want: "2001:db8::/64"},
		{name: "zone dropped", in: "fe80::1%eth0", want: "fe80::/64"},
		{name: "garbage", in: "not an ip", want: ""},
		{name: "empty", in: "", want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, ipKey(tc.in))
		})
	}
}

func TestRateLimitsPerIP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
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
			return e.auth.RequestOTP(ctx, OTPRequest{Identifier: distinct(i), Client: e.client})
		}},
		{name: "otp verify 20 per 15 minutes", limit: 20, window: 15 * time.Minute, call: func(e *env, i int) error {
			_, err := e.auth.VerifyOTP(ctx, OTPVerifyInput{Identifier: "same@example.in", Code: "123456", Client: e.client})
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
			e.clock.Advance(tc.window)
			assert.NotEqual(t, KindRateLimited, KindOf(tc.call(e, tc.limit+1)))
		})
	}
}

func distinct(i int) string {
	return "user" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@example.in"
}

func TestPINVerifyLimitedAt15Per10Minutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.register("pinrl@example.in")
	p := e.principal(e.knownDeviceLogin("pinrl@example.in"))
	ctx := context.Background()
	require.NoError(t, e.auth.SetPIN(ctx, p, SetPINInput{PIN: testPIN, Client: e.client}))
	for i := 0; i < 15; i++ {
		require.NoError(t, e.auth.VerifyPIN(ctx, p, testPIN, e.client), "verify %d", i+1)
	}
	ce := requireKind(t, e.auth.VerifyPIN(ctx, p, testPIN, e.client), KindRateLimited)
	assert.LessOrEqual(t, ce.RetryAfter, 10*time.Minute)
	e.clock.Advance(10 * time.Minute)
	require.NoError(t, e.auth.VerifyPIN(ctx, p, testPIN, e.client))
}

func TestRequestsPerIdentifierLimitedAt5PerHour(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config, _ *Deps) { c.IPBlock.AllowList = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")} })
	e.register("inbox@example.in")
	ctx := context.Background()
	// One bucket for every emailing request to an identifier, known or not.
	requests := []func(id string) error{
		func(id string) error { return e.auth.RequestPasswordReset(ctx, id, e.client) },
		func(id string) error { return e.auth.RequestPINReset(ctx, id, e.client) },
		func(id string) error { return e.auth.RequestUnlock(ctx, id, e.client) },
		func(id string) error { return e.auth.RequestOTP(ctx, OTPRequest{Identifier: id, Client: e.client}) },
		func(id string) error { return e.auth.RequestPasswordReset(ctx, id, e.client) },
	}
	for _, id := range []string{"inbox@example.in", "nobody@example.in"} {
		for _, request := range requests {
			require.NoError(t, request(id))
		}
		requireKind(t, e.auth.RequestPINReset(ctx, id, e.client), KindRateLimited)
	}
	assert.Equal(t, 5+1, e.mailsTo("inbox@example.in")) // 5 requests + the verification link
	e.clock.Advance(time.Hour)
	require.NoError(t, e.auth.RequestPasswordReset(ctx, "inbox@example.in", e.client))
}

// brokenLimiter fails every check, like a down Redis.
type brokenLimiter struct{}

func (brokenLimiter) Allow(context.Context, string, ports.RateRule, time.Time) (ports.RateDecision, error) {
	return ports.RateDecision{}, errors.New("redis: connection refused")
}

func TestRateLimiterFailsOpen(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(_ *Config, d *Deps) { d.Limiter = brokenLimiter{} })
	e.register("open@example.in")
	for i := 0; i < 30; i++ {
		_, err := e.login("open@example.in", testPassword)
		require.NoError(t, err)
	}
}

// refusingLimiter refuses every request with the RetryAfter it was given.
type refusingLimiter struct{ retryAfter time.Duration }

func (l refusingLimiter) Allow(context.Context, string, ports.RateRule, time.Time) (ports.RateDecision, error) {
	return ports.RateDecision{RetryAfter: l.retryAfter}, nil
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
