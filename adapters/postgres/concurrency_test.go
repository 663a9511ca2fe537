package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestConcurrency(t *testing.T) {
	t.Parallel()
	store, _ := newTestDB(t)
	ctx := t.Context()

	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{name: "20 rotations of one refresh token: one wins, reuse revokes", run: func(t *testing.T) {
			require.NoError(t, store.CreateSession(ctx, testSession("s-rot", "u-rot", "h0")))
			const n = 20
			errs := make([]error, n)
			porttest.Together(n, func(i int) {
				_, errs[i] = store.RotateRefresh(ctx, "h0", "h1-"+string(rune('a'+i)), t0.Add(time.Minute), 0)
			})
			wins := 0
			for _, err := range errs {
				if err == nil {
					wins++
					continue
				}
				assert.True(t, errors.Is(err, ports.ErrReused), "loser got %v", err)
			}
			assert.Equal(t, 1, wins)
			// The losers presented a rotated-away token: the family is revoked,
			// and a later reuse says so again.
			_, err := store.RotateRefresh(ctx, "h0", "h2", t0.Add(2*time.Minute), 0)
			require.ErrorIs(t, err, ports.ErrReused)
			s, err := store.Session(ctx, "s-rot")
			require.NoError(t, err)
			assert.False(t, s.RevokedAt.IsZero())
		}},
		{name: "8 concurrent uses of one OTP: exactly one", run: func(t *testing.T) {
			require.NoError(t, store.IssueToken(ctx, ports.OneTimeToken{
				ID: "otp-race", Purpose: ports.PurposeLoginOTP, Subject: "u-otp", Hash: "code-hash",
				CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute), MaxAttempts: 5,
			}))
			const n = 8
			errs := make([]error, n)
			porttest.Together(n, func(i int) {
				_, errs[i] = store.ConsumeCode(ctx, "u-otp", ports.PurposeLoginOTP, "code-hash", t0.Add(time.Minute))
			})
			wins := 0
			for _, err := range errs {
				if err == nil {
					wins++
					continue
				}
				assert.ErrorIs(t, err, ports.ErrNotFound)
			}
			assert.Equal(t, 1, wins)
		}},
		{name: "50 concurrent wrong guesses: exactly 5 admitted, then locked", run: func(t *testing.T) {
			policy := ports.LockPolicy{SoftLockAfter: 5, SoftLockFor: 7 * time.Minute, HardLockAfter: 10,
				ResetAfter: 24 * time.Hour, PendingFor: time.Minute}
			const n = 50
			verdicts := make([]ports.Admission, n)
			porttest.Together(n, func(i int) {
				_, v, err := store.BeginAttempt(ctx, "acct:race", t0, policy)
				assert.NoError(t, err)
				verdicts[i] = v
			})
			admitted := 0
			for _, v := range verdicts {
				if v == ports.Admitted {
					admitted++
				}
				assert.NotEqual(t, ports.RefusedLocked, v, "nothing has failed yet")
			}
			assert.Equal(t, 5, admitted)
			porttest.Together(admitted, func(int) {
				_, err := store.FinishAttempt(ctx, "acct:race", t0, policy, ports.Failed)
				assert.NoError(t, err)
			})
			st, err := store.LockState(ctx, "acct:race")
			require.NoError(t, err)
			assert.Equal(t, 5, st.Failures)
			assert.Zero(t, st.Pending)
			assert.Equal(t, t0.Add(7*time.Minute), st.LockedUntil)
			assert.Equal(t, 1, st.SoftLocks)
		}},
		{name: "16 concurrent correct attempts never lock", run: func(t *testing.T) {
			policy := ports.LockPolicy{SoftLockAfter: 5, SoftLockFor: 7 * time.Minute, HardLockAfter: 10,
				ResetAfter: 24 * time.Hour, PendingFor: time.Minute}
			for round := range 5 {
				porttest.Together(16, func(int) {
					_, v, err := store.BeginAttempt(ctx, "acct:right", t0, policy)
					assert.NoError(t, err)
					assert.NotEqual(t, ports.RefusedLocked, v)
					if v == ports.Admitted {
						_, err = store.FinishAttempt(ctx, "acct:right", t0, policy, ports.Succeeded)
						assert.NoError(t, err)
					}
				})
				st, err := store.LockState(ctx, "acct:right")
				require.NoError(t, err)
				assert.Zero(t, st.SoftLocks+st.HardLocks, "round %d: no lock recorded", round)
				assert.Zero(t, st.Pending, "round %d", round)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t)
		})
	}
}
