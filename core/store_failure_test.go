package core

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/bharatauth/bharatauth-go/ports"
)

var errCanceled = fmt.Errorf("query: %w", context.Canceled)

// failingFlow is one flow run against a store that fails in one method.
type failingFlow struct {
	name   string
	method string
	err    error
	kind   Kind
	// setup prepares the state the flow needs, on a healthy store.
	setup func(t *testing.T, e *env) flowState
	run   func(e *env, s flowState) error
	// after checks that nothing was half written, on the healed store.
	after func(t *testing.T, e *env, s flowState)
}

// newDeviceSignedIn signs in without a fingerprint: a new device, with no
// step-up email yet.
func newDeviceSignedIn(t *testing.T, e *env) flowState {
	s := registered(t, e)
	s.res = e.mustLogin(s.user.Email)
	s.p = e.principal(s.res)
	return s
}

// stepUpCodeSent is newDeviceSignedIn with a step-up code emailed, in link.
func stepUpCodeSent(t *testing.T, e *env) flowState {
	s := newDeviceSignedIn(t, e)
	require.NoError(t, e.auth.RequestStepUp(t.Context(), s.p, e.client))
	s.link = e.lastCode(s.user.Email)
	return s
}

func loginFlow(e *env, s flowState) error {
	_, err := e.loginFrom(s.user.Email, testPassword, fpB, false)
	return err
}

func stepUpFlow(e *env, s flowState) error {
	return e.auth.VerifyStepUp(e.t.Context(), s.p, VerifyStepUpInput{Code: s.link, Client: e.client})
}

func changePasswordFlow(e *env, s flowState) error {
	return e.changePassword(s.p, testPassword, newPassword, false)
}

func revokeOwnSessionFlow(e *env, s flowState) error {
	return e.auth.RevokeSession(e.t.Context(), s.p, RevokeSessionInput{SessionID: s.p.SessionID, Client: e.client})
}

func refreshFlow(e *env, s flowState) error {
	return errOf(e.auth.Refresh(e.t.Context(), RefreshInput{RefreshToken: s.res.RefreshToken, Client: e.client}))
}

// emailedSecret is a setup: registered, then ask has an email sent to the
// user, whose code or link token read takes from the outbox into link.
func emailedSecret(ask func(e *env, email string) error, read func(e *env, addr string) string) func(*testing.T, *env) flowState {
	return func(t *testing.T, e *env) flowState {
		s := registered(t, e)
		require.NoError(t, ask(e, s.user.Email))
		s.link = read(e, s.user.Email)
		return s
	}
}

var (
	otpCodeSent = emailedSecret(func(e *env, email string) error {
		return e.auth.RequestOTP(e.t.Context(), RequestOTPInput{Identifier: email, Client: e.client})
	}, (*env).lastCode)
	resetLinkSent = emailedSecret(func(e *env, email string) error {
		return e.auth.RequestPasswordReset(e.t.Context(), IdentifierInput{Identifier: email, Client: e.client})
	}, (*env).lastToken)
	unlockLinkSent = emailedSecret(func(e *env, email string) error { // once locked by 5 wrong passwords
		e.failLogins(email, 5)
		return e.auth.RequestUnlock(e.t.Context(), IdentifierInput{Identifier: email, Client: e.client})
	}, (*env).lastToken)
	verificationLinkSent = emailedSecret(func(*env, string) error { return nil }, (*env).lastToken) // registration sent it
)

func verifyOTPFlow(e *env, s flowState) error {
	return errOf(e.auth.VerifyOTP(e.t.Context(), VerifyOTPInput{Identifier: s.user.Email, Code: s.link, Client: e.client}))
}

func confirmResetFlow(e *env, s flowState) error {
	return errOf(e.auth.ConfirmPasswordReset(e.t.Context(), ConfirmPasswordResetInput{Token: s.link, NewPassword: newPassword, Client: e.client}))
}

func verifyEmailFlow(e *env, s flowState) error {
	return e.auth.VerifyEmail(e.t.Context(), LinkInput{Token: s.link, Client: e.client})
}

func confirmUnlockFlow(e *env, s flowState) error {
	return errOf(e.auth.ConfirmUnlock(e.t.Context(), ConfirmUnlockInput{Token: s.link, Client: e.client}))
}

// sessionKept checks that the session setup made lives and that no
// revocation was recorded.
func sessionKept(t *testing.T, e *env, s flowState) {
	e.principal(s.res)
	assert.NotContains(t, e.eventKinds(s.user.ID), ports.EventSessionRevoked)
}

// noNewSession checks that the failed login left only the sessions setup made.
func noNewSession(want int) func(t *testing.T, e *env, s flowState) {
	return func(t *testing.T, e *env, s flowState) {
		all := inStore(e, e.store.Sessions, s.user.ID)
		assert.Len(t, all, want)
		assert.NotContains(t, e.eventKinds(s.user.ID), ports.EventLoginSucceeded)
		assert.NotContains(t, e.eventKinds(s.user.ID), ports.EventNewDevice)
	}
}

func passwordUnchanged(t *testing.T, e *env, s flowState) {
	require.NoError(t, errOf(e.login(s.user.Email, testPassword)), "the old password still works")
	requireKind(t, errOf(e.login(s.user.Email, newPassword)), KindUnauthorized)
	assert.NotContains(t, e.eventKinds(s.user.ID), ports.EventPasswordChanged)
}

// runStoreFailures runs each flow with its method failing: the flow answers
// its kind, keeps the cause for logs and shows the client no store detail;
// once the store heals, after finds nothing half written.
func runStoreFailures(t *testing.T, flows []failingFlow) {
	t.Helper()
	for _, tc := range flows {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, f := newFaultyEnv(t)
			s := tc.setup(t, e)
			f.failOn(tc.method, tc.err)
			err := tc.run(e, s)
			ce := requireKind(t, err, tc.kind)
			assert.Positive(t, f.firedCount(), "the failure was reached")
			assert.ErrorIs(t, err, tc.err, "the cause is kept for logs")
			assert.NotContains(t, ce.Message, "postgres", "the client sees no store detail")
			f.failOn("", nil)
			if tc.after != nil {
				tc.after(t, e, s)
			}
		})
	}
}

func TestLoginStoreFailures(t *testing.T) {
	t.Parallel()
	runStoreFailures(t, []failingFlow{
		{name: "ip block lookup", method: "IPBlockedUntil", err: errDown, kind: KindUnavailable,
			setup: registered, run: loginFlow,
			after: func(t *testing.T, e *env, s flowState) {
				assert.Zero(t, e.auth.hasher.Verifications(), "no hash work")
				assert.Zero(t, e.lockState(s.user.ID).Failures)
				noNewSession(0)(t, e, s)
			}},
		{name: "user lookup", method: "UserByEmail", err: errDown, kind: KindUnavailable,
			setup: registered, run: loginFlow, after: noNewSession(0)},
		{name: "user lookup fails oddly", method: "UserByEmail", err: errCorrupt, kind: KindInternal,
			setup: registered, run: loginFlow, after: noNewSession(0)},
		{name: "counting the attempt", method: "BeginAttempt", err: errDown, kind: KindUnavailable,
			setup: registered, run: loginFlow,
			after: func(t *testing.T, e *env, s flowState) {
				assert.Zero(t, e.auth.hasher.Verifications(), "not admitted: no hash work")
				noNewSession(0)(t, e, s)
			}},
		{name: "reading the password hash", method: "Credentials", err: errDown, kind: KindUnavailable,
			setup: registered, run: loginFlow,
			after: func(t *testing.T, e *env, s flowState) {
				assert.Zero(t, e.lockState(s.user.ID).Pending, "the admitted attempt was ended, not left pending")
				noNewSession(0)(t, e, s)
			}},
		{name: "finishing the attempt", method: "FinishAttempt", err: errDown, kind: KindUnavailable,
			setup: registered, run: loginFlow, after: noNewSession(0)},
		{name: "device lookup", method: "KnownDevice", err: errDown, kind: KindUnavailable,
			setup: registered, run: loginFlow, after: noNewSession(0)},
		{name: "creating the session", method: "CreateSession", err: errDown, kind: KindUnavailable,
			setup: registered, run: loginFlow,
			after: func(t *testing.T, e *env, s flowState) {
				noNewSession(0)(t, e, s)
				assert.Equal(t, 1, e.mailsTo(s.user.Email), "no new-device alert for a sign-in that failed")
			}},
		{name: "recording an ip failure", method: "RecordIPFailure", err: errDown, kind: KindUnavailable,
			setup: registered,
			run:   func(e *env, s flowState) error { return errOf(e.login(s.user.Email, "a wrong password")) },
			after: noNewSession(0)},
	})
}

func TestRegisterStoreFailures(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	runStoreFailures(t, []failingFlow{
		{name: "creating the user", method: "CreateUser", err: errDown, kind: KindUnavailable,
			setup: func(t *testing.T, e *env) flowState { return flowState{} },
			run: func(e *env, _ flowState) error {
				_, err := e.auth.Register(ctx, RegisterInput{Email: "new@example.in", Password: testPassword,
					Consents: allGranted(), Client: e.client})
				return err
			},
			after: func(t *testing.T, e *env, _ flowState) {
				_, err := e.store.UserByEmail(ctx, "new@example.in")
				require.ErrorIs(t, err, ports.ErrNotFound)
				assert.Zero(t, e.outbox.Len())
				e.register("new@example.in") // a retry works
			}},
	})
}

func TestOTPStoreFailures(t *testing.T) {
	t.Parallel()
	runStoreFailures(t, []failingFlow{
		{name: "consuming the code", method: "ConsumeCode", err: errDown, kind: KindUnavailable,
			setup: otpCodeSent, run: verifyOTPFlow,
			after: func(t *testing.T, e *env, s flowState) {
				noNewSession(0)(t, e, s)
				require.NoError(t, verifyOTPFlow(e, s), "the code was not used up")
			}},
	})
}

func TestRefreshStoreFailures(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	runStoreFailures(t, []failingFlow{
		{name: "rotating", method: "RotateRefresh", err: errDown, kind: KindUnavailable,
			setup: signedIn, run: refreshFlow,
			after: func(t *testing.T, e *env, s flowState) {
				require.NoError(t, refreshFlow(e, s), "the token was not rotated: a retry works")
			}},
		{name: "logout", method: "RevokeSessions", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run: func(e *env, s flowState) error {
				return e.auth.Logout(ctx, RefreshInput{RefreshToken: s.res.RefreshToken, Client: e.client})
			},
			after: sessionKept},
	})
}

func TestSessionStoreFailures(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	runStoreFailures(t, []failingFlow{
		{name: "authenticate: cancelled session lookup", method: "Session", err: errCanceled, kind: KindUnavailable,
			setup: signedIn,
			run:   func(e *env, s flowState) error { return errOf(e.auth.Authenticate(ctx, s.res.AccessToken)) }},
		{name: "sessions: listing", method: "Sessions", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run:   func(e *env, s flowState) error { return errOf(e.auth.Sessions(ctx, s.p)) }},
		{name: "revoke session: lookup", method: "Session", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run:   revokeOwnSessionFlow,
			after: sessionKept},
		{name: "revoke session: revoking", method: "RevokeSessions", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run:   revokeOwnSessionFlow,
			after: sessionKept},
		{name: "logout all", method: "RevokeSessions", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run:   func(e *env, s flowState) error { return e.auth.LogoutAll(ctx, s.p, e.client) },
			after: sessionKept},
		{name: "suspend", method: "SetSuspended", err: errCorrupt, kind: KindInternal,
			setup: signedIn,
			run:   func(e *env, s flowState) error { return e.auth.Admin().Suspend(ctx, s.user.ID) },
			after: func(t *testing.T, e *env, s flowState) {
				e.principal(s.res)
				u := inStore(e, e.store.UserByID, s.user.ID)
				assert.False(t, u.Suspended)
			}},
	})
}

func TestPasswordStoreFailures(t *testing.T) {
	t.Parallel()
	runStoreFailures(t, []failingFlow{
		{name: "change password: storing the hash", method: "SetPasswordHash", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run: func(e *env, s flowState) error {
				return e.changePassword(s.p, testPassword, newPassword, true)
			},
			after: func(t *testing.T, e *env, s flowState) {
				passwordUnchanged(t, e, s)
				e.principal(s.res)
				m, _ := e.outbox.Last(s.user.Email)
				assert.NotContains(t, m.Subject, "was changed", "no change, no email")
			}},
		{name: "change password: counting the attempt", method: "BeginAttempt", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run:   changePasswordFlow,
			after: passwordUnchanged},
		{name: "change password: user lookup", method: "UserByID", err: errCorrupt, kind: KindInternal,
			setup: signedIn,
			run:   changePasswordFlow,
			after: passwordUnchanged},
		{name: "password reset: consuming the link", method: "ConsumeLink", err: errDown, kind: KindUnavailable,
			setup: resetLinkSent, run: confirmResetFlow,
			after: func(t *testing.T, e *env, s flowState) {
				passwordUnchanged(t, e, s)
				require.NoError(t, confirmResetFlow(e, s))
			}},
	})
}

func TestPINStoreFailures(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	runStoreFailures(t, []failingFlow{
		{name: "set pin: storing the hash", method: "SetPINHash", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run: func(e *env, s flowState) error {
				return e.auth.SetPIN(ctx, s.p, SetPINInput{PIN: testPIN, Client: e.client})
			},
			after: func(t *testing.T, e *env, s flowState) {
				creds := inStore(e, e.store.Credentials, s.user.ID)
				assert.Empty(t, creds.PINHash)
				assert.NotContains(t, e.eventKinds(s.user.ID), ports.EventPINChanged)
			}},
		{name: "verify pin: reading the pin hash", method: "Credentials", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run: func(e *env, s flowState) error {
				return e.auth.VerifyPIN(ctx, s.p, VerifyPINInput{PIN: testPIN, Client: e.client})
			},
			after: func(t *testing.T, e *env, s flowState) {
				assert.Zero(t, e.lockState(s.user.ID).Failures)
			}},
	})
}

func TestStepUpStoreFailures(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	runStoreFailures(t, []failingFlow{
		{name: "step-up request: issuing the code", method: "IssueToken", err: errDown, kind: KindUnavailable,
			setup: newDeviceSignedIn,
			run:   func(e *env, s flowState) error { return e.auth.RequestStepUp(ctx, s.p, e.client) },
			after: func(t *testing.T, e *env, s flowState) {
				m, _ := e.outbox.Last(s.user.Email)
				assert.NotContains(t, m.Subject, "Confirm it's you")
			}},
		{name: "step-up verify: consuming the code", method: "ConsumeCode", err: errDown, kind: KindUnavailable,
			setup: stepUpCodeSent, run: stepUpFlow,
			after: func(t *testing.T, e *env, s flowState) {
				requireKind(t, e.auth.RequireStepUp(ctx, s.p), KindStepUpRequired)
				require.NoError(t, stepUpFlow(e, s), "the code is still good")
			}},
		{name: "step-up verify: recording the mark", method: "MarkStepUp", err: errDown, kind: KindUnavailable,
			setup: stepUpCodeSent, run: stepUpFlow,
			after: func(t *testing.T, e *env, s flowState) {
				requireKind(t, e.auth.RequireStepUp(ctx, s.p), KindStepUpRequired)
				assert.NotContains(t, e.eventKinds(s.user.ID), ports.EventStepUp)
			}},
		{name: "public device step-up check", method: "ConsumeStepUp", err: errDown, kind: KindUnavailable,
			setup: func(t *testing.T, e *env) flowState {
				s := registered(t, e)
				res, err := e.loginFrom(s.user.Email, testPassword, fpA, true)
				require.NoError(t, err)
				s.res, s.p = res, e.principal(res)
				return s
			},
			run: func(e *env, s flowState) error { return e.auth.RequireStepUp(ctx, s.p) }},
	})
}

func TestConsentStoreFailures(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	runStoreFailures(t, []failingFlow{
		{name: "record consent", method: "AppendConsents", err: errDown, kind: KindUnavailable,
			setup: registered,
			run: func(e *env, s flowState) error {
				return errOf(e.auth.Admin().RecordConsent(ctx, s.user.ID, ConsentDecision{Category: "analytics"}, ConsentMeta{}))
			},
			after: func(t *testing.T, e *env, s flowState) {
				rows := inStore(e, e.store.ConsentHistory, s.user.ID)
				assert.Len(t, rows, 6)
				n := 0
				for _, k := range e.eventKinds(s.user.ID) {
					if k == ports.EventConsentChanged {
						n++
					}
				}
				assert.Equal(t, 6, n, "only registration's decisions")
			}},
		{name: "withdraw", method: "AppendConsents", err: errCanceled, kind: KindUnavailable,
			setup: signedIn,
			run: func(e *env, s flowState) error {
				return errOf(e.auth.Withdraw(ctx, s.p, ConsentInput{Category: "analytics", Client: e.client}))
			},
			after: func(t *testing.T, e *env, s flowState) {
				m, _ := e.outbox.Last(s.user.Email)
				assert.NotContains(t, m.Subject, "Receipt", "no receipt for a withdrawal not recorded")
				states, err := e.auth.Admin().Consents(ctx, s.user.ID)
				require.NoError(t, err)
				for _, st := range states {
					assert.True(t, st.Granted, st.Category)
				}
			}},
		{name: "consents", method: "ConsentHistory", err: errCorrupt, kind: KindInternal,
			setup: registered,
			run:   func(e *env, s flowState) error { return errOf(e.auth.Admin().Consents(ctx, s.user.ID)) }},
		{name: "verify consent chain", method: "ConsentHistory", err: errDown, kind: KindUnavailable,
			setup: registered,
			run:   func(e *env, s flowState) error { return errOf(e.auth.Admin().VerifyConsentChain(ctx, s.user.ID)) }},
	})
}

func TestVerificationStoreFailures(t *testing.T) {
	t.Parallel()
	runStoreFailures(t, []failingFlow{
		{name: "consuming the link", method: "ConsumeLink", err: errDown, kind: KindUnavailable,
			setup: verificationLinkSent, run: verifyEmailFlow,
			after: func(t *testing.T, e *env, s flowState) {
				require.NoError(t, verifyEmailFlow(e, s), "the link still works")
			}},
	})
}

func TestUnlockStoreFailures(t *testing.T) {
	t.Parallel()
	runStoreFailures(t, []failingFlow{
		{name: "clearing the lock", method: "ClearFailures", err: errDown, kind: KindUnavailable,
			setup: unlockLinkSent, run: confirmUnlockFlow,
			after: func(t *testing.T, e *env, s flowState) {
				requireKind(t, errOf(e.login(s.user.Email, testPassword)), KindLocked)
				assert.NotContains(t, e.eventKinds(s.user.ID), ports.EventAccountUnlocked)
			}},
	})
}

func TestExportStoreFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		method string
		err    error
		kind   Kind
	}{
		{name: "user", method: "UserByID", err: errDown, kind: KindUnavailable},
		{name: "credentials", method: "Credentials", err: errDown, kind: KindUnavailable},
		{name: "lock state", method: "LockState", err: errDown, kind: KindUnavailable},
		{name: "sessions", method: "Sessions", err: errCanceled, kind: KindUnavailable},
		{name: "tokens", method: "Tokens", err: errDown, kind: KindUnavailable},
		{name: "consent history", method: "ConsentHistory", err: errCorrupt, kind: KindInternal},
		{name: "events", method: "Events", err: errDown, kind: KindUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, f := newFaultyEnv(t)
			s := signedIn(t, e)
			f.failOn(tc.method, tc.err)
			doc, err := e.auth.Export(t.Context(), s.p, e.client)
			ce := requireKind(t, err, tc.kind)
			assert.Equal(t, "Export", ce.Op)
			assert.Empty(t, doc.Account.Email, "no partial document")
			f.failOn("", nil)
			assert.NotContains(t, e.eventKinds(s.user.ID), ports.EventDataExported)
		})
	}
}

func TestBestEffortWritesNeverFailTheFlow(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	t.Run("hash upgrade", func(t *testing.T) {
		t.Parallel()
		e, f := newFaultyEnv(t)
		s := registered(t, e)
		legacy, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
		require.NoError(t, err)
		require.NoError(t, e.store.SetPasswordHash(ctx, s.user.ID, string(legacy), e.auth.now()))
		f.failOn("SetPasswordHash", errDown)
		require.NoError(t, errOf(e.login(s.user.Email, testPassword)), "the old hash stays one more time")
		assert.Equal(t, 1, f.firedCount())
		assert.Equal(t, string(legacy), e.passwordHash(s.user.ID))
		f.failOn("", nil)
		require.NoError(t, errOf(e.login(s.user.Email, testPassword)))
		assert.True(t, strings.HasPrefix(e.passwordHash(s.user.ID), "$argon2id$"))
	})
	t.Run("marking the email verified is no best effort", func(t *testing.T) {
		t.Parallel()
		e, f := newFaultyEnv(t)
		u := e.registerUnverified("down@example.in")
		require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: u.Email, Client: e.client}))
		f.failOn("MarkEmailVerified", errDown)
		requireKind(t, errOf(e.auth.VerifyOTP(ctx, VerifyOTPInput{Identifier: u.Email, Code: e.lastCode(u.Email), Client: e.client})), KindUnavailable)
		stored := inStore(e, e.store.UserByID, u.ID)
		assert.False(t, stored.EmailVerified, "not claimed when not stored")
		assert.NotContains(t, e.eventKinds(u.ID), ports.EventEmailVerified)
		sessions := inStore(e, e.store.Sessions, u.ID)
		assert.Empty(t, sessions, "no session for a proof that was not recorded")
	})
	t.Run("recording events", func(t *testing.T) {
		t.Parallel()
		logs := &logBuffer{}
		e, f := newFaultyEnv(t, logTo(logs))
		s := registered(t, e)
		assert.NotContains(t, logs.String(), "recording a security event failed", "recorded events log nothing")
		f.failOn("RecordEvent", errDown)
		res, err := e.loginFrom(s.user.Email, testPassword, fpA, false)
		require.NoError(t, err)
		require.NoError(t, e.auth.Logout(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client}))
		assert.GreaterOrEqual(t, f.firedCount(), 3, "login, new device and logout were each attempted")
		assert.Contains(t, logs.String(), "recording a security event failed", "a lost audit event is logged")
	})
	t.Run("revoking the session after a pin lock", func(t *testing.T) {
		t.Parallel()
		e, f := newFaultyEnv(t)
		s := signedIn(t, e)
		require.NoError(t, e.auth.SetPIN(ctx, s.p, SetPINInput{PIN: testPIN, Client: e.client}))
		for i := 0; i < 4; i++ {
			requireKind(t, e.auth.VerifyPIN(ctx, s.p, VerifyPINInput{PIN: "9157", Client: e.client}), KindUnauthorized)
		}
		f.failOn("RevokeSessions", errDown)
		requireCode(t, e.auth.VerifyPIN(ctx, s.p, VerifyPINInput{PIN: "9157", Client: e.client}), KindUnauthorized, codeInvalidPIN, "the lock answers like a wrong PIN")
		assert.Equal(t, 1, f.firedCount())
		assert.Contains(t, e.eventKinds(s.user.ID), ports.EventPINLocked)
	})
	t.Run("issuing the unlock link at a hard lock", func(t *testing.T) {
		t.Parallel()
		e, f := newFaultyEnv(t)
		s := registered(t, e)
		e.failLogins(s.user.Email, 5)
		e.clock.Advance(e.auth.cfg.Lockout.SoftLockFor)
		e.failLogins(s.user.Email, 4)
		mails := e.mailsTo(s.user.Email)
		f.failOn("IssueToken", errDown)
		_, err := e.login(s.user.Email, "a wrong password")
		ce := requireKind(t, err, KindLocked)
		assert.True(t, ce.RequiresEmailVerify)
		assert.Equal(t, mails, e.mailsTo(s.user.Email), "no email with a link that was never stored")
		f.failOn("", nil)
		require.NoError(t, e.auth.RequestUnlock(ctx, IdentifierInput{Identifier: s.user.Email, Client: e.client}), "the user can ask again")
		assert.Equal(t, mails+1, e.mailsTo(s.user.Email))
	})
}

func TestCancelledContextIsUnavailable(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "late@example.in")
	p := e.principal(e.mustLogin(u.Email))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{name: "login", run: func() error {
			return errOf(e.auth.Login(ctx, LoginInput{Identifier: u.Email, Password: testPassword, Client: e.client}))
		}},
		{name: "sessions", run: func() error { return errOf(e.auth.Sessions(ctx, p)) }},
		{name: "me", run: func() error { return errOf(e.auth.Me(ctx, p)) }},
		{name: "consents", run: func() error { return errOf(e.auth.Admin().Consents(ctx, u.ID)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			requireKind(t, err, KindUnavailable)
			assert.ErrorIs(t, err, context.Canceled)
		})
	}
}
