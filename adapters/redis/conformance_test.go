package redis_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	bredis "github.com/bharatauth/bharatauth-go/adapters/redis"
	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	t.Run("RateLimiter", func(t *testing.T) {
		porttest.RateLimiter(t, func(t *testing.T) ports.RateLimiter {
			c := shared(t)
			l, err := bredis.NewLimiter(c, bredis.LimiterOptions{Prefix: prefix(t, c)})
			require.NoError(t, err)
			return l
		})
	})

	// The caches wrap the memory store; each subtest gets a fresh store and its
	// own key prefix.
	newStores := func(t *testing.T) porttest.Stores {
		c := shared(t)
		p := prefix(t, c)
		inner := memory.New()
		sessions, err := bredis.NewSessionCache(inner, c, bredis.SessionCacheOptions{Prefix: p + "sess:"})
		require.NoError(t, err)
		devices, err := bredis.NewDeviceTrustCache(inner, sessions)
		require.NoError(t, err)
		abuse, err := bredis.NewIPBlockCache(inner, c, bredis.IPBlockOptions{Prefix: p + "ipb:"})
		require.NoError(t, err)
		return porttest.Stores{Sessions: sessions, Devices: devices, Abuse: abuse}
	}
	t.Run("SessionRepo", func(t *testing.T) { porttest.SessionRepo(t, newStores) })
	t.Run("DeviceTrust", func(t *testing.T) { porttest.DeviceTrust(t, newStores) })
	t.Run("AbuseGuard", func(t *testing.T) { porttest.AbuseGuard(t, newStores) })
}
