package main

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

var urlRE = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)/auth`)

// quickstart is a running quickstart on a free port: its base URL, what it
// printed (logs and emails), and how to stop it.
type quickstart struct {
	base string
	out  *porttest.Buffer
	stop func() error // cancels run and waits for it to return
}

// startQuickstart runs the quickstart as `go run` would, on 127.0.0.1:0.
func startQuickstart(t *testing.T) *quickstart {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	q := &quickstart{out: &porttest.Buffer{}}
	done := make(chan error, 1)
	go func() { done <- run(ctx, "127.0.0.1:0", q.out) }()
	q.stop = func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(15 * time.Second):
			t.Fatal("the quickstart did not shut down")
			return nil
		}
	}
	t.Cleanup(func() { cancel() })
	require.Eventually(t, func() bool {
		m := urlRE.FindStringSubmatch(q.out.String())
		if m != nil {
			q.base = m[1]
		}
		return m != nil
	}, 10*time.Second, 10*time.Millisecond, "the server never said where it listens: %s", q.out.String())
	return q
}
