package integration

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestTwentyConcurrentRefreshesOverPostgresAllGetTheSameNewToken(t *testing.T) {
	t.Parallel()
	in := newRegistered(t, "refresh@example.in")
	res := in.login(t, "refresh@example.in")
	ctx := t.Context()
	answers := make([]core.Tokens, 20)
	errs := make([]error, 20)
	porttest.Together(20, func(i int) {
		answers[i], errs[i] = in.auth.Refresh(ctx, core.RefreshInput{RefreshToken: res.RefreshToken, Client: client})
	})
	for n := range answers {
		require.NoError(t, errs[n], "refresh %d: a retry within the grace is no theft", n)
		assert.Equal(t, answers[0].RefreshToken, answers[n].RefreshToken, "refresh %d", n)
	}

	// Past the grace, the old token again is reuse: the family is revoked and
	// the new pair dies with it.
	in.clock.Advance(in.auth.Config().RefreshReuseGrace + time.Second)
	_, err := in.auth.Refresh(ctx, core.RefreshInput{RefreshToken: res.RefreshToken, Client: client})
	require.ErrorIs(t, err, core.ErrUnauthorized)
	_, err = in.auth.Refresh(ctx, core.RefreshInput{RefreshToken: answers[0].RefreshToken, Client: client})
	require.ErrorIs(t, err, core.ErrUnauthorized)
	_, err = in.auth.Authenticate(ctx, answers[0].AccessToken)
	require.ErrorIs(t, err, core.ErrUnauthorized)
}

func TestEightConcurrentOTPVerifiesOverPostgresMakeOneSession(t *testing.T) {
	t.Parallel()
	in := newRegistered(t, "otp@example.in")
	ctx := t.Context()
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
