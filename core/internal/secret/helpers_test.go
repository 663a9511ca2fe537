package secret

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testWait bounds every wait in this package's tests. A hash with the cheap
// test parameters takes well under a millisecond, so reaching it means the
// hasher is broken (a slot never granted, a computation never started), and
// the test must say so instead of hanging the suite.
const testWait = 5 * time.Second

// suite is the parent of every testContext. The first test context to run out
// of time ends it, so a hasher that never grants a slot fails the package's
// tests after one testWait, not one testWait per test.
var suite, endSuite = context.WithCancelCause(context.Background())

// testContext is the context for a test's hashes and verifications: a hasher
// that never grants a slot fails the call with DeadlineExceeded after
// testWait (or with Canceled once another test saw that) instead of blocking
// forever.
func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(suite, testWait)
	stop := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			endSuite(errors.New("a test waited longer than testWait for the hasher"))
		}
	})
	t.Cleanup(func() {
		stop()
		cancel()
	})
	return ctx
}

// waitOrFail receives from ch or fails the test, naming what it waited for,
// when nothing arrives within d.
func waitOrFail(t testing.TB, ch <-chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatalf("waited %s for %s; it never happened", d, what)
	}
}

// requireHashVerifies hashes secret with h and requires that h verifies the
// hash against the same secret.
func requireHashVerifies(t testing.TB, h *Hasher, secret string) {
	t.Helper()
	encoded, err := h.Hash(testContext(t), secret)
	require.NoError(t, err)
	ok, _, err := h.Verify(testContext(t), encoded, secret)
	require.NoError(t, err)
	require.True(t, ok, "the hash verifies against its secret")
}
