package postgres_test

import (
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
	ctx := t.Context()

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
	ctx := t.Context()

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
	ctx := t.Context()
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

// TestConsentLogAllowsOnlyPseudonymisingV2Rows proves the one update the
// append-only trigger lets through: emptying ip_address and/or user_agent of a
// chain version 2 row. Everything else stays refused, version 1 rows are
// never changed, and the chain still verifies after pseudonymisation.
func TestConsentLogAllowsOnlyPseudonymisingV2Rows(t *testing.T) {
	t.Parallel()
	store, db := newTestDB(t)
	ctx := t.Context()
	v1 := ports.ConsentRecord{Category: "identity", Granted: true, IPAddress: "198.51.100.23", UserAgent: "BharatApp/1.0", RecordedAt: t0}
	v2 := v1
	v2.Category, v2.ChainVersion, v2.IPDigest, v2.UserAgentDigest = "analytics", ports.ChainV2, "ipd", "uad"
	_, err := store.AppendConsents(ctx, "u-1", ports.ConsentAppend{Rows: []ports.ConsentRecord{v1, v2, v2}})
	require.NoError(t, err)

	refused := []struct{ name, sql string }{
		{"empty the IP of a version 1 row", "UPDATE ba_consent_log SET ip_address = '' WHERE seq = 1"},
		{"empty IP and user agent of a version 1 row", "UPDATE ba_consent_log SET ip_address = '', user_agent = '' WHERE seq = 1"},
		{"rewrite the IP of a version 2 row", "UPDATE ba_consent_log SET ip_address = '203.0.113.1' WHERE seq = 2"},
		{"rewrite the user agent of a version 2 row", "UPDATE ba_consent_log SET user_agent = 'x' WHERE seq = 2"},
		{"empty the IP and change the decision", "UPDATE ba_consent_log SET ip_address = '', granted = false WHERE seq = 2"},
		{"empty the IP and change the digest", "UPDATE ba_consent_log SET ip_address = '', ip_digest = '' WHERE seq = 2"},
		{"empty the IP and downgrade the version", "UPDATE ba_consent_log SET ip_address = '', chain_version = 1 WHERE seq = 2"},
		{"empty the IP and rewrite the hash", "UPDATE ba_consent_log SET ip_address = '', hash = 'h' WHERE seq = 2"},
		{"empty the IP and move the time", "UPDATE ba_consent_log SET ip_address = '', recorded_at = recorded_at + interval '1 second' WHERE seq = 2"},
		{"empty the IPs of every row, version 1 included", "UPDATE ba_consent_log SET ip_address = ''"},
		{"NULL the IP of a version 2 row", "UPDATE ba_consent_log SET ip_address = NULL WHERE seq = 2"},
	}
	for _, tc := range refused {
		_, err := db.ExecContext(ctx, tc.sql)
		require.Error(t, err, tc.name)
	}
	history, err := store.ConsentHistory(ctx, "u-1")
	require.NoError(t, err)
	for _, r := range history {
		assert.Equal(t, "198.51.100.23", r.IPAddress, "row %d is unchanged after the refusals", r.Seq)
	}

	allowed := []struct {
		name, sql string
		seq       int64
	}{
		{"empty the IP of a version 2 row", "UPDATE ba_consent_log SET ip_address = '' WHERE seq = 2", 2},
		{"then its user agent", "UPDATE ba_consent_log SET user_agent = '' WHERE seq = 2", 2},
		{"empty both at once", "UPDATE ba_consent_log SET ip_address = '', user_agent = '' WHERE seq = 3", 3},
	}
	for _, tc := range allowed {
		_, err := db.ExecContext(ctx, tc.sql)
		require.NoError(t, err, tc.name)
	}
	history, err = store.ConsentHistory(ctx, "u-1")
	require.NoError(t, err)
	assert.Equal(t, "198.51.100.23BharatApp/1.0", history[0].IPAddress+history[0].UserAgent, "the version 1 row")
	prev := ""
	for _, r := range history {
		if r.Seq > 1 {
			assert.Empty(t, r.IPAddress+r.UserAgent, "row %d", r.Seq)
		}
		assert.Equal(t, consentchain.Hash(prev, r), r.Hash, "row %d still verifies", r.Seq)
		prev = r.Hash
	}
	_, err = db.ExecContext(ctx, "DELETE FROM ba_consent_log WHERE seq = 3")
	require.Error(t, err, "a pseudonymised row still cannot be deleted")
}
