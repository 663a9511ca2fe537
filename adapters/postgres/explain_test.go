package postgres_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/postgres/pgtest"
	"github.com/bharatauth/bharatauth-go/ports"
)

// bigRows is how many rows each large table gets for the plan checks: enough
// that PostgreSQL prefers an index whenever one fits.
const bigRows = 100_000

// fillSQL fills every large table with generate_series, in one round trip each.
var fillSQL = []string{
	`INSERT INTO ba_users (id, email, username, created_at)
	 SELECT 'user-' || i, 'user' || i || '@example.in', 'user' || i, now() FROM generate_series(1, 100000) i`,
	`INSERT INTO ba_accounts (user_id) SELECT 'user-' || i FROM generate_series(1, 100000) i`,
	`INSERT INTO ba_credentials (user_id, password_hash) SELECT 'user-' || i, 'h' FROM generate_series(1, 100000) i`,
	`INSERT INTO ba_lockouts (key, failures) SELECT 'key-' || i, i % 4 FROM generate_series(1, 100000) i`,
	`INSERT INTO ba_sessions (id, user_id, refresh_hash, device_fingerprint, created_at, expires_at, last_used_at, revoked_at)
	 SELECT 'sess-' || i, 'user-' || (i % 10000), md5('r' || i), md5('fp' || (i % 30000)),
	        now() - interval '40 days' + i * interval '20 seconds', now() + interval '30 days' - i * interval '20 seconds', now(),
	        CASE WHEN i % 3 = 0 THEN now() END
	 FROM generate_series(1, 100000) i`,
	`INSERT INTO ba_refresh_tokens (hash, session_id, rotated_at)
	 SELECT md5('old' || i), 'sess-' || i, now() FROM generate_series(1, 100000) i`,
	`INSERT INTO ba_otp_tokens (id, purpose, subject, hash, created_at, expires_at, used_at, attempts, max_attempts)
	 SELECT 'tok-' || i, (ARRAY['login_otp','email_verify','password_reset','unlock'])[i % 4 + 1], 'user-' || (i % 20000),
	        md5('t' || i), now() - i * interval '1 second', now() - i * interval '1 second' + interval '10 minutes',
	        CASE WHEN i % 5 = 0 THEN now() END, 0, 5
	 FROM generate_series(1, 100000) i`,
	`INSERT INTO ba_consent_log (user_id, seq, category, granted, recorded_at, hash)
	 SELECT 'user-' || (i % 10000), i / 10000 + 1, 'identity', true, now(), md5('c' || i) FROM generate_series(0, 99999) i`,
	`INSERT INTO ba_ip_failures (ip, identifier, at)
	 SELECT '10.0.' || (i % 5000 / 256) || '.' || (i % 256), 'id-' || (i % 7), now() - i * interval '1 second'
	 FROM generate_series(1, 100000) i`,
	`INSERT INTO ba_ip_blocks (ip, blocked_until, created_at)
	 SELECT '172.16.' || (i / 256) || '.' || (i % 256), now() - interval '1 day' + i * interval '1 second', now()
	 FROM generate_series(1, 100000) i`,
	`INSERT INTO ba_security_events (user_id, kind, ip_address, at)
	 SELECT 'user-' || (i % 10000), 'login_failed', CASE WHEN i % 2 = 0 THEN '203.0.113.9' ELSE '' END,
	        now() - i * interval '1 second' FROM generate_series(1, 100000) i`,
	`INSERT INTO ba_erasure_requests (id, user_id, status_hash, status, received_at, due_at, closed_at)
	 SELECT 'era-' || i, 'user-' || i, md5('era' || i), CASE WHEN i % 100 = 0 THEN 'received' ELSE 'completed' END,
	        now() - i * interval '1 minute', now() - i * interval '1 minute' + interval '7 days',
	        CASE WHEN i % 100 = 0 THEN NULL ELSE now() END
	 FROM generate_series(1, 100000) i`,
	`INSERT INTO ba_grievances (id, user_id, subject, message, status, received_at, due_at)
	 SELECT 'grv-' || i, 'user-' || (i % 10000), 's', 'm', 'open', now() - i * interval '1 minute', now()
	 FROM generate_series(1, 100000) i`,
	`INSERT INTO ba_nominees (id, user_id, name, email, added_at)
	 SELECT 'nom-' || i, 'user-' || (i % 10000), 'n', 'n@example.in', now() - i * interval '1 minute'
	 FROM generate_series(1, 100000) i`,
	`INSERT INTO ba_activity (user_id, last_active_at, warned_at)
	 SELECT 'user-' || i, now() - i * interval '1 hour', CASE WHEN i % 50 = 0 THEN now() ELSE NULL END
	 FROM generate_series(1, 100000) i`,
	`INSERT INTO ba_mail_outbox (id, payload, not_after, due_at, attempts)
	 SELECT 'mail-' || i, '\x00', now() + interval '1 day', now() + i * interval '1 second', 1 FROM generate_series(1, 100000) i`,
	`INSERT INTO ba_sms_budgets (key, expires_at)
	 SELECT 'num:' || i, now() - interval '1 day' + i * interval '1 second' FROM generate_series(1, 100000) i`,
	`INSERT INTO ba_sms_sends (key, sent_at, expires_at)
	 SELECT 'num:' || (i % 20000), now() - i * interval '1 second', now() - i * interval '1 second' + interval '1 hour'
	 FROM generate_series(1, 100000) i`,
	`ANALYZE`,
}

// bigTables are the tables a Seq Scan must never touch.
var bigTables = map[string]bool{
	"ba_users": true, "ba_accounts": true, "ba_credentials": true, "ba_lockouts": true,
	"ba_sessions": true, "ba_refresh_tokens": true, "ba_otp_tokens": true, "ba_consent_log": true,
	"ba_ip_failures": true, "ba_ip_blocks": true, "ba_security_events": true, "ba_mail_outbox": true,
	"ba_erasure_requests": true, "ba_grievances": true, "ba_nominees": true, "ba_activity": true,
	"ba_sms_budgets": true, "ba_sms_sends": true,
}

type planNode struct {
	NodeType     string     `json:"Node Type"`
	RelationName string     `json:"Relation Name"`
	Plans        []planNode `json:"Plans"`
}

// seqScans lists the large tables n (or its children) scans sequentially.
func seqScans(n planNode) []string {
	var out []string
	if n.NodeType == "Seq Scan" && bigTables[n.RelationName] {
		out = append(out, n.RelationName)
	}
	for _, c := range n.Plans {
		out = append(out, seqScans(c)...)
	}
	return out
}

// TestQueryPlansUseIndexes fills the large tables, calls every Store method
// (success and failure paths), records each statement the method sends and
// EXPLAINs it: no statement may scan a large table sequentially.
func TestQueryPlansUseIndexes(t *testing.T) {
	t.Parallel()
	store, db := newTestDB(t)
	ctx := t.Context()
	start := time.Now()
	// Test data needs no crash safety: unlogged tables skip the WAL, and the
	// replica role skips FK and trigger checks on one connection. Neither
	// changes what the planner sees.
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	for _, referrer := range []string{"ba_accounts", "ba_guardianships"} { // they reference ba_users
		_, err = conn.ExecContext(ctx, "ALTER TABLE "+referrer+" SET UNLOGGED")
		require.NoError(t, err)
	}
	for table := range bigTables {
		_, err := conn.ExecContext(ctx, "ALTER TABLE "+table+" SET UNLOGGED")
		require.NoError(t, err)
	}
	_, err = conn.ExecContext(ctx, "SET session_replication_role = replica")
	require.NoError(t, err)
	for _, q := range fillSQL {
		_, err := conn.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	_, err = conn.ExecContext(ctx, "RESET session_replication_role")
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	t.Logf("filled %d rows per table in %v", bigRows, time.Since(start).Round(time.Millisecond))

	// The checker itself: a filter on an unindexed column must be caught.
	var raw string
	require.NoError(t, db.DB.QueryRowContext(ctx,
		"EXPLAIN (FORMAT JSON) SELECT count(*) FROM ba_sessions WHERE device_info = 'x'").Scan(&raw))
	var bad []struct {
		Plan planNode `json:"Plan"`
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &bad))
	require.Equal(t, []string{"ba_sessions"}, seqScans(bad[0].Plan))

	rec := &pgtest.Statements{}
	db.AddQueryHook(rec)
	now := time.Now().UTC()
	policy := ports.LockPolicy{SoftLockAfter: 5, SoftLockFor: 7 * time.Minute, HardLockAfter: 10, ResetAfter: 24 * time.Hour}
	ipPolicy := ports.IPPolicy{DistinctIdentifiers: 3, Window: 24 * time.Hour, BlockFor: 24 * time.Hour}
	code := ports.OneTimeToken{ID: "tok-x", Purpose: ports.PurposeLoginOTP, Subject: "user-7", Hash: "code-x",
		CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute), MaxAttempts: 5}
	link := ports.OneTimeToken{ID: "tok-y", Purpose: ports.PurposeEmailVerify, Subject: "user-7", Hash: "link-y",
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}

	// Each call's statements are EXPLAINed; its own error is irrelevant here
	// (failure paths are wanted), so calls return nothing.
	calls := []struct {
		name string
		call func()
	}{
		{"UserByEmail", func() { _, _ = store.UserByEmail(ctx, "USER42@example.in") }},
		{"UserByUsername", func() { _, _ = store.UserByUsername(ctx, "user42") }},
		{"UserByID", func() { _, _ = store.UserByID(ctx, "user-42") }},
		{"CreateUser", func() {
			_, _ = store.CreateUser(ctx, ports.NewUser{Email: "new@example.in", PasswordHash: "h", CreatedAt: now})
		}},
		{"MarkEmailVerified", func() { _ = store.MarkEmailVerified(ctx, "user-42", now) }},
		{"SetSuspended", func() { _ = store.SetSuspended(ctx, "user-43", true) }},
		{"Credentials", func() { _, _ = store.Credentials(ctx, "user-42") }},
		{"SetPasswordHash", func() { _ = store.SetPasswordHash(ctx, "user-42", "h2", now) }},
		{"SetPINHash", func() { _ = store.SetPINHash(ctx, "user-42", "p2", now) }},
		{"BeginAttempt", func() { _, _, _ = store.BeginAttempt(ctx, "key-42", now, policy) }},
		{"BeginAttempt new key", func() { _, _, _ = store.BeginAttempt(ctx, "key-new", now, policy) }},
		{"BeginAttempt busy", func() {
			for range 6 {
				_, _, _ = store.BeginAttempt(ctx, "key-busy", now, policy)
			}
		}},
		{"FinishAttempt failed", func() { _, _ = store.FinishAttempt(ctx, "key-42", now, policy, ports.Failed) }},
		{"FinishAttempt succeeded", func() { _, _ = store.FinishAttempt(ctx, "key-44", now, policy, ports.Succeeded) }},
		{"FinishAttempt abandoned", func() { _, _ = store.FinishAttempt(ctx, "key-45", now, policy, ports.Abandoned) }},
		{"ClearFailures", func() { _ = store.ClearFailures(ctx, "key-42") }},
		{"LockState", func() { _, _ = store.LockState(ctx, "key-43") }},
		{"CreateSession", func() { _ = store.CreateSession(ctx, testSession("sess-new", "user-7", "fresh-0")) }},
		{"Session", func() { _, _ = store.Session(ctx, "sess-500") }},
		{"Sessions", func() { _, _ = store.Sessions(ctx, "user-7") }},
		{"RotateRefresh", func() { _, _ = store.RotateRefresh(ctx, "fresh-0", "fresh-1", now, 0) }},
		{"RotateRefresh reuse", func() { _, _ = store.RotateRefresh(ctx, "fresh-0", "fresh-2", now, 0) }},
		{"RotateRefresh unknown", func() { _, _ = store.RotateRefresh(ctx, "nope", "fresh-3", now, 0) }},
		{"RevokeSessions by id", func() { _, _ = store.RevokeSessions(ctx, ports.Revocation{SessionID: "sess-501"}, now) }},
		{"RevokeSessions by hash", func() {
			_, _ = store.RevokeSessions(ctx, ports.Revocation{RefreshHash: "0cc175b9c0f1b6a831c399e269772661"}, now)
		}},
		{"RevokeSessions by user", func() {
			_, _ = store.RevokeSessions(ctx, ports.Revocation{UserID: "user-8", ExceptSessionID: "sess-8"}, now)
		}},
		{"KnownDevice", func() { _, _ = store.KnownDevice(ctx, "user-9", "c4ca4238a0b923820dcc509a6f75849b", now) }},
		{"SignInUser", func() {
			_, _ = store.SignInUser(ctx, ports.SignInLookup{Email: "USER9@example.in", DeviceFingerprint: "c4ca4238a0b923820dcc509a6f75849b",
				IP: "198.51.100.7", Now: now, Holds: true})
		}},
		{"MarkStepUp", func() { _ = store.MarkStepUp(ctx, "sess-502", now, true) }},
		{"ConsumeStepUp", func() { _, _ = store.ConsumeStepUp(ctx, "sess-502", now.Add(-time.Minute)) }},
		{"IssueToken", func() { _ = store.IssueToken(ctx, code); _ = store.IssueToken(ctx, link) }},
		{"ConsumeCode mismatch", func() { _, _ = store.ConsumeCode(ctx, "user-7", ports.PurposeLoginOTP, "wrong", now) }},
		{"ConsumeCode", func() { _, _ = store.ConsumeCode(ctx, "user-7", ports.PurposeLoginOTP, "code-x", now) }},
		{"ConsumeCode none", func() { _, _ = store.ConsumeCode(ctx, "user-7", ports.PurposeLoginOTP, "code-x", now) }},
		{"ConsumeLink", func() { _, _ = store.ConsumeLink(ctx, ports.PurposeEmailVerify, "link-y", now) }},
		{"ConsumeLink used", func() { _, _ = store.ConsumeLink(ctx, ports.PurposeEmailVerify, "link-y", now) }},
		{"Tokens", func() { _, _ = store.Tokens(ctx, "user-7") }},
		{"AppendConsents", func() {
			_, _ = store.AppendConsents(ctx, "user-7", ports.ConsentAppend{Rows: []ports.ConsentRecord{{Category: "contact", Granted: true, RecordedAt: now}}})
		}},
		{"AppendConsents checkpointed and queued", func() {
			_, _ = store.AppendConsents(ctx, "user-7", ports.ConsentAppend{CheckpointKey: []byte("k"), Notify: true,
				Rows: []ports.ConsentRecord{{Category: "contact", Granted: false, RecordedAt: now}}})
		}},
		{"ConsentHistory", func() { _, _ = store.ConsentHistory(ctx, "user-7") }},
		{"ConsentCheckpoint", func() { _, _ = store.ConsentCheckpoint(ctx, "user-7") }},
		{"ClaimConsentChanges", func() { _, _ = store.ClaimConsentChanges(ctx, now, time.Minute, 100) }},
		{"RetryConsentChange", func() { _ = store.RetryConsentChange(ctx, 1, now) }},
		{"AckConsentChange", func() { _ = store.AckConsentChange(ctx, 1) }},
		{"Guardianship", func() { _, _ = store.Guardianship(ctx, "user-7") }},
		{"ConfirmGuardianship", func() { _, _ = store.ConfirmGuardianship(ctx, "user-7", ports.GuardianConfirmation{At: now}) }},
		{"GuardianChildren", func() { _, _ = store.GuardianChildren(ctx, "user-8") }},
		{"DeletePendingChildren", func() { _, _ = store.DeletePendingChildren(ctx, now) }},
		{"RecordIPFailure", func() { _, _ = store.RecordIPFailure(ctx, "10.0.3.7", "someone", now, ipPolicy) }},
		{"IPBlockedUntil", func() { _, _ = store.IPBlockedUntil(ctx, "172.16.3.7", now) }},
		{"RecordEvent", func() { _ = store.RecordEvent(ctx, ports.SecurityEvent{UserID: "user-7", Kind: "x", At: now}) }},
		{"Events", func() { _, _ = store.Events(ctx, "user-7") }},
		{"EnqueueMail", func() {
			_ = store.EnqueueMail(ctx, ports.QueuedMail{ID: "mail-x", Payload: []byte{1}, NotAfter: now.Add(time.Hour), DueAt: now})
		}},
		{"ClaimMail", func() { _, _ = store.ClaimMail(ctx, "w", now, time.Minute, 10) }},
		{"RetryMail", func() { _ = store.RetryMail(ctx, "mail-x", "w", now.Add(time.Minute)) }},
		{"RemoveMail", func() { _ = store.RemoveMail(ctx, "mail-x") }},
		{"Purge", func() { _, _ = store.Purge(ctx, now.Add(-20*24*time.Hour), 5000) }},
		{"TakeSMS", func() {
			limits := []ports.SMSLimit{{Key: "num:42", Limit: 50, Window: time.Hour}, {Key: "global", Limit: 1000, Window: time.Minute}}
			_, _ = store.TakeSMS(ctx, limits, now)
		}},
		{"TakeSMS refused", func() {
			_, _ = store.TakeSMS(ctx, []ports.SMSLimit{{Key: "num:43", Limit: 1, Window: time.Hour}}, now)
		}},
		{"ClearSMS", func() { _ = store.ClearSMS(ctx, "num:44") }},
		{"PseudonymiseEvents", func() { _, _ = store.PseudonymiseEvents(ctx, now.Add(-24*time.Hour), 1000) }},
		{"PseudonymiseConsents", func() { _, _ = store.PseudonymiseConsents(ctx, now.Add(-24*time.Hour), 1000) }},
		{"CreateErasureRequest", func() {
			_ = store.CreateErasureRequest(ctx, ports.ErasureRecord{ID: "era-new", UserID: "user-new", StatusHash: "h-new",
				ReceivedAt: now, DueAt: now.Add(time.Hour)})
		}},
		{"ErasureRequest", func() { _, _ = store.ErasureRequest(ctx, "era-42") }},
		{"ErasureRequestByStatusHash", func() { _, _ = store.ErasureRequestByStatusHash(ctx, "h-new") }},
		{"ErasureRequests", func() { _, _ = store.ErasureRequests(ctx, "user-42") }},
		{"DueErasureRequests", func() { _, _ = store.DueErasureRequests(ctx, now, 100) }},
		{"CancelErasureRequest", func() { _, _ = store.CancelErasureRequest(ctx, "era-100", now) }},
		{"CreateGrievance", func() {
			_ = store.CreateGrievance(ctx, ports.Grievance{ID: "grv-new", UserID: "user-7", Subject: "s", Message: "m", ReceivedAt: now, DueAt: now})
		}},
		{"Grievance", func() { _, _ = store.Grievance(ctx, "grv-42") }},
		{"Grievances", func() { _, _ = store.Grievances(ctx, "user-42") }},
		{"AnswerGrievance", func() { _, _ = store.AnswerGrievance(ctx, "grv-43", "answer", now) }},
		{"AnswerGrievance answered", func() { _, _ = store.AnswerGrievance(ctx, "grv-43", "answer", now) }},
		{"AddNominee", func() {
			_ = store.AddNominee(ctx, ports.Nominee{ID: "nom-new", UserID: "user-7", Name: "n", Email: "n@example.in", AddedAt: now})
		}},
		{"RemoveNominee", func() { _, _ = store.RemoveNominee(ctx, "user-42", "nom-42", now) }},
		{"Nominees", func() { _, _ = store.Nominees(ctx, "user-42") }},
		{"TouchActivity", func() { _, _ = store.TouchActivity(ctx, "user-42", now, 24*time.Hour) }},
		{"InactiveUnwarned", func() { _, _ = store.InactiveUnwarned(ctx, now.Add(-5000*time.Hour), 100) }},
		{"WarnedInactive", func() { _, _ = store.WarnedInactive(ctx, now, 100) }},
		{"MarkWarned", func() { _, _ = store.MarkWarned(ctx, "user-43", now, now) }},
		{"EraseUser", func() {
			_, _ = store.EraseUser(ctx, ports.UserErasure{RequestID: "era-200", UserID: "user-200", LockKeys: []string{"key-200"}, At: now})
		}},
	}
	for _, c := range calls {
		c.call()
		queries := rec.Take()
		t.Run(c.name, func(t *testing.T) {
			explained := 0
			for _, q := range queries {
				switch strings.TrimSpace(q) {
				case "BEGIN", "COMMIT", "ROLLBACK":
					continue
				}
				var plan []struct {
					Plan planNode `json:"Plan"`
				}
				var raw string
				// Through database/sql directly: not recorded, not reformatted.
				require.NoError(t, db.DB.QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) "+q).Scan(&raw), q)
				require.NoError(t, json.Unmarshal([]byte(raw), &plan))
				require.Len(t, plan, 1)
				assert.Empty(t, seqScans(plan[0].Plan), "sequential scan in:\n%s\nplan: %s", q, raw)
				explained++
			}
			assert.NotZero(t, explained, "%s sent no statement", c.name)
		})
	}
}
