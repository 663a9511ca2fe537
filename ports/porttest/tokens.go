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

// newLink returns an unused link token of subject and purpose, valid 30 minutes.
func newLink(subject, purpose string, created time.Time) ports.OneTimeToken {
	return ports.OneTimeToken{
		ID:        newID("ott_"),
		Purpose:   purpose,
		Subject:   subject,
		Hash:      newHash(),
		CreatedAt: created,
		ExpiresAt: created.Add(30 * time.Minute),
	}
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

// OneTimeTokenRepo checks OTP codes and link tokens: single use, attempts,
// purpose binding, expiry and replacement by a newer token.
func OneTimeTokenRepo(t *testing.T, newStores NewStores) {
	t.Helper()

	t.Run("a cancelled context is passed through", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Tokens")
		assertCancelled(t, s.Tokens.IssueToken(cancelled(t), newLink(newID("usr_"), ports.PurposeEmailVerify, baseTime())))
	})

	t.Run("a code is consumed once with the right hash", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Tokens")
		ctx := t.Context()
		code := newCode(newID("usr_"), ports.PurposeLoginOTP, baseTime())
		require.NoError(t, s.Tokens.IssueToken(ctx, code))
		now := code.CreatedAt.Add(time.Minute)
		got, err := s.Tokens.ConsumeCode(ctx, code.Subject, code.Purpose, code.Hash, now)
		require.NoError(t, err)
		want := code
		want.UsedAt = now
		assertSameToken(t, want, got)
		_, err = s.Tokens.ConsumeCode(ctx, code.Subject, code.Purpose, code.Hash, now)
		assert.ErrorIs(t, err, ports.ErrNotFound, "a used code is gone")
	})

	t.Run("wrong codes count attempts until the code is dead", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Tokens")
		ctx := t.Context()
		code := newCode(newID("usr_"), ports.PurposeLoginOTP, baseTime())
		require.NoError(t, s.Tokens.IssueToken(ctx, code))
		now := code.CreatedAt.Add(time.Minute)
		for try := 1; try < codeAttempts; try++ {
			_, err := s.Tokens.ConsumeCode(ctx, code.Subject, code.Purpose, newHash(), now)
			require.ErrorIs(t, err, ports.ErrMismatch, "wrong try %d", try)
			list, err := s.Tokens.Tokens(ctx, code.Subject)
			require.NoError(t, err)
			require.Len(t, list, 1)
			assert.Equal(t, try, list[0].Attempts)
		}
		_, err := s.Tokens.ConsumeCode(ctx, code.Subject, code.Purpose, newHash(), now)
		require.ErrorIs(t, err, ports.ErrExhausted, "the last allowed wrong try kills the code")
		_, err = s.Tokens.ConsumeCode(ctx, code.Subject, code.Purpose, code.Hash, now)
		assert.ErrorIs(t, err, ports.ErrExhausted, "even the right code is refused once exhausted")
		list, err := s.Tokens.Tokens(ctx, code.Subject)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, codeAttempts, list[0].Attempts)
	})

	t.Run("a code is bound to its purpose", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Tokens")
		ctx := t.Context()
		code := newCode(newID("usr_"), ports.PurposeLoginOTP, baseTime())
		require.NoError(t, s.Tokens.IssueToken(ctx, code))
		now := code.CreatedAt.Add(time.Minute)
		_, err := s.Tokens.ConsumeCode(ctx, code.Subject, ports.PurposeStepUpOTP, code.Hash, now)
		assert.ErrorIs(t, err, ports.ErrNotFound, "a login code is no step-up code")
		_, err = s.Tokens.ConsumeLink(ctx, ports.PurposePasswordReset, code.Hash, now)
		assert.ErrorIs(t, err, ports.ErrNotFound, "a login code is no reset link")
		_, err = s.Tokens.ConsumeCode(ctx, newID("usr_"), code.Purpose, code.Hash, now)
		assert.ErrorIs(t, err, ports.ErrNotFound, "a code is bound to its subject")
		_, err = s.Tokens.ConsumeCode(ctx, code.Subject, code.Purpose, code.Hash, now)
		assert.NoError(t, err, "refusals for other purposes leave the code usable")
	})

	t.Run("expiry is at exactly ExpiresAt", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Tokens")
		ctx := t.Context()
		code := newCode(newID("usr_"), ports.PurposeLoginOTP, baseTime())
		link := newLink(newID("usr_"), ports.PurposePasswordReset, baseTime())
		require.NoError(t, s.Tokens.IssueToken(ctx, code))
		require.NoError(t, s.Tokens.IssueToken(ctx, link))

		_, err := s.Tokens.ConsumeCode(ctx, code.Subject, code.Purpose, code.Hash, code.ExpiresAt)
		assert.ErrorIs(t, err, ports.ErrExpired)
		_, err = s.Tokens.ConsumeLink(ctx, link.Purpose, link.Hash, link.ExpiresAt)
		assert.ErrorIs(t, err, ports.ErrExpired)

		_, err = s.Tokens.ConsumeCode(ctx, code.Subject, code.Purpose, code.Hash, code.ExpiresAt.Add(-time.Microsecond))
		assert.NoError(t, err, "the expired answer left the code unused")
		_, err = s.Tokens.ConsumeLink(ctx, link.Purpose, link.Hash, link.ExpiresAt.Add(-time.Microsecond))
		assert.NoError(t, err, "the expired answer left the link unused")
	})

	t.Run("a link is consumed once for its purpose", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Tokens")
		ctx := t.Context()
		link := newLink(newID("usr_"), ports.PurposeEmailVerify, baseTime())
		require.NoError(t, s.Tokens.IssueToken(ctx, link))
		now := link.CreatedAt.Add(time.Minute)
		_, err := s.Tokens.ConsumeLink(ctx, ports.PurposeUnlock, link.Hash, now)
		assert.ErrorIs(t, err, ports.ErrNotFound, "another purpose")
		_, err = s.Tokens.ConsumeLink(ctx, link.Purpose, newHash(), now)
		assert.ErrorIs(t, err, ports.ErrNotFound, "unknown hash")
		got, err := s.Tokens.ConsumeLink(ctx, link.Purpose, link.Hash, now)
		require.NoError(t, err)
		want := link
		want.UsedAt = now
		assertSameToken(t, want, got)
		_, err = s.Tokens.ConsumeLink(ctx, link.Purpose, link.Hash, now)
		assert.ErrorIs(t, err, ports.ErrNotFound, "a used link")
	})

	t.Run("a new token replaces the unused one of the same subject and purpose", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Tokens")
		ctx := t.Context()
		subject, t0 := newID("usr_"), baseTime()
		oldLogin := newCode(subject, ports.PurposeLoginOTP, t0)
		stepUp := newCode(subject, ports.PurposeStepUpOTP, t0.Add(time.Second))
		otherUser := newCode(newID("usr_"), ports.PurposeLoginOTP, t0.Add(time.Second))
		oldReset := newLink(subject, ports.PurposePasswordReset, t0.Add(time.Second))
		newLogin := newCode(subject, ports.PurposeLoginOTP, t0.Add(2*time.Second))
		newReset := newLink(subject, ports.PurposePasswordReset, t0.Add(2*time.Second))
		for _, tok := range []ports.OneTimeToken{oldLogin, stepUp, otherUser, oldReset, newLogin, newReset} {
			require.NoError(t, s.Tokens.IssueToken(ctx, tok))
		}
		now := t0.Add(time.Minute)

		_, err := s.Tokens.ConsumeLink(ctx, oldReset.Purpose, oldReset.Hash, now)
		assert.ErrorIs(t, err, ports.ErrNotFound, "the replaced link no longer works")
		_, err = s.Tokens.ConsumeLink(ctx, newReset.Purpose, newReset.Hash, now)
		assert.NoError(t, err)

		_, err = s.Tokens.ConsumeCode(ctx, subject, ports.PurposeLoginOTP, oldLogin.Hash, now)
		assert.ErrorIs(t, err, ports.ErrMismatch, "the replaced code is checked against the newest one and misses")
		got, err := s.Tokens.ConsumeCode(ctx, subject, ports.PurposeLoginOTP, newLogin.Hash, now)
		require.NoError(t, err)
		assert.Equal(t, newLogin.ID, got.ID)
		assert.Equal(t, 1, got.Attempts, "the miss counted on the newest code")

		_, err = s.Tokens.ConsumeCode(ctx, subject, ports.PurposeStepUpOTP, stepUp.Hash, now)
		assert.NoError(t, err, "another purpose is not replaced")
		_, err = s.Tokens.ConsumeCode(ctx, otherUser.Subject, ports.PurposeLoginOTP, otherUser.Hash, now)
		assert.NoError(t, err, "another subject is not replaced")

		list, err := s.Tokens.Tokens(ctx, subject)
		require.NoError(t, err)
		for _, tok := range list {
			if tok.ID == oldLogin.ID || tok.ID == oldReset.ID {
				assert.False(t, tok.UsedAt.IsZero(), "a replaced token is marked used")
			}
		}
	})

	t.Run("duplicate ID or link hash is a conflict", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Tokens")
		ctx := t.Context()
		first := newLink(newID("usr_"), ports.PurposeEmailVerify, baseTime())
		require.NoError(t, s.Tokens.IssueToken(ctx, first))
		sameID := newLink(newID("usr_"), ports.PurposeEmailVerify, baseTime())
		sameID.ID = first.ID
		assert.ErrorIs(t, s.Tokens.IssueToken(ctx, sameID), ports.ErrConflict)
		sameHash := newLink(newID("usr_"), ports.PurposeEmailVerify, baseTime())
		sameHash.Hash = first.Hash
		assert.ErrorIs(t, s.Tokens.IssueToken(ctx, sameHash), ports.ErrConflict)
		_, err := s.Tokens.ConsumeLink(ctx, first.Purpose, first.Hash, first.CreatedAt.Add(time.Second))
		assert.NoError(t, err, "the refused tokens changed nothing")
	})

	t.Run("Tokens lists a subject's tokens newest first", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Tokens")
		ctx := t.Context()
		subject, t0 := newID("usr_"), baseTime()
		a := newLink(subject, ports.PurposeEmailVerify, t0)
		b := newCode(subject, ports.PurposeLoginOTP, t0.Add(time.Second))
		c := newLink(subject, ports.PurposeUnlock, t0.Add(2*time.Second))
		for _, tok := range []ports.OneTimeToken{b, c, newCode(newID("usr_"), ports.PurposeLoginOTP, t0), a} {
			require.NoError(t, s.Tokens.IssueToken(ctx, tok))
		}
		list, err := s.Tokens.Tokens(ctx, subject)
		require.NoError(t, err)
		require.Len(t, list, 3)
		assertSameToken(t, c, list[0])
		assertSameToken(t, b, list[1])
		assertSameToken(t, a, list[2])
		none, err := s.Tokens.Tokens(ctx, newID("usr_"))
		require.NoError(t, err)
		assert.Empty(t, none)
	})

	t.Run("parallel ConsumeCode with the right hash: exactly one wins", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Tokens")
		ctx := t.Context()
		code := newCode(newID("usr_"), ports.PurposeStepUpOTP, baseTime())
		require.NoError(t, s.Tokens.IssueToken(ctx, code))
		errs := make([]error, parallelCalls)
		together(parallelCalls, func(i int) {
			_, errs[i] = s.Tokens.ConsumeCode(ctx, code.Subject, code.Purpose, code.Hash, code.CreatedAt.Add(time.Second))
		})
		assertOneWinner(t, errs, ports.ErrNotFound)
	})

	t.Run("parallel ConsumeLink with one hash: exactly one wins", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Tokens")
		ctx := t.Context()
		link := newLink(newID("usr_"), ports.PurposePINReset, baseTime())
		require.NoError(t, s.Tokens.IssueToken(ctx, link))
		errs := make([]error, parallelCalls)
		together(parallelCalls, func(i int) {
			_, errs[i] = s.Tokens.ConsumeLink(ctx, link.Purpose, link.Hash, link.CreatedAt.Add(time.Second))
		})
		assertOneWinner(t, errs, ports.ErrNotFound)
	})

	t.Run("parallel wrong codes: attempts are counted exactly", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Tokens")
		ctx := t.Context()
		code := newCode(newID("usr_"), ports.PurposeLoginOTP, baseTime())
		require.NoError(t, s.Tokens.IssueToken(ctx, code))
		errs := make([]error, parallelCalls)
		together(parallelCalls, func(i int) {
			_, errs[i] = s.Tokens.ConsumeCode(ctx, code.Subject, code.Purpose, newHash(), code.CreatedAt.Add(time.Second))
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
	})
}

// assertOneWinner checks that exactly one call succeeded and every other one
// failed with loser.
func assertOneWinner(t *testing.T, errs []error, loser error) {
	t.Helper()
	wins := 0
	for i, err := range errs {
		if err == nil {
			wins++
			continue
		}
		assert.Truef(t, errors.Is(err, loser), "call %d: %v, want %v", i, err, loser)
	}
	assert.Equal(t, 1, wins, "exactly one call must succeed")
}
