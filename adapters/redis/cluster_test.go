package redis_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	bredis "github.com/bharatauth/bharatauth-go/adapters/redis"
	"github.com/bharatauth/bharatauth-go/ports"
)

const startClusterHint = "start it with `make services` (.ci/services.sh starts 3 primaries on 127.0.0.1:7001-7003), or point BHARATAUTH_TEST_REDIS_CLUSTER at a running cluster (host:port,host:port,…)"

// clusterURL is the test Redis Cluster: BHARATAUTH_TEST_REDIS_CLUSTER, by
// default the one .ci/services.sh starts.
func clusterURL() string {
	if u := os.Getenv("BHARATAUTH_TEST_REDIS_CLUSTER"); u != "" {
		return u
	}
	return "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003"
}

var sharedClusterClient sharedRedis

// sharedCluster returns the test binary's client of the test cluster, or
// fails the test with how to start it: it never skips.
func sharedCluster(t testing.TB) rueidis.Client {
	t.Helper()
	c := sharedClusterClient.get(t, clusterURL(), "the Redis Cluster", startClusterHint)
	if c.Mode() != rueidis.ClientModeCluster {
		t.Fatalf("Redis at %s is not a cluster (mode %s); %s", clusterURL(), c.Mode(), startClusterHint)
	}
	return c
}

// TestClusterSpreadsAdapterKeysOverThePrimaries checks what the cluster
// suite relies on: three primaries, and one adapter's keys on several of them
// (no hash tag pins a prefix to one node, since no command of the adapter
// spans two keys).
func TestClusterSpreadsAdapterKeysOverThePrimaries(t *testing.T) {
	t.Parallel()
	c := sharedCluster(t)
	require.Len(t, c.Nodes(), 3, "3 primaries")
	p := prefix(t, c)
	l, err := bredis.NewLimiter(c, bredis.LimiterOptions{Prefix: p})
	require.NoError(t, err)
	ctx := context.Background()
	for i := range 30 {
		_, err := l.Allow(ctx, randomID("login:ip:")+string(rune('a'+i)), ports.RateRule{Limit: 5, Window: time.Minute}, time.Now())
		require.NoError(t, err)
	}
	holding := 0
	for _, node := range c.Nodes() {
		keys, err := node.Do(ctx, node.B().Scan().Cursor(0).Match(p+"*").Count(1000).Build()).AsScanEntry()
		require.NoError(t, err)
		if len(keys.Elements) > 0 {
			holding++
		}
	}
	assert.Greater(t, holding, 1, "30 limiter keys land on more than one primary")
}

// TestUserCacheOnACluster: a user's counter and entry share a hash tag, so the
// fill script that touches both runs on a cluster, whatever braces the prefix
// holds (an unclosed "{" in it would otherwise split them).
func TestUserCacheOnACluster(t *testing.T) {
	t.Parallel()
	c := sharedCluster(t)
	ctx := context.Background()
	for _, suffix := range []string{"", "{open:", "{tag}:"} {
		store := &countingUsers{Store: memory.New()}
		uc := newUserCache(t, c, store, prefix(t, c)+suffix)
		u := createTestUser(t, store, randomID("u")+"@example.in", nil)
		for range 2 {
			got, err := uc.UserByID(ctx, u.ID)
			require.NoError(t, err)
			require.Equal(t, u, got)
		}
		require.Equal(t, int64(1), store.reads.Load(), "prefix %q: the second read is a hit", suffix)
		require.NoError(t, uc.SetSuspended(ctx, u.ID, true))
		got, err := uc.UserByID(ctx, u.ID)
		require.NoError(t, err)
		assert.True(t, got.Suspended, "prefix %q", suffix)
	}
}
