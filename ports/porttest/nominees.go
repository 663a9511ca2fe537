package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func newNominee(userID string, added time.Time) ports.Nominee {
	return ports.Nominee{ID: newID("nom_"), UserID: userID, Name: "रवि शर्मा", Email: "ravi@example.com",
		Relationship: "brother", AddedAt: added}
}

func testNomineeCancelled(t *testing.T, s ports.NomineeStore) {
	n := newNominee(newID("usr_"), baseTime())
	assertCancelled(t, s.AddNominee(cancelled(t), n))
	got, err := s.Nominees(t.Context(), n.UserID)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func testNomineesKeepHistory(t *testing.T, s ports.NomineeStore) {
	user, t0 := newID("usr_"), baseTime()
	first, second := newNominee(user, t0), newNominee(user, t0.Add(time.Hour))
	for _, n := range []ports.Nominee{second, newNominee(newID("usr_"), t0), first} {
		require.NoError(t, s.AddNominee(t.Context(), n))
	}
	dup := newNominee(user, t0)
	dup.ID = first.ID
	require.ErrorIs(t, s.AddNominee(t.Context(), dup), ports.ErrConflict)
	_, err := s.RemoveNominee(t.Context(), user, first.ID, t0.Add(2*time.Hour))
	require.NoError(t, err)

	got, err := s.Nominees(t.Context(), user)
	require.NoError(t, err)
	require.Len(t, got, 2, "a removed nominee stays in the history")
	assert.Equal(t, []string{first.ID, second.ID}, []string{got[0].ID, got[1].ID})
	assert.True(t, got[0].RemovedAt.Equal(t0.Add(2*time.Hour)))
	assert.True(t, got[1].RemovedAt.IsZero())
	assert.Equal(t, "रवि शर्मा", got[1].Name)
	assert.Equal(t, "brother", got[1].Relationship)
}

func testNomineeRemovedOnce(t *testing.T, s ports.NomineeStore) {
	n := newNominee(newID("usr_"), baseTime())
	require.NoError(t, s.AddNominee(t.Context(), n))
	_, err := s.RemoveNominee(t.Context(), newID("usr_"), n.ID, baseTime())
	require.ErrorIs(t, err, ports.ErrNotFound, "another user's nominee")
	got, err := s.RemoveNominee(t.Context(), n.UserID, n.ID, baseTime())
	require.NoError(t, err)
	assert.Equal(t, n.ID, got.ID)
	_, err = s.RemoveNominee(t.Context(), n.UserID, n.ID, baseTime())
	require.ErrorIs(t, err, ports.ErrNotFound, "removed already")
	_, err = s.RemoveNominee(t.Context(), n.UserID, newID("nom_"), baseTime())
	require.ErrorIs(t, err, ports.ErrNotFound)
}
