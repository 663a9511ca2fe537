package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Ping is the readiness check core calls; a reachable database answers it.
// (An unreachable one answers ErrUnavailable: see TestClosedPortIsUnavailable.)
func TestPingAnswersWhileTheDatabaseDoes(t *testing.T) {
	t.Parallel()
	store, _ := newTestDB(t)
	var pinger ports.Pinger = store
	require.NoError(t, pinger.Ping(t.Context()))
}
