package core

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Tests of the four enumeration-safe request routes: OTP, password reset, PIN
// reset and unlock requests.

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
			ctx := t.Context()
			_, err := e.auth.Register(ctx, RegisterInput{Email: "known@example.in", Username: "known", Password: testPassword,
				Consents: allGranted(), Client: e.client})
			require.NoError(t, err)
			suspended := e.register("suspended@example.in")
			require.NoError(t, e.store.SetSuspended(ctx, suspended.ID, true))
			e.drain()
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
			e.drain()
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

func TestMailOutageNeverChangesAnEnumerationSafeAnswer(t *testing.T) {
	t.Parallel()
	for _, route := range requestRoutes() {
		t.Run(route.name, func(t *testing.T) {
			t.Parallel()
			e, u := newUserEnv(t, "outage@example.in")
			e.outbox.FailWith(fmt.Errorf("smtp: dial: %w", ports.ErrUnavailable))

			known := route.call(e, u.Email)
			unknown := route.call(e, "nobody@example.in")
			require.NoError(t, known)
			require.NoError(t, unknown)
			assert.Equal(t, 1, e.outbox.Len(), "only the registration email was delivered")
			assert.Len(t, e.store.QueuedMail(), 1, "the email waits for a retry")
			assert.Empty(t, e.mailFailures(u.ID), "nothing is given up yet")

			e.outbox.FailWith(nil)
			e.clock.Advance(mailRetryFirst)
			e.deliverDue()
			assert.Equal(t, 2, e.mailsTo(u.Email), "delivery resumes with the retry")
			assert.Empty(t, e.store.QueuedMail())
		})
	}
}

func TestResetAndUnlockLinksLast30Minutes(t *testing.T) {
	t.Parallel()
	for _, route := range requestRoutes() {
		if route.confirm == nil {
			continue
		}
		for _, wait := range []int{29, 30} {
			t.Run(fmt.Sprintf("%s/%dm", route.name, wait), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t)
				u := e.register("links@example.in")
				require.NoError(t, route.call(e, u.Email))
				e.clock.Advance(time.Duration(wait) * time.Minute)
				err := route.confirm(e, e.lastToken(u.Email))
				if wait < 30 {
					require.NoError(t, err)
				} else {
					requireKind(t, err, KindTokenExpired)
				}
			})
		}
	}
}

// A code or link that cannot be stored is answered like an unknown identifier:
// during a partial outage the answer must still not tell accounts apart.
func TestIssueFailureKeepsRequestsEnumerationSafe(t *testing.T) {
	t.Parallel()
	for _, route := range requestRoutes() {
		t.Run(route.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			u := e.register("partial@example.in")
			before := e.mailsTo(u.Email)
			e.auth.deps.Tokens = failingIssue{e.store}
			require.NoError(t, route.call(e, u.Email))
			require.NoError(t, route.call(e, "nobody@example.in"))
			assert.Equal(t, before, e.mailsTo(u.Email), "no email with a token that was never stored")
		})
	}
}

type failingIssue struct{ ports.OneTimeTokenRepo }

func (failingIssue) IssueToken(context.Context, ports.OneTimeToken) error {
	return fmt.Errorf("issue: %w", ports.ErrUnavailable)
}
