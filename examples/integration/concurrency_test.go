package integration

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestTwentyConcurrentRefreshesOverPostgresExactlyOneWins(t *testing.T) {
	t.Parallel()
	in := newInstance(t, newDB(t), setup{fastHashing: true})
	in.register(t, "refresh@example.in")
	res := in.login(t, "refresh@example.in")
	var wins atomic.Int32
	var winner atomic.Value
	porttest.Together(20, func(int) {
		tokens, err := in.auth.Refresh(context.Background(), core.RefreshInput{RefreshToken: res.RefreshToken, Client: client})
		if err == nil {
			wins.Add(1)
			winner.Store(tokens)
		}
	})
	require.Equal(t, int32(1), wins.Load())

	// A later reuse of the old token revokes the family: the winner's tokens die too.
	_, err := in.auth.Refresh(context.Background(), core.RefreshInput{RefreshToken: res.RefreshToken, Client: client})
	require.ErrorIs(t, err, core.ErrUnauthorized)
	_, err = in.auth.Refresh(context.Background(), core.RefreshInput{RefreshToken: winner.Load().(core.Tokens).RefreshToken, Client: client})
	require.ErrorIs(t, err, core.ErrUnauthorized)
	_, err = in.auth.Authenticate(context.Background(), winner.Load().(core.Tokens).AccessToken)
	require.ErrorIs(t, err, core.ErrUnauthorized)
}

func TestEightConcurrentOTPVerifiesOverPostgresMakeOneSession(t *testing.T) {
	t.Parallel()
	in := newInstance(t, newDB(t), setup{fastHashing: true})
	in.register(t, "otp@example.in")
	ctx := context.Background()
	require.NoError(t, in.auth.RequestOTP(ctx, core.RequestOTPInput{Identifier: "otp@example.in", Client: client}))
	code := in.lastCode(t, "otp@example.in")
	var wins atomic.Int32
	porttest.Together(8, func(int) {
		if _, err := in.auth.VerifyOTP(ctx, core.VerifyOTPInput{Identifier: "otp@example.in", Code: code, Client: client}); err == nil {
			wins.Add(1)
		}
	})
	assert.Equal(t, int32(1), wins.Load())
	u, err := in.store.UserByEmail(ctx, "otp@example.in")
	require.NoError(t, err)
	sessions, err := in.store.Sessions(ctx, u.ID)
	require.NoError(t, err)
	assert.Len(t, sessions, 1, "exactly one session")
}
