package redis_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// TestClusterSpreadsAdapterKeysOverThePrimaries checks what the cluster
// suite relies on: three primaries, and one adapter's keys on several of them
// (no hash tag pins a prefix to one node, since no command of the adapter
// spans two keys).
func TestClusterSpreadsAdapterKeysOverThePrimaries(t *testing.T) {
	t.Parallel()
	c := sharedCluster(t)
	require.Len(t, c.Nodes(), 3, "3 primaries")
	p := prefix(t, c)
	l := newLimiterOn(t, c, p)
	ctx := t.Context()
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
