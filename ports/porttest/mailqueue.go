package porttest

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// mailLease is how long the suite's claims hold a message.
const mailLease = 2 * time.Minute

// newMail returns a message due at now, expiring 10 minutes later, leased to
// nobody.
func newMail(now time.Time) ports.QueuedMail {
	return ports.QueuedMail{
		ID:       newID("mail_"),
		Payload:  []byte("sealed\x00" + randomHex(16)),
		NotAfter: now.Add(10 * time.Minute),
		DueAt:    now,
	}
}

// claim claims up to 10 messages for lease at now, or fails the test.
func claim(t *testing.T, q ports.MailQueue, lease string, now time.Time) []ports.QueuedMail {
	t.Helper()
	got, err := q.ClaimMail(t.Context(), lease, now, mailLease, 10)
	require.NoError(t, err)
	return got
}

// mailIDs lists the IDs of ms in order.
func mailIDs(ms []ports.QueuedMail) []string {
	ids := make([]string, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

func testMailCancelled(t *testing.T, q ports.MailQueue) {
	now := baseTime()
	assertCancelled(t, q.EnqueueMail(cancelled(t), newMail(now)))
	_, err := q.ClaimMail(cancelled(t), "w", now, mailLease, 1)
	assertCancelled(t, err)
	assert.Empty(t, claim(t, q, "w", now), "nothing was queued")
}

func testMailReadsBack(t *testing.T, q ports.MailQueue) {
	now := baseTime()
	m := newMail(now)
	require.NoError(t, q.EnqueueMail(t.Context(), m))
	got := claim(t, q, "w1", now)
	require.Len(t, got, 1)
	c := got[0]
	assert.Equal(t, m.ID, c.ID)
	assert.Equal(t, m.Payload, c.Payload, "the payload is opaque bytes, kept exactly")
	assert.True(t, m.NotAfter.Equal(c.NotAfter), "NotAfter: got %v, want %v", c.NotAfter, m.NotAfter)
	assert.True(t, m.DueAt.Equal(c.DueAt), "DueAt: got %v, want %v", c.DueAt, m.DueAt)
	assert.Equal(t, 1, c.Attempts, "the claim counts an attempt")
	assert.Equal(t, "w1", c.Lease)
	assert.True(t, now.Add(mailLease).Equal(c.LeasedUntil), "LeasedUntil: got %v", c.LeasedUntil)
}

func testMailDuplicateConflicts(t *testing.T, q ports.MailQueue) {
	now := baseTime()
	m := newMail(now)
	require.NoError(t, q.EnqueueMail(t.Context(), m))
	dup := newMail(now)
	dup.ID = m.ID
	require.ErrorIs(t, q.EnqueueMail(t.Context(), dup), ports.ErrConflict)
	got := claim(t, q, "w", now)
	require.Len(t, got, 1)
	assert.Equal(t, m.Payload, got[0].Payload, "the first message is unchanged")
}

func testMailClaimsDueOldestFirst(t *testing.T, q ports.MailQueue) {
	now := baseTime()
	late, early, later := newMail(now.Add(2*time.Second)), newMail(now.Add(time.Second)), newMail(now.Add(3*time.Second))
	for _, m := range []ports.QueuedMail{late, early, later} {
		require.NoError(t, q.EnqueueMail(t.Context(), m))
	}
	assert.Empty(t, claim(t, q, "w", now), "nothing is due yet")
	got, err := q.ClaimMail(t.Context(), "w", now.Add(3*time.Second), mailLease, 2)
	require.NoError(t, err)
	assert.Equal(t, []string{early.ID, late.ID}, mailIDs(got), "oldest due first, at most the limit")
	assert.Equal(t, []string{later.ID}, mailIDs(claim(t, q, "w2", now.Add(3*time.Second))))
}

func testMailEnqueuerHoldsLease(t *testing.T, q ports.MailQueue) {
	now := baseTime()
	m := newMail(now)
	m.Lease, m.LeasedUntil, m.Attempts = "sender", now.Add(mailLease), 1
	require.NoError(t, q.EnqueueMail(t.Context(), m))
	assert.Empty(t, claim(t, q, "other", now.Add(mailLease-time.Microsecond)), "the enqueuer is still sending")
	got := claim(t, q, "other", now.Add(mailLease))
	require.Equal(t, []string{m.ID}, mailIDs(got), "the lease lapsed: the enqueuer died mid-send")
	assert.Equal(t, 2, got[0].Attempts)
}

func testMailCrashedWorkerLeaseLapses(t *testing.T, q ports.MailQueue) {
	now := baseTime()
	m := newMail(now)
	require.NoError(t, q.EnqueueMail(t.Context(), m))
	require.Len(t, claim(t, q, "crashed", now), 1) // and never finished
	assert.Empty(t, claim(t, q, "second", now.Add(mailLease/2)), "held by the first worker")
	got := claim(t, q, "second", now.Add(mailLease))
	require.Equal(t, []string{m.ID}, mailIDs(got), "another worker gets the message")
	assert.Equal(t, 2, got[0].Attempts)
	assert.ErrorIs(t, q.RetryMail(t.Context(), m.ID, "crashed", now.Add(mailLease)), ports.ErrNotFound,
		"the first worker, back, no longer holds it")
	require.NoError(t, q.RemoveMail(t.Context(), m.ID)) // delivered by the second
	assert.Empty(t, claim(t, q, "third", now.Add(10*mailLease)))
}

func testMailRetryNeedsLease(t *testing.T, q ports.MailQueue) {
	now := baseTime()
	m := newMail(now)
	require.NoError(t, q.EnqueueMail(t.Context(), m))
	require.Len(t, claim(t, q, "w", now), 1)
	require.ErrorIs(t, q.RetryMail(t.Context(), m.ID, "not-w", now), ports.ErrNotFound)
	assert.Empty(t, claim(t, q, "x", now), "a stale lease changed nothing")
	require.ErrorIs(t, q.RetryMail(t.Context(), "mail_unknown", "w", now), ports.ErrNotFound)

	retryAt := now.Add(30 * time.Second)
	require.NoError(t, q.RetryMail(t.Context(), m.ID, "w", retryAt))
	assert.Empty(t, claim(t, q, "x", retryAt.Add(-time.Microsecond)), "not before the retry is due")
	got := claim(t, q, "x", retryAt)
	require.Equal(t, []string{m.ID}, mailIDs(got))
	assert.True(t, retryAt.Equal(got[0].DueAt))
	assert.Equal(t, 2, got[0].Attempts)
}

func testMailRemoved(t *testing.T, q ports.MailQueue) {
	now := baseTime()
	m := newMail(now)
	require.NoError(t, q.EnqueueMail(t.Context(), m))
	require.NoError(t, q.RemoveMail(t.Context(), m.ID))
	require.NoError(t, q.RemoveMail(t.Context(), m.ID), "removing twice is fine")
	assert.Empty(t, claim(t, q, "w", now.Add(time.Hour)))
	assert.ErrorIs(t, q.RetryMail(t.Context(), m.ID, "w", now), ports.ErrNotFound)
}

func testMailExpiredClaimed(t *testing.T, q ports.MailQueue) {
	now := baseTime()
	m := newMail(now)
	require.NoError(t, q.EnqueueMail(t.Context(), m))
	got := claim(t, q, "w", m.NotAfter.Add(time.Hour))
	assert.Equal(t, []string{m.ID}, mailIDs(got))
}

func testMailClaimHasOneWinner(t *testing.T, q ports.MailQueue) {
	now := baseTime()
	m := newMail(now)
	require.NoError(t, q.EnqueueMail(t.Context(), m))
	var mu sync.Mutex
	var claimers []int
	Together(parallelCalls, func(i int) {
		got, err := q.ClaimMail(t.Context(), newID("w_"), now, mailLease, 1)
		assert.NoError(t, err)
		if len(got) > 0 {
			mu.Lock()
			claimers = append(claimers, i)
			mu.Unlock()
		}
	})
	assert.Len(t, claimers, 1, "exactly one claimer gets the message")
}
