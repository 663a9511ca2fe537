package core

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

const threeYears = 3 * 365 * 24 * time.Hour

func withInactivityErasure(d time.Duration) envOption {
	return func(c *Config, _ *Deps) { c.InactivityErasure = d }
}

func TestInactivityErasureIsOffByDefaultAndAtLeastThirtyDays(t *testing.T) {
	t.Parallel()
	assert.Zero(t, DefaultConfig().InactivityErasure)
	cfg := validConfig()
	cfg.InactivityErasure = 30*24*time.Hour - time.Second
	_, err := New(cfg, validDeps())
	require.ErrorContains(t, err, "InactivityErasure")
	cfg.InactivityErasure = 30 * 24 * time.Hour
	require.NoError(t, errOf(New(cfg, validDeps())))

	e, _ := newUserEnv(t, "asha@example.in")
	e.mustLogin("asha@example.in")
	report := e.maintainAt(testStart.Add(10 * threeYears))
	assert.Zero(t, report.InactivityWarnings+report.InactiveErased, "off: nobody is warned or erased")
}

func TestInactiveAccountIsWarnedFortyEightHoursAheadThenErased(t *testing.T) {
	t.Parallel()
	const warning = 48 * time.Hour // the documented notice, not inactivityWarning: changing it must fail here
	ctx := t.Context()
	e, u := newUserEnv(t, "asha@example.in", withInactivityErasure(threeYears), withContact())
	e.mustLogin(u.Email) // last active: testStart

	warnFrom := testStart.Add(threeYears - warning)
	report := e.maintainAt(warnFrom)
	assert.Zero(t, report.InactivityWarnings, "not yet inactive for the period less 48 hours")

	e.clock.Set(warnFrom.Add(time.Microsecond))
	before := e.mailsTo(u.Email)
	report = e.maintain()
	assert.Equal(t, 1, report.InactivityWarnings)
	require.Equal(t, before+1, e.mailsTo(u.Email))
	m, _ := e.outbox.Last(u.Email)
	assert.Contains(t, m.Subject, "will be erased unless you sign in")
	assert.Contains(t, m.Text, "dpo@acme.example")
	report = e.maintain()
	assert.Zero(t, report.InactivityWarnings, "warned once")

	warnedAt := e.now()
	report = e.maintainAt(warnedAt.Add(warning - time.Microsecond))
	assert.Zero(t, report.InactiveErased, "never less than 48 hours after the warning")
	require.NoError(t, errOf(e.store.UserByID(ctx, u.ID)))

	report = e.maintainAt(warnedAt.Add(warning))
	assert.Equal(t, 1, report.InactiveErased)
	_, err := e.store.UserByID(ctx, u.ID)
	require.ErrorIs(t, err, ports.ErrNotFound, "erased")
	done, _ := e.outbox.Last(u.Email)
	assert.Contains(t, done.Subject, "was erased")
}

func TestSignInCancelsAnInactivityWarning(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e, u := newUserEnv(t, "ravi@example.in", withInactivityErasure(threeYears))
	e.mustLogin(u.Email)
	report := e.maintainAt(testStart.Add(threeYears - time.Hour))
	require.Equal(t, 1, report.InactivityWarnings)

	e.mustLogin(u.Email) // within the 48 hours
	e.clock.Advance(inactivityWarning + time.Hour)
	report = e.maintain()
	assert.Zero(t, report.InactiveErased)
	require.NoError(t, errOf(e.store.UserByID(ctx, u.ID)), "the account stays")
}

func TestActivityIsWrittenAtMostOnceADay(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e, u := newUserEnv(t, "asha@example.in")
	res := e.mustLogin(u.Email)
	e.clock.Advance(time.Hour)
	require.NoError(t, errOf(e.auth.Refresh(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})))
	idle, err := e.store.InactiveUnwarned(ctx, testStart.Add(time.Microsecond), 10)
	require.NoError(t, err)
	require.Len(t, idle, 1, "a refresh within the day writes nothing")
	assert.Equal(t, testStart, idle[0].LastActiveAt)
}

// touchCounter counts the activity writes that reach the store.
type touchCounter struct {
	ports.ActivityStore
	writes atomic.Int32
}

func (c *touchCounter) TouchActivity(ctx context.Context, userID string, at time.Time, every time.Duration) (bool, error) {
	c.writes.Add(1)
	return c.ActivityStore.TouchActivity(ctx, userID, at, every)
}

// countTouches puts c in front of the store's activity port.
func countTouches(c *touchCounter) envOption {
	return func(_ *Config, d *Deps) { c.ActivityStore, d.Activity = d.Storage.(ports.ActivityStore), c }
}

func TestAnActiveUsersRefreshesCostNoActivityWriteWithinTheDay(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	touches := &touchCounter{}
	e := newEnv(t, withoutLimiter(), countTouches(touches))
	u := e.register("meera@example.in")
	token := e.mustLogin(u.Email).RefreshToken
	require.EqualValues(t, 1, touches.writes.Load(), "the sign-in writes the day's activity")
	refreshAt := func(after time.Duration) {
		t.Helper()
		e.clock.Set(testStart.Add(after))
		res, err := e.auth.Refresh(ctx, RefreshInput{RefreshToken: token, Client: e.client})
		require.NoError(t, err)
		token = res.RefreshToken
	}

	refreshAt(time.Hour)
	refreshAt(activityEvery - time.Minute)
	assert.EqualValues(t, 1, touches.writes.Load(), "refreshes within 24 h of the write reach no store")

	refreshAt(activityEvery)
	assert.EqualValues(t, 2, touches.writes.Load(), "24 h after the write, the next refresh writes again")
}

// The memo of activity writes holds every active user, not just the last:
// two users signed in at once each refresh within the day at no write.
func TestTheActivityMemoSparesAWriteForEveryActiveUser(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	touches := &touchCounter{}
	e := newEnv(t, withoutLimiter(), countTouches(touches))
	tokens := map[string]string{}
	for _, email := range []string{"meera@example.in", "ravi@example.in"} {
		e.register(email)
		tokens[email] = e.mustLogin(email).RefreshToken
	}
	written := touches.writes.Load()
	e.clock.Advance(time.Hour)
	for _, email := range []string{"meera@example.in", "ravi@example.in"} {
		require.NoError(t, errOf(e.auth.Refresh(ctx, RefreshInput{RefreshToken: tokens[email], Client: e.client})))
	}
	assert.Equal(t, written, touches.writes.Load(), "neither refresh within the day reaches the store")
}

// The memo is bounded: the write that would make it hold more than
// activityMemoMax users starts it afresh with that one user.
func TestTheActivityMemoStartsAfreshPastActivityMemoMaxUsers(t *testing.T) {
	t.Parallel()
	var m activityMemo
	for i := range activityMemoMax {
		m.remember(fmt.Sprintf("usr_%06d", i), testStart)
	}
	require.True(t, m.recent("usr_000000", testStart), "full, the memo still holds the first user")
	m.remember("usr_next", testStart)
	assert.Equal(t, 1, len(m.written), "the users the memo holds")
	assert.True(t, m.recent("usr_next", testStart))
	assert.False(t, m.recent("usr_000000", testStart), "forgotten: its next activity is written again")
}

// A user warned early, under a shorter setting than today's (here a warning
// a 30-day setting gave), is erased only once today's whole period has
// passed since their last activity.
func TestAUserWarnedUnderAShorterSettingIsErasedOnlyOnceTheWholePeriodPassed(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e, u := newUserEnv(t, "asha@example.in", withInactivityErasure(threeYears))
	e.mustLogin(u.Email) // last active: testStart
	warnedAt := testStart.Add(minInactivity - inactivityWarning)
	marked, err := e.store.MarkWarned(ctx, u.ID, warnedAt, warnedAt)
	require.NoError(t, err)
	require.True(t, marked)

	report := e.maintainAt(testStart.Add(minInactivity + time.Hour))
	assert.Zero(t, report.InactiveErased, "warned 48 hours ago, but inactive for far less than three years")
	require.NoError(t, errOf(e.store.UserByID(ctx, u.ID)))

	report = e.maintainAt(testStart.Add(threeYears))
	assert.Equal(t, 1, report.InactiveErased)
}
