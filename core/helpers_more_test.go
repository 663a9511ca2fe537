package core

import (
	"context"
	"github.com/bharatauth/bharatauth-go/adapters/memory"

	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Helpers shared by the *_more_test.go files.

const newPassword = "monsoon lantern quietly orbits"

// knownDeviceLogin signs in on a verified device: the first login from fpA
// steps up with an emailed code, which makes fpA known; the second login from
// fpA is then a known-device session.
func (e *env) knownDeviceLogin(email string) LoginResult {
	e.t.Helper()
	ctx := context.Background()
	first, err := e.loginFrom(email, testPassword, fpA, false)
	require.NoError(e.t, err)
	if first.Trust != TrustKnown {
		p := e.principal(first)
		require.NoError(e.t, e.auth.RequestStepUp(ctx, p, e.client))
		require.NoError(e.t, e.auth.VerifyStepUp(ctx, p, VerifyStepUpInput{Code: e.lastCode(email), Client: e.client}))
	}
	res, err := e.loginFrom(email, testPassword, fpA, false)
	require.NoError(e.t, err)
	require.Equal(e.t, TrustKnown, res.Trust)
	return res
}

func (e *env) changePassword(p Principal, current, next string, endOthers bool) error {
	return e.auth.ChangePassword(context.Background(), p, ChangePasswordInput{
		CurrentPassword: current, NewPassword: next, EndOtherSessions: endOthers, Client: e.client})
}

// device is what the stores hold for fingerprint fp: its keyed hash.
func (e *env) device(fp string) string {
	e.t.Helper()
	d, err := e.auth.cleanDevice("test", fp)
	require.NoError(e.t, err)
	return d
}

// deviceLockState reads the sign-in counter of the user's device fp.
func (e *env) deviceLockState(userID, fp string) ports.LockState {
	e.t.Helper()
	device, err := e.auth.cleanDevice("test", fp)
	require.NoError(e.t, err)
	s, err := e.store.LockState(context.Background(), e.auth.deviceLockKey(userID, device))
	require.NoError(e.t, err)
	return s
}

// pinLockState reads the user's PIN counter.
func (e *env) pinLockState(userID string) ports.LockState {
	e.t.Helper()
	s, err := e.store.LockState(context.Background(), pinLockKey(userID))
	require.NoError(e.t, err)
	return s
}

// pinDeviceLockState reads the PIN counter of the user's verified device fp.
func (e *env) pinDeviceLockState(userID, fp string) ports.LockState {
	e.t.Helper()
	s, err := e.store.LockState(context.Background(), pinDeviceLockKey(userID, e.device(fp)))
	require.NoError(e.t, err)
	return s
}

// lockState reads the sign-in counter of the user's email.
func (e *env) lockState(userID string) ports.LockState {
	e.t.Helper()
	u, err := e.store.UserByID(context.Background(), userID)
	require.NoError(e.t, err)
	s, err := e.store.LockState(context.Background(), e.auth.identifierLockKey(u.Email))
	require.NoError(e.t, err)
	return s
}

func (e *env) eventKinds(userID string) []string {
	e.t.Helper()
	events, err := e.store.Events(context.Background(), userID)
	require.NoError(e.t, err)
	kinds := make([]string, len(events))
	for i, ev := range events {
		kinds[i] = ev.Kind
	}
	return kinds
}

func (e *env) passwordHash(userID string) string {
	e.t.Helper()
	c, err := e.store.Credentials(context.Background(), userID)
	require.NoError(e.t, err)
	return c.PasswordHash
}

// externalMode drops the UserRegistry: the app owns its users.
// withoutEventLog wires every storage port but the optional event log.
func withoutEventLog() envOption {
	return func(_ *Config, d *Deps) {
		s := d.Storage.(*memory.Store)
		d.Storage = nil
		d.Users, d.Registry, d.Credentials, d.Lockouts, d.Sessions = s, s, s, s, s
		d.Devices, d.Tokens, d.Consents, d.Abuse = s, s, s, s
	}
}

func externalMode() envOption { return func(_ *Config, d *Deps) { d.Users = d.Storage } }

func allowUnverifiedEmail() envOption {
	return func(c *Config, _ *Deps) { c.RequireVerifiedEmail = false }
}

func sessionIDs(views []SessionView) []string {
	ids := make([]string, len(views))
	for i, v := range views {
		ids[i] = v.ID
	}
	return ids
}

// mailFailures lists the (kind, detail) of the user's mail_failed events.
func (e *env) mailFailures(userID string) []string {
	e.t.Helper()
	events, err := e.store.Events(context.Background(), userID)
	require.NoError(e.t, err)
	var out []string
	for _, ev := range events {
		if ev.Kind == ports.EventMailFailed {
			out = append(out, ev.Detail)
		}
	}
	return out
}
