package redis_test

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	bredis "github.com/bharatauth/bharatauth-go/adapters/redis"
	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestNewSMSBudgetValidates(t *testing.T) {
	t.Parallel()
	c := shared(t)
	testValidates(t, func(o bredis.SMSBudgetOptions) (*bredis.SMSBudget, error) { return bredis.NewSMSBudget(c, o) },
		[]newCase[bredis.SMSBudgetOptions]{
			{name: "negative timeout", args: bredis.SMSBudgetOptions{Timeout: -time.Second}, wantErr: true},
			{name: "prefix with an opening brace", args: bredis.SMSBudgetOptions{Prefix: "app{"}, wantErr: true},
			{name: "prefix with a hash tag", args: bredis.SMSBudgetOptions{Prefix: "app:{x}:"}, wantErr: true},
			{name: "prefix with a space", args: bredis.SMSBudgetOptions{Prefix: "app sms:"}, wantErr: true},
			{name: "prefix with a glob", args: bredis.SMSBudgetOptions{Prefix: "app*:"}, wantErr: true},
		})
	b, err := bredis.NewSMSBudget(nil, bredis.SMSBudgetOptions{})
	assert.Error(t, err, "a nil client is refused")
	assert.Nil(t, b)
}

// TestSMSBudgetKeysShareOneSlot checks the layout that lets one script take
// any keys of a prefix on a cluster: every key carries the prefix as its
// hash tag, whatever braces the caller's key holds.
func TestSMSBudgetKeysShareOneSlot(t *testing.T) {
	t.Parallel()
	c := sharedCluster(t)
	p := prefix(t, c)
	b := newSMSBudgetOn(t, c, p)
	ctx, now := t.Context(), time.Now()
	keys := []string{"global", "num:{abc}", "ip:203.0.113.7", "pfx:+9198765", "{", "}x{"}
	limits := make([]ports.SMSLimit, len(keys))
	for i, k := range keys {
		limits[i] = ports.SMSLimit{Key: k, Limit: 5, Window: time.Minute}
	}
	d, err := b.TakeSMS(ctx, limits, now)
	require.NoError(t, err, "a script over keys in several slots would fail with CROSSSLOT")
	require.True(t, d.Allowed)
	slots := map[int64]bool{}
	for _, k := range keys {
		slot, err := c.Do(ctx, c.B().ClusterKeyslot().Key(p+"{"+p+"}"+k).Build()).AsInt64()
		require.NoError(t, err)
		slots[slot] = true
		n, err := c.Do(ctx, c.B().Zcard().Key(p+"{"+p+"}"+k).Build()).AsInt64()
		require.NoError(t, err)
		assert.Equal(t, int64(1), n, "key %q counted once", k)
	}
	assert.Len(t, slots, 1)
}

func TestSMSBudgetKeysExpire(t *testing.T) {
	t.Parallel()
	c := shared(t)
	p := prefix(t, c)
	b := newSMSBudgetOn(t, c, p)
	ctx := t.Context()
	short := ports.SMSLimit{Key: "k", Limit: 5, Window: 90 * time.Second}
	_, err := b.TakeSMS(ctx, []ports.SMSLimit{short}, time.Now())
	require.NoError(t, err)
	ttl := func() time.Duration {
		ms, err := c.Do(ctx, c.B().Pttl().Key(p+"{"+p+"}k").Build()).AsInt64()
		require.NoError(t, err)
		return time.Duration(ms) * time.Millisecond
	}
	assert.InDelta(t, float64(90*time.Second), float64(ttl()), float64(5*time.Second), "a key lives one window")
	// A later take with a shorter window never shortens the life a longer
	// window needs; a longer one extends it.
	_, err = b.TakeSMS(ctx, []ports.SMSLimit{{Key: "k", Limit: 5, Window: time.Second}}, time.Now())
	require.NoError(t, err)
	assert.Greater(t, ttl(), 60*time.Second)
	_, err = b.TakeSMS(ctx, []ports.SMSLimit{{Key: "k", Limit: 5, Window: time.Hour}}, time.Now())
	require.NoError(t, err)
	assert.Greater(t, ttl(), 59*time.Minute)
}

// TestSMSBudgetFailsClosed checks that a take Redis cannot answer is
// refused, within the timeout, with an error wrapping ErrUnavailable, and
// that the budget counts again once Redis is back.
func TestSMSBudgetFailsClosed(t *testing.T) {
	t.Parallel()
	srv := startPrivateRedis(t)
	c := srv.client()
	b, err := bredis.NewSMSBudget(c, bredis.SMSBudgetOptions{Logger: slog.New(slog.NewTextHandler(&porttest.Buffer{}, nil))})
	require.NoError(t, err)
	limits := []ports.SMSLimit{{Key: "num:x", Limit: 1, Window: time.Hour}}
	ctx := t.Context()

	srv.pause()
	var d ports.SMSDecision
	within(t, failBound, "a take on a paused Redis", func() { d, err = b.TakeSMS(ctx, limits, time.Now()) })
	require.ErrorIs(t, err, ports.ErrUnavailable)
	assert.False(t, d.Allowed, "the budget fails closed")
	within(t, failBound, "a clear on a paused Redis", func() { err = b.ClearSMS(ctx, "num:x") })
	require.ErrorIs(t, err, ports.ErrUnavailable)
	require.ErrorIs(t, b.Ping(ctx), ports.ErrUnavailable)

	srv.resume()
	require.Eventually(t, func() bool {
		d, err := b.TakeSMS(ctx, limits, time.Now())
		return err == nil && d.Allowed
	}, 10*time.Second, 50*time.Millisecond, "counts again once Redis answers")
	d, err = b.TakeSMS(ctx, limits, time.Now())
	require.NoError(t, err)
	assert.False(t, d.Allowed, "the send after recovery was counted")
	require.NoError(t, b.Ping(ctx))
}

// TestSMSBudgetIsOneScriptPerTake counts the commands a private Redis
// served: every take, whatever its number of keys, is one EVALSHA (plus one
// EVAL the first time), and a refused take adds to no key.
func TestSMSBudgetIsOneScriptPerTake(t *testing.T) {
	t.Parallel()
	srv := startPrivateRedis(t)
	c := srv.client()
	b := newSMSBudgetOn(t, c, "")
	const takes, keys, limit = 20, 3, 4
	limits := make([]ports.SMSLimit, keys)
	for i := range limits {
		limits[i] = ports.SMSLimit{Key: fmt.Sprintf("k%d", i), Limit: limit, Window: time.Minute}
	}
	now := time.Now().UTC()
	for range takes {
		_, err := b.TakeSMS(t.Context(), limits, now)
		require.NoError(t, err)
	}
	calls := commandCalls(t, c)
	assert.Equal(t, takes, calls("evalsha"), "one EVALSHA per take")
	assert.Equal(t, 1, calls("eval"), "one EVAL to load the script")
	assert.Equal(t, limit*keys, calls("zadd"), "only the %d allowed takes add, one ZADD per key", limit)
	assert.Zero(t, calls("multi"), "no transaction")
}

// BenchmarkSMSBudgetTake is one SMS budget check as core makes it: four
// limits (the number, the IP, the number's prefix and a global one) over 1000
// numbers, so allowed and refused takes mix; one EVALSHA round trip.
func BenchmarkSMSBudgetTake(b *testing.B) {
	c := newClient(b)
	budget := newSMSBudgetOn(b, c, prefix(b, c))
	ctx, now := b.Context(), time.Now().UTC()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		limits := []ports.SMSLimit{
			{Key: fmt.Sprintf("num:%d", i%1000), Limit: 5, Window: time.Hour},
			{Key: fmt.Sprintf("ip:%d", i%250), Limit: 20, Window: time.Hour},
			{Key: fmt.Sprintf("pfx:%d", i%40), Limit: 100, Window: time.Hour},
			{Key: "global", Limit: 1000, Window: time.Minute},
		}
		if _, err := budget.TakeSMS(ctx, limits, now.Add(time.Duration(i)*time.Microsecond)); err != nil {
			b.Fatal(err)
		}
	}
}
