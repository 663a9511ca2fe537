package core

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// A password thief on a new device guesses the PIN 4 times between the
// owner's routine app unlocks. Each correct unlock clears the account-wide PIN
// counter, so the thief is never locked; a right guess steps the thief's
// device up to known, and the thief takes the account over.
func TestPINGuessesBetweenTheOwnersUnlocksStopAtTen(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	u := e.register("victim@example.in")
	owner := e.principal(e.knownDeviceLogin(u.Email))
	require.NoError(t, e.auth.SetPIN(ctx, owner, SetPINInput{PIN: testPIN, Client: e.client}))

	thiefClient := Client{IP: "198.51.100.9", UserAgent: "thief"}
	res, err := e.auth.Login(ctx, LoginInput{Identifier: u.Email, Password: testPassword, DeviceFingerprint: fpB, Client: thiefClient})
	require.NoError(t, err)
	require.Equal(t, TrustNewDevice, res.Trust)
	thief := e.principal(res)

	checked := 0
	for cycle := 0; cycle < 10; cycle++ {
		for i := 0; i < 4; i++ {
			requireKind(t, e.auth.VerifyPIN(ctx, thief, VerifyPINInput{PIN: fmt.Sprintf("%04d", 5000+checked), Client: thiefClient}), KindUnauthorized)
			checked++
		}
		e.clock.Advance(10 * time.Minute)
		require.NoError(t, e.auth.VerifyPIN(ctx, owner, VerifyPINInput{PIN: testPIN, Client: e.client}), "the owner's app unlock")
	}
	// Whatever the owner does, the thief's session must not be able to check
	// more than 10 PINs and then get the right one accepted.
	rightAccepted := e.auth.VerifyPIN(ctx, thief, VerifyPINInput{PIN: testPIN, Client: thiefClient}) == nil
	assert.False(t, checked > 10 && rightAccepted,
		"the thief checked %d wrong PINs, never locked, and the right PIN then stepped the device up", checked)
}

// heldAttempts holds attempts admitted on one lockout key in flight (as a
// hashing queue longer than a minute would) until released.
type heldAttempts struct {
	ports.LockoutStore
	key     string
	mu      sync.Mutex
	holding bool
	release chan struct{}
	held    sync.WaitGroup
}

func (h *heldAttempts) BeginAttempt(ctx context.Context, key string, now time.Time, p ports.LockPolicy) (ports.LockState, ports.Admission, error) {
	st, v, err := h.LockoutStore.BeginAttempt(ctx, key, now, p)
	h.mu.Lock()
	hold := h.holding && key == h.key && v == ports.Admitted
	h.mu.Unlock()
	if hold {
		h.held.Done()
		<-h.release
	}
	return st, v, err
}

// A pending place lapses after Lockout.PendingFor (1 minute) although its
// attempt still runs: attempts held in flight longer than that (a hashing
// queue over a minute long) let 5 more in per minute, and every one of them is
// still checked and answered. 16 PIN checks here, the right PIN among them.
func TestPINAttemptsInFlightLongerThanAMinuteStillStopAtTen(t *testing.T) {
	t.Parallel()
	var held *heldAttempts
	e := newEnv(t, withoutLimiter(), func(_ *Config, d *Deps) {
		held = &heldAttempts{LockoutStore: d.Storage, release: make(chan struct{})}
		d.Lockouts = held
	})
	ctx := context.Background()
	u := e.register("victim@example.in")
	owner := e.principal(e.knownDeviceLogin(u.Email))
	require.NoError(t, e.auth.SetPIN(ctx, owner, SetPINInput{PIN: testPIN, Client: e.client}))
	thief := e.principal(e.mustLogin(u.Email))
	held.key, held.holding = pinLockKey(u.ID), true

	before := e.auth.hasher.Verifications()
	var wg sync.WaitGroup
	guess := func(pin string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = e.auth.VerifyPIN(ctx, thief, VerifyPINInput{PIN: pin, Client: e.client})
		}()
	}
	n := 0
	for wave := 0; wave < 3; wave++ {
		held.held.Add(5)
		for i := 0; i < 5; i++ {
			guess(fmt.Sprintf("%04d", 6000+n))
			n++
		}
		held.held.Wait()
		requireKind(t, e.auth.VerifyPIN(ctx, thief, VerifyPINInput{PIN: "7777", Client: e.client}), KindRateLimited) // a 6th is refused: busy
		e.clock.Advance(e.auth.cfg.Lockout.PendingFor + time.Second)
	}
	held.held.Add(1)
	guess(testPIN)
	held.held.Wait()
	held.mu.Lock()
	held.holding = false
	held.mu.Unlock()
	close(held.release)
	wg.Wait()
	assert.LessOrEqual(t, e.auth.hasher.Verifications()-before, int64(10), "PIN checks without a PIN reset")
}
