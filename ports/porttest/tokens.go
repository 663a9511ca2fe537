package porttest

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// codeAttempts is the wrong tries a test OTP code allows.
const codeAttempts = 5

// newCode returns an unused OTP code of subject and purpose, valid 10 minutes.
func newCode(subject, purpose string, created time.Time) ports.OneTimeToken {
	return ports.OneTimeToken{
		ID:                newID("ott_"),
		Purpose:           purpose,
		Subject:           subject,
		Hash:              newHash(),
		DeviceFingerprint: newHash(),
		CreatedAt:         created,
		ExpiresAt:         created.Add(10 * time.Minute),
		MaxAttempts:       codeAttempts,
	}
}

// newLink returns an unused link token of subject and purpose, valid 30
// minutes: unlike a code, it is bound to no device and has no attempts.
func newLink(subject, purpose string, created time.Time) ports.OneTimeToken {
	link := newCode(subject, purpose, created)
	link.DeviceFingerprint, link.MaxAttempts, link.Payload = "", 0, "new."+randomHex(4)+"@example.com"
	link.ExpiresAt = created.Add(30 * time.Minute)
	return link
}

// issueTokens stores every token or fails the test.
func issueTokens(t *testing.T, repo ports.OneTimeTokenRepo, tokens ...ports.OneTimeToken) {
	t.Helper()
	for _, tok := range tokens {
		require.NoError(t, repo.IssueToken(t.Context(), tok))
	}
}

// listTokens lists the tokens of subject or fails the test.
func listTokens(t *testing.T, repo ports.OneTimeTokenRepo, subject string) []ports.OneTimeToken {
	t.Helper()
	list, err := repo.Tokens(t.Context(), subject)
	require.NoError(t, err)
	return list
}

// assertSameToken compares every field, times with Equal.
func assertSameToken(t *testing.T, want, got ports.OneTimeToken) {
	t.Helper()
	assert.Truef(t, want.CreatedAt.Equal(got.CreatedAt), "CreatedAt: got %v, want %v", got.CreatedAt, want.CreatedAt)
	assert.Truef(t, want.ExpiresAt.Equal(got.ExpiresAt), "ExpiresAt: got %v, want %v", got.ExpiresAt, want.ExpiresAt)
	assert.Truef(t, want.UsedAt.Equal(got.UsedAt), "UsedAt: got %v, want %v", got.UsedAt, want.UsedAt)
	want.CreatedAt, want.ExpiresAt, want.UsedAt = got.CreatedAt, got.ExpiresAt, got.UsedAt
	assert.Equal(t, want, got)
}

func testTokenCancelled(t *testing.T, repo ports.OneTimeTokenRepo) {
	assertCancelled(t, repo.IssueToken(cancelled(t), newLink(newID("usr_"), ports.PurposeEmailVerify, baseTime())))
}

func testCodeConsumedOnce(t *testing.T, repo ports.OneTimeTokenRepo) {
	code := newCode(newID("usr_"), ports.PurposeLoginOTP, baseTime())
	issueTokens(t, repo, code)
	now := code.CreatedAt.Add(time.Minute)
	got, err := repo.ConsumeCode(t.Context(), code.Subject, code.Purpose, code.Hash, now)
	require.NoError(t, err)
	want := code
	want.UsedAt = now
	assertSameToken(t, want, got)
	_, err = repo.ConsumeCode(t.Context(), code.Subject, code.Purpose, code.Hash, now)
	assert.ErrorIs(t, err, ports.ErrNotFound, "a used code is gone")
}

func testWrongCodesExhaustCode(t *testing.T, repo ports.OneTimeTokenRepo) {
	code := newCode(newID("usr_"), ports.PurposeLoginOTP, baseTime())
	issueTokens(t, repo, code)
	now := code.CreatedAt.Add(time.Minute)
	tryHash := func(hash string) error {
		_, err := repo.ConsumeCode(t.Context(), code.Subject, code.Purpose, hash, now)
		return err
	}
	attempts := func() int {
		list := listTokens(t, repo, code.Subject)
		require.Len(t, list, 1)
		return list[0].Attempts
	}
	for try := 1; try < codeAttempts; try++ {
		require.ErrorIs(t, tryHash(newHash()), ports.ErrMismatch, "wrong try %d", try)
		assert.Equal(t, try, attempts())
	}
	require.ErrorIs(t, tryHash(newHash()), ports.ErrExhausted, "the last allowed wrong try kills the code")
	assert.ErrorIs(t, tryHash(code.Hash), ports.ErrExhausted, "even the right code is refused once exhausted")
	assert.Equal(t, codeAttempts, attempts())
}

func testCodeBoundToPurpose(t *testing.T, repo ports.OneTimeTokenRepo) {
	ctx := t.Context()
	code := newCode(newID("usr_"), ports.PurposeLoginOTP, baseTime())
	issueTokens(t, repo, code)
	now := code.CreatedAt.Add(time.Minute)
	_, err := repo.ConsumeCode(ctx, code.Subject, ports.PurposeStepUpOTP, code.Hash, now)
	assert.ErrorIs(t, err, ports.ErrNotFound, "a login code is no step-up code")
	_, err = repo.ConsumeLink(ctx, ports.PurposePasswordReset, code.Hash, now)
	assert.ErrorIs(t, err, ports.ErrNotFound, "a login code is no reset link")
	_, err = repo.ConsumeCode(ctx, newID("usr_"), code.Purpose, code.Hash, now)
	assert.ErrorIs(t, err, ports.ErrNotFound, "a code is bound to its subject")
	_, err = repo.ConsumeCode(ctx, code.Subject, code.Purpose, code.Hash, now)
	assert.NoError(t, err, "refusals for other purposes leave the code usable")
}

func testTokenExpiresAtExpiresAt(t *testing.T, repo ports.OneTimeTokenRepo) {
	ctx := t.Context()
	code := newCode(newID("usr_"), ports.PurposeLoginOTP, baseTime())
	link := newLink(newID("usr_"), ports.PurposePasswordReset, baseTime())
	issueTokens(t, repo, code, link)

	_, err := repo.ConsumeCode(ctx, code.Subject, code.Purpose, code.Hash, code.ExpiresAt)
	assert.ErrorIs(t, err, ports.ErrExpired)
	_, err = repo.ConsumeLink(ctx, link.Purpose, link.Hash, link.ExpiresAt)
	assert.ErrorIs(t, err, ports.ErrExpired)

	_, err = repo.ConsumeCode(ctx, code.Subject, code.Purpose, code.Hash, code.ExpiresAt.Add(-time.Microsecond))
	assert.NoError(t, err, "the expired answer left the code unused")
	_, err = repo.ConsumeLink(ctx, link.Purpose, link.Hash, link.ExpiresAt.Add(-time.Microsecond))
	assert.NoError(t, err, "the expired answer left the link unused")
}

func testLinkConsumedOnce(t *testing.T, repo ports.OneTimeTokenRepo) {
	ctx := t.Context()
	link := newLink(newID("usr_"), ports.PurposeEmailVerify, baseTime())
	issueTokens(t, repo, link)
	now := link.CreatedAt.Add(time.Minute)
	_, err := repo.ConsumeLink(ctx, ports.PurposeUnlock, link.Hash, now)
	assert.ErrorIs(t, err, ports.ErrNotFound, "another purpose")
	_, err = repo.ConsumeLink(ctx, link.Purpose, newHash(), now)
	assert.ErrorIs(t, err, ports.ErrNotFound, "unknown hash")
	got, err := repo.ConsumeLink(ctx, link.Purpose, link.Hash, now)
	require.NoError(t, err)
	want := link
	want.UsedAt = now
	assertSameToken(t, want, got)
	_, err = repo.ConsumeLink(ctx, link.Purpose, link.Hash, now)
	assert.ErrorIs(t, err, ports.ErrNotFound, "a used link")
}

func testNewTokenReplacesUnused(t *testing.T, repo ports.OneTimeTokenRepo) {
	ctx := t.Context()
	subject, t0 := newID("usr_"), baseTime()
	oldLogin := newCode(subject, ports.PurposeLoginOTP, t0)
	stepUp := newCode(subject, ports.PurposeStepUpOTP, t0.Add(time.Second))
	otherUser := newCode(newID("usr_"), ports.PurposeLoginOTP, t0.Add(time.Second))
	oldReset := newLink(subject, ports.PurposePasswordReset, t0.Add(time.Second))
	newLogin := newCode(subject, ports.PurposeLoginOTP, t0.Add(2*time.Second))
	newReset := newLink(subject, ports.PurposePasswordReset, t0.Add(2*time.Second))
	issueTokens(t, repo, oldLogin, stepUp, otherUser, oldReset, newLogin, newReset)
	now := t0.Add(time.Minute)

	_, err := repo.ConsumeLink(ctx, oldReset.Purpose, oldReset.Hash, now)
	assert.ErrorIs(t, err, ports.ErrNotFound, "the replaced link no longer works")
	_, err = repo.ConsumeLink(ctx, newReset.Purpose, newReset.Hash, now)
	assert.NoError(t, err)

	_, err = repo.ConsumeCode(ctx, subject, ports.PurposeLoginOTP, oldLogin.Hash, now)
	assert.ErrorIs(t, err, ports.ErrMismatch, "the replaced code is checked against the newest one and misses")
	got, err := repo.ConsumeCode(ctx, subject, ports.PurposeLoginOTP, newLogin.Hash, now)
	require.NoError(t, err)
	assert.Equal(t, newLogin.ID, got.ID)
	assert.Equal(t, 1, got.Attempts, "the miss counted on the newest code")

	_, err = repo.ConsumeCode(ctx, subject, ports.PurposeStepUpOTP, stepUp.Hash, now)
	assert.NoError(t, err, "another purpose is not replaced")
	_, err = repo.ConsumeCode(ctx, otherUser.Subject, ports.PurposeLoginOTP, otherUser.Hash, now)
	assert.NoError(t, err, "another subject is not replaced")

	issued := map[string]string{}
	for _, tok := range []ports.OneTimeToken{oldLogin, stepUp, oldReset, newLogin, newReset} {
		issued[tok.ID] = tok.Hash
	}
	for _, tok := range listTokens(t, repo, subject) {
		assert.Equal(t, issued[tok.ID], tok.Hash, "Tokens returns each token's hash")
		if tok.ID == oldLogin.ID || tok.ID == oldReset.ID {
			assert.False(t, tok.UsedAt.IsZero(), "a replaced token is marked used")
		}
	}
}

func testTokenDuplicateConflicts(t *testing.T, repo ports.OneTimeTokenRepo) {
	first := newLink(newID("usr_"), ports.PurposeEmailVerify, baseTime())
	issueTokens(t, repo, first)
	sameID := newLink(newID("usr_"), ports.PurposeEmailVerify, baseTime())
	sameID.ID = first.ID
	assert.ErrorIs(t, repo.IssueToken(t.Context(), sameID), ports.ErrConflict)
	sameHash := newLink(newID("usr_"), ports.PurposeEmailVerify, baseTime())
	sameHash.Hash = first.Hash
	assert.ErrorIs(t, repo.IssueToken(t.Context(), sameHash), ports.ErrConflict)
	_, err := repo.ConsumeLink(t.Context(), first.Purpose, first.Hash, first.CreatedAt.Add(time.Second))
	assert.NoError(t, err, "the refused tokens changed nothing")
}

func testTokensListNewestFirst(t *testing.T, repo ports.OneTimeTokenRepo) {
	subject, t0 := newID("usr_"), baseTime()
	a := newLink(subject, ports.PurposeEmailVerify, t0)
	b := newCode(subject, ports.PurposeLoginOTP, t0.Add(time.Second))
	c := newLink(subject, ports.PurposeUnlock, t0.Add(2*time.Second))
	issueTokens(t, repo, b, c, newCode(newID("usr_"), ports.PurposeLoginOTP, t0), a)
	list := listTokens(t, repo, subject)
	require.Len(t, list, 3)
	assertSameToken(t, c, list[0])
	assertSameToken(t, b, list[1])
	assertSameToken(t, a, list[2])
	assert.Empty(t, listTokens(t, repo, newID("usr_")))
}

func testConsumeCodeHasOneWinner(t *testing.T, repo ports.OneTimeTokenRepo) {
	code := newCode(newID("usr_"), ports.PurposeStepUpOTP, baseTime())
	issueTokens(t, repo, code)
	oneWinner(t, func(int) error {
		_, err := repo.ConsumeCode(t.Context(), code.Subject, code.Purpose, code.Hash, code.CreatedAt.Add(time.Second))
		return err
	}, ports.ErrNotFound)
}

func testConsumeLinkHasOneWinner(t *testing.T, repo ports.OneTimeTokenRepo) {
	link := newLink(newID("usr_"), ports.PurposePINReset, baseTime())
	issueTokens(t, repo, link)
	oneWinner(t, func(int) error {
		_, err := repo.ConsumeLink(t.Context(), link.Purpose, link.Hash, link.CreatedAt.Add(time.Second))
		return err
	}, ports.ErrNotFound)
}

func testParallelWrongCodesCountExactly(t *testing.T, repo ports.OneTimeTokenRepo) {
	code := newCode(newID("usr_"), ports.PurposeLoginOTP, baseTime())
	issueTokens(t, repo, code)
	errs := make([]error, parallelCalls)
	Together(parallelCalls, func(i int) {
		_, errs[i] = repo.ConsumeCode(t.Context(), code.Subject, code.Purpose, newHash(), code.CreatedAt.Add(time.Second))
	})
	mismatches := 0
	for i, err := range errs {
		switch {
		case errors.Is(err, ports.ErrMismatch):
			mismatches++
		case errors.Is(err, ports.ErrExhausted):
		default:
			t.Errorf("call %d: %v, want ErrMismatch or ErrExhausted", i, err)
		}
	}
	assert.Equal(t, codeAttempts-1, mismatches, "tries 1..%d miss, the rest find the code dead", codeAttempts-1)
}
