package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/postgres"
	"github.com/bharatauth/bharatauth-go/ports"
)

func TestPurge(t *testing.T) {
	t.Parallel()
	store, db := newTestDB(t)
	ctx := t.Context()
	now := t0.Add(48 * time.Hour)

	// 7 expired sessions, each rotated twice (14 family rows), and 3 live ones,
	// one of them revoked (kept: the export lists revoked sessions).
	for i := range 10 {
		s := testSession(fmt.Sprintf("s-%d", i), "u-purge", fmt.Sprintf("h-%d-0", i))
		if i < 7 {
			s.ExpiresAt = now.Add(-time.Minute)
		} else {
			s.ExpiresAt = now.Add(time.Hour)
		}
		require.NoError(t, store.CreateSession(ctx, s))
		for r := 1; r <= 2; r++ {
			_, err := store.RotateRefresh(ctx, fmt.Sprintf("h-%d-%d", i, r-1), fmt.Sprintf("h-%d-%d", i, r), t0, 0)
			require.NoError(t, err)
		}
	}
	_, err := store.RevokeSessions(ctx, ports.Revocation{SessionID: "s-9"}, t0)
	require.NoError(t, err)
	// Two expired sessions that verified their device: the recent one is kept
	// as the record that the device is known, the one 180 days past expiry goes.
	for i, expired := range []time.Duration{time.Minute, 180*24*time.Hour + time.Minute} {
		s := testSession(fmt.Sprintf("v-%d", i), "u-purge", fmt.Sprintf("v-%d-0", i))
		s.ExpiresAt, s.IsVerifiedDevice = now.Add(-expired), true
		require.NoError(t, store.CreateSession(ctx, s))
	}

	// Tokens: 3 expired, 2 used (one invalidated by its successor, one
	// consumed), 1 live.
	for i := range 3 {
		require.NoError(t, store.IssueToken(ctx, ports.OneTimeToken{
			ID: fmt.Sprintf("old-%d", i), Purpose: ports.PurposeEmailVerify, Subject: fmt.Sprintf("u-%d", i),
			Hash: fmt.Sprintf("old-%d", i), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
		}))
	}
	for i, id := range []string{"first", "second", "live"} {
		subject := "u-codes"
		if id == "live" {
			subject = "u-live"
		}
		require.NoError(t, store.IssueToken(ctx, ports.OneTimeToken{
			ID: id, Purpose: ports.PurposeLoginOTP, Subject: subject, Hash: "hash-" + id,
			CreatedAt: now.Add(time.Duration(i-5) * time.Minute), ExpiresAt: now.Add(10 * time.Minute), MaxAttempts: 5,
		}))
	}
	_, err = store.ConsumeCode(ctx, "u-codes", ports.PurposeLoginOTP, "hash-second", now)
	require.NoError(t, err)

	// IP data: 2 lapsed blocks, 1 in force; 4 old failures, 2 recent.
	policy := ports.IPPolicy{DistinctIdentifiers: 1, Window: 24 * time.Hour, BlockFor: time.Hour}
	for i, at := range []time.Time{t0, t0.Add(time.Hour), now.Add(-time.Minute)} {
		_, err := store.RecordIPFailure(ctx, fmt.Sprintf("192.0.2.%d", i), "x", at, policy)
		require.NoError(t, err)
	}
	for i, at := range []time.Time{t0, t0.Add(time.Minute), t0.Add(2 * time.Minute), now.Add(-time.Hour)} {
		_, err := store.RecordIPFailure(ctx, "198.51.100.9", fmt.Sprintf("id-%d", i), at, ports.IPPolicy{})
		require.NoError(t, err)
	}
	_, err = store.AppendConsents(ctx, "u-purge", ports.ConsentAppend{Rows: []ports.ConsentRecord{{Category: "identity", Granted: true, RecordedAt: t0}}})
	require.NoError(t, err)

	// Failure counters: an idle one that never locked goes, a recent one and
	// one with lock history stay.
	policy5 := ports.LockPolicy{SoftLockAfter: 5, SoftLockFor: 7 * time.Minute, HardLockAfter: 10, ResetAfter: 24 * time.Hour}
	fail := func(key string, at time.Time) {
		t.Helper()
		_, _, err := store.BeginAttempt(ctx, key, at, policy5)
		require.NoError(t, err)
		_, err = store.FinishAttempt(ctx, key, at, policy5, ports.Failed)
		require.NoError(t, err)
	}
	fail("id:idle", t0)
	fail("id:recent", now.Add(-time.Hour))
	for range 5 {
		fail("id:history", t0)
	}
	fail("id:cleared", now.Add(-time.Minute)) // a success cleared it
	require.NoError(t, store.ClearFailures(ctx, "id:cleared"))

	// SMS budgets (one-hour windows): "sms:old" sent 3 two hours ago (its
	// sends and its key go), "sms:mixed" 70 and 30 minutes ago (the first
	// send goes), "sms:live" 10 minutes ago (kept).
	take := func(key string, at time.Time) {
		t.Helper()
		d, err := store.TakeSMS(ctx, []ports.SMSLimit{{Key: key, Limit: 3, Window: time.Hour}}, at)
		require.NoError(t, err)
		require.True(t, d.Allowed)
	}
	for range 3 {
		take("sms:old", now.Add(-2*time.Hour))
	}
	take("sms:mixed", now.Add(-70*time.Minute))
	take("sms:mixed", now.Add(-30*time.Minute))
	take("sms:live", now.Add(-10*time.Minute))

	stats, err := store.Purge(ctx, now, 2)
	require.NoError(t, err)
	// IP failures older than the 24 h retention: the block set-ups at t0 and
	// t0+1h, and the three of 198.51.100.9 from t0 to t0+2m.
	assert.Equal(t, postgres.PurgeStats{
		Sessions: 8, RefreshTokens: 14, OneTimeTokens: 5, IPBlocks: 2, IPFailures: 5, Lockouts: 2,
		SMSSends: 4, SMSBudgets: 1,
	}, stats)

	counts := []struct {
		name  string
		table string
		want  int64
	}{
		{name: "sessions left (3 live, 1 verified device)", table: "ba_sessions", want: 4},
		{name: "family rows left", table: "ba_refresh_tokens", want: 6},
		{name: "tokens left", table: "ba_otp_tokens", want: 1},
		{name: "blocks left", table: "ba_ip_blocks", want: 1},
		{name: "consent rows kept", table: "ba_consent_log", want: 1},
		{name: "counters kept: recent and with history", table: "ba_lockouts", want: 2},
		{name: "SMS sends within their window", table: "ba_sms_sends", want: 2},
		{name: "SMS budget keys with a send within its window", table: "ba_sms_budgets", want: 2},
	}
	for _, c := range counts {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, countRows(t, db, c.table))
		})
	}
	assert.Equal(t, int64(2), countRows(t, db, "ba_ip_failures"))

	tok, err := store.Tokens(ctx, "u-live")
	require.NoError(t, err)
	require.Len(t, tok, 1)
	assert.Equal(t, "live", tok[0].ID)

	// A second run finds nothing more.
	again, err := store.Purge(ctx, now, 2)
	require.NoError(t, err)
	assert.Equal(t, postgres.PurgeStats{}, again)
}
