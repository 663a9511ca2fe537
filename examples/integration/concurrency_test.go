package integration

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
)

// together runs f n times at once, released by one channel close.
func together(n int, f func()) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			f()
		})
	}
	close(start)
	wg.Wait()
}

func TestTwentyConcurrentRefreshesOverPostgresAllGetTheSameNewToken(t *testing.T) {
	t.Parallel()
	in := newInstance(t, newDB(t), setup{fastHashing: true})
	in.register(t, "refresh@example.in")
	res := in.login(t, "refresh@example.in")
	ctx := context.Background()
	answers := make([]core.Tokens, 20)
	errs := make([]error, 20)
	var i atomic.Int32
	together(20, func() {
		n := i.Add(1) - 1
		answers[n], errs[n] = in.auth.Refresh(ctx, core.RefreshInput{RefreshToken: res.RefreshToken, Client: client})
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
	in := newInstance(t, newDB(t), setup{fastHashing: true})
	in.register(t, "otp@example.in")
	ctx := context.Background()
	require.NoError(t, in.auth.RequestOTP(ctx, core.RequestOTPInput{Identifier: "otp@example.in", Client: client}))
	code := in.lastCode(t, "otp@example.in")
	var wins atomic.Int32
	together(8, func() {
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
