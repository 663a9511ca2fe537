package core

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A stranger keeps the email's sign-in counter locked (5 wrong passwords,
// never IP-blocked: one identifier). The owner's obvious way out, a password
// reset, forgets every verified device; the stranger re-locks at once, and the
// owner can sign in nowhere, by password or by emailed code, even from the
// phone that was verified until the reset.
func TestAStrangerCannotLockTheOwnerOutThroughTheirOwnRecovery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	u := e.register("victim@example.in")
	e.knownDeviceLogin(u.Email) // fpA is verified
	stranger := Client{IP: "198.51.100.77", UserAgent: "stranger"}
	lock := func() {
		for i := 0; i < 5; i++ {
			_, err := e.auth.Login(ctx, LoginInput{Identifier: u.Email, Password: fmt.Sprintf("guess %d of many", i), Client: stranger})
			require.Error(t, err)
		}
		require.True(t, e.lockState(u.ID).Locked(e.now()))
	}
	lock()
	_, err := e.loginFrom(u.Email, testPassword, fpA, false)
	require.NoError(t, err, "the verified phone is not blocked by the stranger's lock")

	require.NoError(t, e.auth.RequestPasswordReset(ctx, u.Email, e.client))
	require.NoError(t, e.auth.ConfirmPasswordReset(ctx, e.lastToken(u.Email), newPassword, e.client))
	lock()

	_, pwdErr := e.loginFrom(u.Email, newPassword, fpA, false)
	require.NoError(t, e.auth.RequestOTP(ctx, OTPRequest{Identifier: u.Email, DeviceFingerprint: fpA, Client: e.client}))
	_, otpErr := e.auth.VerifyOTP(ctx, OTPVerifyInput{Identifier: u.Email, Code: e.lastCode(u.Email), DeviceFingerprint: fpA, Client: e.client})
	assert.True(t, pwdErr == nil || otpErr == nil,
		"after a completed password reset the owner cannot sign in anywhere: password %v; code %v", pwdErr, otpErr)
}

// OTP, password reset, PIN reset and unlock requests share one
// per-identifier budget: 5 OTP requests an hour by strangers (each mailing the
// owner a login code, useless while the stranger keeps the sign-in counter
// locked) refuse the owner's own unlock and reset requests.
func TestStrangersOTPRequestsDoNotRefuseTheOwnersRecoveryRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	u := e.register("victim@example.in")
	for i := 0; i < 5; i++ {
		require.NoError(t, e.auth.RequestOTP(ctx, OTPRequest{Identifier: u.Email, Client: Client{IP: fmt.Sprintf("198.51.100.%d", i+1)}}))
	}
	assert.NoError(t, e.auth.RequestUnlock(ctx, u.Email, e.client))
	assert.NoError(t, e.auth.RequestPasswordReset(ctx, u.Email, e.client))
}
