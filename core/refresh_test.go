package core

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestRefreshRotatesAndReuseRevokesTheFamily(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.register("fam@example.in")
	res := e.mustLogin("fam@example.in")
	ctx := context.Background()

	next, err := e.auth.Refresh(ctx, res.RefreshToken, e.client)
	require.NoError(t, err)
	assert.NotEqual(t, res.RefreshToken, next.RefreshToken)
	assert.Equal(t, "bearer", next.TokenType)
	assert.Equal(t, 15*60, next.ExpiresIn)

	_, err = e.auth.Refresh(ctx, res.RefreshToken, e.client) // the thief replays the old one
	assert.Equal(t, codeRefreshReused, requireKind(t, err, KindUnauthorized).Code)
	_, err = e.auth.Refresh(ctx, next.RefreshToken, e.client) // the whole family is gone
	requireKind(t, err, KindUnauthorized)
	_, err = e.auth.Authenticate(ctx, next.AccessToken)
	requireKind(t, err, KindUnauthorized)

	events, err := e.store.Events(ctx, res.User.ID)
	require.NoError(t, err)
	var kinds []string
	for _, ev := range events {
		kinds = append(kinds, ev.Kind)
	}
	assert.Contains(t, kinds, ports.EventRefreshTokenReused, "the owner's audit log shows the reuse")
}

func TestConcurrentRefreshesWithOneTokenExactlyOneWins(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.register("conc@example.in")
	res := e.mustLogin("conc@example.in")
	var wins atomic.Int32
	parallel(20, func(int) {
		if _, err := e.auth.Refresh(context.Background(), res.RefreshToken, e.client); err == nil {
			wins.Add(1)
		}
	})
	assert.Equal(t, int32(1), wins.Load())
}

func TestMalformedRefreshTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	for _, tok := range []string{"", "short", "'; DROP TABLE ba_sessions; --", string(make([]byte, 43)), newToken()} {
		_, err := e.auth.Refresh(context.Background(), tok, e.client)
		requireKind(t, err, KindUnauthorized)
		require.NoError(t, e.auth.Logout(context.Background(), tok, e.client), "logout answers the same for any token")
	}
}

func TestAccessTokensOfEndedSessionsFailAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		end  func(e *env, res LoginResult)
	}{
		{name: "logout", end: func(e *env, res LoginResult) {
			require.NoError(t, e.auth.Logout(ctx, res.RefreshToken, e.client))
		}},
		{name: "logout all", end: func(e *env, res LoginResult) {
			require.NoError(t, e.auth.LogoutAll(ctx, e.principal(res), e.client))
		}},
		{name: "revoke session", end: func(e *env, res LoginResult) {
			other := e.mustLogin(res.User.Email)
			require.NoError(t, e.auth.RevokeSession(ctx, e.principal(other), res.SessionID, e.client))
		}},
		{name: "password reset", end: func(e *env, res LoginResult) {
			require.NoError(t, e.auth.RequestPasswordReset(ctx, res.User.Email, e.client))
			require.NoError(t, e.auth.ConfirmPasswordReset(ctx, e.lastToken(res.User.Email), "another fine passphrase", e.client))
		}},
		{name: "suspension", end: func(e *env, res LoginResult) {
			require.NoError(t, e.auth.Suspend(ctx, res.User.ID))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withoutLimiter())
			e.register("end@example.in")
			res := e.mustLogin("end@example.in")
			e.principal(res)
			tc.end(e, res)
			_, err := e.auth.Authenticate(ctx, res.AccessToken)
			assert.Equal(t, codeInvalidToken, requireKind(t, err, KindUnauthorized).Code)
		})
	}
}

func TestAccessTokenExpiresAfter15Minutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.register("ttl@example.in")
	res := e.mustLogin("ttl@example.in")
	e.clock.Advance(15*time.Minute - time.Second)
	e.principal(res)
	e.clock.Advance(time.Second)
	_, err := e.auth.Authenticate(context.Background(), res.AccessToken)
	requireKind(t, err, KindTokenExpired)
}

func TestAuthenticateRejectsGarbage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	for _, tok := range []string{"", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "\xff\xfe"} {
		_, err := e.auth.Authenticate(context.Background(), tok)
		requireKind(t, err, KindUnauthorized)
	}
}

func TestSessionsListAndRevokeOnlyYourOwn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.register("me@example.in")
	e.register("you@example.in")
	ctx := context.Background()
	mine := e.mustLogin("me@example.in")
	e.clock.Advance(time.Minute)
	current := e.mustLogin("me@example.in")
	yours := e.mustLogin("you@example.in")
	p := e.principal(current)

	list, err := e.auth.Sessions(ctx, p)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, current.SessionID, list[0].ID, "newest first")
	assert.True(t, list[0].Current)
	assert.False(t, list[1].Current)
	assert.Equal(t, testUA, list[0].DeviceInfo)
	assert.Equal(t, testIP, list[0].IPAddress)

	requireKind(t, e.auth.RevokeSession(ctx, p, yours.SessionID, e.client), KindNotFound)
	requireKind(t, e.auth.RevokeSession(ctx, p, "ses_nope", e.client), KindNotFound)
	requireKind(t, e.auth.RevokeSession(ctx, p, "ses_\x00", e.client), KindNotFound)
	requireKind(t, e.auth.RevokeSession(ctx, p, strings.Repeat("s", 129), e.client), KindNotFound)
	e.principal(yours)
	require.NoError(t, e.auth.RevokeSession(ctx, p, mine.SessionID, e.client))
	list, err = e.auth.Sessions(ctx, p)
	require.NoError(t, err)
	assert.Len(t, list, 1)
}

// The refresh token is rotated before the user is looked up, so a failed
// lookup must not refuse the client (its retry with the old token would look
// like theft): the tokens are issued and the failure is logged.
func TestRefreshIssuesTokensWhenTheUserLookupFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	logs := &logBuffer{}
	e, f := newFaultyEnv(t, func(c *Config, _ *Deps) { c.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
	s := signedIn(t, e)
	tokens, err := e.auth.Refresh(ctx, s.res.RefreshToken, e.client)
	require.NoError(t, err)
	assert.NotContains(t, logs.String(), "user lookup during refresh failed", "a lookup that worked logs nothing")

	f.failOn("UserByID", errDown)
	_, err = e.auth.Refresh(ctx, tokens.RefreshToken, e.client)
	require.NoError(t, err)
	assert.Equal(t, 1, f.firedCount())
	assert.Contains(t, logs.String(), "user lookup during refresh failed")
}
