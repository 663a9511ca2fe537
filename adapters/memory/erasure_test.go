package memory_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
)

func TestErasureInboxKeepsRequestsInOrder(t *testing.T) {
	t.Parallel()
	inbox := memory.NewErasureInbox()
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	for _, id := range []string{"usr_a", "usr_b"} {
		require.NoError(t, inbox.ErasureRequested(t.Context(), ports.ErasureRequest{UserID: id, RequestedAt: at}))
	}
	got := inbox.Requests()
	require.Len(t, got, 2)
	assert.Equal(t, "usr_a", got[0].UserID)
	got[0].UserID = "changed"
	assert.Equal(t, "usr_a", inbox.Requests()[0].UserID, "Requests returns a copy")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, inbox.ErasureRequested(ctx, ports.ErasureRequest{}), context.Canceled)
}
