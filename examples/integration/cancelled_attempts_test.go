package integration

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
)

// A request cancelled while its BeginAttempt statement runs may leave the
// admission committed and core holding only an error: nothing ever finishes
// that attempt. A stranger cancelling logins in a spray leaks pending places;
// 5 of them answer the owner's right password 429 too_many_attempts for a
// minute after the last, with no failure counted, no event, no IP block.
func TestCancelledSignInsLeaveNoPendingPlaces(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	in := newInstance(t, db, setup{fastHashing: true})
	in.register(t, "known@example.in")
	leaked, cancelled := 0, 0
	for i := 0; i < 4000 && leaked < 5; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%40)*50*time.Microsecond)
		_, _ = in.auth.Login(ctx, core.LoginInput{Identifier: "known@example.in", Password: password,
			Client: core.Client{IP: "198.51.100.3"}})
		cancel()
		cancelled++
		require.NoError(t, db.NewRaw(`SELECT coalesce(sum(pending), 0) FROM ba_lockouts`).Scan(context.Background(), &leaked))
	}
	_, err := in.auth.Login(context.Background(), core.LoginInput{Identifier: "known@example.in", Password: password, Client: client})
	assert.Zero(t, leaked, "pending places with nothing in flight after %d cancelled logins; the owner's login then: %v", cancelled, err)
}
