package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// CredentialStore checks password and PIN hash storage keyed by an opaque user
// ID that no UserRegistry created (external mode).
func CredentialStore(t *testing.T, newStores NewStores) {
	t.Helper()

	t.Run("a cancelled context is passed through", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Credentials")
		assertCancelled(t, s.Credentials.SetPasswordHash(cancelled(t), newID("ext_"), "h", baseTime()))
	})

	t.Run("nothing stored is not found", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Credentials")
		_, err := s.Credentials.Credentials(t.Context(), newID("ext_"))
		assert.ErrorIs(t, err, ports.ErrNotFound)
	})

	t.Run("password hash is an upsert", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Credentials")
		ctx := t.Context()
		user, first := newID("ext_"), baseTime()
		require.NoError(t, s.Credentials.SetPasswordHash(ctx, user, "pw-hash-1", first))
		c, err := s.Credentials.Credentials(ctx, user)
		require.NoError(t, err)
		assert.Equal(t, user, c.UserID)
		assert.Equal(t, "pw-hash-1", c.PasswordHash)
		assert.True(t, first.Equal(c.PasswordChangedAt))
		assert.Empty(t, c.PINHash)

		second := first.Add(time.Hour)
		require.NoError(t, s.Credentials.SetPasswordHash(ctx, user, "pw-hash-2", second))
		c, err = s.Credentials.Credentials(ctx, user)
		require.NoError(t, err)
		assert.Equal(t, "pw-hash-2", c.PasswordHash)
		assert.True(t, second.Equal(c.PasswordChangedAt))
	})

	t.Run("PIN and password are independent", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Credentials")
		ctx := t.Context()
		user, at := newID("ext_"), baseTime()
		require.NoError(t, s.Credentials.SetPINHash(ctx, user, "pin-hash-1", at))
		c, err := s.Credentials.Credentials(ctx, user)
		require.NoError(t, err)
		assert.Equal(t, "pin-hash-1", c.PINHash)
		assert.True(t, at.Equal(c.PINChangedAt))
		assert.Empty(t, c.PasswordHash, "setting a PIN sets no password")

		require.NoError(t, s.Credentials.SetPasswordHash(ctx, user, "pw-hash", at.Add(time.Minute)))
		require.NoError(t, s.Credentials.SetPINHash(ctx, user, "pin-hash-2", at.Add(2*time.Minute)))
		c, err = s.Credentials.Credentials(ctx, user)
		require.NoError(t, err)
		assert.Equal(t, "pw-hash", c.PasswordHash, "a PIN change keeps the password")
		assert.Equal(t, "pin-hash-2", c.PINHash)
		assert.True(t, at.Add(time.Minute).Equal(c.PasswordChangedAt))
		assert.True(t, at.Add(2*time.Minute).Equal(c.PINChangedAt))
	})

	t.Run("users are independent", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, "Credentials")
		ctx := t.Context()
		a, b := newID("ext_"), newID("ext_")
		require.NoError(t, s.Credentials.SetPasswordHash(ctx, a, "a-hash", baseTime()))
		require.NoError(t, s.Credentials.SetPasswordHash(ctx, b, "b-hash", baseTime()))
		ca, err := s.Credentials.Credentials(ctx, a)
		require.NoError(t, err)
		cb, err := s.Credentials.Credentials(ctx, b)
		require.NoError(t, err)
		assert.Equal(t, "a-hash", ca.PasswordHash)
		assert.Equal(t, "b-hash", cb.PasswordHash)
	})
}
