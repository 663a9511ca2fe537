package core

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestRefreshRotatesAndReuseRevokesTheFamily(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "fam@example.in")
	res := e.mustLogin("fam@example.in")
	ctx := t.Context()

	next, err := e.auth.Refresh(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})
	require.NoError(t, err)
	assert.NotEqual(t, res.RefreshToken, next.RefreshToken)
	assert.Equal(t, "bearer", next.TokenType)
	assert.Equal(t, 15*60, next.ExpiresIn)

	e.clock.Advance(10 * time.Second)
	retry, err := e.auth.Refresh(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})
	require.NoError(t, err, "within RefreshReuseGrace (10 s) a second use is a retry")
	assert.Equal(t, next.RefreshToken, retry.RefreshToken, "a retry gets the same new refresh token")

	e.clock.Advance(time.Microsecond)
	_, err = e.auth.Refresh(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client}) // the thief replays the old one
	assert.Equal(t, codeRefreshReused, requireKind(t, err, KindUnauthorized).Code)
	requireKind(t, errOf(e.auth.Refresh(ctx, RefreshInput{RefreshToken: next.RefreshToken, Client: e.client})), KindUnauthorized) // the whole family is gone
	requireKind(t, errOf(e.auth.Authenticate(ctx, next.AccessToken)), KindUnauthorized)

	events := inStore(e, e.store.Events, res.User.ID)
	var kinds []string
	for _, ev := range events {
		kinds = append(kinds, ev.Kind)
	}
	assert.Contains(t, kinds, ports.EventRefreshTokenReused, "the owner's audit log shows the reuse")
}

func TestConcurrentRefreshesWithOneTokenAllGetTheSameNewToken(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "conc@example.in")
	res := e.mustLogin("conc@example.in")
	answers := make([]Tokens, 20)
	errs := make([]error, 20)
	porttest.Together(20, func(i int) {
		answers[i], errs[i] = e.auth.Refresh(t.Context(), RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})
	})
	for i := range answers {
		require.NoError(t, errs[i], "refresh %d", i)
		assert.Equal(t, answers[0].RefreshToken, answers[i].RefreshToken, "refresh %d", i)
	}
	require.NoError(t, errOf(e.auth.Authenticate(t.Context(), answers[19].AccessToken)), "the session lives on")
}

func TestWithNoReuseGraceConcurrentRefreshesHaveOneWinner(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "strict@example.in", func(c *Config, _ *Deps) { c.RefreshReuseGrace = 0 })
	res := e.mustLogin("strict@example.in")
	var wins atomic.Int32
	porttest.Together(20, func(int) {
		if _, err := e.auth.Refresh(t.Context(), RefreshInput{RefreshToken: res.RefreshToken, Client: e.client}); err == nil {
			wins.Add(1)
		}
	})
	assert.Equal(t, int32(1), wins.Load())
}

func TestMalformedRefreshTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	for _, tok := range []string{"", "short", "'; DROP TABLE ba_sessions; --", string(make([]byte, 43)), newToken()} {
		requireKind(t, errOf(e.auth.Refresh(t.Context(), RefreshInput{RefreshToken: tok, Client: e.client})), KindUnauthorized)
		require.NoError(t, e.auth.Logout(t.Context(), RefreshInput{RefreshToken: tok, Client: e.client}), "logout answers the same for any token")
	}
}

func TestLogoutRecordsAnEvent(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "bye@example.in")
	ctx := t.Context()
	res := e.mustLogin(u.Email)
	require.NoError(t, e.auth.Logout(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client}))

	events := inStore(e, e.store.Events, u.ID)
	last := events[len(events)-1]
	assert.Equal(t, ports.EventSessionRevoked, last.Kind)
	assert.Equal(t, res.SessionID, last.Detail)
	assert.Equal(t, testIP, last.IPAddress)
	assert.Equal(t, testUA, last.UserAgent)

	// A second logout, or an unknown token, answers the same and records nothing.
	n := len(events)
	require.NoError(t, e.auth.Logout(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client}))
	require.NoError(t, e.auth.Logout(ctx, RefreshInput{RefreshToken: newToken(), Client: e.client}))
	require.NoError(t, e.auth.Logout(ctx, RefreshInput{RefreshToken: "garbage", Client: e.client}))
	events = inStore(e, e.store.Events, u.ID)
	assert.Len(t, events, n)
}

// flakyDirectory fails UserByID while down is set, like a store blip.
type flakyDirectory struct {
	ports.UserDirectory
	down *bool
}

func (d flakyDirectory) UserByID(ctx context.Context, id string) (ports.User, error) {
	if *d.down {
		return ports.User{}, fmt.Errorf("lookup: %w", ports.ErrUnavailable)
	}
	return d.UserDirectory.UserByID(ctx, id)
}

// Once the refresh token is rotated, a blip in the user lookup must not lose
// the new pair: the client's retry with the old token would look like theft.
func TestRefreshSurvivesAUserLookupBlipAfterRotation(t *testing.T) {
	t.Parallel()
	down := false
	e := newEnv(t, withoutLimiter(), func(_ *Config, d *Deps) {
		d.Users, d.Registry = flakyDirectory{d.Storage, &down}, d.Storage.(ports.UserRegistry)
	})
	e.register("blip@example.in")
	res := e.mustLogin("blip@example.in")
	down = true
	next, err := e.auth.Refresh(t.Context(), RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})
	require.NoError(t, err)
	down = false
	require.NoError(t, errOf(e.auth.Refresh(t.Context(), RefreshInput{RefreshToken: next.RefreshToken, Client: e.client})))
}

// The refresh token is rotated before the user is looked up, so a failed
// lookup must not refuse the client (its retry with the old token would look
// like theft): the tokens are issued and the failure is logged.
func TestRefreshIssuesTokensWhenTheUserLookupFails(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	logs := &logBuffer{}
	e, f := newFaultyEnv(t, logTo(logs))
	s := signedIn(t, e)
	tokens, err := e.auth.Refresh(ctx, RefreshInput{RefreshToken: s.res.RefreshToken, Client: e.client})
	require.NoError(t, err)
	assert.NotContains(t, logs.String(), "user lookup during refresh failed", "a lookup that worked logs nothing")

	f.failOn("UserByID", errDown)
	require.NoError(t, errOf(e.auth.Refresh(ctx, RefreshInput{RefreshToken: tokens.RefreshToken, Client: e.client})))
	assert.Equal(t, 1, f.firedCount())
	assert.Contains(t, logs.String(), "user lookup during refresh failed")
}

func TestRefreshKeepsTheSessionsEndAndDevice(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "end@example.in")
	ctx := t.Context()
	for _, public := range []bool{false, true} {
		res, err := e.loginFrom("end@example.in", testPassword, "", public)
		require.NoError(t, err)
		e.clock.Advance(time.Hour)
		next, err := e.auth.Refresh(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})
		require.NoError(t, err)
		assert.Equal(t, res.SessionExpiresAt, next.SessionExpiresAt, "rotation keeps the original expiry")
		assert.Equal(t, public, next.IsPublicDevice)
		assert.True(t, next.SessionExpiresAt.After(e.now()))
	}
}

// An app's Config.Claims hook that fails during a refresh must not use the
// refresh token up: the client never saw the new one, and its retry after
// RefreshReuseGrace (10 s) would otherwise present a rotated-away token and
// end the session as a theft. Claims is asked while the token still works.
func TestAFailingClaimsHookLeavesTheRefreshTokenUsable(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var down atomic.Bool
	e := newEnv(t, withoutLimiter(), func(c *Config, _ *Deps) {
		c.Claims = func(context.Context, ClaimsInput) (map[string]any, error) {
			if down.Load() {
				return nil, errors.New("roles db down")
			}
			return map[string]any{"tenant": "asha-shop"}, nil
		}
	})
	e.register("claims@example.in")
	res := e.mustLogin("claims@example.in")

	down.Store(true)
	_, err := e.auth.Refresh(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})
	assert.ErrorContains(t, requireKind(t, err, KindInternal), "roles db down")
	e.clock.Advance(e.auth.Config().RefreshReuseGrace + 20*time.Second)
	_, err = e.auth.Refresh(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})
	requireKind(t, err, KindInternal) // still down: still nothing used up

	down.Store(false)
	e.clock.Advance(30 * time.Second)
	next, err := e.auth.Refresh(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})
	require.NoError(t, err, "the retry, 30 s later, is a plain refresh")
	assert.Equal(t, "asha-shop", tokenClaims(t, next.AccessToken)["tenant"])
	require.NoError(t, errOf(e.auth.Authenticate(ctx, next.AccessToken)), "the session lives on")

	events := inStore(e, e.store.Events, res.User.ID)
	for _, ev := range events {
		assert.NotEqual(t, ports.EventRefreshTokenReused, ev.Kind, "no theft was recorded")
	}
	// Reuse detection is unchanged with a hook: the old token, now rotated
	// away, ends the family.
	e.clock.Advance(time.Minute)
	_, err = e.auth.Refresh(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})
	assert.Equal(t, codeRefreshReused, requireKind(t, err, KindUnauthorized).Code)
}

// The session read that precedes the rotation (with a Claims hook) is a
// store call like the rotation: when it fails, the refresh answers 503 and
// the token is not used up.
func TestRefreshWithClaimsSurvivesAFailedSessionRead(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e, f := newFaultyEnv(t, func(c *Config, _ *Deps) {
		c.Claims = func(context.Context, ClaimsInput) (map[string]any, error) { return map[string]any{"tenant": "x"}, nil }
	})
	s := signedIn(t, e)
	f.failOn("SessionByRefresh", errDown)
	requireKind(t, errOf(e.auth.Refresh(ctx, RefreshInput{RefreshToken: s.res.RefreshToken, Client: e.client})), KindUnavailable)
	assert.Equal(t, 1, f.firedCount())
	f.failOn("", nil)
	e.clock.Advance(time.Minute)
	require.NoError(t, errOf(e.auth.Refresh(ctx, RefreshInput{RefreshToken: s.res.RefreshToken, Client: e.client})))
}
