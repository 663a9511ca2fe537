package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// GuardianBackend is a managed storage that keeps guardianships.
type GuardianBackend interface {
	ManagedStorage
	ports.GuardianStore
}

// createChild creates a child account with a pending guardianship requested
// at at, proposing two decisions.
func createChild(t *testing.T, s GuardianBackend, at time.Time) ports.User {
	t.Helper()
	return createUser(t, s, ports.NewUser{Email: newID("child_") + "@example.in", PasswordHash: "h", CreatedAt: at,
		Guardian: &ports.Guardianship{GuardianEmail: "parent@example.in", RequestedAt: at,
			DateOfBirth: time.Date(2014, 5, 17, 0, 0, 0, 0, time.UTC),
			Proposed:    []ports.ConsentRecord{consentRowV2("", "identity", true, at), consentRowV2("", "analytics", false, at)}}})
}

// guardianConfirmation confirms by account for guardianID with the child's
// proposed decisions.
func guardianConfirmation(g ports.Guardianship, guardianID string, at time.Time) ports.GuardianConfirmation {
	rows := make([]ports.ConsentRecord, len(g.Proposed))
	for i, r := range g.Proposed {
		r.Source, r.RecordedAt = ports.SourceGuardian, at
		rows[i] = r
	}
	return ports.GuardianConfirmation{At: at, Method: ports.GuardianByAccount, GuardianID: guardianID,
		Consents: ports.ConsentAppend{Rows: rows, CheckpointKey: checkpointKey}}
}

func testGuardianCancelled(t *testing.T, s GuardianBackend) {
	_, err := s.Guardianship(cancelled(t), "usr_x")
	assertCancelled(t, err)
	_, err = s.GuardianChildren(cancelled(t), "usr_x")
	assertCancelled(t, err)
	_, err = s.DeletePendingChildren(cancelled(t), baseTime())
	assertCancelled(t, err)
	assertCancelled(t, s.DiscardGuardianship(cancelled(t), "usr_x"))
}

func testGuardianshipCreatedWithChild(t *testing.T, s GuardianBackend) {
	at := baseTime()
	child := createChild(t, s, at)
	g, err := s.Guardianship(t.Context(), child.ID)
	require.NoError(t, err)
	assert.True(t, g.Pending())
	assert.Equal(t, child.ID, g.ChildID)
	assert.Equal(t, "parent@example.in", g.GuardianEmail)
	assert.True(t, at.Equal(g.RequestedAt))
	assert.True(t, time.Date(2014, 5, 17, 0, 0, 0, 0, time.UTC).Equal(g.DateOfBirth))
	require.Len(t, g.Proposed, 2)
	assert.Equal(t, "analytics", g.Proposed[1].Category)
	assert.Empty(t, consentHistory(t, s, child.ID), "nothing on the chain before a guardian consents")

	adult := createUser(t, s, ports.NewUser{Email: newID("adult_") + "@example.in", PasswordHash: "h"})
	_, err = s.Guardianship(t.Context(), adult.ID)
	require.ErrorIs(t, err, ports.ErrNotFound)
}

func testConfirmGuardianshipOnce(t *testing.T, s GuardianBackend) {
	at := baseTime()
	child := createChild(t, s, at)
	g, err := s.Guardianship(t.Context(), child.ID)
	require.NoError(t, err)
	done, err := s.ConfirmGuardianship(t.Context(), child.ID, guardianConfirmation(g, "usr_parent", at.Add(time.Hour)))
	require.NoError(t, err)
	assert.False(t, done.Pending())
	assert.Equal(t, "usr_parent", done.GuardianID)
	assert.Equal(t, ports.GuardianByAccount, done.Method)
	read, err := s.Guardianship(t.Context(), child.ID)
	require.NoError(t, err)
	assert.True(t, at.Add(time.Hour).Equal(read.ConfirmedAt))
	history := consentHistory(t, s, child.ID)
	require.Len(t, history, 2)
	verifyChain(t, history)
	assert.Equal(t, ports.SourceGuardian, history[0].Source)
	assertCheckpoint(t, s, checkpointKey, history[1])

	_, err = s.ConfirmGuardianship(t.Context(), child.ID, guardianConfirmation(g, "usr_other", at.Add(2*time.Hour)))
	require.ErrorIs(t, err, ports.ErrConflict)
	assert.Len(t, consentHistory(t, s, child.ID), 2, "a second confirmation writes nothing")
	_, err = s.ConfirmGuardianship(t.Context(), newID("usr_"), guardianConfirmation(g, "usr_parent", at))
	require.ErrorIs(t, err, ports.ErrNotFound)
}

func testDiscardGuardianship(t *testing.T, s GuardianBackend) {
	at := baseTime()
	pending, confirmed := createChild(t, s, at), createChild(t, s, at)
	g, err := s.Guardianship(t.Context(), confirmed.ID)
	require.NoError(t, err)
	parent := newID("usr_")
	_, err = s.ConfirmGuardianship(t.Context(), confirmed.ID, guardianConfirmation(g, parent, at.Add(time.Minute)))
	require.NoError(t, err)
	for _, child := range []ports.User{pending, confirmed} {
		require.NoError(t, s.DiscardGuardianship(t.Context(), child.ID))
		_, err = s.Guardianship(t.Context(), child.ID)
		require.ErrorIs(t, err, ports.ErrNotFound)
		_, err = s.UserByID(t.Context(), child.ID)
		require.NoError(t, err, "the account stays")
	}
	children, err := s.GuardianChildren(t.Context(), parent)
	require.NoError(t, err)
	assert.Empty(t, children, "the guardian's access ends")
	assert.Len(t, consentHistory(t, s, confirmed.ID), 2, "the ledger is append-only: its rows stay")
	require.NoError(t, s.DiscardGuardianship(t.Context(), pending.ID), "discarding none is no error")
	erased, err := s.DeletePendingChildren(t.Context(), at.Add(time.Hour))
	require.NoError(t, err)
	assert.NotContains(t, erased, pending.ID, "a discarded child is no pending child to purge")
}

func testGuardianChildrenListed(t *testing.T, s GuardianBackend) {
	at := baseTime()
	parent := newID("usr_")
	var ids []string
	for i := range 2 {
		child := createChild(t, s, at)
		g, err := s.Guardianship(t.Context(), child.ID)
		require.NoError(t, err)
		_, err = s.ConfirmGuardianship(t.Context(), child.ID, guardianConfirmation(g, parent, at.Add(time.Duration(i+1)*time.Minute)))
		require.NoError(t, err)
		ids = append(ids, child.ID)
	}
	createChild(t, s, at) // pending: no guardian yet
	// The confirmed children only, oldest first.
	assertListedPerUser(t, s.GuardianChildren, func(g ports.Guardianship) string { return g.ChildID }, parent, ids...)
}

func testDeletePendingChildren(t *testing.T, s GuardianBackend) {
	t0 := baseTime()
	old := createChild(t, s, t0)
	issueTokens(t, s, newLink(old.ID, ports.PurposeGuardian, t0))
	require.NoError(t, s.RecordEvent(t.Context(), ports.SecurityEvent{UserID: old.ID, Kind: "registered", At: t0}))
	recent := createChild(t, s, t0.Add(time.Hour))
	confirmed := createChild(t, s, t0)
	g, err := s.Guardianship(t.Context(), confirmed.ID)
	require.NoError(t, err)
	_, err = s.ConfirmGuardianship(t.Context(), confirmed.ID, guardianConfirmation(g, "usr_parent", t0))
	require.NoError(t, err)

	erased, err := s.DeletePendingChildren(t.Context(), t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []string{old.ID}, erased, "only the pending child requested before the bound")
	_, err = s.UserByID(t.Context(), old.ID)
	require.ErrorIs(t, err, ports.ErrNotFound)
	_, err = s.UserByEmail(t.Context(), old.Email)
	require.ErrorIs(t, err, ports.ErrNotFound)
	_, err = s.Guardianship(t.Context(), old.ID)
	require.ErrorIs(t, err, ports.ErrNotFound)
	tokens, err := s.Tokens(t.Context(), old.ID)
	require.NoError(t, err)
	assert.Empty(t, tokens)
	events, err := s.Events(t.Context(), old.ID)
	require.NoError(t, err)
	assert.Empty(t, events)
	for _, kept := range []ports.User{recent, confirmed} {
		_, err = s.UserByID(t.Context(), kept.ID)
		require.NoError(t, err)
	}
	again, err := s.DeletePendingChildren(t.Context(), t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Empty(t, again)
}

func testConfirmGuardianshipHasOneWinner(t *testing.T, s GuardianBackend) {
	at := baseTime()
	child := createChild(t, s, at)
	g, err := s.Guardianship(t.Context(), child.ID)
	require.NoError(t, err)
	errs := make([]error, parallelCalls)
	Together(parallelCalls, func(i int) {
		_, errs[i] = s.ConfirmGuardianship(t.Context(), child.ID, guardianConfirmation(g, newID("usr_"), at))
	})
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		require.ErrorIs(t, err, ports.ErrConflict)
	}
	assert.Equal(t, 1, wins)
	assert.Len(t, consentHistory(t, s, child.ID), 2, "one confirmation's consents")
}

// testAccountHolds: a backend that reads both holds at once
// (ports.AccountHoldsReader) answers what Guardianship and ErasureRequests
// answer one by one.
func testAccountHolds(t *testing.T, s GuardianBackend) {
	r, ok := s.(ports.AccountHoldsReader)
	if !ok {
		t.Log("the backend reads the holds one by one (no ports.AccountHoldsReader)")
		return
	}
	ctx, at := t.Context(), baseTime()
	holds := func(userID string) ports.AccountHolds {
		t.Helper()
		h, err := r.AccountHolds(ctx, userID)
		require.NoError(t, err)
		return h
	}
	assert.Equal(t, ports.AccountHolds{}, holds("usr_nobody"), "an unknown user")
	adult := createUser(t, s, ports.NewUser{Email: newID("adult_") + "@example.in", PasswordHash: "h"})
	assert.Equal(t, ports.AccountHolds{}, holds(adult.ID), "an adult without erasure requests")

	child := createChild(t, s, at)
	g, err := s.Guardianship(ctx, child.ID)
	require.NoError(t, err)
	h := holds(child.ID)
	require.NotNil(t, h.Guardianship)
	assert.Equal(t, g, *h.Guardianship)
	assert.Nil(t, h.Erasure)

	first := createErasure(t, s, newErasure(adult.ID, at))
	_, err = s.CancelErasureRequest(ctx, first.ID, at.Add(time.Minute))
	require.NoError(t, err)
	second := createErasure(t, s, newErasure(adult.ID, at.Add(time.Hour)))
	requests, err := s.ErasureRequests(ctx, adult.ID)
	require.NoError(t, err)
	require.Len(t, requests, 2)
	require.Equal(t, second.ID, requests[0].ID)
	h = holds(adult.ID)
	assert.Nil(t, h.Guardianship)
	require.NotNil(t, h.Erasure)
	sameErasure(t, requests[0], *h.Erasure, "the newest request")

	_, err = r.AccountHolds(cancelled(t), adult.ID)
	assertCancelled(t, err)
}
