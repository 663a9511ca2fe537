package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/bharatauth/bharatauth-go/ports"
)

var (
	errDown     = fmt.Errorf("postgres: dial tcp 127.0.0.1:5432: %w", ports.ErrUnavailable)
	errCorrupt  = errors.New("postgres: column \"hash\" does not exist")
	errCanceled = fmt.Errorf("query: %w", context.Canceled)
)

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

type flowState struct {
	user ports.User
	res  LoginResult
	p    Principal
	link string
}

func registered(t *testing.T, e *env) flowState {
	return flowState{user: e.register("down@example.in")}
}

func signedIn(t *testing.T, e *env) flowState {
	s := registered(t, e)
	s.res = e.knownDeviceLogin(s.user.Email)
	s.p = e.principal(s.res)
	return s
}

func loginFlow(e *env, s flowState) error {
	_, err := e.loginFrom(s.user.Email, testPassword, fpB, false)
	return err
}

// noNewSession checks that the failed login left only the sessions setup made.
func noNewSession(want int) func(t *testing.T, e *env, s flowState) {
	return func(t *testing.T, e *env, s flowState) {
		all, err := e.store.Sessions(context.Background(), s.user.ID)
		require.NoError(t, err)
		assert.Len(t, all, want)
		assert.NotContains(t, e.eventKinds(s.user.ID), ports.EventLoginSucceeded)
		assert.NotContains(t, e.eventKinds(s.user.ID), ports.EventNewDevice)
	}
}

func passwordUnchanged(t *testing.T, e *env, s flowState) {
	_, err := e.login(s.user.Email, testPassword)
	require.NoError(t, err, "the old password still works")
	_, err = e.login(s.user.Email, newPassword)
	requireKind(t, err, KindUnauthorized)
	assert.NotContains(t, e.eventKinds(s.user.ID), ports.EventPasswordChanged)
}

func TestStoreFailuresAnswerUnavailableAndWriteNothingHalf(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	flows := []failingFlow{
		{name: "login: ip block lookup", method: "IPBlockedUntil", err: errDown, kind: KindUnavailable,
			setup: registered, run: loginFlow,
			after: func(t *testing.T, e *env, s flowState) {
				assert.Zero(t, e.auth.hasher.Verifications(), "no hash work")
				assert.Zero(t, e.lockState(s.user.ID).Failures)
				noNewSession(0)(t, e, s)
			}},
		{name: "login: user lookup", method: "UserByEmail", err: errDown, kind: KindUnavailable,
			setup: registered, run: loginFlow, after: noNewSession(0)},
		{name: "login: user lookup fails oddly", method: "UserByEmail", err: errCorrupt, kind: KindInternal,
			setup: registered, run: loginFlow, after: noNewSession(0)},
		{name: "login: counting the attempt", method: "CountAttempt", err: errDown, kind: KindUnavailable,
			setup: registered, run: loginFlow,
			after: func(t *testing.T, e *env, s flowState) {
				assert.Zero(t, e.auth.hasher.Verifications(), "not admitted: no hash work")
				noNewSession(0)(t, e, s)
			}},
		{name: "login: reading the password hash", method: "Credentials", err: errDown, kind: KindUnavailable,
			setup: registered, run: loginFlow, after: noNewSession(0)},
		{name: "login: clearing failures", method: "ClearFailures", err: errDown, kind: KindUnavailable,
			setup: registered, run: loginFlow, after: noNewSession(0)},
		{name: "login: device lookup", method: "KnownDevice", err: errDown, kind: KindUnavailable,
			setup: registered, run: loginFlow, after: noNewSession(0)},
		{name: "login: creating the session", method: "CreateSession", err: errDown, kind: KindUnavailable,
			setup: registered, run: loginFlow,
			after: func(t *testing.T, e *env, s flowState) {
				noNewSession(0)(t, e, s)
				assert.Equal(t, 1, e.mailsTo(s.user.Email), "no new-device alert for a sign-in that failed")
			}},
		{name: "login: recording an ip failure", method: "RecordIPFailure", err: errDown, kind: KindUnavailable,
			setup: registered,
			run: func(e *env, s flowState) error {
				_, err := e.login(s.user.Email, "a wrong password")
				return err
			},
			after: noNewSession(0)},
		{name: "register: creating the user", method: "CreateUser", err: errDown, kind: KindUnavailable,
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
		{name: "otp verify: consuming the code", method: "ConsumeCode", err: errDown, kind: KindUnavailable,
			setup: func(t *testing.T, e *env) flowState {
				s := registered(t, e)
				require.NoError(t, e.auth.RequestOTP(ctx, OTPRequest{Identifier: s.user.Email, Client: e.client}))
				s.link = e.lastCode(s.user.Email)
				return s
			},
			run: func(e *env, s flowState) error {
				_, err := e.auth.VerifyOTP(ctx, OTPVerifyInput{Identifier: s.user.Email, Code: s.link, Client: e.client})
				return err
			},
			after: func(t *testing.T, e *env, s flowState) {
				noNewSession(0)(t, e, s)
				_, err := e.auth.VerifyOTP(ctx, OTPVerifyInput{Identifier: s.user.Email, Code: s.link, Client: e.client})
				require.NoError(t, err, "the code was not used up")
			}},
		{name: "refresh: rotating", method: "RotateRefresh", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run: func(e *env, s flowState) error {
				_, err := e.auth.Refresh(ctx, s.res.RefreshToken, e.client)
				return err
			},
			after: func(t *testing.T, e *env, s flowState) {
				_, err := e.auth.Refresh(ctx, s.res.RefreshToken, e.client)
				require.NoError(t, err, "the token was not rotated: a retry works")
			}},
		{name: "authenticate: cancelled session lookup", method: "Session", err: errCanceled, kind: KindUnavailable,
			setup: signedIn,
			run: func(e *env, s flowState) error {
				_, err := e.auth.Authenticate(ctx, s.res.AccessToken)
				return err
			}},
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
		{name: "change password: counting the attempt", method: "CountAttempt", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run: func(e *env, s flowState) error {
				return e.changePassword(s.p, testPassword, newPassword, false)
			},
			after: passwordUnchanged},
		{name: "change password: user lookup", method: "UserByID", err: errCorrupt, kind: KindInternal,
			setup: signedIn,
			run: func(e *env, s flowState) error {
				return e.changePassword(s.p, testPassword, newPassword, false)
			},
			after: passwordUnchanged},
		{name: "set pin: storing the hash", method: "SetPINHash", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run: func(e *env, s flowState) error {
				return e.auth.SetPIN(ctx, s.p, SetPINInput{PIN: testPIN, Client: e.client})
			},
			after: func(t *testing.T, e *env, s flowState) {
				creds, err := e.store.Credentials(ctx, s.user.ID)
				require.NoError(t, err)
				assert.Empty(t, creds.PINHash)
				assert.NotContains(t, e.eventKinds(s.user.ID), ports.EventPINChanged)
			}},
		{name: "verify pin: reading the pin hash", method: "Credentials", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run: func(e *env, s flowState) error {
				return e.auth.VerifyPIN(ctx, s.p, testPIN, e.client)
			},
			after: func(t *testing.T, e *env, s flowState) {
				assert.Zero(t, e.lockState(s.user.ID).Failures)
			}},
		{name: "step-up request: issuing the code", method: "IssueToken", err: errDown, kind: KindUnavailable,
			setup: func(t *testing.T, e *env) flowState {
				s := registered(t, e)
				s.res = e.mustLogin(s.user.Email) // a new device: no step-up email yet
				s.p = e.principal(s.res)
				return s
			},
			run: func(e *env, s flowState) error { return e.auth.RequestStepUp(ctx, s.p, e.client) },
			after: func(t *testing.T, e *env, s flowState) {
				m, _ := e.outbox.Last(s.user.Email)
				assert.NotContains(t, m.Subject, "Confirm it's you")
			}},
		{name: "step-up verify: consuming the code", method: "ConsumeCode", err: errDown, kind: KindUnavailable,
			setup: func(t *testing.T, e *env) flowState {
				s := registered(t, e)
				s.res = e.mustLogin(s.user.Email) // a new device
				s.p = e.principal(s.res)
				require.NoError(t, e.auth.RequestStepUp(ctx, s.p, e.client))
				s.link = e.lastCode(s.user.Email)
				return s
			},
			run: func(e *env, s flowState) error { return e.auth.VerifyStepUp(ctx, s.p, s.link, e.client) },
			after: func(t *testing.T, e *env, s flowState) {
				requireKind(t, e.auth.RequireStepUp(ctx, s.p), KindStepUpRequired)
				require.NoError(t, e.auth.VerifyStepUp(ctx, s.p, s.link, e.client), "the code is still good")
			}},
		{name: "step-up verify: recording the mark", method: "MarkStepUp", err: errDown, kind: KindUnavailable,
			setup: func(t *testing.T, e *env) flowState {
				s := registered(t, e)
				s.res = e.mustLogin(s.user.Email)
				s.p = e.principal(s.res)
				require.NoError(t, e.auth.RequestStepUp(ctx, s.p, e.client))
				s.link = e.lastCode(s.user.Email)
				return s
			},
			run: func(e *env, s flowState) error { return e.auth.VerifyStepUp(ctx, s.p, s.link, e.client) },
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
		{name: "sessions: listing", method: "Sessions", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run: func(e *env, s flowState) error {
				_, err := e.auth.Sessions(ctx, s.p)
				return err
			}},
		{name: "revoke session: lookup", method: "Session", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run:   func(e *env, s flowState) error { return e.auth.RevokeSession(ctx, s.p, s.p.SessionID, e.client) },
			after: func(t *testing.T, e *env, s flowState) { e.principal(s.res) }},
		{name: "revoke session: revoking", method: "RevokeSessions", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run:   func(e *env, s flowState) error { return e.auth.RevokeSession(ctx, s.p, s.p.SessionID, e.client) },
			after: func(t *testing.T, e *env, s flowState) {
				e.principal(s.res)
				assert.NotContains(t, e.eventKinds(s.user.ID), ports.EventSessionRevoked)
			}},
		{name: "logout all", method: "RevokeSessions", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run:   func(e *env, s flowState) error { return e.auth.LogoutAll(ctx, s.p, e.client) },
			after: func(t *testing.T, e *env, s flowState) {
				e.principal(s.res)
				assert.NotContains(t, e.eventKinds(s.user.ID), ports.EventSessionRevoked)
			}},
		{name: "logout", method: "RevokeSessions", err: errDown, kind: KindUnavailable,
			setup: signedIn,
			run:   func(e *env, s flowState) error { return e.auth.Logout(ctx, s.res.RefreshToken, e.client) },
			after: func(t *testing.T, e *env, s flowState) { e.principal(s.res) }},
		{name: "suspend", method: "SetSuspended", err: errCorrupt, kind: KindInternal,
			setup: signedIn,
			run:   func(e *env, s flowState) error { return e.auth.Suspend(ctx, s.user.ID) },
			after: func(t *testing.T, e *env, s flowState) {
				e.principal(s.res)
				u, err := e.store.UserByID(ctx, s.user.ID)
				require.NoError(t, err)
				assert.False(t, u.Suspended)
			}},
		{name: "record consent", method: "AppendConsents", err: errDown, kind: KindUnavailable,
			setup: registered,
			run: func(e *env, s flowState) error {
				_, err := e.auth.RecordConsent(ctx, s.user.ID, ConsentDecision{Category: "analytics"}, ConsentMeta{})
				return err
			},
			after: func(t *testing.T, e *env, s flowState) {
				rows, err := e.store.ConsentHistory(ctx, s.user.ID)
				require.NoError(t, err)
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
				_, err := e.auth.Withdraw(ctx, s.p, "analytics", e.client)
				return err
			},
			after: func(t *testing.T, e *env, s flowState) {
				m, _ := e.outbox.Last(s.user.Email)
				assert.NotContains(t, m.Subject, "Receipt", "no receipt for a withdrawal not recorded")
				states, err := e.auth.Consents(ctx, s.user.ID)
				require.NoError(t, err)
				for _, st := range states {
					assert.True(t, st.Granted, st.Category)
				}
			}},
		{name: "consents", method: "ConsentHistory", err: errCorrupt, kind: KindInternal,
			setup: registered,
			run: func(e *env, s flowState) error {
				_, err := e.auth.Consents(ctx, s.user.ID)
				return err
			}},
		{name: "verify consent chain", method: "ConsentHistory", err: errDown, kind: KindUnavailable,
			setup: registered,
			run: func(e *env, s flowState) error {
				_, err := e.auth.VerifyConsentChain(ctx, s.user.ID)
				return err
			}},
		{name: "verify email: consuming the link", method: "ConsumeLink", err: errDown, kind: KindUnavailable,
			setup: func(t *testing.T, e *env) flowState {
				s := registered(t, e)
				s.link = e.lastToken(s.user.Email)
				return s
			},
			run: func(e *env, s flowState) error { return e.auth.VerifyEmail(ctx, s.link, e.client) },
			after: func(t *testing.T, e *env, s flowState) {
				require.NoError(t, e.auth.VerifyEmail(ctx, s.link, e.client), "the link still works")
			}},
		{name: "password reset: consuming the link", method: "ConsumeLink", err: errDown, kind: KindUnavailable,
			setup: func(t *testing.T, e *env) flowState {
				s := registered(t, e)
				require.NoError(t, e.auth.RequestPasswordReset(ctx, s.user.Email, e.client))
				s.link = e.lastToken(s.user.Email)
				return s
			},
			run: func(e *env, s flowState) error {
				return e.auth.ConfirmPasswordReset(ctx, s.link, newPassword, e.client)
			},
			after: func(t *testing.T, e *env, s flowState) {
				passwordUnchanged(t, e, s)
				require.NoError(t, e.auth.ConfirmPasswordReset(ctx, s.link, newPassword, e.client))
			}},
		{name: "unlock: clearing the lock", method: "ClearFailures", err: errDown, kind: KindUnavailable,
			setup: func(t *testing.T, e *env) flowState {
				s := registered(t, e)
				for i := 0; i < 5; i++ {
					_, _ = e.login(s.user.Email, "a wrong password")
				}
				require.NoError(t, e.auth.RequestUnlock(ctx, s.user.Email, e.client))
				s.link = e.lastToken(s.user.Email)
				return s
			},
			run: func(e *env, s flowState) error { return e.auth.ConfirmUnlock(ctx, s.link, e.client) },
			after: func(t *testing.T, e *env, s flowState) {
				_, err := e.login(s.user.Email, testPassword)
				requireKind(t, err, KindLocked)
				assert.NotContains(t, e.eventKinds(s.user.ID), ports.EventAccountUnlocked)
			}},
	}
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
			doc, err := e.auth.Export(context.Background(), s.p, e.client)
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
	ctx := context.Background()
	t.Run("hash upgrade", func(t *testing.T) {
		t.Parallel()
		e, f := newFaultyEnv(t)
		s := registered(t, e)
		legacy, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
		require.NoError(t, err)
		require.NoError(t, e.store.SetPasswordHash(ctx, s.user.ID, string(legacy), e.auth.now()))
		f.failOn("SetPasswordHash", errDown)
		_, err = e.login(s.user.Email, testPassword)
		require.NoError(t, err, "the old hash stays one more time")
		assert.Equal(t, 1, f.firedCount())
		assert.Equal(t, string(legacy), e.passwordHash(s.user.ID))
		f.failOn("", nil)
		_, err = e.login(s.user.Email, testPassword)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(e.passwordHash(s.user.ID), "$argon2id$"))
	})
	t.Run("marking the email verified", func(t *testing.T) {
		t.Parallel()
		e, f := newFaultyEnv(t)
		s := registered(t, e)
		require.NoError(t, e.auth.RequestOTP(ctx, OTPRequest{Identifier: s.user.Email, Client: e.client}))
		f.failOn("MarkEmailVerified", errDown)
		res, err := e.auth.VerifyOTP(ctx, OTPVerifyInput{Identifier: s.user.Email, Code: e.lastCode(s.user.Email), Client: e.client})
		require.NoError(t, err)
		assert.False(t, res.User.EmailVerified, "not claimed when not stored")
		assert.NotContains(t, e.eventKinds(s.user.ID), ports.EventEmailVerified)
	})
	t.Run("recording events", func(t *testing.T) {
		t.Parallel()
		logs := &logBuffer{}
		e, f := newFaultyEnv(t, func(c *Config, _ *Deps) { c.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
		s := registered(t, e)
		assert.NotContains(t, logs.String(), "recording a security event failed", "recorded events log nothing")
		f.failOn("RecordEvent", errDown)
		res, err := e.loginFrom(s.user.Email, testPassword, fpA, false)
		require.NoError(t, err)
		require.NoError(t, e.auth.Logout(ctx, res.RefreshToken, e.client))
		assert.GreaterOrEqual(t, f.firedCount(), 3, "login, new device and logout were each attempted")
		assert.Contains(t, logs.String(), "recording a security event failed", "a lost audit event is logged")
	})
	t.Run("revoking the session after a pin lock", func(t *testing.T) {
		t.Parallel()
		e, f := newFaultyEnv(t)
		s := signedIn(t, e)
		require.NoError(t, e.auth.SetPIN(ctx, s.p, SetPINInput{PIN: testPIN, Client: e.client}))
		for i := 0; i < 4; i++ {
			requireKind(t, e.auth.VerifyPIN(ctx, s.p, "9157", e.client), KindUnauthorized)
		}
		f.failOn("RevokeSessions", errDown)
		ce := requireKind(t, e.auth.VerifyPIN(ctx, s.p, "9157", e.client), KindUnauthorized)
		assert.Equal(t, codeInvalidPIN, ce.Code, "the lock answers like a wrong PIN")
		assert.Equal(t, 1, f.firedCount())
		assert.Contains(t, e.eventKinds(s.user.ID), ports.EventPINLocked)
	})
	t.Run("issuing the unlock link at a hard lock", func(t *testing.T) {
		t.Parallel()
		e, f := newFaultyEnv(t)
		s := registered(t, e)
		for i := 0; i < 5; i++ {
			_, _ = e.login(s.user.Email, "a wrong password")
		}
		e.clock.Advance(e.auth.cfg.Lockout.SoftLockFor)
		for i := 0; i < 4; i++ {
			_, _ = e.login(s.user.Email, "a wrong password")
		}
		mails := e.mailsTo(s.user.Email)
		f.failOn("IssueToken", errDown)
		_, err := e.login(s.user.Email, "a wrong password")
		ce := requireKind(t, err, KindLocked)
		assert.True(t, ce.RequiresEmailVerify)
		assert.Equal(t, mails, e.mailsTo(s.user.Email), "no email with a link that was never stored")
		f.failOn("", nil)
		require.NoError(t, e.auth.RequestUnlock(ctx, s.user.Email, e.client), "the user can ask again")
		assert.Equal(t, mails+1, e.mailsTo(s.user.Email))
	})
}

func TestCancelledContextIsUnavailable(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	u := e.register("late@example.in")
	p := e.principal(e.mustLogin(u.Email))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{name: "login", run: func() error {
			_, err := e.auth.Login(ctx, LoginInput{Identifier: u.Email, Password: testPassword, Client: e.client})
			return err
		}},
		{name: "sessions", run: func() error {
			_, err := e.auth.Sessions(ctx, p)
			return err
		}},
		{name: "me", run: func() error {
			_, err := e.auth.Me(ctx, p)
			return err
		}},
		{name: "consents", run: func() error {
			_, err := e.auth.Consents(ctx, u.ID)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			requireKind(t, err, KindUnavailable)
			assert.ErrorIs(t, err, context.Canceled)
		})
	}
}

// A code or link that cannot be stored is answered like an unknown identifier:
// during a partial outage the answer must still not tell accounts apart.
func TestIssueFailureKeepsRequestsEnumerationSafe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		request func(e *env, id string) error
	}{
		{name: "otp", request: func(e *env, id string) error {
			return e.auth.RequestOTP(ctx, OTPRequest{Identifier: id, Client: e.client})
		}},
		{name: "password reset", request: func(e *env, id string) error { return e.auth.RequestPasswordReset(ctx, id, e.client) }},
		{name: "pin reset", request: func(e *env, id string) error { return e.auth.RequestPINReset(ctx, id, e.client) }},
		{name: "unlock", request: func(e *env, id string) error { return e.auth.RequestUnlock(ctx, id, e.client) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			u := e.register("partial@example.in")
			before := e.mailsTo(u.Email)
			e.auth.deps.Tokens = failingIssue{e.store}
			require.NoError(t, tc.request(e, u.Email))
			require.NoError(t, tc.request(e, "nobody@example.in"))
			assert.Equal(t, before, e.mailsTo(u.Email), "no email with a token that was never stored")
		})
	}
}

type failingIssue struct{ ports.OneTimeTokenRepo }

func (failingIssue) IssueToken(context.Context, ports.OneTimeToken) error {
	return fmt.Errorf("issue: %w", ports.ErrUnavailable)
}
