package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/ports"
)

// otpRow is an OTP code or link token; only its hash is stored.
type otpRow struct {
	bun.BaseModel `bun:"table:ba_otp_tokens,alias:t"`

	ID                string    `bun:"id,pk"`
	Purpose           string    `bun:"purpose"`
	Subject           string    `bun:"subject"`
	Hash              string    `bun:"hash"`
	DeviceFingerprint string    `bun:"device_fingerprint"`
	CreatedAt         time.Time `bun:"created_at"`
	ExpiresAt         time.Time `bun:"expires_at"`
	UsedAt            time.Time `bun:"used_at,nullzero"`
	Attempts          int       `bun:"attempts"`
	MaxAttempts       int       `bun:"max_attempts"`
	Payload           string    `bun:"payload"`
}

func (r otpRow) token() ports.OneTimeToken {
	return ports.OneTimeToken{
		ID:                r.ID,
		Purpose:           r.Purpose,
		Subject:           r.Subject,
		Hash:              r.Hash,
		DeviceFingerprint: r.DeviceFingerprint,
		CreatedAt:         utc(r.CreatedAt),
		ExpiresAt:         utc(r.ExpiresAt),
		UsedAt:            utc(r.UsedAt),
		Attempts:          r.Attempts,
		MaxAttempts:       r.MaxAttempts,
		Payload:           r.Payload,
	}
}

// issueLockKey names the advisory lock that serialises IssueToken per subject
// and purpose, so that of two racing requests only the later token survives.
const issueLockKey = "bharatauth.otp:"

// IssueToken stores t and marks every unused token of the same subject and
// purpose used, in one transaction. ErrConflict when the ID exists, or when t
// is a link (MaxAttempts == 0) whose hash exists; code hashes may repeat.
func (s *Store) IssueToken(ctx context.Context, t ports.OneTimeToken) error {
	const op = "issue token"
	ctx, cancel := s.call(ctx)
	defer cancel()
	row := otpRow{
		ID:                t.ID,
		Purpose:           t.Purpose,
		Subject:           t.Subject,
		Hash:              t.Hash,
		DeviceFingerprint: t.DeviceFingerprint,
		CreatedAt:         utc(t.CreatedAt),
		ExpiresAt:         utc(t.ExpiresAt),
		UsedAt:            utc(t.UsedAt),
		Attempts:          t.Attempts,
		MaxAttempts:       t.MaxAttempts,
		Payload:           t.Payload,
	}
	err := s.conn(ctx).RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(? || ? || ':' || ?, 0))",
			issueLockKey, t.Subject, t.Purpose); err != nil {
			return err
		}
		// An invalidated token counts as used from the moment its successor
		// was issued.
		if _, err := tx.NewUpdate().Model((*otpRow)(nil)).
			Set("used_at = ?", row.CreatedAt).
			Where("subject = ? AND purpose = ? AND used_at IS NULL", t.Subject, t.Purpose).
			Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewInsert().Model(&row).Exec(ctx)
		return err
	})
	return fail(ctx, op, err)
}

// consumeLinkSQL marks an unused, unexpired link token used in one statement;
// of concurrent callers only the first matches used_at IS NULL. Links are
// the tokens without attempts (max_attempts = 0), which is also the
// predicate of the unique hash index that serves the lookup.
const consumeLinkSQL = `
UPDATE ba_otp_tokens SET used_at = ?2
WHERE hash = ?1 AND max_attempts = 0 AND purpose = ?0 AND used_at IS NULL AND expires_at > ?2
RETURNING *`

// ConsumeLink marks the unused token of purpose with hash used at now and
// returns it. ErrNotFound for an unknown, used or other-purpose hash;
// ErrExpired when it expired (it stays unused).
func (s *Store) ConsumeLink(ctx context.Context, purpose, hash string, now time.Time) (ports.OneTimeToken, error) {
	const op = "consume link"
	ctx, cancel := s.call(ctx)
	defer cancel()
	now = utc(now)
	row, consumed, err := firstRow[otpRow](ctx, s.conn(ctx), consumeLinkSQL, purpose, hash, now)
	if err != nil {
		return ports.OneTimeToken{}, fail(ctx, op, err)
	}
	if consumed {
		return row.token(), nil
	}
	// Nothing consumed: say why, from a fresh read.
	err = getRow(ctx, s.conn(ctx), op, &row, "hash = ? AND max_attempts = 0 AND purpose = ? AND used_at IS NULL", hash, purpose)
	switch {
	case err != nil:
		return ports.OneTimeToken{}, err
	case !now.Before(utc(row.ExpiresAt)):
		return ports.OneTimeToken{}, fmt.Errorf("postgres: %s: %w", op, ports.ErrExpired)
	default:
		// It was consumable after all (written after our first snapshot).
		return s.ConsumeLink(ctx, purpose, hash, now)
	}
}

// consumeCodeSQL checks a code in one statement: it locks the newest unused
// code of the subject and purpose, and if that code is alive (unexpired,
// attempts left) either marks it used (hash matches) or counts a wrong try.
// Concurrent callers queue on the row lock and re-check used_at after the
// winner commits, so one correct code is used exactly once.
const consumeCodeSQL = `
WITH newest AS (
    SELECT * FROM ba_otp_tokens
    WHERE subject = ?0 AND purpose = ?1 AND used_at IS NULL
    ORDER BY created_at DESC, id DESC
    LIMIT 1
    FOR UPDATE
), checked AS (
    UPDATE ba_otp_tokens AS t SET
        used_at  = CASE WHEN t.hash = ?2 THEN ?3::timestamptz END,
        attempts = CASE WHEN t.hash = ?2 THEN t.attempts ELSE t.attempts + 1 END
    FROM newest
    WHERE t.id = newest.id AND t.expires_at > ?3 AND t.attempts < t.max_attempts
    RETURNING t.*
)
SELECT * FROM checked
UNION ALL
SELECT * FROM newest WHERE NOT EXISTS (SELECT 1 FROM checked)`

// ConsumeCode checks hash against the newest unused code of subject and
// purpose at now; see ports.OneTimeTokenRepo for the outcomes. Every outcome
// is one statement: the newest code is locked, checked if it is live, and
// returned as it now is, so a wrong code for a real account costs the same
// round trips as a code for nobody. The newest row is locked with FOR UPDATE,
// so a row it returns unchecked is dead (expired or out of tries), never live.
func (s *Store) ConsumeCode(ctx context.Context, subject, purpose, hash string, now time.Time) (ports.OneTimeToken, error) {
	const op = "consume code"
	ctx, cancel := s.call(ctx)
	defer cancel()
	now = utc(now)
	row, found, err := firstRow[otpRow](ctx, s.conn(ctx), consumeCodeSQL, subject, purpose, hash, now)
	if err != nil {
		return ports.OneTimeToken{}, fail(ctx, op, err)
	}
	if !found {
		return ports.OneTimeToken{}, notFound(op)
	}
	switch {
	case row.Hash == hash && !row.UsedAt.IsZero():
		return row.token(), nil
	case !now.Before(utc(row.ExpiresAt)):
		return ports.OneTimeToken{}, fmt.Errorf("postgres: %s: %w", op, ports.ErrExpired)
	case row.Attempts >= row.MaxAttempts:
		return ports.OneTimeToken{}, fmt.Errorf("postgres: %s: %w", op, ports.ErrExhausted)
	default:
		return ports.OneTimeToken{}, fmt.Errorf("postgres: %s: %w", op, ports.ErrMismatch)
	}
}

// Tokens lists the tokens of subject, newest first.
func (s *Store) Tokens(ctx context.Context, subject string) ([]ports.OneTimeToken, error) {
	return listWhere(ctx, s, "tokens", "subject", subject, newestFirst, otpRow.token)
}
