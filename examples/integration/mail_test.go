package integration

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/bharatauth/bharatauth-go/adapters/smtp"
	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
)

// Core's mail retry numbers, as its documentation states them: the first
// retry comes within 30 s, the next within 1 minute; a sender holds a
// message for 2 minutes.
const (
	firstRetryWithin  = 30 * time.Second
	secondRetryWithin = time.Minute
	mailLease         = 2 * time.Minute
)

// deferringServer is a real SMTP server (emersion/go-smtp, plain text on
// loopback) that answers "451 try again later" to the end of DATA while it
// has deferrals left, and accepts after that.
type deferringServer struct {
	addr string

	mu        sync.Mutex
	deferrals int
	tries     int      // ends of DATA answered, deferred or not
	accepted  []string // the raw messages accepted
}

func startDeferringServer(t *testing.T) *deferringServer {
	t.Helper()
	ds := &deferringServer{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return &deferringSession{ds: ds}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	ds.addr = ln.Addr().String()
	return ds
}

// deferNext makes the next n messages answer 451.
func (ds *deferringServer) deferNext(n int) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	ds.deferrals = n
}

func (ds *deferringServer) counts() (tries int, accepted []string) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	return ds.tries, append([]string(nil), ds.accepted...)
}

// mailer is the smtp adapter pointed at the server.
func (ds *deferringServer) mailer(t *testing.T) ports.Mailer {
	t.Helper()
	host, port, err := net.SplitHostPort(ds.addr)
	require.NoError(t, err)
	p, err := strconv.Atoi(port)
	require.NoError(t, err)
	m, err := smtp.New(smtp.Config{Host: host, Port: p, TLS: smtp.TLSNone, From: "noreply@example.in", Timeout: 5 * time.Second})
	require.NoError(t, err)
	return m
}

type deferringSession struct{ ds *deferringServer }

func (s *deferringSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (s *deferringSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (s *deferringSession) Reset()                                 {}
func (s *deferringSession) Logout() error                          { return nil }

func (s *deferringSession) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ds := s.ds
	ds.mu.Lock()
	defer ds.mu.Unlock()
	ds.tries++
	if ds.deferrals > 0 {
		ds.deferrals--
		return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	ds.accepted = append(ds.accepted, string(body))
	return nil
}

// queuedMail counts the messages in the outbox table.
func queuedMail(t *testing.T, db *bun.DB) int {
	t.Helper()
	n, err := db.NewSelect().Table("ba_mail_outbox").Count(t.Context())
	require.NoError(t, err)
	return int(n)
}

// mailFailures lists the mail_failed events of the account of email.
func (in *instance) mailFailures(t *testing.T, email string) []string {
	t.Helper()
	u, err := in.store.UserByEmail(t.Context(), email)
	require.NoError(t, err)
	events, err := in.store.Events(t.Context(), u.ID)
	require.NoError(t, err)
	var out []string
	for _, e := range events {
		if e.Kind == ports.EventMailFailed {
			out = append(out, e.Detail)
		}
	}
	return out
}

// An SMTP server that answers 451 twice and then accepts gets the login
// code once: the smtp adapter reports 4xx as worth retrying, core retries it
// through the PostgreSQL outbox with backoff, and deletes it once delivered.
func TestEmailDeferredTwiceBySMTPArrivesOnce(t *testing.T) {
	t.Parallel()
	server := startDeferringServer(t)
	db := newDB(t)
	in := newInstance(t, db, setup{fastHashing: true, mailer: server.mailer(t)})
	ctx := t.Context()
	const email = "deferred@example.in"
	_, err := in.auth.Register(ctx, core.RegisterInput{Email: email, Password: password, Consents: consent, Client: client})
	require.NoError(t, err)
	_, accepted := server.counts()
	require.Len(t, accepted, 1, "the verification link")

	server.deferNext(2)
	require.NoError(t, in.auth.RequestOTP(ctx, core.RequestOTPInput{Identifier: email, Client: client}))
	tries, _ := server.counts()
	assert.Equal(t, 2, tries, "first attempt deferred")
	require.Equal(t, 1, queuedMail(t, db), "the code waits in the outbox")

	in.clock.Advance(firstRetryWithin)
	require.NoError(t, in.auth.DeliverDueMail(ctx))
	tries, _ = server.counts()
	assert.Equal(t, 3, tries, "second attempt deferred")

	in.clock.Advance(secondRetryWithin)
	require.NoError(t, in.auth.DeliverDueMail(ctx))
	in.clock.Advance(time.Hour)
	require.NoError(t, in.auth.DeliverDueMail(ctx)) // nothing left to send
	tries, accepted = server.counts()
	assert.Equal(t, 4, tries, "three attempts of the code in all")
	require.Len(t, accepted, 2, "the code was delivered exactly once")
	assert.Regexp(t, `\b\d{6}\b`, accepted[1])
	assert.Zero(t, queuedMail(t, db), "deleted after delivery")
	assert.Empty(t, in.mailFailures(t, email))
}

// hungMailer never delivers: its Send blocks until the test ends, like a
// process killed in the middle of sending. started hears of each send.
type hungMailer struct {
	started chan ports.Message
	killed  chan struct{}
}

func (m *hungMailer) Send(ctx context.Context, msg ports.Message) error {
	m.started <- msg
	select {
	case <-m.killed:
	case <-ctx.Done():
	}
	return errors.New("the process was killed")
}

// The process that took a request dies after queueing the email and before
// sending it; another instance on the same database takes it over when the
// first one's lease ends and delivers it exactly once. The queued row holds
// no address or code in the clear.
func TestEmailOfAKilledInstanceIsDeliveredOnceByAnother(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ctx := waitContext(t)
	survivor := newInstance(t, db, setup{fastHashing: true})
	const email = "crash@example.in"
	survivor.register(t, email)

	hung := &hungMailer{started: make(chan ports.Message, 1), killed: make(chan struct{})}
	killed := newInstance(t, db, setup{fastHashing: true, background: true, mailer: hung})
	t.Cleanup(func() { close(hung.killed) }) // before the instance's own cleanup closes it
	require.NoError(t, killed.auth.RequestOTP(ctx, core.RequestOTPInput{Identifier: email, Client: client}))
	var sent ports.Message
	select {
	case sent = <-hung.started: // queued, and now stuck in its send: the process dies here
	case <-ctx.Done():
		t.Fatal("the first instance never tried to send")
	}
	code := codeRE.FindString(sent.Text)
	require.NotEmpty(t, code)
	var payload []byte
	require.NoError(t, db.NewSelect().Table("ba_mail_outbox").Column("payload").Scan(ctx, &payload))
	assert.NotContains(t, string(payload), email, "the recipient is sealed")
	assert.NotContains(t, string(payload), code, "the code is sealed")

	survivor.clock.Set(killed.clock.Now().Add(mailLease - time.Second))
	require.NoError(t, survivor.auth.DeliverDueMail(ctx))
	assert.Equal(t, 1, survivor.outbox.Len(), "the first instance's lease still holds (only the verification link so far)")

	survivor.clock.Set(killed.clock.Now().Add(mailLease))
	require.NoError(t, survivor.auth.DeliverDueMail(ctx))
	res, err := survivor.auth.VerifyOTP(ctx, core.VerifyOTPInput{Identifier: email, Code: code, Client: client})
	require.NoError(t, err, "the code arrived, and works")
	assert.NotEmpty(t, res.AccessToken)

	survivor.clock.Advance(time.Hour)
	require.NoError(t, survivor.auth.DeliverDueMail(ctx))
	var codes []string
	for _, m := range survivor.outbox.Messages() {
		if strings.Contains(m.Text, code) {
			codes = append(codes, m.To)
		}
	}
	assert.Equal(t, []string{email}, codes, "delivered once, by the survivor")
	assert.Zero(t, queuedMail(t, db))
}

// waitContext bounds a test's waits.
func waitContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}
