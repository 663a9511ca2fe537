package integration

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
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
	ctx := t.Context()
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

// Two instances share the Redis user cache: a change of the user made through
// one shows in the other's GET /me at once, although the other had the user
// cached, and that /me still reads nothing from PostgreSQL.
func TestUserChangesShowOnEveryInstanceAtOnce(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	stmts := &statementLog{}
	db.AddQueryHook(stmts)
	prefix := newPrefix()
	a := newInstance(t, db, setup{fastHashing: true, redisPrefix: prefix})
	b := newInstance(t, db, setup{fastHashing: true, redisPrefix: prefix})
	ctx := t.Context()
	a.register(t, "change@example.in")
	p := a.trustedPrincipal(t, "change@example.in")
	bp := b.principal(t, b.login(t, "change@example.in"))
	meOnB := func() ports.User {
		t.Helper()
		u, err := b.auth.Me(ctx, bp)
		require.NoError(t, err)
		return u
	}
	meOnB() // cached now
	stmts.take()
	require.Equal(t, "change@example.in", meOnB().Email)
	require.Empty(t, stmts.take(), "a cached /me reads nothing from PostgreSQL")

	name := "Asha R"
	_, err := a.auth.UpdateProfile(ctx, p, core.ProfileInput{DisplayName: &name, Client: client})
	require.NoError(t, err)
	assert.Equal(t, name, meOnB().DisplayName, "the profile change")

	require.NoError(t, a.auth.RequestStepUp(ctx, p, client))
	require.NoError(t, a.auth.VerifyStepUp(ctx, p, core.VerifyStepUpInput{Code: a.lastCode(t, "change@example.in"), Client: client}))
	require.NoError(t, a.auth.RequestEmailChange(ctx, p, core.EmailChangeInput{NewEmail: "moved@example.in", Client: client}))
	m, ok := a.outbox.Last("moved@example.in")
	require.True(t, ok, "no link to the new address")
	link := tokenRE.FindStringSubmatch(m.Text)
	require.Len(t, link, 2)
	require.NoError(t, a.auth.ConfirmEmailChange(ctx, core.LinkInput{Token: link[1], Client: client}))
	assert.Equal(t, "moved@example.in", meOnB().Email, "the email change")
}
