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
	in := newRegistered(t, "known@example.in")
	leaked, cancelled := 0, 0
	for i := 0; i < 4000 && leaked < 5; i++ {
		ctx, cancel := context.WithTimeout(t.Context(), time.Duration(i%40)*50*time.Microsecond)
		_, _ = in.auth.Login(ctx, core.LoginInput{Identifier: "known@example.in", Password: password,
			Client: core.Client{IP: "198.51.100.3"}})
		cancel()
		cancelled++
		require.NoError(t, in.db.NewRaw(`SELECT coalesce(sum(pending), 0) FROM ba_lockouts`).Scan(t.Context(), &leaked))
	}
	_, err := in.auth.Login(t.Context(), core.LoginInput{Identifier: "known@example.in", Password: password, Client: client})
	assert.Zero(t, leaked, "pending places with nothing in flight after %d cancelled logins; the owner's login then: %v", cancelled, err)
}

// A login whose session cannot be written is rolled back whole, the end of
// its attempt included: the attempt is then ended as abandoned, so no pending
// place is left, no failure counted and no session stored; once the table
// takes writes again, the same password signs in.
func TestALoginWhoseSessionWriteFailsLeavesNoPendingPlace(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	in := newRegistered(t, "known@example.in")
	_, err := in.db.ExecContext(ctx, `
		CREATE FUNCTION refuse_sessions() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN RAISE EXCEPTION 'sessions are read-only in this test'; END $$;
		CREATE TRIGGER refuse_sessions BEFORE INSERT ON ba_sessions
		FOR EACH ROW EXECUTE FUNCTION refuse_sessions()`)
	require.NoError(t, err)

	_, err = in.auth.Login(ctx, core.LoginInput{Identifier: "known@example.in", Password: password, Client: client})
	require.Error(t, err)
	assert.Contains(t, []core.Kind{core.KindInternal, core.KindUnavailable}, core.KindOf(err))
	pending, failures, sessions := in.leftovers(t)
	assert.Zero(t, pending, "the rolled-back attempt was ended")
	assert.Zero(t, failures, "a right password that could not sign in is no failure")
	assert.Zero(t, sessions)

	_, err = in.db.ExecContext(ctx, `DROP TRIGGER refuse_sessions ON ba_sessions`)
	require.NoError(t, err)
	in.login(t, "known@example.in")
}
