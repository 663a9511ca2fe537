package redis_test

import (
	"testing"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	bredis "github.com/bharatauth/bharatauth-go/adapters/redis"
	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

// TestConformance runs the suites of the ports this adapter provides. The
// caches wrap a fresh memory store, each under a key prefix of its own.
func TestConformance(t *testing.T) {
	t.Parallel()
	conformance(t, shared)
}

// TestConformanceOnRedisCluster runs the same suites on a 3-primary Redis
// Cluster (cluster_test.go), where a test's keys spread over every node.
func TestConformanceOnRedisCluster(t *testing.T) {
	t.Parallel()
	conformance(t, sharedCluster)
}

// conformance runs every suite with the adapters on the client that client
// returns.
func conformance(t *testing.T, client func(testing.TB) rueidis.Client) {
	t.Run("RateLimiter", func(t *testing.T) {
		porttest.RateLimiter(t, func(t *testing.T) ports.RateLimiter {
			c := client(t)
			return newLimiterOn(t, c, prefix(t, c))
		})
	})
	t.Run("SMSBudget", func(t *testing.T) {
		porttest.SMSBudget(t, func(t *testing.T) ports.SMSBudget {
			c := client(t)
			return newSMSBudgetOn(t, c, prefix(t, c))
		})
	})
	t.Run("SessionRepo", func(t *testing.T) {
		porttest.SessionRepo(t, func(t *testing.T) ports.SessionRepo { return newSessionCacheOn(t, client(t), memory.New()) })
	})
	t.Run("DeviceTrust", func(t *testing.T) {
		porttest.DeviceTrust(t, func(t *testing.T) porttest.SessionDevices {
			inner := memory.New()
			sessions := newSessionCacheOn(t, client(t), inner)
			devices, err := bredis.NewDeviceTrustCache(inner, sessions)
			require.NoError(t, err)
			return porttest.SessionDevices{Sessions: sessions, Devices: devices}
		})
	})
	t.Run("AbuseGuard", func(t *testing.T) {
		porttest.AbuseGuard(t, func(t *testing.T) ports.AbuseGuard {
			c := client(t)
			abuse, err := bredis.NewIPBlockCache(memory.New(), c, bredis.IPBlockOptions{Prefix: prefix(t, c) + "ipb:"})
			require.NoError(t, err)
			return abuse
		})
	})
}

// newSessionCache is a SessionCache over inner under a fresh key prefix.
func newSessionCache(t *testing.T, inner ports.SessionRepo) *bredis.SessionCache {
	t.Helper()
	return newSessionCacheOn(t, shared(t), inner)
}

// newSessionCacheOn is newSessionCache on client c.
func newSessionCacheOn(t *testing.T, c rueidis.Client, inner ports.SessionRepo) *bredis.SessionCache {
	t.Helper()
	sessions, err := bredis.NewSessionCache(inner, c, bredis.SessionCacheOptions{Prefix: prefix(t, c) + "sess:"})
	require.NoError(t, err)
	return sessions
}
