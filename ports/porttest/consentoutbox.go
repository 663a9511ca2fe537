package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// outboxLease is the lease of the suite's claims.
const outboxLease = time.Minute

// notify appends rows for userID with Notify on, which must succeed.
func notify(t *testing.T, b LedgerOutbox, userID string, rows ...ports.ConsentRecord) []ports.ConsentRecord {
	t.Helper()
	stored, err := b.AppendConsents(t.Context(), userID, ports.ConsentAppend{Rows: rows, Notify: true})
	require.NoError(t, err)
	return stored
}

// claimChanges claims up to 100 changes due at now, which must succeed.
func claimChanges(t *testing.T, b LedgerOutbox, now time.Time) []ports.ConsentChange {
	t.Helper()
	cs, err := b.ClaimConsentChanges(t.Context(), now, outboxLease, 100)
	require.NoError(t, err)
	return cs
}

func testOutboxCancelled(t *testing.T, b LedgerOutbox) {
	_, err := b.ClaimConsentChanges(cancelled(t), baseTime(), outboxLease, 10)
	assertCancelled(t, err)
	assertCancelled(t, b.AckConsentChange(cancelled(t), 1))
	assertCancelled(t, b.RetryConsentChange(cancelled(t), 1, baseTime()))
}

func testOutboxQueuesWithRows(t *testing.T, b LedgerOutbox) {
	quiet, loud, t0 := newID("usr_"), newID("usr_"), baseTime()
	appendConsents(t, b, quiet, consentRow(quiet, "analytics", false, t0))
	stored := notify(t, b, loud, consentRowV2(loud, "analytics", false, t0))
	got := claimChanges(t, b, t0)
	require.Len(t, got, 1, "only the row appended with Notify is queued")
	c := got[0]
	assert.Equal(t, loud, c.UserID)
	assert.Equal(t, stored[0].Seq, c.Seq)
	assert.Equal(t, "analytics", c.Category)
	assert.False(t, c.Granted)
	assert.Equal(t, ports.SourceConsentManager, c.Source)
	assert.True(t, stored[0].RecordedAt.Equal(c.RecordedAt), "RecordedAt %v, want %v", c.RecordedAt, stored[0].RecordedAt)
	assert.Equal(t, 1, c.Attempts)
	assert.NotZero(t, c.ID)
}

func testOutboxRedeliversAfterCrash(t *testing.T, b LedgerOutbox) {
	user, t0 := newID("usr_"), baseTime()
	notify(t, b, user, consentRow(user, "communications", false, t0))
	first := claimChanges(t, b, t0)
	require.Len(t, first, 1)
	// The claimer crashes here: no acknowledgement, no retry.
	assert.Empty(t, claimChanges(t, b, t0.Add(outboxLease-time.Millisecond)), "leased until its lease ends")
	again := claimChanges(t, b, t0.Add(outboxLease))
	require.Len(t, again, 1, "the change comes back once the lease ends")
	assert.Equal(t, first[0].ID, again[0].ID)
	assert.Equal(t, 2, again[0].Attempts)

	require.NoError(t, b.AckConsentChange(t.Context(), again[0].ID))
	assert.Empty(t, claimChanges(t, b, t0.Add(time.Hour)), "an acknowledged change is gone")
	require.NoError(t, b.AckConsentChange(t.Context(), again[0].ID), "a late acknowledgement is no error")
	require.ErrorIs(t, b.RetryConsentChange(t.Context(), again[0].ID, t0), ports.ErrNotFound)
}

func testOutboxOrderedPerUser(t *testing.T, b LedgerOutbox) {
	a, other, t0 := newID("usr_"), newID("usr_"), baseTime()
	rows := notify(t, b, a, consentRow(a, "analytics", true, t0), consentRow(a, "analytics", false, t0))
	notify(t, b, other, consentRow(other, "location", true, t0))
	got := claimChanges(t, b, t0)
	require.Len(t, got, 2, "one change per user")
	assert.Equal(t, rows[0].Seq, got[0].Seq, "the user's oldest change first")
	assert.Equal(t, other, got[1].UserID, "oldest first across users")
	later := t0.Add(2 * outboxLease)
	require.NoError(t, b.RetryConsentChange(t.Context(), got[0].ID, later))
	require.NoError(t, b.AckConsentChange(t.Context(), got[1].ID))
	assert.Empty(t, claimChanges(t, b, t0.Add(outboxLease)), "the second change waits while the first is retried")

	redelivered := claimChanges(t, b, later)
	require.Len(t, redelivered, 1)
	assert.Equal(t, got[0].ID, redelivered[0].ID)
	require.NoError(t, b.AckConsentChange(t.Context(), redelivered[0].ID))
	next := claimChanges(t, b, later)
	require.Len(t, next, 1)
	assert.Equal(t, rows[1].Seq, next[0].Seq)
	assert.Equal(t, 1, next[0].Attempts)
}

func testOutboxRetryReschedules(t *testing.T, b LedgerOutbox) {
	user, t0 := newID("usr_"), baseTime()
	notify(t, b, user, consentRow(user, "analytics", true, t0))
	c := claimChanges(t, b, t0)
	require.Len(t, c, 1)
	at := t0.Add(10 * time.Second)
	require.NoError(t, b.RetryConsentChange(t.Context(), c[0].ID, at))
	assert.Empty(t, claimChanges(t, b, at.Add(-time.Millisecond)))
	assert.Len(t, claimChanges(t, b, at), 1)
}

func testOutboxClaimHasOneWinner(t *testing.T, b LedgerOutbox) {
	t0 := baseTime()
	const users = 8
	for range users {
		user := newID("usr_")
		notify(t, b, user, consentRow(user, "analytics", true, t0))
	}
	results := make([][]ports.ConsentChange, parallelCalls)
	errs := make([]error, parallelCalls)
	Together(parallelCalls, func(i int) {
		results[i], errs[i] = b.ClaimConsentChanges(t.Context(), t0, outboxLease, 2)
	})
	seen := map[int64]bool{}
	for i := range parallelCalls {
		require.NoError(t, errs[i], "call %d", i)
		for _, c := range results[i] {
			assert.False(t, seen[c.ID], "change %d claimed twice", c.ID)
			seen[c.ID] = true
		}
	}
	assert.Len(t, seen, users, "every change is claimed once")
}
