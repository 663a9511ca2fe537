package core

import (
	"crypto/sha256"
	"encoding/hex"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestOTPExpiresAfterTenMinutes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		after time.Duration
		ok    bool
	}{
		{name: "9m59s works", after: 10*time.Minute - time.Second, ok: true},
		{name: "10m is expired", after: 10 * time.Minute, ok: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, _ := newUserEnv(t, "otp@example.in")
			code := e.requestOTP("otp@example.in", "")
			e.clock.Advance(tc.after)
			_, err := e.verifyOTP("otp@example.in", code, "")
			if tc.ok {
				require.NoError(t, err)
			} else {
				assert.Equal(t, codeInvalidOTP, requireKind(t, err, KindUnauthorized).Code)
			}
		})
	}
}

func TestOTPDiesAfterFiveWrongTries(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "tries@example.in")
	code := e.requestOTP(u.Email, "")
	e.wrongOTPs(u.Email, code, 4)
	// Clear the counters (4 failures, the email's and the account's) so only
	// the code's own cap is left.
	for _, key := range e.auth.identifierLockKeys(u) {
		require.NoError(t, e.store.ClearFailures(t.Context(), key))
	}
	_, err := e.verifyOTP(u.Email, wrongCode(code), "")
	requireKind(t, err, KindUnauthorized) // the 5th wrong try kills the code
	requireKind(t, errOf(e.verifyOTP(u.Email, code, "")), KindUnauthorized)

	require.NoError(t, errOf(e.verifyOTP(u.Email, e.requestOTP(u.Email, ""), "")))
}

func TestFourWrongTriesLeaveTheCodeAlive(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "alive@example.in")
	code := e.requestOTP(u.Email, "")
	e.wrongOTPs(u.Email, code, 4)
	require.NoError(t, errOf(e.verifyOTP(u.Email, code, "")))
}

func TestNewOTPInvalidatesThePreviousButKeepsTheFailureCount(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "again@example.in")
	first := e.requestOTP(u.Email, "")
	e.wrongOTPs(u.Email, first, 4)
	second := e.requestOTP(u.Email, "")
	if first != second {
		_, err := e.verifyOTP(u.Email, first, "")
		requireKind(t, err, KindLocked) // the old code fails, and that is the 5th failure
	} else {
		requireKind(t, errOf(e.verifyOTP(u.Email, wrongCode(second), "")), KindLocked)
	}
}

func TestOTPIsSingleUseUnderConcurrency(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "race@example.in")
	code := e.requestOTP(u.Email, "")
	var wins atomic.Int32
	porttest.Together(8, func(int) {
		if _, err := e.verifyOTP(u.Email, code, ""); err == nil {
			wins.Add(1)
		}
	})
	assert.Equal(t, int32(1), wins.Load())
}

func TestOTPLoginFromTheRequestingDeviceIsTrusted(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "phone@example.in")

	same, err := e.verifyOTP(u.Email, e.requestOTP(u.Email, fpA), fpA)
	require.NoError(t, err)
	assert.Equal(t, TrustKnown, same.Trust)
	assert.Equal(t, testStart.Add(30*24*time.Hour), same.SessionExpiresAt)

	other, err := e.verifyOTP(u.Email, e.requestOTP(u.Email, fpA), fpB)
	require.NoError(t, err)
	assert.Equal(t, TrustNewDevice, other.Trust)
	assert.Equal(t, testStart.Add(7*24*time.Hour), other.SessionExpiresAt)
}

func TestOTPLoginMarksTheEmailVerified(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	u := e.registerUnverified("verify@example.in")
	require.False(t, u.EmailVerified)
	res, err := e.verifyOTP(u.Email, e.requestOTP(u.Email, ""), "")
	require.NoError(t, err)
	assert.True(t, res.User.EmailVerified)
	stored := inStore(e, e.store.UserByID, u.ID)
	assert.True(t, stored.EmailVerified)
}

func TestOTPIsStoredAsKeyedHMACAndBoundToPurpose(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "hmac@example.in")
	code := e.requestOTP(u.Email, "")
	tokens := inStore(e, e.store.Tokens, u.ID)
	plain := sha256.Sum256([]byte(code))
	for _, tok := range tokens {
		assert.NotEqual(t, hex.EncodeToString(plain[:]), tok.Hash)
		assert.NotContains(t, tok.Hash, code)
	}
	assert.NotEqual(t, e.auth.codeHash(ports.PurposeLoginOTP, u.ID, code), e.auth.codeHash(ports.PurposeStepUpOTP, u.ID, code))
	assert.NotEqual(t, e.auth.codeHash(ports.PurposeLoginOTP, u.ID, code), e.auth.codeHash(ports.PurposeLoginOTP, "usr_other", code))

	// A login code is no step-up code.
	res := e.mustLogin(u.Email)
	p := e.principal(res)
	requireKind(t, e.auth.VerifyStepUp(t.Context(), p, VerifyStepUpInput{Code: code, Client: e.client}), KindUnauthorized)
}

func TestOTPRequestAnswersTheSameForEveryIdentifier(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "exists@example.in")
	for _, id := range []string{"exists@example.in", "missing@example.in", "someone"} {
		require.NoError(t, e.auth.RequestOTP(t.Context(), RequestOTPInput{Identifier: id, Client: e.client}), id)
	}
	assert.Equal(t, 0, e.mailsTo("missing@example.in"))
}

func TestOTPVerifyForUnknownIdentifierFailsLikeAWrongCode(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "known@example.in")
	_, known := e.verifyOTP("known@example.in", wrongCode(e.requestOTP("known@example.in", "")), "")
	_, unknown := e.verifyOTP("unknown@example.in", "123456", "")
	a, b := requireKind(t, known, KindUnauthorized), requireKind(t, unknown, KindUnauthorized)
	assert.Equal(t, a.Code, b.Code)
	assert.Equal(t, a.Message, b.Message)
}

func TestMalformedOTPIsRejectedWithoutCounting(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "shape@example.in")
	for _, code := range []string{"", "12345", "1234567", "12a456", "１２３４５６"} {
		_, err := e.verifyOTP(u.Email, code, "")
		assert.Equal(t, "otp_code", requireKind(t, err, KindValidation).Field, code)
	}
	state := e.lockState(u.ID)
	assert.Zero(t, state.Failures)
}
