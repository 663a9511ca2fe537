package redis_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	bredis "github.com/bharatauth/bharatauth-go/adapters/redis"
	"github.com/bharatauth/bharatauth-go/ports"
)

func TestNewIPBlockCacheValidates(t *testing.T) {
	t.Parallel()
	var inner ports.AbuseGuard = memory.New()
	testCacheValidates(t, inner, bredis.NewIPBlockCache, []newCase[bredis.IPBlockOptions]{
		{name: "negative local TTL", args: bredis.IPBlockOptions{LocalTTL: -time.Second}, wantErr: true},
		{name: "negative timeout", args: bredis.IPBlockOptions{Timeout: -time.Second}, wantErr: true},
		{name: "bad prefix", args: bredis.IPBlockOptions{Prefix: "ip b"}, wantErr: true},
	})
}

// TestIPBlockCache runs two app instances (two clients, two caches) over one
// inner guard and one Redis.
func TestIPBlockCache(t *testing.T) {
	t.Parallel()
	c1, c2 := newClient(t), newClient(t)
	p := prefix(t, c1)
	inner := &countingGuard{Store: memory.New()}
	a, err := bredis.NewIPBlockCache(inner, c1, bredis.IPBlockOptions{Prefix: p})
	require.NoError(t, err)
	b, err := bredis.NewIPBlockCache(inner, c2, bredis.IPBlockOptions{Prefix: p})
	require.NoError(t, err)
	ctx, now := t.Context(), time.Now().UTC()

	t.Run("a block recorded through one instance is cached in Redis", func(t *testing.T) {
		var until time.Time
		for i, id := range []string{"a@example.in", "b@example.in", "c@example.in"} {
			until, err = a.RecordIPFailure(ctx, "198.51.100.7", id, now.Add(time.Duration(i)*time.Second), ipPolicy)
			require.NoError(t, err)
		}
		require.False(t, until.IsZero(), "the third distinct identifier blocks the IP")
		ttl, err := c1.Do(ctx, c1.B().Pttl().Key(p+"198.51.100.7").Build()).AsInt64()
		require.NoError(t, err)
		assert.InDelta(t, ipPolicy.BlockFor.Milliseconds(), ttl, float64(5*time.Second/time.Millisecond),
			"the cached block lives as long as the block")

		before := inner.checks.Load()
		for _, g := range []*bredis.IPBlockCache{a, b, a, b} {
			got, err := g.IPBlockedUntil(ctx, "198.51.100.7", now.Add(time.Minute))
			require.NoError(t, err)
			assert.True(t, until.Equal(got), "got %v, want %v", got, until)
		}
		assert.Equal(t, before, inner.checks.Load(), "blocked IPs are answered without the store")
	})

	t.Run("an IP without a block is always checked with the store", func(t *testing.T) {
		before := inner.checks.Load()
		for range 3 {
			got, err := b.IPBlockedUntil(ctx, "198.51.100.8", now)
			require.NoError(t, err)
			assert.True(t, got.IsZero())
		}
		assert.Equal(t, before+3, inner.checks.Load())
	})

	t.Run("a block the store knows but the cache does not is found and cached", func(t *testing.T) {
		var until time.Time
		for _, id := range []string{"x", "y", "z"} {
			until, err = inner.RecordIPFailure(ctx, "2001:db8:1:2::", id, now, ipPolicy) // bypasses the cache
			require.NoError(t, err)
		}
		got, err := b.IPBlockedUntil(ctx, "2001:db8:1:2::", now)
		require.NoError(t, err)
		assert.True(t, until.Equal(got))
		before := inner.checks.Load()
		got, err = a.IPBlockedUntil(ctx, "2001:db8:1:2::", now)
		require.NoError(t, err)
		assert.True(t, until.Equal(got))
		assert.Equal(t, before, inner.checks.Load(), "the positive answer was cached")
	})

	t.Run("an ended block is not served from the cache", func(t *testing.T) {
		after := now.Add(ipPolicy.BlockFor + time.Hour)
		got, err := a.IPBlockedUntil(ctx, "198.51.100.7", after)
		require.NoError(t, err)
		assert.True(t, got.IsZero(), "the store says the block is over")
	})
}
