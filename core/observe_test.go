package core

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
)

func TestObserverSeesEachFlowWithItsOutcome(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	e, _ := newUserEnv(t, "asha@example.in", observed(r))
	res := e.mustLogin("asha@example.in")
	requireKind(t, errOf(e.login("asha@example.in", "wrong-password")), KindUnauthorized)
	require.NoError(t, errOf(e.auth.Authenticate(t.Context(), res.AccessToken)))

	assert.Equal(t, []string{"Register ok", "Login ok", "Login unauthorized", "Authenticate ok"}, r.flows)
	assert.Equal(t, []string{"Register", "Login", "Login", "Authenticate"}, r.started)
}

func TestObserverCountsSignInsByMethodAndResult(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	e, _ := newUserEnv(t, "asha@example.in", observed(r))
	e.mustLogin("asha@example.in")
	e.failLogins("asha@example.in", 1)
	code := e.requestOTP("asha@example.in", "")
	require.NoError(t, errOf(e.verifyOTP("asha@example.in", code, "")))

	assert.Equal(t, []string{"password ok", "password unauthorized", "otp ok"}, r.signalsOf(ports.SignalSignIn))
}

func TestObserverCountsOneSignalPerLockThreshold(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	e, _ := newUserEnv(t, "asha@example.in", observed(r))
	e.failLogins("asha@example.in", e.auth.cfg.Lockout.SoftLockAfter+2) // the last two are refused by the lock
	assert.Equal(t, []string{"soft"}, r.signalsOf(ports.SignalLock), "the 5th failure starts one soft lock")

	e.clock.Advance(e.auth.cfg.Lockout.SoftLockFor)
	e.failLogins("asha@example.in", e.auth.cfg.Lockout.HardLockAfter-e.auth.cfg.Lockout.SoftLockAfter)
	assert.Equal(t, []string{"soft", "hard"}, r.signalsOf(ports.SignalLock), "the 10th failure starts one hard lock")
}

func TestObserverCountsPINLocks(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	e, _ := newUserEnv(t, "asha@example.in", observed(r))
	p := e.principal(e.knownDeviceLogin("asha@example.in"))
	require.NoError(t, e.auth.SetPIN(t.Context(), p, SetPINInput{PIN: testPIN, Client: e.client}))
	for range e.auth.pinPolicy().SoftLockAfter {
		_ = e.auth.VerifyPIN(t.Context(), p, VerifyPINInput{PIN: "9157", Client: e.client})
	}
	assert.Equal(t, []string{"pin_soft"}, r.signalsOf(ports.SignalLock))
}

// The lock of a number's texted codes is told apart from sign-in locks: it
// is no sign-in lock, and a dashboard counting those must not see it.
func TestObserverCountsTextedCodeLocks(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	p := newPhoneEnv(t, withoutLimiter(), observed(r))
	p.seedPhone(testPhone)
	for range smsCodeFailures {
		_ = p.unlockBySMS(testPhone, "123456", false)
	}
	assert.Equal(t, []string{"code_soft"}, r.signalsOf(ports.SignalLock))
}

func TestObserverCountsIPBlocksRateLimitsAndRefreshReuse(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	e := newEnv(t, observed(r), func(c *Config, _ *Deps) { c.RefreshReuseGrace = 0 })
	e.register("asha@example.in")
	res := e.mustLogin("asha@example.in")

	require.NoError(t, errOf(e.auth.Refresh(t.Context(), RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})))
	requireKind(t, errOf(e.auth.Refresh(t.Context(), RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})), KindUnauthorized)
	assert.Len(t, r.signalsOf(ports.SignalRefreshReuse), 1)

	for i := range e.auth.cfg.IPBlock.DistinctIdentifiers {
		_ = e.loginIP(distinct(i), "wrong-password", "198.51.100.9")
	}
	assert.Len(t, r.signalsOf(ports.SignalIPBlock), 1)

	for range e.auth.cfg.RateLimits.LoginPerIP.Limit + 1 {
		_ = e.loginIP("asha@example.in", testPassword, "198.51.100.10")
	}
	assert.Equal(t, []string{"login"}, r.signalsOf(ports.SignalRateLimited), "the rule's name, never its key")
}

// failingMailer fails every send with err.
type failingMailer struct{ err error }

func (f failingMailer) Send(context.Context, ports.Message) error { return f.err }

func TestObserverCountsMailResults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		mailer ports.Mailer
		want   string
	}{
		{name: "delivered", want: "verify_email sent"},
		{name: "worth retrying", mailer: failingMailer{fmt.Errorf("smtp: 451 try later: %w", ports.ErrUnavailable)}, want: "verify_email retry"},
		{name: "refused", mailer: failingMailer{errors.New("smtp: 550 no such mailbox")}, want: "verify_email failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := &recorder{}
			e := newEnv(t, withoutLimiter(), observed(r), func(_ *Config, d *Deps) {
				if tc.mailer != nil {
					d.Mailer = tc.mailer
				}
			})
			e.register("asha@example.in")
			assert.Equal(t, []string{tc.want}, r.signalsOf(ports.SignalMail))
		})
	}
}

func TestObserverTimesStoreCallsWithinTheFlowAndHashWaits(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	e, _ := newUserEnv(t, "asha@example.in", observed(r))
	r.calls, r.ctxFlows = nil, 0
	e.mustLogin("asha@example.in")

	assert.Contains(t, r.calls, "LockoutStore.BeginAttempt")
	assert.Contains(t, r.calls, "CredentialStore.Credentials")
	assert.Contains(t, r.calls, "SignInSessions.OpenSignInSession")
	assert.Contains(t, r.calls, "Mailer.Send", "the new-device alert")
	assert.Equal(t, len(r.calls), r.ctxFlows, "every call runs under the flow's context")
	assert.Positive(t, r.waits, "the password check waited for a hashing slot")
}

func TestObserverNeverSeesPersonalData(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	e := newEnv(t, observed(r))
	u := e.register("asha.rao@example.in")
	res := e.knownDeviceLogin("asha.rao@example.in")
	p := e.principal(res)
	e.failLogins("asha.rao@example.in", 2)
	_ = e.auth.RequestPasswordReset(t.Context(), IdentifierInput{Identifier: "asha.rao@example.in", Client: e.client})
	_, _ = e.auth.Refresh(t.Context(), RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})
	_, _ = e.auth.Sessions(t.Context(), p)

	personal := []string{"asha", "example.in", testIP, u.ID, p.SessionID, testUA, fpA[:16]}
	for _, s := range r.everything() {
		for _, pd := range personal {
			assert.NotContains(t, s, pd)
		}
	}
	assert.NotEmpty(t, r.everything())
	assert.Contains(t, r.flows, "RequestPasswordReset ok", "the link requests are flows of their own")
}

func TestWithoutObserverPortsAreCalledDirectly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	assert.Same(t, e.store, e.auth.deps.Sessions.(*memory.Store), "no wrapper between core and its ports")
	assert.Same(t, e.limiter, e.auth.deps.Limiter.(*memory.Limiter))
	assert.Nil(t, e.auth.obs)
}

// Every port core calls is timed: with an observer, each one set in Deps
// (all of them here) is an observed wrapper. Storage only supplies the
// others, the Clock is no call to time, and the Observer is the observer.
func TestObserverWrapsEveryPort(t *testing.T) {
	t.Parallel()
	p := newPhoneEnv(t, observed(&recorder{}), withErasureHandler(&erasureInbox{}), withListener(&listener{}),
		func(_ *Config, d *Deps) { d.GuardianVerifier = &verifier{} })
	e := p.env
	assert.True(t, strings.HasPrefix(reflect.TypeOf(e.auth.phones).Name(), "observed"), "the PhoneDirectory is wrapped")
	assert.True(t, strings.HasPrefix(reflect.TypeOf(e.auth.phoneRegistry).Name(), "observed"), "the PhoneRegistry is wrapped")
	deps := reflect.ValueOf(e.auth.deps)
	for i := range deps.NumField() {
		name, port := deps.Type().Field(i).Name, deps.Field(i)
		switch name {
		case "Storage", "Clock", "Observer":
			continue
		}
		require.False(t, port.IsNil(), "Deps.%s is set in this test", name)
		assert.True(t, strings.HasPrefix(port.Elem().Type().Name(), "observed"),
			"Deps.%s is %s, not an observed wrapper", name, port.Elem().Type())
	}
}

func TestObservedPortsPassErrorsThrough(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	e := newEnv(t, withoutLimiter(), observed(r))
	_, err := e.auth.deps.Sessions.Session(t.Context(), "no-such-session")
	assert.True(t, errors.Is(err, ports.ErrNotFound), "got %v", err)
	assert.Equal(t, []string{"SessionRepo.Session"}, r.calls)
}

// downStore is a memory store whose backend does not answer pings.
type downStore struct{ *memory.Store }

func (downStore) Ping(context.Context) error { return fmt.Errorf("postgres: %w", ports.ErrUnavailable) }

func TestPingAsksThePortsBehindTheObserver(t *testing.T) {
	t.Parallel()
	e := newEnv(t, observed(&recorder{}), func(_ *Config, d *Deps) { d.Storage = downStore{d.Storage.(*memory.Store)} })
	assert.False(t, e.auth.Ping(t.Context()).Ready, "the store's Pinger is found though calls go through the observer")
}

// The joined reads of a session with its user (ports.SessionUsers) are store
// calls the observer sees like any other.
func TestObserverSeesTheJoinedReads(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	e, _ := newUserEnv(t, "asha@example.in", observed(r))
	res := e.mustLogin("asha@example.in")
	p, err := e.auth.Authenticate(t.Context(), res.AccessToken)
	require.NoError(t, err)
	require.NoError(t, errOf(e.auth.Refresh(t.Context(), RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})))
	require.NoError(t, errOf(e.auth.Me(t.Context(), p)))
	r.mu.Lock()
	defer r.mu.Unlock()
	assert.Contains(t, r.calls, "SessionUsers.SessionUser")
	assert.Contains(t, r.calls, "SessionUsers.RotateRefreshUser")
}

// A sign-in's joined reads (its user with its device, its account's holds)
// are observed where the store has them; where the ports read one by one
// there is no joined read to wrap, and sign-in reads one by one.
func TestObserverSeesTheJoinedReadsOfASignIn(t *testing.T) {
	t.Parallel()
	const signIn, holds = "SignInUsers.SignInUser", "AccountHoldsReader.AccountHolds"
	for name, tc := range map[string]struct {
		opts      []envOption
		want, not []string
	}{
		// The holds come with the sign-in's first read.
		"joined reads": {want: []string{signIn}, not: []string{holds}},
		// The session reads them, at once.
		"holds joined only": {opts: []envOption{withSignInOneByOne()}, want: []string{holds}, not: []string{signIn}},
		"one by one":        {opts: []envOption{withHoldsOneByOne(), withSignInOneByOne()}, not: []string{signIn, holds}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := &recorder{}
			e, u := newUserEnv(t, "asha@example.in", append([]envOption{observed(r)}, tc.opts...)...)
			r.mu.Lock()
			r.calls = nil
			r.mu.Unlock()
			require.NoError(t, errOf(e.loginFrom(u.Email, testPassword, fpA, false)))
			r.mu.Lock()
			defer r.mu.Unlock()
			for _, call := range tc.want {
				assert.Contains(t, r.calls, call)
			}
			for _, call := range tc.not {
				assert.NotContains(t, r.calls, call)
			}
		})
	}
}
