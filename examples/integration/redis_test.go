package integration

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
)

// Two app instances (two core.Auth values, two rueidis clients) share one
// PostgreSQL and one Redis: a logout on one makes the access token fail on the
// other at once, although the other had the session hot in its local cache.
func TestLogoutOnOneInstanceFailsTheTokenOnTheOtherAtOnce(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	prefix := newPrefix()
	a := newInstance(t, db, setup{fastHashing: true, redisPrefix: prefix})
	b := newInstance(t, db, setup{fastHashing: true, redisPrefix: prefix})
	ctx := context.Background()
	a.register(t, "two@example.in")

	for _, end := range []struct {
		name string
		run  func(res core.LoginResult, p core.Principal) error
	}{
		{name: "logout", run: func(res core.LoginResult, _ core.Principal) error {
			return a.auth.Logout(ctx, core.RefreshInput{RefreshToken: res.RefreshToken, Client: client})
		}},
		{name: "logout all", run: func(_ core.LoginResult, p core.Principal) error {
			// A new device steps up before session management.
			if err := a.auth.RequestStepUp(ctx, p, client); err != nil {
				return err
			}
			if err := a.auth.VerifyStepUp(ctx, p, core.VerifyStepUpInput{Code: a.lastCode(t, "two@example.in"), Client: client}); err != nil {
				return err
			}
			return a.auth.LogoutAll(ctx, p, client)
		}},
		{name: "revoke", run: func(res core.LoginResult, p core.Principal) error {
			return a.auth.RevokeSession(ctx, p, core.RevokeSessionInput{SessionID: res.SessionID, Client: client})
		}},
	} {
		res := a.login(t, "two@example.in")
		for range 3 { // warm B's local cache
			_, err := b.auth.Authenticate(ctx, res.AccessToken)
			require.NoError(t, err, end.name)
		}
		p, err := a.auth.Authenticate(ctx, res.AccessToken)
		require.NoError(t, err)
		require.NoError(t, end.run(res, p), end.name)
		_, err = b.auth.Authenticate(ctx, res.AccessToken)
		require.ErrorIs(t, err, core.ErrUnauthorized, end.name)
	}
}
