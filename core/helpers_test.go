package core

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
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

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, store: memory.New(), clock: memory.NewClock(testStart), outbox: memory.NewOutbox(),
		limiter: memory.NewLimiter(), client: Client{IP: testIP, UserAgent: testUA}}
	cfg := DefaultConfig()
	cfg.SecretKey = []byte("test-secret-key-that-is-32-bytes-long!!")
	cfg.UnsafeFastHashingForTests = true // the production floor is tested in internal/secret and by the benchmarks
	cfg.MailInline = true                // read the outbox right after a request
	cfg.Logger = slog.New(slog.DiscardHandler)
	deps := Deps{Users: e.store, Registry: e.store, Credentials: e.store, Lockouts: e.store, Sessions: e.store,
		Devices: e.store, Tokens: e.store, Consents: e.store, Abuse: e.store, Events: e.store,
		Mailer: e.outbox, Limiter: e.limiter, Clock: e.clock}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	a, err := New(cfg, deps)
	require.NoError(t, err)
	e.auth = a
	return e
}

func allGranted() []ConsentDecision {
	var ds []ConsentDecision
	for _, c := range DefaultCategories() {
		ds = append(ds, ConsentDecision{Category: c.Name, Granted: true})
	}
	return ds
}

// register creates a verified-email user with testPassword.
func (e *env) register(email string) ports.User {
	e.t.Helper()
	u, err := e.auth.Register(context.Background(), RegisterInput{Email: email, Password: testPassword,
		Consents: allGranted(), Client: e.client})
	require.NoError(e.t, err)
	return u
}

func (e *env) login(identifier, password string) (LoginResult, error) {
	return e.auth.Login(context.Background(), LoginInput{Identifier: identifier, Password: password, Client: e.client})
}

func (e *env) loginFrom(identifier, password, fp string, public bool) (LoginResult, error) {
	return e.auth.Login(context.Background(), LoginInput{Identifier: identifier, Password: password,
		DeviceFingerprint: fp, IsPublicDevice: public, Client: e.client})
}

func (e *env) mustLogin(identifier string) LoginResult {
	e.t.Helper()
	res, err := e.login(identifier, testPassword)
	require.NoError(e.t, err)
	return res
}

func (e *env) principal(res LoginResult) Principal {
	e.t.Helper()
	p, err := e.auth.Authenticate(context.Background(), res.AccessToken)
	require.NoError(e.t, err)
	return p
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

func requireKind(t testing.TB, err error, k Kind) *Error {
	t.Helper()
	require.Error(t, err)
	var ce *Error
	require.True(t, errors.As(err, &ce), "not a core error: %v", err)
	require.Equal(t, k, ce.Kind, "error: %v", err)
	return ce
}

// parallel runs f n times at once, released together, and waits.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			f(i)
		}(i)
	}
	close(start)
	wg.Wait()
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
