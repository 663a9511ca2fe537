package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// readCredentials reads the credentials of userID, which must exist.
func readCredentials(t *testing.T, store ports.CredentialStore, userID string) ports.Credentials {
	t.Helper()
	c, err := store.Credentials(t.Context(), userID)
	require.NoError(t, err)
	return c
}

func testCredentialsCancelled(t *testing.T, store ports.CredentialStore) {
	assertCancelled(t, store.SetPasswordHash(cancelled(t), newID("ext_"), "h", baseTime()))
}

func testCredentialsUnknownNotFound(t *testing.T, store ports.CredentialStore) {
	_, err := store.Credentials(t.Context(), newID("ext_"))
	assert.ErrorIs(t, err, ports.ErrNotFound)
}

func testPasswordHashUpserts(t *testing.T, store ports.CredentialStore) {
	user, first := newID("ext_"), baseTime()
	require.NoError(t, store.SetPasswordHash(t.Context(), user, "pw-hash-1", first))
	c := readCredentials(t, store, user)
	assert.Equal(t, user, c.UserID)
	assert.Equal(t, "pw-hash-1", c.PasswordHash)
	assert.True(t, first.Equal(c.PasswordChangedAt))
	assert.Empty(t, c.PINHash)

	second := first.Add(time.Hour)
	require.NoError(t, store.SetPasswordHash(t.Context(), user, "pw-hash-2", second))
	c = readCredentials(t, store, user)
	assert.Equal(t, "pw-hash-2", c.PasswordHash)
	assert.True(t, second.Equal(c.PasswordChangedAt))
}

func testPINAndPasswordIndependent(t *testing.T, store ports.CredentialStore) {
	user, at := newID("ext_"), baseTime()
	require.NoError(t, store.SetPINHash(t.Context(), user, "pin-hash-1", at))
	c := readCredentials(t, store, user)
	assert.Equal(t, "pin-hash-1", c.PINHash)
	assert.True(t, at.Equal(c.PINChangedAt))
	assert.Empty(t, c.PasswordHash, "setting a PIN sets no password")

	require.NoError(t, store.SetPasswordHash(t.Context(), user, "pw-hash", at.Add(time.Minute)))
	require.NoError(t, store.SetPINHash(t.Context(), user, "pin-hash-2", at.Add(2*time.Minute)))
	c = readCredentials(t, store, user)
	assert.Equal(t, "pw-hash", c.PasswordHash, "a PIN change keeps the password")
	assert.Equal(t, "pin-hash-2", c.PINHash)
	assert.True(t, at.Add(time.Minute).Equal(c.PasswordChangedAt))
	assert.True(t, at.Add(2*time.Minute).Equal(c.PINChangedAt))
}

func testCredentialsPerUser(t *testing.T, store ports.CredentialStore) {
	a, b := newID("ext_"), newID("ext_")
	require.NoError(t, store.SetPasswordHash(t.Context(), a, "a-hash", baseTime()))
	require.NoError(t, store.SetPasswordHash(t.Context(), b, "b-hash", baseTime()))
	assert.Equal(t, "a-hash", readCredentials(t, store, a).PasswordHash)
	assert.Equal(t, "b-hash", readCredentials(t, store, b).PasswordHash)
}
