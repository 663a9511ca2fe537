package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func testActivityCancelled(t *testing.T, s ports.ActivityStore) {
	_, err := s.TouchActivity(cancelled(t), newID("usr_"), baseTime(), time.Hour)
	assertCancelled(t, err)
}

func testActivityOncePerInterval(t *testing.T, s ports.ActivityStore) {
	user, t0 := newID("usr_"), baseTime()
	day := 24 * time.Hour
	for _, tc := range []struct {
		at    time.Time
		wrote bool
	}{{t0, true}, {t0.Add(time.Hour), false}, {t0.Add(day - time.Microsecond), false}, {t0.Add(day), true}} {
		wrote, err := s.TouchActivity(t.Context(), user, tc.at, day)
		require.NoError(t, err)
		assert.Equal(t, tc.wrote, wrote, "touch at %v", tc.at.Sub(t0))
	}
	got, err := s.InactiveUnwarned(t.Context(), t0.Add(day+time.Microsecond), 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.True(t, got[0].LastActiveAt.Equal(t0.Add(day)))
	got, err = s.InactiveUnwarned(t.Context(), t0.Add(day), 10)
	require.NoError(t, err)
	assert.Empty(t, got, "strictly before")
}

func testActivityWarning(t *testing.T, s ports.ActivityStore) {
	ctx, t0 := t.Context(), baseTime()
	old, older, active := newID("usr_"), newID("usr_"), newID("usr_")
	for user, at := range map[string]time.Time{old: t0.Add(-2 * time.Hour), older: t0.Add(-3 * time.Hour), active: t0} {
		_, err := s.TouchActivity(ctx, user, at, time.Hour)
		require.NoError(t, err)
	}
	got, err := s.InactiveUnwarned(ctx, t0, 10)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, []string{older, old}, []string{got[0].UserID, got[1].UserID}, "least recently active first")

	ok, err := s.MarkWarned(ctx, old, t0, t0)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = s.MarkWarned(ctx, old, t0, t0)
	require.NoError(t, err)
	assert.False(t, ok, "warned once")
	ok, err = s.MarkWarned(ctx, active, t0, t0)
	require.NoError(t, err)
	assert.False(t, ok, "an active user is not warned")
	got, err = s.InactiveUnwarned(ctx, t0, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	warned, err := s.WarnedInactive(ctx, t0, 10)
	require.NoError(t, err)
	require.Len(t, warned, 1)
	assert.Equal(t, old, warned[0].UserID)
	warned, err = s.WarnedInactive(ctx, t0.Add(-time.Microsecond), 10)
	require.NoError(t, err)
	assert.Empty(t, warned, "warned at or before")

	wrote, err := s.TouchActivity(ctx, old, t0.Add(time.Minute), time.Hour)
	require.NoError(t, err)
	assert.True(t, wrote)
	warned, err = s.WarnedInactive(ctx, t0.Add(time.Hour), 10)
	require.NoError(t, err)
	assert.Empty(t, warned, "activity cancels the warning")
}
