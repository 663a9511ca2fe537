package core

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Pre-hijacking: the registrant of someone else's address loses sessions and
// password at the owner's first OTP login, but the display name they chose
// stays, and from then on (the address is verified) it greets the owner in
// every genuine email from the app.
func TestARegistrantsDisplayNameDoesNotSurviveTheOwnersProof(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const bait = "Pay Rs 1 at evil.example to keep this account"
	_, err := e.auth.Register(ctx, RegisterInput{Email: "victim@example.in", Password: testPassword,
		Username: "victim_pay", DisplayName: bait, Consents: allGranted(),
		Client: Client{IP: "198.51.100.5", UserAgent: "registrant"}})
	require.NoError(t, err)

	require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: "victim@example.in", DeviceFingerprint: fpA, Client: e.client}))
	_, err = e.auth.VerifyOTP(ctx, VerifyOTPInput{Identifier: "victim@example.in", Code: e.lastCode("victim@example.in"),
		DeviceFingerprint: fpA, Client: e.client})
	require.NoError(t, err)

	require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: "victim@example.in", Client: e.client}))
	m, ok := e.outbox.Last("victim@example.in")
	require.True(t, ok)
	assert.NotContains(t, m.ToName, "evil.example")
	assert.NotContains(t, m.Text, "evil.example")
}
