package smtp

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// testCert is a self-signed certificate for 127.0.0.1 and localhost, made once
// per test binary; certPool trusts it.
var testCert = sync.OnceValues(func() (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "bharatauth smtp test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
})

// clientTLS trusts the test certificate.
func clientTLS() *tls.Config {
	_, pool := testCert()
	return &tls.Config{RootCAs: pool}
}

type serverTLS int

const (
	serverStartTLS serverTLS = iota // advertises STARTTLS
	serverImplicit                  // TLS from the first byte
	serverPlain                     // no TLS at all
)

// serverConfig describes how the in-process SMTP server behaves.
type serverConfig struct {
	tls       serverTLS
	listen    string // listen address; default 127.0.0.1:0
	username  string // when set, MAIL needs AUTH with username/password
	password  string
	mechs     []string // AUTH mechanisms offered; default PLAIN and LOGIN
	rcptError error    // answer to RCPT TO
	dataError error    // answer after DATA
	stallData bool     // never answer the end of DATA
}

// receivedMail is one message the server accepted.
type receivedMail struct {
	from string
	to   []string
	data []byte
}

// testServer is a real SMTP server (emersion/go-smtp) on 127.0.0.1:0.
type testServer struct {
	cfg  serverConfig
	host string
	port int

	mu        sync.Mutex
	mails     []receivedMail
	authTries []string // mechanisms the client tried
	wire      bytes.Buffer
	release   chan struct{}
}

func startServer(t *testing.T, cfg serverConfig) *testServer {
	t.Helper()
	if cfg.mechs == nil {
		cfg.mechs = []string{sasl.Plain, sasl.Login}
	}
	ts := &testServer{cfg: cfg, release: make(chan struct{})}
	if cfg.listen == "" {
		cfg.listen = "127.0.0.1:0"
	}
	inner, err := net.Listen("tcp", cfg.listen)
	require.NoError(t, err)
	var ln net.Listener = &recordingListener{Listener: inner, ts: ts}

	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) {
		return &session{ts: ts}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = discardLogger{}
	cert, _ := testCert()
	switch cfg.tls {
	case serverStartTLS:
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	case serverImplicit:
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})
	case serverPlain:
		// Advertise AUTH without TLS, so that only the client's own policy
		// can keep the password off the wire.
		srv.AllowInsecureAuth = true
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		close(ts.release)
		_ = srv.Close()
	})

	host, port, err := net.SplitHostPort(inner.Addr().String())
	require.NoError(t, err)
	ts.host = host
	ts.port, err = strconv.Atoi(port)
	require.NoError(t, err)
	return ts
}

func (ts *testServer) received() []receivedMail {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]receivedMail(nil), ts.mails...)
}

func (ts *testServer) wireBytes() []byte {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return bytes.Clone(ts.wire.Bytes())
}

func (ts *testServer) triedAuth() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]string(nil), ts.authTries...)
}

func (ts *testServer) checkLogin(username, password string) error {
	if username != ts.cfg.username || password != ts.cfg.password {
		return gosmtp.ErrAuthFailed
	}
	return nil
}

// session is one SMTP conversation.
type session struct {
	ts     *testServer
	authed bool
	from   string
	to     []string
}

func (s *session) AuthMechanisms() []string { return s.ts.cfg.mechs }

func (s *session) Auth(mech string) (sasl.Server, error) {
	s.ts.mu.Lock()
	s.ts.authTries = append(s.ts.authTries, mech)
	s.ts.mu.Unlock()
	succeed := func(username, password string) error {
		if err := s.ts.checkLogin(username, password); err != nil {
			return err
		}
		s.authed = true
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, username, password string) error {
			return succeed(username, password)
		}), nil
	case sasl.Login:
		return &loginServer{check: succeed}, nil
	default:
		return nil, gosmtp.ErrAuthUnknownMechanism
	}
}

func (s *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if s.ts.cfg.username != "" && !s.authed {
		return gosmtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if s.ts.cfg.rcptError != nil {
		return s.ts.cfg.rcptError
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.ts.cfg.stallData {
		<-s.ts.release
		return errors.New("test over")
	}
	if s.ts.cfg.dataError != nil {
		return s.ts.cfg.dataError
	}
	s.ts.mu.Lock()
	s.ts.mails = append(s.ts.mails, receivedMail{from: s.from, to: s.to, data: data})
	s.ts.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// loginServer is the server side of the LOGIN mechanism, which go-sasl only
// implements for clients: ask for the user name, then the password.
type loginServer struct {
	check    func(username, password string) error
	step     int
	username string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step++
		if len(response) == 0 {
			return []byte("Username:"), false, nil
		}
		l.username = string(response)
		l.step++
		return []byte("Password:"), false, nil
	case 1:
		l.step++
		l.username = string(response)
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.username, string(response))
	}
}

// recordingListener keeps every byte clients send, so a test can prove what
// never crossed the wire.
type recordingListener struct {
	net.Listener
	ts *testServer
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &recordingConn{Conn: c, ts: l.ts}, nil
}

type recordingConn struct {
	net.Conn
	ts *testServer
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.ts.mu.Lock()
	c.ts.wire.Write(p[:n])
	c.ts.mu.Unlock()
	return n, err
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

// startSilentServer accepts TCP connections and never says a word, like a
// black-holed or overloaded server.
func startSilentServer(t *testing.T) (string, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	addr := ln.Addr().(*net.TCPAddr)
	return "127.0.0.1", addr.Port
}
