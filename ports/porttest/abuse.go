package porttest

import (
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// ipPolicy is the design's default IP-block rule.
var ipPolicy = ports.IPPolicy{DistinctIdentifiers: 3, Window: 24 * time.Hour, BlockFor: 24 * time.Hour}

// newIP returns a random private IPv4 address, so that parallel subtests on a
// shared backend never share an IP.
func newIP() string {
	b := make([]byte, 3)
	_, _ = hex.Decode(b, []byte(randomHex(3)))
	return fmt.Sprintf("10.%d.%d.%d", b[0], b[1], b[2])
}

// AbuseGuard checks per-IP distinct-identifier failure tracking and IP blocks.
func AbuseGuard(t *testing.T, newStores NewStores) {
	t.Helper()

	t.Run("a cancelled context is passed through", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Abuse")
		_, err := s.Abuse.RecordIPFailure(cancelled(t), newIP(), "a@example.com", baseTime(), ipPolicy)
		assertCancelled(t, err)
	})

	type failure struct {
		identifier string
		after      time.Duration // from t0
	}
	cases := []struct {
		name      string
		failures  []failure
		blockedBy int // index of the failure that starts the block; -1 for none
	}{
		{"two distinct identifiers do not block",
			[]failure{{"a@example.com", 0}, {"b@example.com", time.Minute}}, -1},
		{"the third distinct identifier blocks",
			[]failure{{"a@example.com", 0}, {"b@example.com", time.Minute}, {"c@example.com", 2 * time.Minute}}, 2},
		{"repeats of one identifier never block",
			[]failure{{"a@example.com", 0}, {"a@example.com", time.Second}, {"a@example.com", 2 * time.Second},
				{"a@example.com", 3 * time.Second}, {"b@example.com", 4 * time.Second}, {"b@example.com", 5 * time.Second}}, -1},
		{"failures older than the window do not count",
			[]failure{{"a@example.com", 0}, {"b@example.com", time.Hour}, {"c@example.com", 25 * time.Hour},
				{"d@example.com", 26 * time.Hour}}, -1},
		{"a repeated identifier counts from its latest failure",
			[]failure{{"a@example.com", 0}, {"a@example.com", 23 * time.Hour}, {"b@example.com", 25 * time.Hour},
				{"c@example.com", 26 * time.Hour}}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := fresh(t, newStores, "Abuse")
			ctx := t.Context()
			ip, t0 := newIP(), baseTime()
			var blockEnd time.Time
			for i, f := range c.failures {
				now := t0.Add(f.after)
				until, err := s.Abuse.RecordIPFailure(ctx, ip, f.identifier, now, ipPolicy)
				require.NoError(t, err)
				switch {
				case c.blockedBy >= 0 && i == c.blockedBy:
					blockEnd = now.Add(ipPolicy.BlockFor)
					assert.Truef(t, blockEnd.Equal(until), "failure %d: block until %v, want %v", i, until, blockEnd)
				case c.blockedBy < 0 || i < c.blockedBy:
					assert.Truef(t, until.IsZero(), "failure %d must not block, got %v", i, until)
				default:
					assert.False(t, until.IsZero(), "failure %d: the block stays", i)
				}
			}
			last := t0.Add(c.failures[len(c.failures)-1].after)
			until, err := s.Abuse.IPBlockedUntil(ctx, ip, last.Add(time.Second))
			require.NoError(t, err)
			if c.blockedBy < 0 {
				assert.True(t, until.IsZero())
				return
			}
			assert.True(t, blockEnd.Equal(until), "IPBlockedUntil %v, want %v", until, blockEnd)
			until, err = s.Abuse.IPBlockedUntil(ctx, ip, blockEnd.Add(-time.Microsecond))
			require.NoError(t, err)
			assert.False(t, until.IsZero(), "blocked until the end")
			until, err = s.Abuse.IPBlockedUntil(ctx, ip, blockEnd)
			require.NoError(t, err)
			assert.True(t, until.IsZero(), "the block lapses at its end")
		})
	}

	t.Run("IPs are independent and an unknown IP is not blocked", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Abuse")
		ctx := t.Context()
		blocked, other, now := newIP(), newIP(), baseTime()
		for i := range ipPolicy.DistinctIdentifiers {
			_, err := s.Abuse.RecordIPFailure(ctx, blocked, fmt.Sprintf("user%d@example.com", i), now, ipPolicy)
			require.NoError(t, err)
		}
		until, err := s.Abuse.RecordIPFailure(ctx, other, "user0@example.com", now, ipPolicy)
		require.NoError(t, err)
		assert.True(t, until.IsZero())
		until, err = s.Abuse.IPBlockedUntil(ctx, other, now)
		require.NoError(t, err)
		assert.True(t, until.IsZero())
		until, err = s.Abuse.IPBlockedUntil(ctx, newIP(), now)
		require.NoError(t, err)
		assert.True(t, until.IsZero())
		until, err = s.Abuse.IPBlockedUntil(ctx, blocked, now)
		require.NoError(t, err)
		assert.False(t, until.IsZero())
	})

	t.Run("parallel failures for distinct identifiers from one IP", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Abuse")
		ctx := t.Context()
		ip, now := newIP(), baseTime()
		ends := make([]time.Time, parallelCalls)
		errs := make([]error, parallelCalls)
		together(parallelCalls, func(i int) {
			ends[i], errs[i] = s.Abuse.RecordIPFailure(ctx, ip, fmt.Sprintf("user%d@example.com", i), now, ipPolicy)
		})
		unblocked := 0
		for i := range parallelCalls {
			require.NoError(t, errs[i])
			if ends[i].IsZero() {
				unblocked++
				continue
			}
			assert.True(t, now.Add(ipPolicy.BlockFor).Equal(ends[i]))
		}
		assert.Equal(t, ipPolicy.DistinctIdentifiers-1, unblocked, "only the calls before the threshold leave the IP unblocked")
		until, err := s.Abuse.IPBlockedUntil(ctx, ip, now)
		require.NoError(t, err)
		assert.True(t, now.Add(ipPolicy.BlockFor).Equal(until))
	})
}
