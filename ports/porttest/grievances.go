package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func newGrievance(userID string, received time.Time) ports.Grievance {
	return ports.Grievance{ID: newID("grv_"), UserID: userID, Subject: "मेरा डेटा", Message: "Why was my number shared?\nPlease explain.",
		Status: ports.GrievanceOpen, ReceivedAt: received, DueAt: received.Add(30 * 24 * time.Hour)}
}

// sameGrievance compares two grievances, times by instant.
func sameGrievance(t *testing.T, want, got ports.Grievance, msg string) {
	t.Helper()
	sameByInstant(t, want, got, msg, func(g *ports.Grievance) []*time.Time {
		return []*time.Time{&g.ReceivedAt, &g.DueAt, &g.RespondedAt}
	})
}

func testGrievanceCancelled(t *testing.T, s ports.GrievanceStore) {
	g := newGrievance(newID("usr_"), baseTime())
	assertCancelled(t, s.CreateGrievance(cancelled(t), g))
	_, err := s.Grievance(t.Context(), g.ID)
	require.ErrorIs(t, err, ports.ErrNotFound)
	_, err = s.AnswerGrievance(cancelled(t), g.ID, "x", baseTime())
	assertCancelled(t, err)
}

func testGrievanceReadsBack(t *testing.T, s ports.GrievanceStore) {
	g := newGrievance(newID("usr_"), baseTime())
	require.NoError(t, s.CreateGrievance(t.Context(), g))
	got, err := s.Grievance(t.Context(), g.ID)
	require.NoError(t, err)
	sameGrievance(t, g, got, "read back")
	other := newGrievance(newID("usr_"), baseTime())
	other.ID = g.ID
	require.ErrorIs(t, s.CreateGrievance(t.Context(), other), ports.ErrConflict)
	_, err = s.Grievance(t.Context(), newID("grv_"))
	require.ErrorIs(t, err, ports.ErrNotFound)
}

func testGrievancesNewestFirst(t *testing.T, s ports.GrievanceStore) {
	user, t0 := newID("usr_"), baseTime()
	first, second := newGrievance(user, t0), newGrievance(user, t0.Add(time.Hour))
	for _, g := range []ports.Grievance{second, newGrievance(newID("usr_"), t0), first} {
		require.NoError(t, s.CreateGrievance(t.Context(), g))
	}
	assertListedPerUser(t, s.Grievances, func(g ports.Grievance) string { return g.ID }, user, second.ID, first.ID)
}

func testGrievanceAnsweredOnce(t *testing.T, s ports.GrievanceStore) {
	g := newGrievance(newID("usr_"), baseTime())
	require.NoError(t, s.CreateGrievance(t.Context(), g))
	at := baseTime().Add(time.Hour)
	got, err := s.AnswerGrievance(t.Context(), g.ID, "We shared it with the courier only.", at)
	require.NoError(t, err)
	want := g
	want.Status, want.Response, want.RespondedAt = ports.GrievanceAnswered, "We shared it with the courier only.", at
	sameGrievance(t, want, got, "returned")
	stored, err := s.Grievance(t.Context(), g.ID)
	require.NoError(t, err)
	sameGrievance(t, want, stored, "stored")

	_, err = s.AnswerGrievance(t.Context(), g.ID, "another answer", at)
	require.ErrorIs(t, err, ports.ErrConflict)
	_, err = s.AnswerGrievance(t.Context(), newID("grv_"), "x", at)
	require.ErrorIs(t, err, ports.ErrNotFound)
	stored, err = s.Grievance(t.Context(), g.ID)
	require.NoError(t, err)
	assert.Equal(t, want.Response, stored.Response, "the first answer stays")
}

func testGrievanceAnswerHasOneWinner(t *testing.T, s ports.GrievanceStore) {
	g := newGrievance(newID("usr_"), baseTime())
	require.NoError(t, s.CreateGrievance(t.Context(), g))
	oneWinner(t, func(int) error {
		_, err := s.AnswerGrievance(t.Context(), g.ID, "answer", baseTime())
		return err
	}, ports.ErrConflict)
}
