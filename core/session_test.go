package core

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Session IDs taken from a URL are bounded at maxSessionIDLen bytes; an ID of
// exactly that length is still looked up, so a store whose IDs are that long
// keeps working. (One byte more is refused in TestSessionsListAndRevokeOnlyYourOwn.)
func TestRevokeSessionAcceptsAnIDOfExactlyTheLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	u := e.register("longid@example.in")
	p := e.principal(e.mustLogin(u.Email))
	ctx := context.Background()
	longID := strings.Repeat("s", maxSessionIDLen)
	require.NoError(t, e.store.CreateSession(ctx, ports.Session{ID: longID, UserID: u.ID, RefreshHash: strings.Repeat("f", 64),
		CreatedAt: e.clock.Now(), ExpiresAt: e.clock.Now().Add(time.Hour), LastUsedAt: e.clock.Now()}))

	require.NoError(t, e.auth.RevokeSession(ctx, p, longID, e.client))
	s, err := e.store.Session(ctx, longID)
	require.NoError(t, err)
	assert.False(t, s.RevokedAt.IsZero(), "the session was revoked")
}
