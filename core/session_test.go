package core

import (
	"cmp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestSessionsListAndRevokeOnlyYourOwn(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "me@example.in")
	e.register("you@example.in")
	ctx := t.Context()
	mine := e.mustLogin("me@example.in")
	e.clock.Advance(time.Minute)
	current := e.mustLogin("me@example.in")
	yours := e.mustLogin("you@example.in")
	p := e.principal(current)
	e.stepUp(p, "me@example.in")

	list, err := e.auth.Sessions(ctx, p)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, current.SessionID, list[0].ID, "newest first")
	assert.True(t, list[0].Current)
	assert.False(t, list[1].Current)
	assert.Equal(t, testUA, list[0].DeviceInfo)
	assert.Equal(t, testIP, list[0].IPAddress)

	requireKind(t, e.auth.RevokeSession(ctx, p, RevokeSessionInput{SessionID: yours.SessionID, Client: e.client}), KindNotFound)
	requireKind(t, e.auth.RevokeSession(ctx, p, RevokeSessionInput{SessionID: "ses_nope", Client: e.client}), KindNotFound)
	requireKind(t, e.auth.RevokeSession(ctx, p, RevokeSessionInput{SessionID: "ses_\x00", Client: e.client}), KindNotFound)
	requireKind(t, e.auth.RevokeSession(ctx, p, RevokeSessionInput{SessionID: strings.Repeat("s", 129), Client: e.client}), KindNotFound)
	e.principal(yours)
	require.NoError(t, e.auth.RevokeSession(ctx, p, RevokeSessionInput{SessionID: mine.SessionID, Client: e.client}))
	list, err = e.auth.Sessions(ctx, p)
	require.NoError(t, err)
	assert.Len(t, list, 1)
}

func TestSessionsListsOnlyActiveSessions(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "list@example.in")
	ctx := t.Context()
	loggedOut := e.mustLogin(u.Email)
	kiosk, err := e.loginFrom(u.Email, testPassword, "", true) // 2 hours
	require.NoError(t, err)
	revoked := e.mustLogin(u.Email)
	current := e.mustLogin(u.Email)
	p := e.principal(current)
	e.stepUp(p, u.Email)
	require.NoError(t, e.auth.Logout(ctx, RefreshInput{RefreshToken: loggedOut.RefreshToken, Client: e.client}))
	require.NoError(t, e.auth.RevokeSession(ctx, p, RevokeSessionInput{SessionID: revoked.SessionID, Client: e.client}))

	list, err := e.auth.Sessions(ctx, p)
	require.NoError(t, err)
	ids := sessionIDs(list)
	assert.ElementsMatch(t, []string{kiosk.SessionID, current.SessionID}, ids)

	e.clock.Advance(2 * time.Hour)
	list, err = e.auth.Sessions(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, []string{current.SessionID}, sessionIDs(list), "the public session has expired")
	assert.True(t, list[0].Current)
	assert.False(t, list[0].IsPublicDevice)

	all := inStore(e, e.store.Sessions, u.ID)
	assert.Len(t, all, 4, "ended sessions are kept, only hidden")
}

func TestLogoutAllRecordsOneEvent(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "all@example.in")
	ctx := t.Context()
	e.mustLogin(u.Email)
	p := e.principal(e.knownDeviceLogin(u.Email))
	require.NoError(t, e.auth.LogoutAll(ctx, p, e.client))
	events := inStore(e, e.store.Events, u.ID)
	last := events[len(events)-1]
	assert.Equal(t, ports.EventSessionRevoked, last.Kind)
	assert.Equal(t, "all", last.Detail)
	all := inStore(e, e.store.Sessions, u.ID)
	for _, s := range all {
		assert.False(t, s.Active(e.clock.Now()), s.ID)
	}
	requireKind(t, errOf(e.auth.Sessions(ctx, p)), KindUnauthorized)
}

// sessionAction is one session-management action taken by p; target is
// another session of the owner, and ends says whether the action ends it.
type sessionAction struct {
	name string
	ends bool
	run  func(e *env, p Principal, target LoginResult) error
}

var sessionActions = []sessionAction{
	{name: "list", run: func(e *env, p Principal, _ LoginResult) error {
		_, err := e.auth.Sessions(e.t.Context(), p)
		return err
	}},
	{name: "revoke another session", ends: true, run: func(e *env, p Principal, target LoginResult) error {
		return e.auth.RevokeSession(e.t.Context(), p, RevokeSessionInput{SessionID: target.SessionID, Client: e.client})
	}},
	{name: "logout all", ends: true, run: func(e *env, p Principal, _ LoginResult) error {
		return e.auth.LogoutAll(e.t.Context(), p, e.client)
	}},
}

// requireEnded checks that the session ended and, the revoker being trusted,
// that its device fp is forgotten.
func (e *env) requireEnded(t *testing.T, userID string, ended LoginResult, fp string) {
	t.Helper()
	requireKind(t, errOf(e.auth.Authenticate(t.Context(), ended.AccessToken)), KindUnauthorized)
	known, err := e.store.KnownDevice(t.Context(), userID, e.device(fp), e.clock.Now())
	require.NoError(t, err)
	assert.False(t, known, "a trusted revoker's revocation forgets the device")
}

// ownerAtHome registers the owner, signs in on their known device fpA, sets
// their PIN there, and returns the user and the home session.
func (e *env) ownerAtHome(email string) (ports.User, LoginResult) {
	e.t.Helper()
	u := e.register(email)
	home := e.knownDeviceLogin(email)
	require.NoError(e.t, e.auth.SetPIN(e.t.Context(), e.principal(home), SetPINInput{PIN: testPIN, Client: e.client}))
	return u, home
}

// requireUntouched checks that every session of the user is still active,
// that fpA is still a known device, and that nothing was revoked.
func (e *env) requireUntouched(t *testing.T, userID string) {
	t.Helper()
	ctx := t.Context()
	all := inStore(e, e.store.Sessions, userID)
	for _, s := range all {
		assert.True(t, s.Active(e.clock.Now()), "session %s still active", s.ID)
	}
	known, err := e.store.KnownDevice(ctx, userID, e.device(fpA), e.clock.Now())
	require.NoError(t, err)
	assert.True(t, known, "the owner's device is still known")
	assert.NotContains(t, e.eventKinds(userID), ports.EventSessionRevoked)
}

// A password alone (a new device that has not stepped up) can neither see the
// owner's sessions, nor end them, nor make the owner's devices strangers. A
// step-up by PIN or by an emailed code lets it.
func TestSessionManagementOnANewDeviceNeedsAStepUp(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	stepUps := []struct {
		name string
		do   func(e *env, p Principal, email string)
	}{
		{name: "PIN", do: func(e *env, p Principal, _ string) {
			require.NoError(e.t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: testPIN, Client: e.client}))
		}},
		{name: "emailed code", do: func(e *env, p Principal, email string) { e.stepUp(p, email) }},
	}
	for _, action := range sessionActions {
		for _, stepUp := range stepUps {
			t.Run(action.name+" after a "+stepUp.name+" step-up", func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, withoutLimiter())
				u, home := e.ownerAtHome("owner@example.in")
				stranger := e.loginWithTrust(u.Email, fpB, false, TrustNewDevice)
				p := e.principal(stranger)

				requireKind(t, action.run(e, p, home), KindStepUpRequired)
				e.requireUntouched(t, u.ID)

				stepUp.do(e, p, u.Email)
				require.NoError(t, action.run(e, p, home))
				if action.ends {
					e.requireEnded(t, u.ID, home, fpA)
					return
				}
				e.requireUntouched(t, u.ID)
				require.NoError(t, action.run(e, p, home), "the step-up made the device known: no second one")
			})
		}
	}
}

// A public device needs a step-up of its own for every action, used within
// StepUpWindow; a refused ID does not use it up.
func TestSessionManagementOnAPublicDeviceNeedsAStepUpPerAction(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t, withoutLimiter())
	u, home := e.ownerAtHome("kiosk@example.in")
	other, err := e.loginFrom(u.Email, testPassword, fpB, false)
	require.NoError(t, err)
	kiosk := e.loginWithTrust(u.Email, fpB, true, TrustPublic)
	p := e.principal(kiosk)
	pin := func() { require.NoError(t, e.auth.VerifyPIN(ctx, p, VerifyPINInput{PIN: testPIN, Client: e.client})) }

	for _, action := range sessionActions {
		requireKind(t, action.run(e, p, home), KindStepUpRequired)
	}
	e.requireUntouched(t, u.ID)

	pin()
	require.NoError(t, errOf(e.auth.Sessions(ctx, p)))
	requireKind(t, errOf(e.auth.Sessions(ctx, p)), KindStepUpRequired)

	e.stepUp(p, u.Email)
	e.clock.Advance(e.auth.cfg.StepUpWindow + time.Second)
	_, err = e.auth.Sessions(ctx, p)
	requireKind(t, err, KindStepUpRequired) // a stale step-up does not count

	pin()
	requireKind(t, e.auth.RevokeSession(ctx, p, RevokeSessionInput{SessionID: "ses_nope", Client: e.client}), KindNotFound)
	require.NoError(t, e.auth.RevokeSession(ctx, p, RevokeSessionInput{SessionID: other.SessionID, Client: e.client}), "the step-up survived the unknown ID")
	requireKind(t, e.auth.RevokeSession(ctx, p, RevokeSessionInput{SessionID: home.SessionID, Client: e.client}), KindStepUpRequired)
	e.principal(home)

	pin()
	require.NoError(t, e.auth.LogoutAll(ctx, p, e.client))
	requireKind(t, errOf(e.auth.Authenticate(ctx, home.AccessToken)), KindUnauthorized)
}

// A known device manages sessions without a step-up.
func TestSessionManagementOnAKnownDeviceNeedsNoStepUp(t *testing.T) {
	t.Parallel()
	for _, action := range sessionActions {
		t.Run(action.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withoutLimiter())
			u, home := e.ownerAtHome("home@example.in")
			office, err := e.loginFrom(u.Email, testPassword, fpB, false)
			require.NoError(t, err)
			e.stepUp(e.principal(office), u.Email) // fpB is known too
			mails := len(e.outbox.Messages())
			p := e.principal(home)

			require.NoError(t, action.run(e, p, office))
			if action.ends {
				e.requireEnded(t, u.ID, office, fpB)
			} else {
				require.NoError(t, action.run(e, p, office), "again: a known device never uses anything up")
				e.requireUntouched(t, u.ID)
			}
			assert.Len(t, e.outbox.Messages(), mails, "no code was asked for")
		})
	}
}

// revocation ends the session of the owner's verified phone (fpA) one way;
// forget says whether that makes the phone a new device again.
type revocation struct {
	name   string
	forget bool
	// password signs in after end, when end changed it.
	password string
	end      func(e *env, phone LoginResult)
}

// runRevocations ends the phone's session each way and checks whether the
// phone is still a known device, in the store and at its next sign-in.
func runRevocations(t *testing.T, revocations []revocation) {
	t.Helper()
	for _, tc := range revocations {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, u := newUserEnv(t, "phone@example.in")
			phone := e.knownDeviceLogin(u.Email)
			phone.User = u
			tc.end(e, phone)
			known, err := e.store.KnownDevice(t.Context(), u.ID, e.device(fpA), e.clock.Now())
			require.NoError(t, err)
			assert.Equal(t, !tc.forget, known)
			again, err := e.loginFrom(u.Email, cmp.Or(tc.password, testPassword), fpA, false)
			require.NoError(t, err)
			want := TrustKnown
			if tc.forget {
				want = TrustNewDevice
			}
			assert.Equal(t, want, again.Trust)
		})
	}
}

// Which revocations forget devices: a revocation by a trusted session
// (known, or stepped up) forgets the devices it ends; a session ending itself
// forgets nothing.
func TestRevocationsForgetDevicesOnlyWhenTheRevokerIsTrusted(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	runRevocations(t, []revocation{
		{name: "the phone ends its own session", forget: false, end: func(e *env, phone LoginResult) {
			p := e.principal(phone)
			require.NoError(t, e.auth.RevokeSession(ctx, p, RevokeSessionInput{SessionID: p.SessionID, Client: e.client}))
		}},
		{name: "a new device ends its own session", forget: false, end: func(e *env, phone LoginResult) {
			p := e.principal(e.mustLogin(phone.User.Email))
			require.NoError(t, e.auth.RevokeSession(ctx, p, RevokeSessionInput{SessionID: p.SessionID, Client: e.client}))
		}},
		{name: "a public device ends its own session", forget: false, end: func(e *env, phone LoginResult) {
			res, err := e.loginFrom(phone.User.Email, testPassword, fpA, true)
			require.NoError(t, err)
			p := e.principal(res)
			require.NoError(t, e.auth.RevokeSession(ctx, p, RevokeSessionInput{SessionID: p.SessionID, Client: e.client}))
		}},
		{name: "a refused new device", forget: false, end: func(e *env, phone LoginResult) {
			p := e.principal(e.mustLogin(phone.User.Email))
			requireKind(t, e.auth.RevokeSession(ctx, p, RevokeSessionInput{SessionID: phone.SessionID, Client: e.client}), KindStepUpRequired)
			requireKind(t, e.auth.LogoutAll(ctx, p, e.client), KindStepUpRequired)
		}},
		{name: "a stepped-up new device ends the phone's session", forget: true, end: func(e *env, phone LoginResult) {
			p := e.principal(e.mustLogin(phone.User.Email))
			e.stepUp(p, phone.User.Email)
			require.NoError(t, e.auth.RevokeSession(ctx, p, RevokeSessionInput{SessionID: phone.SessionID, Client: e.client}))
		}},
		{name: "a stepped-up public device logs out everywhere", forget: true, end: func(e *env, phone LoginResult) {
			res, err := e.loginFrom(phone.User.Email, testPassword, fpB, true)
			require.NoError(t, err)
			p := e.principal(res)
			e.stepUp(p, phone.User.Email)
			require.NoError(t, e.auth.LogoutAll(ctx, p, e.client))
		}},
		{name: "the phone logs out everywhere, itself included", forget: true, end: func(e *env, phone LoginResult) {
			require.NoError(t, e.auth.LogoutAll(ctx, e.principal(phone), e.client))
		}},
	})
}

func TestMe(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "me.too@example.in")
	p := e.principal(e.mustLogin(u.Email))
	got, err := e.auth.Me(t.Context(), p)
	require.NoError(t, err)
	assert.Equal(t, u.ID, got.ID)
	assert.Equal(t, "me.too@example.in", got.Email)

	_, err = e.auth.Me(t.Context(), Principal{UserID: "usr_gone", SessionID: p.SessionID})
	requireCode(t, err, KindUnauthorized, codeInvalidToken)
}

// Where the store reads a session with its user, "who am I" is one store
// call; with a directory of the app's own (external mode), the session and
// the user are read apart.
func TestMeReadsTheUserWithTheSession(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, tc := range []struct {
		name  string
		opt   func(*callLog) envOption
		calls []string
	}{
		{"managed store", countedStorage, []string{"SessionUser"}},
		{"app's directory", counted, []string{"Session", "UserByID"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			log := &callLog{}
			e := newEnv(t, tc.opt(log), withoutLimiter())
			u := e.register("who@example.in")
			res := e.mustLogin(u.Email)
			log.take()
			p, err := e.auth.Authenticate(ctx, res.AccessToken)
			require.NoError(t, err)
			got, err := e.auth.Me(ctx, p)
			require.NoError(t, err)
			assert.Equal(t, u.ID, got.ID)
			assert.Equal(t, "who@example.in", got.Email)
			assert.Equal(t, tc.calls, log.take())
		})
	}
}

// A refresh rotates and checks the user in one store call where the store
// reads users too.
func TestRefreshReadsTheUserWithTheRotation(t *testing.T) {
	t.Parallel()
	log := &callLog{}
	e, u := newUserEnv(t, "rot@example.in", countedStorage(log))
	res := e.mustLogin(u.Email)
	log.take()
	require.NoError(t, errOf(e.auth.Refresh(t.Context(), RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})))
	assert.Equal(t, []string{"RotateRefreshUser"}, log.take())
}

func TestSuspend(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	t.Run("external mode has no registry", func(t *testing.T) {
		t.Parallel()
		e, u := newUserEnv(t, "ext@example.in")
		e.auth.deps.Registry = nil // the same users, now owned by the app
		requireKind(t, e.auth.Admin().Suspend(ctx, u.ID), KindForbidden)
		got := inStore(e, e.store.UserByID, u.ID)
		assert.False(t, got.Suspended)
	})
	t.Run("unknown user", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, withoutLimiter())
		requireKind(t, e.auth.Admin().Suspend(ctx, "usr_nobody"), KindNotFound)
	})
	t.Run("a suspended user cannot sign in", func(t *testing.T) {
		t.Parallel()
		e, u := newUserEnv(t, "susp@example.in")
		res := e.mustLogin(u.Email)
		require.NoError(t, e.auth.Admin().Suspend(ctx, u.ID))

		_, err := e.auth.Refresh(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})
		require.Error(t, err, "suspension ended the session")
		_, err = e.login(u.Email, "wrong password!")
		requireKind(t, err, KindUnauthorized) // a wrong password says nothing about suspension
		requireKind(t, errOf(e.login(u.Email, testPassword)), KindSuspended)
		assert.Zero(t, e.lockState(u.ID).Failures, "the right password cleared the count")

		mails := e.mailsTo(u.Email)
		require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: u.Email, Client: e.client}))
		require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: u.Email, Client: e.client}))
		assert.Equal(t, mails, e.mailsTo(u.Email), "no codes or links for a suspended account")
	})
	// Both ways of reading the user after a rotation: with it (the store's
	// SessionUsers) and apart (the app's directory).
	for name, opt := range map[string]func(*callLog) envOption{"read with the rotation": countedStorage, "read apart": counted} {
		t.Run("refresh of a session suspended elsewhere, user "+name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, opt(&callLog{}), withoutLimiter())
			u := e.register("dir@example.in")
			res := e.mustLogin(u.Email)
			// The directory flags the user without core ending the sessions (an
			// external directory, or an admin tool writing the row).
			require.NoError(t, e.store.SetSuspended(ctx, u.ID, true))

			requireKind(t, errOf(e.auth.Refresh(ctx, RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})), KindSuspended)
			requireKind(t, errOf(e.auth.Authenticate(ctx, res.AccessToken)), KindUnauthorized)
		})
	}
}

// Revoking a session from elsewhere (a lost phone), logging out everywhere,
// a password reset and a reused refresh token make its device unknown again;
// a plain logout keeps it known.
func TestRevocationsThatDistrustTheDevice(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	runRevocations(t, []revocation{
		{name: "plain logout keeps the device", forget: false, end: func(e *env, lost LoginResult) {
			require.NoError(t, e.auth.Logout(ctx, RefreshInput{RefreshToken: lost.RefreshToken, Client: e.client}))
		}},
		{name: "revoked from another device", forget: true, end: func(e *env, lost LoginResult) {
			other := e.principal(e.mustLogin(lost.User.Email))
			e.stepUp(other, lost.User.Email) // session management from a new device needs one
			require.NoError(t, e.auth.RevokeSession(ctx, other, RevokeSessionInput{SessionID: lost.SessionID, Client: e.client}))
		}},
		{name: "logout everywhere", forget: true, end: func(e *env, lost LoginResult) {
			require.NoError(t, e.auth.LogoutAll(ctx, e.principal(lost), e.client))
		}},
		{name: "password reset", forget: true, password: testPassword + " again", end: func(e *env, lost LoginResult) {
			require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: lost.User.Email, Client: e.client}))
			require.NoError(t, errOf(e.auth.ConfirmPasswordReset(ctx, ConfirmPasswordResetInput{Token: e.lastToken(lost.User.Email), NewPassword: testPassword + " again", Client: e.client})))
		}},
		{name: "refresh token reuse", forget: true, end: func(e *env, lost LoginResult) {
			require.NoError(t, errOf(e.auth.Refresh(ctx, RefreshInput{RefreshToken: lost.RefreshToken, Client: e.client})))
			e.clock.Advance(e.auth.cfg.RefreshReuseGrace + time.Second)
			requireKind(t, errOf(e.auth.Refresh(ctx, RefreshInput{RefreshToken: lost.RefreshToken, Client: e.client})), KindUnauthorized)
		}},
	})
}

// Session IDs taken from a URL are bounded at maxSessionIDLen bytes; an ID of
// exactly that length is still looked up, so a store whose IDs are that long
// keeps working. (One byte more is refused in TestSessionsListAndRevokeOnlyYourOwn.)
func TestRevokeSessionAcceptsAnIDOfExactlyTheLimit(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "longid@example.in")
	p := e.principal(e.knownDeviceLogin(u.Email)) // revoking another session needs a trusted one
	ctx := t.Context()
	longID := strings.Repeat("s", maxSessionIDLen)
	require.NoError(t, e.store.CreateSession(ctx, ports.Session{ID: longID, UserID: u.ID, RefreshHash: strings.Repeat("f", 64),
		CreatedAt: e.clock.Now(), ExpiresAt: e.clock.Now().Add(time.Hour), LastUsedAt: e.clock.Now()}))

	require.NoError(t, e.auth.RevokeSession(ctx, p, RevokeSessionInput{SessionID: longID, Client: e.client}))
	s, err := e.store.Session(ctx, longID)
	require.NoError(t, err)
	assert.False(t, s.RevokedAt.IsZero(), "the session was revoked")
}
