package core

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A stranger keeps the email's sign-in counter locked (5 wrong passwords,
// never IP-blocked: one identifier). A password reset forgets every verified
// device and the stranger re-locks at once; the device that opened the reset
// link was signed in as a verified device, so the owner still gets in there.
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

	require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
	res, err := e.auth.ConfirmPasswordReset(ctx, ConfirmPasswordResetInput{Token: e.lastToken(u.Email), NewPassword: newPassword,
		DeviceFingerprint: fpA, Client: e.client})
	require.NoError(t, err)
	assert.Equal(t, TrustKnown, res.Trust, "the device that opened the link is signed in, verified")
	lock()

	again, err := e.loginFrom(u.Email, newPassword, fpA, false)
	require.NoError(t, err, "after the reset the stranger's new lock does not keep the owner out")
	assert.Equal(t, TrustKnown, again.Trust)
	_, err = e.loginFrom(u.Email, newPassword, fpB, false)
	requireKind(t, err, KindLocked) // other clients still meet the stranger's lock
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
		require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: u.Email, Client: Client{IP: fmt.Sprintf("198.51.100.%d", i+1)}}))
	}
	assert.NoError(t, e.auth.RequestUnlock(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
	assert.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
}
