package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	bredis "github.com/bharatauth/bharatauth-go/adapters/redis"
	"github.com/bharatauth/bharatauth-go/ports"
)

// A session and its user, once cached, are read without the store; a change
// of the user through the cache's Registry sends the next read to the store,
// which sees the change.
func TestSessionUserIsServedFromTheCacheUntilTheUserChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inner := &countingSessions{Store: memory.New()}
	users, err := bredis.NewSessionUserCache(newSessionCache(t, inner), inner)
	require.NoError(t, err)
	u, err := inner.CreateUser(ctx, ports.NewUser{Email: "asha@example.in", PasswordHash: "$argon2id$stub", CreatedAt: time.Now()})
	require.NoError(t, err)
	s := newTestSession(u.ID, time.Now())
	require.NoError(t, users.CreateSession(ctx, s))

	read := func() ports.User {
		t.Helper()
		got, gotU, err := users.SessionUser(ctx, s.ID)
		require.NoError(t, err)
		assert.Equal(t, s.ID, got.ID)
		return gotU
	}
	assert.Equal(t, u.ID, read().ID)
	assert.Equal(t, int64(1), inner.reads.Load(), "the first read fills the cache")
	for range 3 {
		assert.Equal(t, "asha@example.in", read().Email)
	}
	assert.Equal(t, int64(1), inner.reads.Load(), "cached: no store reads")

	require.NoError(t, users.Registry(inner).SetSuspended(ctx, u.ID, true))
	assert.True(t, read().Suspended, "the change shows at once")
	assert.Equal(t, int64(2), inner.reads.Load())
}

func TestNewSessionUserCacheRefusesNil(t *testing.T) {
	t.Parallel()
	inner := memory.New()
	_, err := bredis.NewSessionUserCache(nil, inner)
	assert.Error(t, err)
	_, err = bredis.NewSessionUserCache(newSessionCache(t, inner), nil)
	assert.Error(t, err)
}
