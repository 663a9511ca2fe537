package core

import (
	"context"
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
	_, err = e.auth.Refresh(ctx, RefreshInput{RefreshToken: next.RefreshToken, Client: e.client}) // the whole family is gone
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

func TestConcurrentRefreshesWithOneTokenAllGetTheSameNewToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	e.register("conc@example.in")
	res := e.mustLogin("conc@example.in")
	answers := make([]Tokens, 20)
	errs := make([]error, 20)
	parallel(20, func(i int) {
		answers[i], errs[i] = e.auth.Refresh(context.Background(), RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})
	})
	for i := range answers {
		require.NoError(t, errs[i], "refresh %d", i)
		assert.Equal(t, answers[0].RefreshToken, answers[i].RefreshToken, "refresh %d", i)
	}
	_, err := e.auth.Authenticate(context.Background(), answers[19].AccessToken)
	require.NoError(t, err, "the session lives on")
}

func TestWithNoReuseGraceConcurrentRefreshesHaveOneWinner(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter(), func(c *Config, _ *Deps) { c.RefreshReuseGrace = 0 })
	e.register("strict@example.in")
	res := e.mustLogin("strict@example.in")
	var wins atomic.Int32
	parallel(20, func(int) {
		if _, err := e.auth.Refresh(context.Background(), RefreshInput{RefreshToken: res.RefreshToken, Client: e.client}); err == nil {
			wins.Add(1)
		}
	})
	assert.Equal(t, int32(1), wins.Load())
}

func TestMalformedRefreshTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	for _, tok := range []string{"", "short", "'; DROP TABLE ba_sessions; --", string(make([]byte, 43)), newToken()} {
		_, err := e.auth.Refresh(context.Background(), RefreshInput{RefreshToken: tok, Client: e.client})
		requireKind(t, err, KindUnauthorized)
		require.NoError(t, e.auth.Logout(context.Background(), RefreshInput{RefreshToken: tok, Client: e.client}), "logout answers the same for any token")
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
			require.NoError(t, e.auth.Logout(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client}))
		}},
		{name: "logout all", end: func(e *env, res LoginResult) {
			p := e.principal(res)
			e.stepUp(p, res.User.Email)
			require.NoError(t, e.auth.LogoutAll(ctx, p, e.client))
		}},
		{name: "revoke session", end: func(e *env, res LoginResult) {
			other := e.principal(e.mustLogin(res.User.Email))
			e.stepUp(other, res.User.Email)
			require.NoError(t, e.auth.RevokeSession(ctx, other, RevokeSessionInput{SessionID: res.SessionID, Client: e.client}))
		}},
		{name: "password reset", end: func(e *env, res LoginResult) {
			require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: res.User.Email, Client: e.client}))
			require.NoError(t, errOf(e.auth.ConfirmPasswordReset(ctx, ConfirmPasswordResetInput{Token: e.lastToken(res.User.Email), NewPassword: "another fine passphrase", Client: e.client})))
		}},
		{name: "suspension", end: func(e *env, res LoginResult) {
			require.NoError(t, e.auth.Admin().Suspend(ctx, res.User.ID))
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
