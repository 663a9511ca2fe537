package porttest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/consentchain"
)

// consentRow returns an unsaved consent decision of userID. The time carries
// nanoseconds and a non-UTC zone so that truncation and normalisation show.
func consentRow(userID, category string, granted bool, at time.Time) ports.ConsentRecord {
	ist := time.FixedZone("IST", 5*3600+1800)
	return ports.ConsentRecord{
		UserID:         userID,
		Category:       category,
		Granted:        granted,
		NoticeVersion:  "2026-01",
		NoticeLanguage: "hi",
		IPAddress:      "198.51.100.23",
		UserAgent:      "BharatApp/1.0",
		RecordedAt:     at.Add(789 * time.Nanosecond).In(ist),
	}
}

// verifyChain checks Seq 1..n, the PrevHash links and every Hash.
func verifyChain(t *testing.T, rows []ports.ConsentRecord) {
	t.Helper()
	prev := ""
	for i, r := range rows {
		assert.Equal(t, int64(i+1), r.Seq, "row %d: Seq", i)
		assert.Equal(t, prev, r.PrevHash, "row %d: PrevHash", i)
		assert.Equal(t, consentchain.Hash(r.PrevHash, r), r.Hash, "row %d: Hash", i)
		prev = r.Hash
	}
}

// consentHistory reads the history of userID or fails the test.
func consentHistory(t *testing.T, ledger ports.ConsentLedger, userID string) []ports.ConsentRecord {
	t.Helper()
	history, err := ledger.ConsentHistory(t.Context(), userID)
	require.NoError(t, err)
	return history
}

// appendConsents appends rows for userID, which must succeed.
func appendConsents(t *testing.T, ledger ports.ConsentLedger, userID string, rows ...ports.ConsentRecord) []ports.ConsentRecord {
	t.Helper()
	stored, err := ledger.AppendConsents(t.Context(), userID, ports.ConsentAppend{Rows: rows})
	require.NoError(t, err)
	return stored
}

func testConsentCancelled(t *testing.T, ledger ports.ConsentLedger) {
	user := newID("usr_")
	_, err := ledger.AppendConsents(cancelled(t), user, ports.ConsentAppend{Rows: []ports.ConsentRecord{consentRow(user, "identity", true, baseTime())}})
	assertCancelled(t, err)
	assert.Empty(t, consentHistory(t, ledger, user), "nothing was appended")
}

func testConsentAppendsChain(t *testing.T, ledger ports.ConsentLedger) {
	user, t0 := newID("usr_"), baseTime()
	input := []ports.ConsentRecord{
		consentRow(user, "identity", true, t0),
		consentRow(user, "contact", true, t0),
		consentRow(user, "analytics", false, t0),
		consentRow(user, "analytics", true, t0.Add(time.Hour)),
		consentRow(user, "location", false, t0.Add(time.Hour)),
	}
	stored := appendConsents(t, ledger, user, input[:3]...)
	require.Len(t, stored, 3)
	stored = append(stored, appendConsents(t, ledger, user, input[3:]...)...)
	verifyChain(t, stored)

	for i, r := range stored {
		want := input[i].RecordedAt.Truncate(time.Microsecond)
		assert.Truef(t, want.Equal(r.RecordedAt), "row %d: RecordedAt %v, want %v", i, r.RecordedAt, want)
		assert.Equal(t, 0, r.RecordedAt.Nanosecond()%1000, "row %d: RecordedAt is truncated to the microsecond", i)
		assert.Equal(t, user, r.UserID)
		assert.Equal(t, input[i].Category, r.Category)
		assert.Equal(t, input[i].Granted, r.Granted)
		assert.Equal(t, input[i].NoticeVersion, r.NoticeVersion)
		assert.Equal(t, input[i].NoticeLanguage, r.NoticeLanguage)
		assert.Equal(t, input[i].IPAddress, r.IPAddress)
		assert.Equal(t, input[i].UserAgent, r.UserAgent)
	}

	history := consentHistory(t, ledger, user)
	require.Len(t, history, len(stored))
	verifyChain(t, history)
	for i := range history {
		assert.Truef(t, stored[i].RecordedAt.Equal(history[i].RecordedAt), "row %d: RecordedAt", i)
		history[i].RecordedAt = stored[i].RecordedAt
		assert.Equal(t, stored[i], history[i], "row %d reads back as appended", i)
	}
}

func testConsentEmptyHistory(t *testing.T, ledger ports.ConsentLedger) {
	assert.Empty(t, consentHistory(t, ledger, newID("usr_")))
}

func testConsentHistoriesIndependent(t *testing.T, ledger ports.ConsentLedger) {
	a, b, t0 := newID("usr_"), newID("usr_"), baseTime()
	for i := range 3 {
		for _, user := range []string{a, b} {
			appendConsents(t, ledger, user, consentRow(user, fmt.Sprintf("cat%d", i), i%2 == 0, t0.Add(time.Duration(i)*time.Second)))
		}
	}
	for _, user := range []string{a, b} {
		history := consentHistory(t, ledger, user)
		require.Len(t, history, 3)
		verifyChain(t, history)
		for _, r := range history {
			assert.Equal(t, user, r.UserID)
		}
	}
}

func testConsentParallelAppendsChain(t *testing.T, ledger ports.ConsentLedger) {
	user, t0 := newID("usr_"), baseTime()
	results := make([][]ports.ConsentRecord, parallelCalls)
	errs := make([]error, parallelCalls)
	Together(parallelCalls, func(i int) {
		at := t0.Add(time.Duration(i) * time.Millisecond)
		results[i], errs[i] = ledger.AppendConsents(t.Context(), user, ports.ConsentAppend{Rows: []ports.ConsentRecord{
			consentRow(user, "contact", true, at),
			consentRow(user, "analytics", i%2 == 0, at),
		}, CheckpointKey: checkpointKey})
	})
	for i := range parallelCalls {
		require.NoError(t, errs[i], "call %d", i)
		require.Len(t, results[i], 2)
		assert.Equal(t, results[i][0].Seq+1, results[i][1].Seq, "call %d: one call's rows are adjacent", i)
	}
	history := consentHistory(t, ledger, user)
	require.Len(t, history, 2*parallelCalls)
	verifyChain(t, history)
	assertCheckpoint(t, ledger, checkpointKey, history[len(history)-1])
}

// checkpointKey keys the checkpoints of the suite.
var checkpointKey = []byte("porttest-checkpoint-key")

// assertCheckpoint checks that the user's checkpoint is the keyed one of head.
func assertCheckpoint(t *testing.T, ledger ports.ConsentLedger, key []byte, head ports.ConsentRecord) {
	t.Helper()
	cp, err := ledger.ConsentCheckpoint(t.Context(), head.UserID)
	require.NoError(t, err)
	assert.Equal(t, ports.ConsentCheckpoint{UserID: head.UserID, Seq: head.Seq, Head: head.Hash,
		MAC: consentchain.Checkpoint(key, head.UserID, head.Seq, head.Hash)}, cp)
}

// consentRowV2 is consentRow as a version-2 row of a consent manager.
func consentRowV2(userID, category string, granted bool, at time.Time) ports.ConsentRecord {
	r := consentRow(userID, category, granted, at)
	r.ChainVersion, r.NoticeHash, r.Source = ports.ChainV2, newHash(), ports.SourceConsentManager
	r.ManagerID, r.ManagerReference = "CM-0042", newID("ref_")
	r.IPDigest, r.UserAgentDigest = newHash(), newHash()
	return r
}

func testConsentV2ReadsBack(t *testing.T, ledger ports.ConsentLedger) {
	user, t0 := newID("usr_"), baseTime()
	old := appendConsents(t, ledger, user, consentRow(user, "identity", true, t0))
	input := consentRowV2(user, "analytics", true, t0)
	stored := appendConsents(t, ledger, user, input)
	history := consentHistory(t, ledger, user)
	require.Len(t, history, 2)
	verifyChain(t, history)
	assert.Equal(t, ports.ChainV1, history[0].ChainVersion, "an unversioned row is stored as version 1")
	assert.Equal(t, old[0].Hash, history[0].Hash)
	got := history[1]
	assert.Equal(t, stored[0].Hash, got.Hash)
	assert.Equal(t, ports.ChainV2, got.ChainVersion)
	for name, pair := range map[string][2]string{
		"NoticeHash": {input.NoticeHash, got.NoticeHash}, "Source": {input.Source, got.Source},
		"ManagerID": {input.ManagerID, got.ManagerID}, "ManagerReference": {input.ManagerReference, got.ManagerReference},
		"IPDigest": {input.IPDigest, got.IPDigest}, "UserAgentDigest": {input.UserAgentDigest, got.UserAgentDigest},
	} {
		assert.Equal(t, pair[0], pair[1], name)
	}
}

func testCheckpointFollowsHead(t *testing.T, ledger ports.ConsentLedger) {
	user, t0 := newID("usr_"), baseTime()
	appendConsents(t, ledger, user, consentRow(user, "identity", true, t0))
	_, err := ledger.ConsentCheckpoint(t.Context(), user)
	require.ErrorIs(t, err, ports.ErrNotFound, "no key, no checkpoint")

	stored, err := ledger.AppendConsents(t.Context(), user, ports.ConsentAppend{CheckpointKey: checkpointKey,
		Rows: []ports.ConsentRecord{consentRowV2(user, "contact", true, t0), consentRowV2(user, "analytics", false, t0)}})
	require.NoError(t, err)
	assertCheckpoint(t, ledger, checkpointKey, stored[1])

	stored, err = ledger.AppendConsents(t.Context(), user, ports.ConsentAppend{CheckpointKey: checkpointKey,
		Rows: []ports.ConsentRecord{consentRowV2(user, "analytics", true, t0.Add(time.Second))}})
	require.NoError(t, err)
	assertCheckpoint(t, ledger, checkpointKey, stored[0])
	_, err = ledger.ConsentCheckpoint(t.Context(), newID("usr_"))
	require.ErrorIs(t, err, ports.ErrNotFound)
}
