package porttest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parallelCalls is how many goroutines the concurrency cases release together:
// enough to make races likely on two cores, few enough to keep suites fast.
const parallelCalls = 16

// baseTime is the reference "now" of a subtest: the wall clock in UTC at
// microsecond precision (what PostgreSQL keeps), so that backends which set
// real TTLs (Redis) keep the keys alive during the test. Rules only ever see
// times derived from it.
func baseTime() time.Time {
	return time.Now().UTC().Truncate(time.Microsecond)
}

// randomHex returns n random bytes as hex; it keeps IDs of parallel subtests
// from colliding even on a shared backend.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("porttest: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// newID returns prefix followed by 16 random hex characters.
func newID(prefix string) string { return prefix + randomHex(8) }

// newHash returns a random 64-char hex string shaped like a SHA-256 digest.
func newHash() string { return randomHex(32) }

// oneWinner runs call(0..parallelCalls-1) at once and checks that exactly one
// call succeeded and every other failed with one of losers. It returns the
// index of the winner.
func oneWinner(t *testing.T, call func(i int) error, losers ...error) int {
	t.Helper()
	errs := make([]error, parallelCalls)
	Together(parallelCalls, func(i int) { errs[i] = call(i) })
	winner := -1
	for i, err := range errs {
		if err == nil {
			require.Equalf(t, -1, winner, "calls %d and %d both succeeded", winner, i)
			winner = i
			continue
		}
		assert.Truef(t, isOneOf(err, losers), "call %d: %v, want one of %v", i, err, losers)
	}
	require.NotEqual(t, -1, winner, "no call succeeded")
	return winner
}

func isOneOf(err error, targets []error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// cancelled returns a context that is already cancelled.
func cancelled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}

// assertCancelled checks the ports rule that a context error is passed through
// (wrapped or not) and never replaced by a sentinel.
func assertCancelled(t *testing.T, err error) {
	t.Helper()
	assert.ErrorIs(t, err, context.Canceled, "a cancelled context must come back as context.Canceled")
}

// sameByInstant checks that want and got are equal, comparing the times that
// times points at in each by instant (a backend may return another location
// or monotonic reading) and the rest with assert.Equal.
func sameByInstant[R any](t *testing.T, want, got R, msg string, times func(*R) []*time.Time) {
	t.Helper()
	w, g := times(&want), times(&got)
	for i := range w {
		assert.Truef(t, w[i].Equal(*g[i]), "%s: time %v, want %v", msg, *g[i], *w[i])
		*g[i] = *w[i]
	}
	assert.Equal(t, want, got, msg)
}

// assertListedPerUser checks that list returns the records of user whose IDs
// are wantIDs, in that order, and nothing for a user without records.
func assertListedPerUser[R any](t *testing.T, list func(ctx context.Context, userID string) ([]R, error), id func(R) string, user string, wantIDs ...string) {
	t.Helper()
	got, err := list(t.Context(), user)
	require.NoError(t, err)
	gotIDs := make([]string, len(got))
	for i, r := range got {
		gotIDs[i] = id(r)
	}
	assert.Equal(t, wantIDs, gotIDs)
	none, err := list(t.Context(), newID("usr_"))
	require.NoError(t, err)
	assert.Empty(t, none)
}
