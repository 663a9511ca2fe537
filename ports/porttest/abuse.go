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

// blockedUntil asks when the block of ip ends, as seen at now.
func blockedUntil(t *testing.T, guard ports.AbuseGuard, ip string, now time.Time) time.Time {
	t.Helper()
	until, err := guard.IPBlockedUntil(t.Context(), ip, now)
	require.NoError(t, err)
	return until
}

// recordFailure records a failed sign-in of identifier from ip at now and
// returns the end of the block it started or found, zero for none.
func recordFailure(t *testing.T, guard ports.AbuseGuard, ip, identifier string, now time.Time) time.Time {
	t.Helper()
	until, err := guard.RecordIPFailure(t.Context(), ip, identifier, now, ipPolicy)
	require.NoError(t, err)
	return until
}

func testAbuseCancelled(t *testing.T, guard ports.AbuseGuard) {
	_, err := guard.RecordIPFailure(cancelled(t), newIP(), "a@example.com", baseTime(), ipPolicy)
	assertCancelled(t, err)
}

func testDistinctIdentifiersBlock(t *testing.T, guard ports.AbuseGuard) {
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
	// Each case has an IP of its own, so all share one backend.
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ip, t0 := newIP(), baseTime()
			var blockEnd time.Time
			for i, f := range c.failures {
				now := t0.Add(f.after)
				until := recordFailure(t, guard, ip, f.identifier, now)
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
			until := blockedUntil(t, guard, ip, last.Add(time.Second))
			if c.blockedBy < 0 {
				assert.True(t, until.IsZero())
				return
			}
			assert.True(t, blockEnd.Equal(until), "IPBlockedUntil %v, want %v", until, blockEnd)
			assert.False(t, blockedUntil(t, guard, ip, blockEnd.Add(-time.Microsecond)).IsZero(), "blocked until the end")
			assert.True(t, blockedUntil(t, guard, ip, blockEnd).IsZero(), "the block lapses at its end")
		})
	}
}

func testIPsIndependent(t *testing.T, guard ports.AbuseGuard) {
	blocked, other, now := newIP(), newIP(), baseTime()
	for i := range ipPolicy.DistinctIdentifiers {
		recordFailure(t, guard, blocked, fmt.Sprintf("user%d@example.com", i), now)
	}
	assert.True(t, recordFailure(t, guard, other, "user0@example.com", now).IsZero())
	assert.True(t, blockedUntil(t, guard, other, now).IsZero())
	assert.True(t, blockedUntil(t, guard, newIP(), now).IsZero())
	assert.False(t, blockedUntil(t, guard, blocked, now).IsZero())
}

func testParallelFailuresBlockOnce(t *testing.T, guard ports.AbuseGuard) {
	ip, now := newIP(), baseTime()
	ends := make([]time.Time, parallelCalls)
	errs := make([]error, parallelCalls)
	Together(parallelCalls, func(i int) {
		ends[i], errs[i] = guard.RecordIPFailure(t.Context(), ip, fmt.Sprintf("user%d@example.com", i), now, ipPolicy)
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
	assert.True(t, now.Add(ipPolicy.BlockFor).Equal(blockedUntil(t, guard, ip, now)))
}
