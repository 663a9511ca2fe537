package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

// testStart is the clock's start in every core test.
var testStart = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

const (
	testPassword = "correct horse battery staple"
	testPIN      = "4829"
	testIP       = "203.0.113.7"
	testUA       = "Mozilla/5.0 (Linux; Android 14) TestPhone"
	fpA          = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	fpB          = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// env is one Auth over fresh memory adapters, with its clock, outbox and store
// at hand.
type env struct {
	t       testing.TB
	auth    *Auth
	store   *memory.Store
	clock   *memory.Clock
	outbox  *memory.Outbox
	limiter *memory.Limiter
	client  Client
}

type envOption func(*Config, *Deps)

func withoutLimiter() envOption { return func(_ *Config, d *Deps) { d.Limiter = nil } }

// withHoldsOneByOne hands core the store's guardian and erasure ports as
// two values that do not read both at once (ports.AccountHoldsReader), as an
// app's own stores would be.
func withHoldsOneByOne() envOption {
	return func(_ *Config, d *Deps) {
		store := d.Storage.(*memory.Store)
		d.Guardians = struct{ ports.GuardianStore }{store}
		d.Erasures = struct{ ports.ErasureStore }{store}
	}
}

// withSignInOneByOne hands core the store's device port as a value of its
// own, so a sign-in finds its user and checks its device in two calls, as
// with an app's own directory (not ports.SignInUsers).
func withSignInOneByOne() envOption {
	return func(_ *Config, d *Deps) { d.Devices = struct{ ports.DeviceTrust }{d.Storage.(*memory.Store)} }
}

// withEventsApart hands core the event log as a port of its own, as an app's
// own log would be: a sign-in then ends call by call, not in one
// (ports.SignInSessions).
func withEventsApart() envOption {
	return func(_ *Config, d *Deps) { d.Events = struct{ ports.EventLog }{d.Storage.(*memory.Store)} }
}

// signInEnds are the ways a sign-in can end: its attempts, session and
// events written in one call or one by one.
var signInEnds = map[string][]envOption{
	"ended in one call":  nil,
	"ended call by call": {withEventsApart()},
}

// signInReads are the ways a sign-in can read its user and device.
var signInReads = map[string][]envOption{
	"user and device in one read": nil,
	"user and device one by one":  {withSignInOneByOne()},
}

// eachVariant runs test as a parallel subtest on an env of each variant's
// options (withoutLimiter added).
func eachVariant(t *testing.T, variants map[string][]envOption, test func(*testing.T, *env)) {
	t.Helper()
	for name, opts := range variants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, newEnv(t, append(append([]envOption{}, opts...), withoutLimiter())...))
		})
	}
}

// holdsReads are the ways a session's account holds can be read, for tests of
// the rules that use them.
var holdsReads = map[string][]envOption{
	"holds in one read": nil,
	"holds one by one":  {withHoldsOneByOne()},
}

// logTo sends the env's logs, as text, to logs.
func logTo(logs *logBuffer) envOption {
	return func(c *Config, _ *Deps) { c.Logger = slog.New(slog.NewTextHandler(logs, nil)) }
}

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, store: memory.New(), clock: memory.NewClock(testStart), outbox: memory.NewOutbox(),
		limiter: memory.NewLimiter(), client: Client{IP: testIP, UserAgent: testUA}}
	cfg := DefaultConfig()
	cfg.SecretKey = []byte("test-secret-key-that-is-32-bytes-long!!")
	cfg.UnsafeFastHashingForTests = true // the production floor is tested in internal/secret and by the benchmarks
	cfg.MailInline = true                // read the outbox right after a request
	cfg.Logger = slog.New(slog.DiscardHandler)
	cfg.Notices = testNotices()
	deps := Deps{Storage: e.store, Mailer: e.outbox, Limiter: e.limiter, Clock: e.clock}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	a, err := New(cfg, deps)
	require.NoError(t, err)
	t.Cleanup(func() { // the mail worker of an env that mails in the background
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.stopMailWorker(ctx)
	})
	e.auth = a
	return e
}

// newUserEnv is newEnv without the rate limiter, plus opts, with one
// registered user whose email is verified: the start of most flow tests.
func newUserEnv(t testing.TB, email string, opts ...envOption) (*env, ports.User) {
	t.Helper()
	e := newEnv(t, append([]envOption{withoutLimiter()}, opts...)...)
	return e, e.register(email)
}

// newSignedInEnv is newEnv with email registered, verified and signed in
// from a new device, and the principal of that session.
func newSignedInEnv(t testing.TB, email string, opts ...envOption) (*env, ports.User, Principal) {
	t.Helper()
	e := newEnv(t, opts...)
	u := e.register(email)
	return e, u, e.principal(e.mustLogin(u.Email))
}

func validDeps() Deps {
	s := memory.New()
	// Every field on its own: the cases below unset one at a time.
	return Deps{Users: s, Registry: s, Credentials: s, Lockouts: s, Sessions: s, Devices: s, Tokens: s,
		Consents: s, Abuse: s, Events: s, Erasures: s, Grievances: s, Nominees: s, Mailer: memory.NewOutbox()}
}

func validConfig() Config {
	c := DefaultConfig()
	c.SecretKey = []byte("0123456789abcdef0123456789abcdef")
	return c
}

// testNoticeAt is the published time of the test notices, before testStart.
var testNoticeAt = testStart.Add(-24 * time.Hour)

// testNotices are notice 1.0.0 in English and Hindi, as an Indian app would
// publish it.
func testNotices() []Notice {
	return []Notice{
		{Version: "1.0.0", Language: "en", Text: "We use your data for these purposes.", PublishedAt: testNoticeAt},
		{Version: "1.0.0", Language: "hi", Text: "हम आपके डेटा का इस्तेमाल इन कामों के लिए करते हैं।", PublishedAt: testNoticeAt},
	}
}

// sha256Hex is the hex SHA-256 of s.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func allGranted() []ConsentDecision {
	var ds []ConsentDecision
	for _, c := range DefaultCategories() {
		ds = append(ds, ConsentDecision{Category: c.Name, Granted: true})
	}
	return ds
}

// register creates a user with testPassword whose email is verified, as its
// owner's click on the emailed link would leave it (marked in the store, so
// tests of failing or background mail can register too).
func (e *env) register(email string) ports.User {
	e.t.Helper()
	u := e.registerUnverified(email)
	require.NoError(e.t, e.store.MarkEmailVerified(e.t.Context(), u.ID, e.clock.Now()))
	u.EmailVerified = true
	return u
}

// registerUnverified creates a user with testPassword whose email is not
// verified: what anyone can do with an address they do not own.
func (e *env) registerUnverified(email string) ports.User {
	e.t.Helper()
	u, err := e.auth.Register(e.t.Context(), RegisterInput{Email: email, Password: testPassword,
		Consents: allGranted(), Client: e.client})
	require.NoError(e.t, err)
	return u
}

const guardianEmail = "parent@example.in"

// childDOB is a date of birth that makes a registrant 12 on testStart.
var childDOB = time.Date(2014, 5, 17, 0, 0, 0, 0, time.UTC)

// childDecisions grants what a child may: every category but analytics.
func childDecisions() []ConsentDecision {
	ds := allGranted()
	for i := range ds {
		ds[i].Granted = ds[i].Category != "analytics"
	}
	return ds
}

// registerChildOf registers a child at email naming guardian, leaving the
// child's address unproven (what anyone can do with any address).
func (e *env) registerChildOf(email, guardian string) ports.User {
	e.t.Helper()
	u, err := e.auth.Register(e.t.Context(), RegisterInput{Email: email, Password: testPassword,
		Consents: childDecisions(), DateOfBirth: childDOB, GuardianEmail: guardian, Client: e.client})
	require.NoError(e.t, err)
	return u
}

// proveAddress opens the newest link emailed to addr as a verification link.
func (e *env) proveAddress(addr string) {
	e.t.Helper()
	require.NoError(e.t, e.auth.VerifyEmail(e.t.Context(), LinkInput{Token: e.lastToken(addr), Client: e.client}))
}

// openGuardian opens an adult's verified account at addr and moves the clock
// past GuardianAccountAge, so that it may confirm a child registered next.
func (e *env) openGuardian(addr string) ports.User {
	e.t.Helper()
	u := e.register(addr)
	e.clock.Advance(e.auth.cfg.GuardianAccountAge)
	return u
}

// registerChild registers a child with a guardian email and proves the
// child's address with the registration's link, which emails the guardian.
// The guardian's own account is opened first when it does not exist, and
// the clock moved past GuardianAccountAge (openGuardian).
func (e *env) registerChild(email string) ports.User {
	e.t.Helper()
	if _, err := e.store.UserByEmail(e.t.Context(), guardianEmail); errors.Is(err, ports.ErrNotFound) {
		e.openGuardian(guardianEmail)
	}
	u := e.registerChildOf(email, guardianEmail)
	e.proveAddress(email)
	u.EmailVerified = true
	return u
}

// guardianConsents has the guardian (signed in with guardianEmail and
// stepped up) confirm with the emailed link.
func (e *env) guardianConsents(t *testing.T) (Principal, GuardianLink) {
	t.Helper()
	token := e.lastToken(guardianEmail)
	p := e.principal(e.mustLogin(guardianEmail))
	e.stepUp(p, guardianEmail)
	link, err := e.auth.ConfirmGuardian(t.Context(), p, LinkInput{Token: token, Client: e.client})
	require.NoError(t, err)
	return p, link
}

func (e *env) login(identifier, password string) (LoginResult, error) {
	return e.auth.Login(e.t.Context(), LoginInput{Identifier: identifier, Password: password, Client: e.client})
}

func (e *env) loginFrom(identifier, password, fp string, public bool) (LoginResult, error) {
	return e.auth.Login(e.t.Context(), LoginInput{Identifier: identifier, Password: password,
		DeviceFingerprint: fp, IsPublicDevice: public, Client: e.client})
}

// logout ends the session that res opened.
func (e *env) logout(res LoginResult) {
	e.t.Helper()
	require.NoError(e.t, e.auth.Logout(e.t.Context(), RefreshInput{RefreshToken: res.RefreshToken, Client: e.client}))
}

// loginWithTrust signs in with testPassword from device fp and requires the
// session's trust level to be want.
func (e *env) loginWithTrust(identifier, fp string, public bool, want Trust) LoginResult {
	e.t.Helper()
	res, err := e.loginFrom(identifier, testPassword, fp, public)
	require.NoError(e.t, err)
	require.Equal(e.t, want, res.Trust)
	return res
}

func (e *env) mustLogin(identifier string) LoginResult {
	e.t.Helper()
	res, err := e.login(identifier, testPassword)
	require.NoError(e.t, err)
	return res
}

func (e *env) principal(res LoginResult) Principal {
	e.t.Helper()
	p, err := e.auth.Authenticate(e.t.Context(), res.AccessToken)
	require.NoError(e.t, err)
	return p
}

// tokenClaims decodes the payload of an access token without verifying it.
func tokenClaims(t *testing.T, token string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	_, _, err := jwt.NewParser().ParseUnverified(token, claims)
	require.NoError(t, err)
	return claims
}

var (
	codeRE  = regexp.MustCompile(`\b\d{6}\b`)
	tokenRE = regexp.MustCompile(`token=([A-Za-z0-9_-]{43})`)
)

// lastCode returns the newest 6-digit code emailed to addr.
func (e *env) lastCode(addr string) string {
	e.t.Helper()
	m, ok := e.outbox.Last(addr)
	require.True(e.t, ok, "no email to %s", addr)
	code := codeRE.FindString(m.Text)
	require.NotEmpty(e.t, code, "no code in %q", m.Subject)
	return code
}

// lastToken returns the link token of the newest email to addr.
func (e *env) lastToken(addr string) string {
	e.t.Helper()
	m, ok := e.outbox.Last(addr)
	require.True(e.t, ok, "no email to %s", addr)
	match := tokenRE.FindStringSubmatch(m.Text)
	require.Len(e.t, match, 2, "no link in %q", m.Subject)
	return match[1]
}

// mailsTo counts the emails sent to addr.
func (e *env) mailsTo(addr string) int {
	n := 0
	for _, m := range e.outbox.Messages() {
		if strings.EqualFold(m.To, addr) {
			n++
		}
	}
	return n
}

// mailsWithSubject counts the emails to addr whose subject contains part.
func (e *env) mailsWithSubject(addr, part string) int {
	n := 0
	for _, m := range e.outbox.Messages() {
		if m.To == addr && strings.Contains(m.Subject, part) {
			n++
		}
	}
	return n
}

func requireKind(t testing.TB, err error, k Kind) *Error {
	t.Helper()
	require.Error(t, err)
	var ce *Error
	require.True(t, errors.As(err, &ce), "not a core error: %v", err)
	require.Equal(t, k, ce.Kind, "error: %v", err)
	return ce
}

// requireCode is requireKind that also requires the error's stable code.
func requireCode(t testing.TB, err error, k Kind, code string, msgAndArgs ...any) *Error {
	t.Helper()
	ce := requireKind(t, err, k)
	require.Equal(t, code, ce.Code, msgAndArgs...)
	return ce
}

// errOf keeps the error of a call that also returns a value the test does
// not need.
func errOf[T any](_ T, err error) error { return err }

func ptr(s string) *string { return &s }

// newPassword is what tests change testPassword to.
const newPassword = "monsoon lantern quietly orbits"

// knownDeviceLogin signs in on a verified device: the first login from fpA
// steps up with an emailed code, which makes fpA known; the second login from
// fpA is then a known-device session.
func (e *env) knownDeviceLogin(email string) LoginResult {
	e.t.Helper()
	ctx := e.t.Context()
	first, err := e.loginFrom(email, testPassword, fpA, false)
	require.NoError(e.t, err)
	if first.Trust != TrustKnown {
		p := e.principal(first)
		require.NoError(e.t, e.auth.RequestStepUp(ctx, p, e.client))
		require.NoError(e.t, e.auth.VerifyStepUp(ctx, p, VerifyStepUpInput{Code: e.lastCode(email), Client: e.client}))
	}
	return e.loginWithTrust(email, fpA, false, TrustKnown)
}

func (e *env) changePassword(p Principal, current, next string, endOthers bool) error {
	return e.auth.ChangePassword(e.t.Context(), p, ChangePasswordInput{
		CurrentPassword: current, NewPassword: next, EndOtherSessions: endOthers, Client: e.client})
}

// stepUp steps the session up with an emailed code.
func (e *env) stepUp(p Principal, email string) {
	e.t.Helper()
	require.NoError(e.t, e.auth.RequestStepUp(e.t.Context(), p, e.client))
	require.NoError(e.t, e.auth.VerifyStepUp(e.t.Context(), p, VerifyStepUpInput{Code: e.lastCode(email), Client: e.client}))
}

// requestErasure signs u in on a known device, steps up and asks for erasure.
func (e *env) requestErasure(email string) ErasureReceipt {
	e.t.Helper()
	p := e.principal(e.knownDeviceLogin(email))
	e.stepUp(p, email)
	r, err := e.auth.RequestErasure(e.t.Context(), p, e.client)
	require.NoError(e.t, err)
	return r
}

// requestOTP asks for a login code for email from device fp and returns the
// code emailed.
func (e *env) requestOTP(email, fp string) string {
	e.t.Helper()
	require.NoError(e.t, e.auth.RequestOTP(e.t.Context(), RequestOTPInput{Identifier: email, DeviceFingerprint: fp, Client: e.client}))
	return e.lastCode(email)
}

func (e *env) verifyOTP(identifier, code, fp string) (LoginResult, error) {
	return e.auth.VerifyOTP(e.t.Context(), VerifyOTPInput{Identifier: identifier, Code: code, DeviceFingerprint: fp, Client: e.client})
}

// wrongOTPs tries n wrong codes (each differs from code) for email; each must
// be refused as a wrong code.
func (e *env) wrongOTPs(email, code string, n int) {
	e.t.Helper()
	for range n {
		_, err := e.verifyOTP(email, wrongCode(code), "")
		requireKind(e.t, err, KindUnauthorized)
	}
}

// failLogins signs in to identifier n times with a wrong password, whatever
// the answers.
func (e *env) failLogins(identifier string, n int) {
	for range n {
		_, _ = e.login(identifier, "wrong-password")
	}
}

// hardLock fails sign-ins to identifier until it is hard-locked: a soft
// lock, its wait, then the failures up to HardLockAfter.
func (e *env) hardLock(identifier string) {
	p := e.auth.cfg.Lockout
	e.failLogins(identifier, p.SoftLockAfter)
	e.clock.Advance(p.SoftLockFor)
	e.failLogins(identifier, p.HardLockAfter-p.SoftLockAfter)
}

func (e *env) loginIP(identifier, password, ip string) error {
	_, err := e.auth.Login(e.t.Context(), LoginInput{Identifier: identifier, Password: password,
		Client: Client{IP: ip, UserAgent: testUA}})
	return err
}

// unlockToken asks for an unlock link and returns its token.
func (e *env) unlockToken(t *testing.T, email string) string {
	t.Helper()
	require.NoError(t, e.auth.RequestUnlock(t.Context(), IdentifierInput{Identifier: email, Client: e.client}))
	return e.lastToken(email)
}

// requestRoute is one of the four routes, called with an identifier.
type requestRoute struct {
	name   string
	bucket string      // of the per-IP limit
	budget string      // the per-identifier mail budget
	mail   emails.Kind // what it emails a known account
	perIP  func(RateLimits) ports.RateRule
	call   func(e *env, identifier string) error
	// confirm uses the emailed link's token; nil for the OTP request, whose
	// code signs in.
	confirm func(e *env, token string) error
}

func requestRoutes() []requestRoute {
	return []requestRoute{
		{name: "otp request", bucket: "otp_request", budget: budgetLoginCode, mail: emails.LoginOTP, perIP: func(r RateLimits) ports.RateRule { return r.OTPRequestPerIP },
			call: func(e *env, id string) error {
				return e.auth.RequestOTP(e.t.Context(), RequestOTPInput{Identifier: id, DeviceFingerprint: fpA, Client: e.client})
			}},
		{name: "password reset request", bucket: "password_reset_request", budget: budgetRecovery, mail: emails.PasswordReset, perIP: func(r RateLimits) ports.RateRule { return r.PasswordResetRequestPerIP },
			call: func(e *env, id string) error {
				return e.auth.RequestPasswordReset(e.t.Context(), IdentifierInput{Identifier: id, Client: e.client})
			},
			confirm: func(e *env, tok string) error {
				return errOf(e.auth.ConfirmPasswordReset(e.t.Context(), ConfirmPasswordResetInput{Token: tok, NewPassword: "fresh new passphrase", Client: e.client}))
			}},
		{name: "pin reset request", bucket: "pin_reset_request", budget: budgetRecovery, mail: emails.PINReset, perIP: func(r RateLimits) ports.RateRule { return r.PINResetRequestPerIP },
			call: func(e *env, id string) error {
				return e.auth.RequestPINReset(e.t.Context(), IdentifierInput{Identifier: id, Client: e.client})
			},
			confirm: func(e *env, tok string) error {
				return e.auth.ConfirmPINReset(e.t.Context(), ConfirmPINResetInput{Token: tok, NewPIN: "5820", Client: e.client})
			}},
		{name: "unlock request", bucket: "unlock_request", budget: budgetRecovery, mail: emails.Unlock, perIP: func(r RateLimits) ports.RateRule { return r.UnlockRequestPerIP },
			call: func(e *env, id string) error {
				return e.auth.RequestUnlock(e.t.Context(), IdentifierInput{Identifier: id, Client: e.client})
			},
			confirm: func(e *env, tok string) error {
				return errOf(e.auth.ConfirmUnlock(e.t.Context(), ConfirmUnlockInput{Token: tok, Client: e.client}))
			}},
	}
}

func (e *env) now() time.Time { return e.clock.Now() }

// maintain runs the maintenance pass, which must not fail, and returns its
// report. The pass is bounded by testWait: one that keeps reading (a loop
// over due requests that never ends) fails instead of hanging the suite.
func (e *env) maintain() MaintenanceReport {
	e.t.Helper()
	report, err := e.auth.Maintain(waitContext(e.t))
	require.NoError(e.t, err)
	return report
}

// maintainAt sets the clock to at and runs the maintenance pass.
func (e *env) maintainAt(at time.Time) MaintenanceReport {
	e.t.Helper()
	e.clock.Set(at)
	return e.maintain()
}

// device is what the stores hold for fingerprint fp: its keyed hash.
func (e *env) device(fp string) string {
	e.t.Helper()
	d, err := e.auth.cleanDevice("test", fp)
	require.NoError(e.t, err)
	return d
}

// lockState reads the sign-in counter of the user's email.
func (e *env) lockState(userID string) ports.LockState {
	e.t.Helper()
	u, err := e.store.UserByID(e.t.Context(), userID)
	require.NoError(e.t, err)
	identifier := u.Email
	if identifier == "" { // a phone-only account
		identifier = u.Phone
	}
	s, err := e.store.LockState(e.t.Context(), e.auth.identifierLockKey(identifier))
	require.NoError(e.t, err)
	return s
}

// deviceLockState reads the sign-in counter of the user's device fp.
func (e *env) deviceLockState(userID, fp string) ports.LockState {
	e.t.Helper()
	device, err := e.auth.cleanDevice("test", fp)
	require.NoError(e.t, err)
	s, err := e.store.LockState(e.t.Context(), e.auth.deviceLockKey(userID, device))
	require.NoError(e.t, err)
	return s
}

// pinLockState reads the user's PIN counter.
func (e *env) pinLockState(userID string) ports.LockState {
	e.t.Helper()
	s, err := e.store.LockState(e.t.Context(), pinLockKey(userID))
	require.NoError(e.t, err)
	return s
}

// pinDeviceLockState reads the PIN counter of the user's verified device fp.
func (e *env) pinDeviceLockState(userID, fp string) ports.LockState {
	e.t.Helper()
	s, err := e.store.LockState(e.t.Context(), pinDeviceLockKey(userID, e.device(fp)))
	require.NoError(e.t, err)
	return s
}

// inStore reads what the store holds for userID with read, which must not
// fail: inStore(e, e.store.Sessions, u.ID).
func inStore[T any](e *env, read func(context.Context, string) (T, error), userID string) T {
	e.t.Helper()
	v, err := read(e.t.Context(), userID)
	require.NoError(e.t, err)
	return v
}

func (e *env) eventKinds(userID string) []string {
	e.t.Helper()
	events := inStore(e, e.store.Events, userID)
	kinds := make([]string, len(events))
	for i, ev := range events {
		kinds[i] = ev.Kind
	}
	return kinds
}

// mailFailures lists the (kind, detail) of the user's mail_failed events.
func (e *env) mailFailures(userID string) []string {
	e.t.Helper()
	events, err := e.store.Events(e.t.Context(), userID)
	require.NoError(e.t, err)
	var out []string
	for _, ev := range events {
		if ev.Kind == ports.EventMailFailed {
			out = append(out, ev.Detail)
		}
	}
	return out
}

func (e *env) passwordHash(userID string) string {
	e.t.Helper()
	c, err := e.store.Credentials(e.t.Context(), userID)
	require.NoError(e.t, err)
	return c.PasswordHash
}

func mustUser(t testing.TB, e *env, email string) ports.User {
	t.Helper()
	u, err := e.store.UserByEmail(t.Context(), email)
	require.NoError(t, err)
	return u
}

// withoutEventLog wires every storage port but the optional event log.
func withoutEventLog() envOption {
	return func(_ *Config, d *Deps) {
		s := d.Storage.(*memory.Store)
		d.Storage = nil
		d.Users, d.Registry, d.Credentials, d.Lockouts, d.Sessions = s, s, s, s, s
		d.Devices, d.Tokens, d.Consents, d.Abuse, d.Erasures, d.Grievances, d.Nominees = s, s, s, s, s, s, s
	}
}

var testContact = PrivacyContact{Name: "Meera Rao, Grievance Officer", Email: "dpo@acme.example",
	Phone: "+91 80 4000 0000", URL: "https://acme.example/privacy"}

func withContact() envOption { return func(c *Config, _ *Deps) { c.PrivacyContact = testContact } }

// externalMode drops the UserRegistry: the app owns its users.
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

// wrongCode returns a 6-digit code that differs from code.
func wrongCode(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

// distinct returns an address of its own for each i below 676.
func distinct(i int) string {
	return "user" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@example.in"
}

// bücherASCII is "asha@bücher.example" with its domain in ASCII (IDNA) form.
const bücherASCII = "asha@xn--bcher-kva.example"

// emailOfLen returns an ASCII address of exactly n bytes (n from 196 to 259):
// a 64-byte local part and labels of at most 63 bytes.
func emailOfLen(n int) string {
	return strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." +
		strings.Repeat("d", n-196) + ".in"
}

// holdWorkers takes every worker of e's pool, so that jobs queued after it
// wait; the returned function gives the workers back. Taking a worker that a
// job never gives back fails the test after testWait.
func holdWorkers(e *env) (release func()) {
	e.t.Helper()
	n := cap(e.auth.jobSlots)
	timeout := time.NewTimer(testWait)
	defer timeout.Stop()
	for i := 0; i < n; i++ {
		select {
		case e.auth.jobSlots <- struct{}{}:
		case <-timeout.C:
			e.t.Fatalf("waited %s for a worker of the pool after answers; a job never gave it back", testWait)
		}
	}
	return func() {
		for i := 0; i < n; i++ {
			<-e.auth.jobSlots // held above: never blocks
		}
	}
}

// drain waits for the work after answers (Auth.Drain) and fails the test if
// some is still unfinished after testWait: a job that never ends, or a count
// of pending jobs that never comes back to 0.
func (e *env) drain() {
	e.t.Helper()
	require.NoError(e.t, e.auth.Drain(waitContext(e.t)), "the work after answers never finished")
}

// deliverDue runs the mail worker's pass (DeliverDueMail), failing the test if
// it has not ended within testWait: a pass that keeps claiming never ends.
func (e *env) deliverDue() {
	e.t.Helper()
	require.NoError(e.t, e.auth.DeliverDueMail(waitContext(e.t)), "the pass over the mail queue never ended")
}

// logBuffer collects log lines from concurrent goroutines.
type logBuffer = porttest.Buffer

// callLog lists the store and limiter calls made, in order.
type callLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *callLog) add(call string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, call)
}

// take returns the calls made since the last take.
func (l *callLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	calls := l.calls
	l.calls = nil
	return calls
}

// counted logs the calls of every port but the lockout store, and of the
// limiter, and runs the work after answers in the background. Lockout calls
// are not logged: the request routes have no business with them, and the
// PostgreSQL test in examples/integration counts every statement.
func counted(log *callLog) envOption {
	return func(c *Config, d *Deps) {
		c.MailInline = false
		s := hookedStore{Store: d.Storage.(*memory.Store), before: func(method string) error { log.add(method); return nil }}
		d.Users, d.Registry, d.Credentials, d.Sessions, d.Devices = s, s, s, s, s
		d.Tokens, d.Consents, d.Abuse, d.Events = s, s, s, s
		d.Limiter = countingLimiter{Limiter: d.Limiter.(*memory.Limiter), log: log}
	}
}

// countedStorage logs the calls of every storage port, lockouts included,
// with the hooked store handed over as Deps.Storage: core then reads sessions
// with their users (ports.SessionUsers) and a sign-in's first reads at once
// (ports.SignInUsers), as over PostgreSQL in managed mode. A pointer, since
// core tells one backend by comparing the ports' values, and a hookedStore,
// holding a func, compares with nothing.
func countedStorage(log *callLog) envOption {
	return func(_ *Config, d *Deps) {
		d.Storage = &hookedStore{Store: d.Storage.(*memory.Store), before: func(method string) error { log.add(method); return nil }}
	}
}

// countingLimiter logs each limiter call by its bucket: the key without the
// IP, identifier or account it ends with.
type countingLimiter struct {
	*memory.Limiter
	log *callLog
}

func (c countingLimiter) Allow(ctx context.Context, key string, rule ports.RateRule, now time.Time) (ports.RateDecision, error) {
	c.log.add("Allow " + key[:strings.LastIndex(key, ":")])
	return c.Limiter.Allow(ctx, key, rule, now)
}

// recorder is an Observer that keeps everything it is told, as text.
type recorder struct {
	mu       sync.Mutex
	flows    []string // "Flow outcome", at each end
	started  []string // flows begun
	calls    []string // "Port.Method" of each store call ended
	waits    int
	signals  []ports.Signal
	ctxFlows int // store calls made under a context a StartFlow returned
}

type flowKey struct{}

func (r *recorder) StartFlow(ctx context.Context, flow string) (context.Context, func(string)) {
	r.add(&r.started, flow)
	return context.WithValue(ctx, flowKey{}, flow), func(outcome string) { r.add(&r.flows, flow+" "+outcome) }
}

func (r *recorder) StartStoreCall(ctx context.Context, call string) func(error) {
	return func(error) {
		r.add(&r.calls, call)
		if ctx.Value(flowKey{}) != nil {
			r.mu.Lock()
			r.ctxFlows++
			r.mu.Unlock()
		}
	}
}

func (r *recorder) StartHashWait(context.Context) func() {
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.waits++
	}
}

func (r *recorder) Signal(_ context.Context, s ports.Signal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.signals = append(r.signals, s)
}

func (r *recorder) add(list *[]string, s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	*list = append(*list, s)
}

// signalsOf returns "Detail Result" of each signal of kind k.
func (r *recorder) signalsOf(k ports.SignalKind) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, s := range r.signals {
		if s.Kind == k {
			out = append(out, strings.TrimSpace(s.Detail+" "+s.Result))
		}
	}
	return out
}

// everything is every string the observer was given.
func (r *recorder) everything() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append(append(append([]string{}, r.flows...), r.started...), r.calls...)
	for _, s := range r.signals {
		out = append(out, string(s.Kind), s.Flow, s.Detail, s.Result)
	}
	return out
}

func observed(r *recorder) envOption { return func(_ *Config, d *Deps) { d.Observer = r } }

// hookedStore is a memory.Store that calls before(method) ahead of every
// storage method a flow may reach; an error from before is returned instead
// of the call. Tests count calls with it (counted) or make one method fail
// (newFaultyEnv).
type hookedStore struct {
	*memory.Store
	before func(method string) error
}

// hooked runs before(method), then call unless before failed.
func hooked[T any](h hookedStore, method string, call func() (T, error)) (T, error) {
	if err := h.before(method); err != nil {
		var zero T
		return zero, err
	}
	return call()
}

// hookedDo is hooked for the methods that return only an error.
func hookedDo(h hookedStore, method string, call func() error) error {
	if err := h.before(method); err != nil {
		return err
	}
	return call()
}

func (h hookedStore) SignInUser(ctx context.Context, l ports.SignInLookup) (ports.SignInRecord, error) {
	return hooked(h, "SignInUser", func() (ports.SignInRecord, error) { return h.Store.SignInUser(ctx, l) })
}

func (h hookedStore) UserByEmail(ctx context.Context, email string) (ports.User, error) {
	return hooked(h, "UserByEmail", func() (ports.User, error) { return h.Store.UserByEmail(ctx, email) })
}

func (h hookedStore) UserByUsername(ctx context.Context, username string) (ports.User, error) {
	return hooked(h, "UserByUsername", func() (ports.User, error) { return h.Store.UserByUsername(ctx, username) })
}

func (h hookedStore) UserByID(ctx context.Context, id string) (ports.User, error) {
	return hooked(h, "UserByID", func() (ports.User, error) { return h.Store.UserByID(ctx, id) })
}

func (h hookedStore) CreateUser(ctx context.Context, nu ports.NewUser) (ports.User, error) {
	return hooked(h, "CreateUser", func() (ports.User, error) { return h.Store.CreateUser(ctx, nu) })
}

func (h hookedStore) MarkEmailVerified(ctx context.Context, userID string, at time.Time) error {
	return hookedDo(h, "MarkEmailVerified", func() error { return h.Store.MarkEmailVerified(ctx, userID, at) })
}

func (h hookedStore) SetSuspended(ctx context.Context, userID string, suspended bool) error {
	return hookedDo(h, "SetSuspended", func() error { return h.Store.SetSuspended(ctx, userID, suspended) })
}

func (h hookedStore) Credentials(ctx context.Context, userID string) (ports.Credentials, error) {
	return hooked(h, "Credentials", func() (ports.Credentials, error) { return h.Store.Credentials(ctx, userID) })
}

func (h hookedStore) SetPasswordHash(ctx context.Context, userID, hash string, at time.Time) error {
	return hookedDo(h, "SetPasswordHash", func() error { return h.Store.SetPasswordHash(ctx, userID, hash, at) })
}

func (h hookedStore) SetPINHash(ctx context.Context, userID, hash string, at time.Time) error {
	return hookedDo(h, "SetPINHash", func() error { return h.Store.SetPINHash(ctx, userID, hash, at) })
}

func (h hookedStore) BeginAttempt(ctx context.Context, key string, now time.Time, p ports.LockPolicy) (ports.LockState, ports.Admission, error) {
	if err := h.before("BeginAttempt"); err != nil {
		return ports.LockState{}, ports.RefusedBusy, err
	}
	return h.Store.BeginAttempt(ctx, key, now, p)
}

func (h hookedStore) FinishAttempt(ctx context.Context, key string, now time.Time, p ports.LockPolicy, o ports.Outcome) (ports.LockState, error) {
	return hooked(h, "FinishAttempt", func() (ports.LockState, error) { return h.Store.FinishAttempt(ctx, key, now, p, o) })
}

func (h hookedStore) ClearFailures(ctx context.Context, key string) error {
	return hookedDo(h, "ClearFailures", func() error { return h.Store.ClearFailures(ctx, key) })
}

func (h hookedStore) LockState(ctx context.Context, key string) (ports.LockState, error) {
	return hooked(h, "LockState", func() (ports.LockState, error) { return h.Store.LockState(ctx, key) })
}

func (h hookedStore) TouchActivity(ctx context.Context, userID string, at time.Time, every time.Duration) (bool, error) {
	return hooked(h, "TouchActivity", func() (bool, error) { return h.Store.TouchActivity(ctx, userID, at, every) })
}

func (h hookedStore) CreateSession(ctx context.Context, s ports.Session) error {
	return hookedDo(h, "CreateSession", func() error { return h.Store.CreateSession(ctx, s) })
}

func (h hookedStore) OpenSignInSession(ctx context.Context, o ports.SignInOpening) error {
	return hookedDo(h, "OpenSignInSession", func() error { return h.Store.OpenSignInSession(ctx, o) })
}

func (h hookedStore) Session(ctx context.Context, id string) (ports.Session, error) {
	return hooked(h, "Session", func() (ports.Session, error) { return h.Store.Session(ctx, id) })
}

func (h hookedStore) Sessions(ctx context.Context, userID string) ([]ports.Session, error) {
	return hooked(h, "Sessions", func() ([]ports.Session, error) { return h.Store.Sessions(ctx, userID) })
}

func (h hookedStore) RotateRefresh(ctx context.Context, oldHash, newHash string, now time.Time, grace time.Duration) (ports.Session, error) {
	return hooked(h, "RotateRefresh", func() (ports.Session, error) { return h.Store.RotateRefresh(ctx, oldHash, newHash, now, grace) })
}

func (h hookedStore) SessionByRefresh(ctx context.Context, hash string, now time.Time) (ports.Session, error) {
	return hooked(h, "SessionByRefresh", func() (ports.Session, error) { return h.Store.SessionByRefresh(ctx, hash, now) })
}

func (h hookedStore) RevokeSessions(ctx context.Context, r ports.Revocation, now time.Time) ([]string, error) {
	return hooked(h, "RevokeSessions", func() ([]string, error) { return h.Store.RevokeSessions(ctx, r, now) })
}

func (h hookedStore) SessionUser(ctx context.Context, id string) (ports.Session, ports.User, error) {
	if err := h.before("SessionUser"); err != nil {
		return ports.Session{}, ports.User{}, err
	}
	return h.Store.SessionUser(ctx, id)
}

func (h hookedStore) RotateRefreshUser(ctx context.Context, oldHash, newHash string, now time.Time, grace time.Duration) (ports.Session, ports.User, error) {
	if err := h.before("RotateRefreshUser"); err != nil {
		return ports.Session{}, ports.User{}, err
	}
	return h.Store.RotateRefreshUser(ctx, oldHash, newHash, now, grace)
}

func (h hookedStore) KnownDevice(ctx context.Context, userID, fingerprint string, now time.Time) (bool, error) {
	return hooked(h, "KnownDevice", func() (bool, error) { return h.Store.KnownDevice(ctx, userID, fingerprint, now) })
}

func (h hookedStore) MarkStepUp(ctx context.Context, sessionID string, at time.Time, verifyDevice bool) error {
	return hookedDo(h, "MarkStepUp", func() error { return h.Store.MarkStepUp(ctx, sessionID, at, verifyDevice) })
}

func (h hookedStore) ConsumeStepUp(ctx context.Context, sessionID string, notBefore time.Time) (bool, error) {
	return hooked(h, "ConsumeStepUp", func() (bool, error) { return h.Store.ConsumeStepUp(ctx, sessionID, notBefore) })
}

func (h hookedStore) IssueToken(ctx context.Context, t ports.OneTimeToken) error {
	return hookedDo(h, "IssueToken", func() error { return h.Store.IssueToken(ctx, t) })
}

func (h hookedStore) ConsumeLink(ctx context.Context, purpose, hash string, now time.Time) (ports.OneTimeToken, error) {
	return hooked(h, "ConsumeLink", func() (ports.OneTimeToken, error) { return h.Store.ConsumeLink(ctx, purpose, hash, now) })
}

func (h hookedStore) ConsumeCode(ctx context.Context, subject, purpose, hash string, now time.Time) (ports.OneTimeToken, error) {
	return hooked(h, "ConsumeCode", func() (ports.OneTimeToken, error) { return h.Store.ConsumeCode(ctx, subject, purpose, hash, now) })
}

func (h hookedStore) Tokens(ctx context.Context, subject string) ([]ports.OneTimeToken, error) {
	return hooked(h, "Tokens", func() ([]ports.OneTimeToken, error) { return h.Store.Tokens(ctx, subject) })
}

func (h hookedStore) ClaimMail(ctx context.Context, lease string, now time.Time, leaseFor time.Duration, limit int) ([]ports.QueuedMail, error) {
	return hooked(h, "ClaimMail", func() ([]ports.QueuedMail, error) { return h.Store.ClaimMail(ctx, lease, now, leaseFor, limit) })
}

func (h hookedStore) RetryMail(ctx context.Context, id, lease string, dueAt time.Time) error {
	return hookedDo(h, "RetryMail", func() error { return h.Store.RetryMail(ctx, id, lease, dueAt) })
}

func (h hookedStore) RemoveMail(ctx context.Context, id string) error {
	return hookedDo(h, "RemoveMail", func() error { return h.Store.RemoveMail(ctx, id) })
}

func (h hookedStore) AppendConsents(ctx context.Context, userID string, in ports.ConsentAppend) ([]ports.ConsentRecord, error) {
	return hooked(h, "AppendConsents", func() ([]ports.ConsentRecord, error) { return h.Store.AppendConsents(ctx, userID, in) })
}

func (h hookedStore) ConsentHistory(ctx context.Context, userID string) ([]ports.ConsentRecord, error) {
	return hooked(h, "ConsentHistory", func() ([]ports.ConsentRecord, error) { return h.Store.ConsentHistory(ctx, userID) })
}

func (h hookedStore) IPBlockedUntil(ctx context.Context, ip string, now time.Time) (time.Time, error) {
	return hooked(h, "IPBlockedUntil", func() (time.Time, error) { return h.Store.IPBlockedUntil(ctx, ip, now) })
}

func (h hookedStore) RecordIPFailure(ctx context.Context, ip, identifier string, now time.Time, p ports.IPPolicy) (time.Time, error) {
	return hooked(h, "RecordIPFailure", func() (time.Time, error) { return h.Store.RecordIPFailure(ctx, ip, identifier, now, p) })
}

func (h hookedStore) RecordEvent(ctx context.Context, e ports.SecurityEvent) error {
	return hookedDo(h, "RecordEvent", func() error { return h.Store.RecordEvent(ctx, e) })
}

func (h hookedStore) Events(ctx context.Context, userID string) ([]ports.SecurityEvent, error) {
	return hooked(h, "Events", func() ([]ports.SecurityEvent, error) { return h.Store.Events(ctx, userID) })
}

// testWait bounds a test's wait for work core does in the background (mail
// sent after the answer): the work takes milliseconds, so a test still
// waiting after testWait has found a bug and must fail, not hang the suite.
const testWait = 5 * time.Second

// waitContext is a context for such a wait, ended after testWait.
func waitContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	t.Cleanup(cancel)
	return ctx
}

// waitOrFail waits until ch sends or closes, and fails the test, naming what
// it waited for, when that has not happened within testWait.
func waitOrFail(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	timeout := time.NewTimer(testWait)
	defer timeout.Stop()
	select {
	case <-ch:
	case <-timeout.C:
		t.Fatalf("waited %s for %s; it never happened", testWait, what)
	}
}

// waitGroup is waitOrFail for the goroutines wg counts.
func waitGroup(t testing.TB, wg *sync.WaitGroup, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		wg.Wait() // outlives a failed test until wg is done, which the test's cleanup should see to
		close(done)
	}()
	waitOrFail(t, done, what)
}

// inParallel makes n calls at once, call(0) to call(n-1), and returns their
// errors, by i, once all have answered; what names them if that takes longer
// than testWait.
func inParallel(t testing.TB, what string, n int, call func(i int) error) []error {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = call(i) })
	}
	waitGroup(t, &wg, what)
	return errs
}

// testPhone is an Indian mobile number as a user types it, and its E.164 form.
const (
	testPhoneTyped = "98765 43210"
	testPhone      = "+919876543210"
)

const newPhone = "+919812345678"

// numberOfPrefix returns a number of a prefix of its own.
func numberOfPrefix(i int) string { return fmt.Sprintf("+9198%02d543210", 10+i) }

// smsBox captures every SMS sent, like memory.Outbox captures emails; after
// setFail, SendSMS fails with that error.
type smsBox struct{ appInbox[ports.SMS] }

func (b *smsBox) SendSMS(_ context.Context, m ports.SMS) error {
	return b.take(m)
}

func (b *smsBox) to(number string) []ports.SMS {
	var out []ports.SMS
	for _, m := range b.all() {
		if m.To == number {
			out = append(out, m)
		}
	}
	return out
}

// lastTo is the latest SMS sent to number; the test fails when there is none.
func (b *smsBox) lastTo(t testing.TB, number string) ports.SMS {
	t.Helper()
	ms := b.to(number)
	require.NotEmpty(t, ms, "no SMS to %s", number)
	return ms[len(ms)-1]
}

var smsCodeRE = regexp.MustCompile(`^(\d{6}) `)

// lastSMSCode is the code of the last SMS with a code to number.
func (b *smsBox) lastSMSCode(t testing.TB, number string) string {
	t.Helper()
	ms := b.to(number)
	for i := len(ms) - 1; i >= 0; i-- {
		if m := smsCodeRE.FindStringSubmatch(ms[i].Text); m != nil {
			return m[1]
		}
	}
	require.FailNow(t, "no SMS with a code", "to %s", number)
	return ""
}

// testBudget is a sliding-window SMSBudget kept in memory, all or nothing.
type testBudget struct {
	mu    sync.Mutex
	sends map[string][]time.Time
	err   error // when set, TakeSMS fails with it
	// clearErr, when set, fails ClearSMS.
	clearErr error
}

func (b *testBudget) TakeSMS(_ context.Context, limits []ports.SMSLimit, now time.Time) (ports.SMSDecision, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return ports.SMSDecision{}, b.err
	}
	if b.sends == nil {
		b.sends = map[string][]time.Time{}
	}
	for _, l := range limits {
		var live []time.Time
		for _, at := range b.sends[l.Key] {
			if now.Sub(at) < l.Window {
				live = append(live, at)
			}
		}
		b.sends[l.Key] = live
		if len(live) >= l.Limit {
			return ports.SMSDecision{RefusedBy: l.Key, RetryAfter: live[0].Add(l.Window).Sub(now)}, nil
		}
	}
	for _, l := range limits {
		b.sends[l.Key] = append(b.sends[l.Key], now)
	}
	return ports.SMSDecision{Allowed: true}, nil
}

func (b *testBudget) ClearSMS(_ context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.clearErr != nil {
		return b.clearErr
	}
	delete(b.sends, key)
	return nil
}

// phoneEnv is an env with phone numbers on, its SMS box and budget.
type phoneEnv struct {
	*env
	sms    *smsBox
	budget *testBudget
}

func newPhoneEnv(t testing.TB, opts ...envOption) *phoneEnv {
	t.Helper()
	p := &phoneEnv{sms: &smsBox{}, budget: &testBudget{}}
	on := func(c *Config, d *Deps) {
		c.Phone.Enabled = true
		c.Phone.Domain = "app.example"
		d.SMSSender, d.SMSBudget = p.sms, p.budget
	}
	p.env = newEnv(t, append([]envOption{on}, opts...)...)
	return p
}

// registerPhone registers a phone-only account without a password and
// verifies the number with the code texted at registration.
func (p *phoneEnv) registerPhone(number string) ports.User {
	p.t.Helper()
	u, err := p.auth.Register(p.t.Context(), RegisterInput{Phone: number, Consents: allGranted(), Client: p.client})
	require.NoError(p.t, err)
	require.NoError(p.t, p.auth.VerifyPhone(p.t.Context(), VerifyPhoneInput{Phone: u.Phone, Code: p.sms.lastSMSCode(p.t, u.Phone), Client: p.client}))
	u.PhoneVerified = true
	return u
}

// smsLogin asks for a sign-in code by SMS and signs in with it.
func (p *phoneEnv) smsLogin(phone string) (LoginResult, error) {
	p.t.Helper()
	ctx := p.t.Context()
	require.NoError(p.t, p.auth.RequestOTP(ctx, RequestOTPInput{Phone: phone, Client: p.client}))
	return p.auth.VerifyOTP(ctx, VerifyOTPInput{Phone: phone, Code: p.sms.lastSMSCode(p.t, phone), Client: p.client})
}

// smsPrincipal signs in by a code texted to phone and returns the session's
// principal.
func (p *phoneEnv) smsPrincipal(phone string) Principal {
	p.t.Helper()
	res, err := p.smsLogin(phone)
	require.NoError(p.t, err)
	return p.principal(res)
}

// seedPhone creates a phone-only account with a verified number straight in
// the store: no SMS is sent, so budget tests start from zero.
func (p *phoneEnv) seedPhone(number string) ports.User {
	p.t.Helper()
	ctx := p.t.Context()
	u, err := p.store.CreateUser(ctx, ports.NewUser{Phone: number, CreatedAt: p.now()})
	require.NoError(p.t, err)
	require.NoError(p.t, p.store.MarkPhoneVerified(ctx, u.ID, p.now()))
	u.PhoneVerified = true
	return u
}

// eventDetails lists the details of the user's events of kind.
func (e *env) eventDetails(userID, kind string) []string {
	e.t.Helper()
	events, err := e.store.Events(e.t.Context(), userID)
	require.NoError(e.t, err)
	var details []string
	for _, ev := range events {
		if ev.Kind == kind {
			details = append(details, ev.Detail)
		}
	}
	return details
}

// askCode asks for a sign-in code for number from ip; it must answer nil.
func (p *phoneEnv) askCode(number, ip string) {
	p.t.Helper()
	c := p.client
	if ip != "" {
		c.IP = ip
	}
	require.NoError(p.t, p.auth.RequestOTP(p.t.Context(), RequestOTPInput{Phone: number, Client: c}))
}

// requireRegistrantsCodeProvesNothing checks that the registration's code a
// registrant kept for testPhone proves nothing now, and that the number signs
// in to nothing.
func (p *phoneEnv) requireRegistrantsCodeProvesNothing(code string) {
	p.t.Helper()
	err := p.auth.VerifyPhone(p.t.Context(), VerifyPhoneInput{Phone: testPhone, Code: code, Client: p.client})
	requireKind(p.t, err, KindUnauthorized)
	_, err = p.smsLogin(testPhone)
	require.Error(p.t, err, "the registrant's number signs in to nothing")
}

// registerEmailAndPhone registers email with testPhone beside it and no
// password, neither of them proven.
func (p *phoneEnv) registerEmailAndPhone(email string) ports.User {
	p.t.Helper()
	u, err := p.auth.Register(p.t.Context(), RegisterInput{Email: email, Phone: testPhoneTyped, Consents: allGranted(), Client: p.client})
	require.NoError(p.t, err)
	return u
}

// registerWithUnprovenPhone registers email, verified, with testPhone beside
// it, never proven.
func (p *phoneEnv) registerWithUnprovenPhone(email string) ports.User {
	p.t.Helper()
	ctx := p.t.Context()
	u, err := p.auth.Register(ctx, RegisterInput{Email: email, Phone: testPhoneTyped, Password: testPassword,
		Consents: allGranted(), Client: p.client})
	require.NoError(p.t, err)
	require.NoError(p.t, p.store.MarkEmailVerified(ctx, u.ID, p.now()))
	u.EmailVerified = true
	return u
}

// requireTakenFromSquatter checks that identifier (a number when phone, else
// an address), held unproven by squatterID's account beside its proven
// other one, now finds ownerID's account, and that the squatting account
// recorded the release and kept only its other identifier, which it returns.
func (p *phoneEnv) requireTakenFromSquatter(identifier string, phone bool, ownerID, squatterID string) ports.User {
	p.t.Helper()
	ctx := p.t.Context()
	find, detail := p.store.UserByEmail, "email"
	if phone {
		find, detail = p.store.UserByPhone, "phone"
	}
	found, err := find(ctx, identifier)
	require.NoError(p.t, err)
	assert.Equal(p.t, ownerID, found.ID, "the identifier finds its owner")
	m, err := p.store.UserByID(ctx, squatterID)
	require.NoError(p.t, err)
	if phone {
		assert.Empty(p.t, m.Phone, "the squatting account keeps its email only")
	} else {
		assert.Empty(p.t, m.Email, "the squatting account keeps its number only")
	}
	assert.Equal(p.t, []string{detail}, p.eventDetails(squatterID, ports.EventUnprovenIdentifierReleased))
	return m
}

// appInbox stands in for one of the app's handler ports (the consent
// listener, the erasure handler): it keeps what it was told, in order, and
// refuses with fail while fail is set.
type appInbox[T any] struct {
	mu   sync.Mutex
	got  []T
	fail error
}

// take records v, or returns fail without recording it.
func (i *appInbox[T]) take(v T) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.fail != nil {
		return i.fail
	}
	i.got = append(i.got, v)
	return nil
}

// setFail makes the handler refuse with err from now on (nil accepts again).
func (i *appInbox[T]) setFail(err error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.fail = err
}

// all returns a copy of what was taken so far.
func (i *appInbox[T]) all() []T {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]T(nil), i.got...)
}

// listener is the app's ConsentListener in tests.
type listener struct{ appInbox[ports.ConsentChange] }

func (l *listener) ConsentChanged(_ context.Context, c ports.ConsentChange) error { return l.take(c) }

func withListener(l ports.ConsentListener) envOption {
	return func(_ *Config, d *Deps) { d.ConsentListener = l }
}

// erasureInbox is the app's erasure handler in tests.
type erasureInbox struct{ appInbox[ports.ErasureRequest] }

func (i *erasureInbox) ErasureRequested(_ context.Context, r ports.ErasureRequest) error {
	return i.take(r)
}

func withErasureHandler(h ports.ErasureHandler) envOption {
	return func(_ *Config, d *Deps) { d.Erasure = h }
}

// verifier is the app's GuardianVerifier in tests.
type verifier struct {
	verdict ports.GuardianVerdict
	err     error
	got     []ports.GuardianCheck
}

func (v *verifier) VerifyGuardian(_ context.Context, c ports.GuardianCheck) (ports.GuardianVerdict, error) {
	v.got = append(v.got, c)
	return v.verdict, v.err
}

// mapCase is one input of a pure function and the output it must give.
type mapCase[I, O any] struct {
	name string
	in   I
	want O
}

// testMapping checks f against each case, in parallel subtests.
func testMapping[I, O any](t *testing.T, f func(I) O, cases []mapCase[I, O]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, f(tc.in))
		})
	}
}

// faultyStore makes one storage method fail with err until failOn is called
// again. It stands in for a database that goes away in the middle of a flow.
type faultyStore struct {
	mu     sync.Mutex
	method string
	err    error
	fired  int
}

// newFaultyEnv returns an env whose every storage port fails as f says.
func newFaultyEnv(t testing.TB, opts ...envOption) (*env, *faultyStore) {
	t.Helper()
	var f *faultyStore
	opts = append([]envOption{withoutLimiter(), func(_ *Config, d *Deps) {
		f = &faultyStore{}
		h := hookedStore{Store: d.Storage.(*memory.Store), before: f.fault}
		d.Users, d.Registry, d.Credentials, d.Lockouts, d.Sessions = h, h, h, h, h
		d.Devices, d.Tokens, d.Consents, d.Abuse, d.Events = h, h, h, h, h
		d.MailQueue = h
	}}, opts...)
	return newEnv(t, opts...), f
}

// failOn makes method fail with err from now on ("" heals the store).
func (f *faultyStore) failOn(method string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.method, f.err, f.fired = method, err, 0
}

// firedCount reports how often the failure was returned since failOn.
func (f *faultyStore) firedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}

// fault returns the failure set for method, if any.
func (f *faultyStore) fault(method string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.method != method {
		return nil
	}
	f.fired++
	return f.err
}

var (
	errDown    = fmt.Errorf("postgres: dial tcp 127.0.0.1:5432: %w", ports.ErrUnavailable)
	errCorrupt = errors.New("postgres: column \"hash\" does not exist")
)

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

// txRecorder is a hooked memory.Store that offers transactions
// (ports.Transactor), as postgres.Store does, and records how each one ended:
// "commit" when fn returned nil, "rollback" otherwise. It isolates and undoes
// nothing (examples/integration checks what PostgreSQL keeps of a rolled
// back sign-in); it shows which calls core groups and which end it asks for.
type txRecorder struct {
	hookedStore
	ends callLog
	// open counts the transactions running; inside and outside log the
	// hooked calls made while one was or none was.
	open            atomic.Int32
	inside, outside callLog
}

// transacted hands core the env's store as rec, the storage of one backend
// with transactions, failing calls as faults says.
func transacted(rec *txRecorder, faults *faultyStore) envOption {
	return func(_ *Config, d *Deps) {
		rec.hookedStore = hookedStore{Store: d.Storage.(*memory.Store), before: func(method string) error {
			if rec.open.Load() > 0 {
				rec.inside.add(method)
			} else {
				rec.outside.add(method)
			}
			return faults.fault(method)
		}}
		d.Storage = rec
	}
}

func (r *txRecorder) InTransaction(ctx context.Context, fn func(ctx context.Context) error) error {
	r.open.Add(1)
	defer r.open.Add(-1)
	err := fn(ctx)
	end := "commit"
	if err != nil {
		end = "rollback"
	}
	r.ends.add(end)
	return err
}

// take returns the ends recorded since the last take.
func (r *txRecorder) take() []string { return r.ends.take() }
