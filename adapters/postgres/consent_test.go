package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/consentchain"
)

// TestConsentLogIsAppendOnly proves the database itself refuses to rewrite
// the DPDP consent log, whoever asks: raw UPDATE, DELETE and TRUNCATE fail and
// the rows and their chain stay intact.
func TestConsentLogIsAppendOnly(t *testing.T) {
	t.Parallel()
	store, db := newTestDB(t)
	ctx := context.Background()

	stored, err := store.AppendConsents(ctx, "u-1", ports.ConsentAppend{Rows: []ports.ConsentRecord{
		{Category: "identity", Granted: true, NoticeVersion: "v1", NoticeLanguage: "en", RecordedAt: t0.Add(123456789 * time.Nanosecond)},
		{Category: "analytics", Granted: false, NoticeVersion: "v1", NoticeLanguage: "en", RecordedAt: t0},
	}})
	require.NoError(t, err)
	require.Len(t, stored, 2)

	tests := []struct {
		name string
		sql  string
	}{
		{name: "update", sql: "UPDATE ba_consent_log SET granted = NOT granted"},
		{name: "update one column of one row", sql: "UPDATE ba_consent_log SET category = 'contact' WHERE seq = 1"},
		{name: "delete", sql: "DELETE FROM ba_consent_log"},
		{name: "delete one row", sql: "DELETE FROM ba_consent_log WHERE seq = 2"},
		{name: "truncate", sql: "TRUNCATE ba_consent_log"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.ExecContext(ctx, tc.sql)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "append-only")
		})
	}

	history, err := store.ConsentHistory(ctx, "u-1")
	require.NoError(t, err)
	assert.Equal(t, stored, history)
	prev := ""
	for _, r := range history {
		assert.Equal(t, prev, r.PrevHash)
		assert.Equal(t, consentchain.Hash(prev, r), r.Hash)
		prev = r.Hash
	}
}

// TestAppendConsentsChainsAcrossCalls checks numbering and chaining over
// several appends and that an empty append writes nothing.
func TestAppendConsentsChainsAcrossCalls(t *testing.T) {
	t.Parallel()
	store, _ := newTestDB(t)
	ctx := context.Background()

	tests := []struct {
		name     string
		rows     []ports.ConsentRecord
		wantSeqs []int64
	}{
		{name: "first append", rows: []ports.ConsentRecord{{Category: "identity", Granted: true}}, wantSeqs: []int64{1}},
		{name: "empty append", rows: nil, wantSeqs: nil},
		{name: "second append", rows: []ports.ConsentRecord{{Category: "contact", Granted: true}, {Category: "location"}}, wantSeqs: []int64{2, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := store.AppendConsents(ctx, "u-chain", ports.ConsentAppend{Rows: tc.rows})
			require.NoError(t, err)
			var seqs []int64
			for _, r := range got {
				seqs = append(seqs, r.Seq)
				assert.Equal(t, "u-chain", r.UserID)
			}
			assert.Equal(t, tc.wantSeqs, seqs)
		})
	}
	history, err := store.ConsentHistory(ctx, "u-chain")
	require.NoError(t, err)
	require.Len(t, history, 3)
	assert.Equal(t, history[1].Hash, history[2].PrevHash)
}

// TestCreateUserConsentsAreAllOrNothing: registration writes the user and the
// start of its consent chain together; a conflicting registration writes
// neither.
func TestCreateUserConsentsAreAllOrNothing(t *testing.T) {
	t.Parallel()
	store, db := newTestDB(t)
	ctx := context.Background()
	consents := []ports.ConsentRecord{
		{Category: "identity", Granted: true, NoticeVersion: "v1", RecordedAt: t0},
		{Category: "analytics", Granted: false, NoticeVersion: "v1", RecordedAt: t0},
	}

	tests := []struct {
		name      string
		email     string
		wantErr   error
		wantRows  int64
		wantChain int
	}{
		{name: "first registration", email: "Meera@Example.in", wantRows: 2, wantChain: 2},
		{name: "same email in other case", email: "meera@example.IN", wantErr: ports.ErrConflict, wantRows: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := store.CreateUser(ctx, ports.NewUser{
				Email: tc.email, PasswordHash: "$argon2id$x", CreatedAt: t0, Consents: ports.ConsentAppend{Rows: consents},
			})
			assert.Equal(t, tc.wantRows, countRows(t, db, "ba_consent_log"))
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			history, err := store.ConsentHistory(ctx, u.ID)
			require.NoError(t, err)
			require.Len(t, history, tc.wantChain)
			assert.Equal(t, "", history[0].PrevHash)
			assert.Equal(t, history[0].Hash, history[1].PrevHash)
		})
	}
}
