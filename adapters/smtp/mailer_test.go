package smtp

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

const (
	testUser     = "mailer@example.in"
	testPassword = "s3cret-Pa55word!"
	testCode     = "482913"
	hindiSubject = "आपका OTP कोड"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

var testNow = time.Date(2026, 11, 26, 1, 2, 3, 0, time.UTC)

func otpMessage() ports.Message {
	return ports.Message{
		To:      "rahul@example.in",
		ToName:  "राहुल शर्मा",
		Subject: hindiSubject,
		Text:    "आपका कोड " + testCode + " है। It expires in 10 minutes.",
		HTML:    "<p>आपका कोड <b>" + testCode + "</b> है।</p>",
	}
}

// baseConfig points a Mailer at ts with the test CA trusted.
func baseConfig(ts *testServer) Config {
	return Config{
		Host:      ts.host,
		Port:      ts.port,
		From:      "भारतऑथ <no-reply@example.in>",
		TLSConfig: clientTLS(),
		Timeout:   5 * time.Second,
		Clock:     fixedClock{testNow},
	}
}

func newMailer(t *testing.T, cfg Config) *Mailer {
	t.Helper()
	m, err := New(cfg)
	require.NoError(t, err)
	return m
}

// startAuthed starts a server that wants the test login (over STARTTLS unless
// server says otherwise) and returns it with a Mailer that logs in.
func startAuthed(t *testing.T, server serverConfig) (*testServer, *Mailer) {
	t.Helper()
	server.username, server.password = testUser, testPassword
	ts := startServer(t, server)
	cfg := baseConfig(ts)
	cfg.Username, cfg.Password = testUser, testPassword
	return ts, newMailer(t, cfg)
}

func TestSendDelivers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		server   serverConfig
		mode     TLSMode
		auth     AuthMechanism
		withAuth bool
		mechs    []string
		message  func() ports.Message
		wantAuth []string
	}{
		{name: "starttls with auto auth picks PLAIN", server: serverConfig{tls: serverStartTLS}, mode: TLSStartTLS, withAuth: true, wantAuth: []string{"PLAIN"}},
		{name: "starttls with LOGIN", server: serverConfig{tls: serverStartTLS}, mode: TLSStartTLS, auth: AuthLogin, withAuth: true, wantAuth: []string{"LOGIN"}},
		{name: "starttls auto falls back to LOGIN", server: serverConfig{tls: serverStartTLS, mechs: []string{"LOGIN"}}, mode: TLSStartTLS, withAuth: true, wantAuth: []string{"LOGIN"}},
		{name: "implicit tls with PLAIN", server: serverConfig{tls: serverImplicit}, mode: TLSImplicit, auth: AuthPlain, withAuth: true, wantAuth: []string{"PLAIN"}},
		{name: "starttls without auth", server: serverConfig{tls: serverStartTLS}, mode: TLSStartTLS},
		{name: "ipv6 literal host", server: serverConfig{tls: serverStartTLS, listen: "[::1]:0"}, mode: TLSStartTLS, withAuth: true, wantAuth: []string{"PLAIN"}},
		{name: "plain to loopback when chosen", server: serverConfig{tls: serverPlain}, mode: TLSNone},
		{name: "text only", server: serverConfig{tls: serverStartTLS}, mode: TLSStartTLS, message: func() ports.Message {
			m := otpMessage()
			m.HTML = ""
			return m
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.withAuth {
				tc.server.username, tc.server.password = testUser, testPassword
			}
			ts := startServer(t, tc.server)
			cfg := baseConfig(ts)
			cfg.TLS = tc.mode
			cfg.Auth = tc.auth
			if tc.withAuth {
				cfg.Username, cfg.Password = testUser, testPassword
			}
			msg := otpMessage()
			if tc.message != nil {
				msg = tc.message()
			}

			require.NoError(t, newMailer(t, cfg).Send(t.Context(), msg))

			mails := ts.received()
			require.Len(t, mails, 1)
			assert.Equal(t, "no-reply@example.in", mails[0].from)
			assert.Equal(t, []string{"rahul@example.in"}, mails[0].to)
			assert.Equal(t, tc.wantAuth, ts.triedAuth())
			checkMIME(t, mails[0].data, msg)
			if tc.mode != TLSNone {
				// Encrypted: neither the code nor the password is readable on the wire.
				assert.NotContains(t, string(ts.wireBytes()), testCode)
				assert.NotContains(t, string(ts.wireBytes()), testPassword)
			}
		})
	}
}

// parseMail reads raw as a mail client would, and returns the message it
// carries and its header. Every text part must declare UTF-8.
func parseMail(t *testing.T, raw []byte) (ports.Message, mail.Header) {
	t.Helper()
	parsed, err := mail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err)
	h := parsed.Header
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	require.NoError(t, err)
	to, err := mail.ParseAddress(h.Get("To"))
	require.NoError(t, err)

	parts := map[string]string{}
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	require.NoError(t, err)
	if mediaType == "multipart/alternative" {
		reader := multipart.NewReader(parsed.Body, params["boundary"])
		for {
			part, err := reader.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			partType, partParams, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
			require.NoError(t, err)
			assert.Equal(t, "utf-8", strings.ToLower(partParams["charset"]))
			body, err := io.ReadAll(part) // multipart decodes quoted-printable itself
			require.NoError(t, err)
			parts[partType] = string(body)
		}
	} else {
		assert.Equal(t, "utf-8", strings.ToLower(params["charset"]))
		parts[mediaType] = decodeBody(t, h.Get("Content-Transfer-Encoding"), parsed.Body)
	}
	return ports.Message{
		To: to.Address, ToName: to.Name, Subject: subject,
		Text: strings.TrimRight(parts["text/plain"], "\r\n"),
		HTML: strings.TrimRight(parts["text/html"], "\r\n"),
	}, h
}

// checkMIME checks that raw carries msg, with the headers and the structure
// this mailer writes.
func checkMIME(t *testing.T, raw []byte, msg ports.Message) {
	t.Helper()
	got, h := parseMail(t, raw)
	assert.Equal(t, msg, got)
	assert.NotContains(t, h.Get("Subject"), "आपका", "a non-ASCII subject must be RFC 2047 encoded")

	from, err := mail.ParseAddress(h.Get("From"))
	require.NoError(t, err)
	assert.Equal(t, "भारतऑथ", from.Name)
	assert.Equal(t, "no-reply@example.in", from.Address)
	date, err := h.Date()
	require.NoError(t, err)
	assert.True(t, testNow.Equal(date), "Date header %v", date)
	assert.Regexp(t, `^<[0-9a-f]{32}@example\.in>$`, h.Get("Message-Id"))
	assert.Equal(t, "1.0", h.Get("Mime-Version"))

	mediaType, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	require.NoError(t, err)
	if msg.HTML == "" {
		assert.Equal(t, "text/plain", mediaType)
	} else {
		assert.Equal(t, "multipart/alternative", mediaType)
	}
}

func decodeBody(t *testing.T, encoding string, r io.Reader) string {
	t.Helper()
	// net/mail does not decode a single-part body, unlike mime/multipart.
	require.Equal(t, "quoted-printable", strings.ToLower(encoding))
	body, err := io.ReadAll(quotedprintable.NewReader(r))
	require.NoError(t, err)
	return string(body)
}

func TestSendAuthFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		auth AuthMechanism
	}{
		{name: "PLAIN", auth: AuthPlain},
		{name: "LOGIN", auth: AuthLogin},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, serverConfig{tls: serverStartTLS, username: testUser, password: "the-right-one"})
			cfg := baseConfig(ts)
			cfg.Username, cfg.Password, cfg.Auth = testUser, testPassword, tc.auth

			err := newMailer(t, cfg).Send(t.Context(), otpMessage())

			require.Error(t, err)
			assert.False(t, errors.Is(err, ports.ErrUnavailable), "535 is permanent: %v", err)
			assert.Contains(t, err.Error(), "535")
			assertNoSecrets(t, err)
			assert.Empty(t, ts.received())
		})
	}
}

func TestSendRefusesServerWithoutSTARTTLS(t *testing.T) {
	t.Parallel()
	// The server offers AUTH in clear but no STARTTLS: a downgrade, as an
	// attacker stripping STARTTLS from the EHLO answer would cause.
	ts := startServer(t, serverConfig{tls: serverPlain, username: testUser, password: testPassword})
	cfg := baseConfig(ts)
	cfg.Username, cfg.Password = testUser, testPassword

	err := newMailer(t, cfg).Send(t.Context(), otpMessage())

	require.Error(t, err)
	assert.False(t, errors.Is(err, ports.ErrUnavailable), "refusing clear text is not transient: %v", err)
	assert.Contains(t, err.Error(), "STARTTLS")
	assertNoSecrets(t, err)
	wire := string(ts.wireBytes())
	assert.NotContains(t, wire, "AUTH")
	assert.NotContains(t, wire, testPassword)
	assert.NotContains(t, wire, base64.StdEncoding.EncodeToString([]byte("\x00"+testUser+"\x00"+testPassword)))
	assert.NotContains(t, wire, base64.StdEncoding.EncodeToString([]byte(testPassword)))
	assert.NotContains(t, wire, testCode, "the message must not be sent either")
	assert.Empty(t, ts.triedAuth())
	assert.Empty(t, ts.received())
}

func TestSendRejections(t *testing.T) {
	t.Parallel()
	rejected := &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	greylisted := &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 7, 1}, Message: "Greylisted, try again later"}
	spam := &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 7, 1}, Message: "Message rejected"}
	tests := []struct {
		name            string
		server          serverConfig
		wantUnavailable bool
		wantCode        string
	}{
		{name: "recipient rejected 550", server: serverConfig{rcptError: rejected}, wantCode: "550"},
		{name: "recipient greylisted 451", server: serverConfig{rcptError: greylisted}, wantUnavailable: true, wantCode: "451"},
		{name: "data deferred 451", server: serverConfig{dataError: greylisted}, wantUnavailable: true, wantCode: "451"},
		{name: "data rejected 554", server: serverConfig{dataError: spam}, wantCode: "554"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, mailer := startAuthed(t, tc.server)

			err := mailer.Send(t.Context(), otpMessage())

			porttest.AssertSendFailure(t, err, tc.wantUnavailable)
			assert.Contains(t, err.Error(), tc.wantCode)
			assertNoSecrets(t, err)
		})
	}
}

func TestSendHangingServer(t *testing.T) {
	t.Parallel()
	const bound = 300 * time.Millisecond
	tests := []struct {
		name        string
		start       func(t *testing.T) (string, int)
		ctxDeadline bool // bound by ctx (Timeout stays long), else by Timeout
	}{
		{name: "silent server, ctx deadline", start: startSilentServer, ctxDeadline: true},
		{name: "silent server, command timeout", start: startSilentServer},
		{name: "stall at DATA, ctx deadline", start: stallingServer, ctxDeadline: true},
		{name: "stall at DATA, command timeout", start: stallingServer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			host, port := tc.start(t)
			cfg := Config{Host: host, Port: port, From: "no-reply@example.in", TLSConfig: clientTLS(), Timeout: bound}
			ctx := t.Context()
			if tc.ctxDeadline {
				cfg.Timeout = time.Minute
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, bound)
				defer cancel()
			}

			start := time.Now()
			err := newMailer(t, cfg).Send(ctx, otpMessage())
			elapsed := time.Since(start)

			require.Error(t, err)
			assert.Less(t, elapsed, bound+2*time.Second, "Send must give up near its bound")
			assert.True(t, errors.Is(err, ports.ErrUnavailable), "a timeout is retryable: %v", err)
			if tc.ctxDeadline {
				assert.True(t, errors.Is(err, context.DeadlineExceeded), "the context error passes through: %v", err)
			}
		})
	}
}

func stallingServer(t *testing.T) (string, int) {
	ts := startServer(t, serverConfig{tls: serverStartTLS, stallData: true})
	return ts.host, ts.port
}

func TestSendConnectionFailures(t *testing.T) {
	t.Parallel()
	closedPort := func(t *testing.T) int {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		port := ln.Addr().(*net.TCPAddr).Port
		require.NoError(t, ln.Close())
		return port
	}
	tests := []struct {
		name            string
		config          func(t *testing.T) Config
		wantUnavailable bool
	}{
		{name: "connection refused", wantUnavailable: true, config: func(t *testing.T) Config {
			return Config{Host: "127.0.0.1", Port: closedPort(t), From: "no-reply@example.in", Timeout: time.Second}
		}},
		{name: "untrusted certificate", config: func(t *testing.T) Config {
			ts := startServer(t, serverConfig{tls: serverStartTLS})
			cfg := baseConfig(ts)
			cfg.TLSConfig = nil
			return cfg
		}},
		{name: "implicit tls untrusted certificate", config: func(t *testing.T) Config {
			ts := startServer(t, serverConfig{tls: serverImplicit})
			cfg := baseConfig(ts)
			cfg.TLS, cfg.TLSConfig = TLSImplicit, nil
			return cfg
		}},
		{name: "auth required but server offers none", config: func(t *testing.T) Config {
			ts := startServer(t, serverConfig{tls: serverStartTLS, mechs: []string{}})
			cfg := baseConfig(ts)
			cfg.Username, cfg.Password = testUser, testPassword
			return cfg
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := newMailer(t, tc.config(t)).Send(t.Context(), otpMessage())
			require.Error(t, err)
			assert.Equal(t, tc.wantUnavailable, errors.Is(err, ports.ErrUnavailable), "error: %v", err)
			assertNoSecrets(t, err)
		})
	}
}

func TestSendCancelledContextIsRetryable(t *testing.T) {
	t.Parallel()
	// The Mailer suite checks that context.Canceled passes through; this
	// mailer also marks the failure retryable.
	ts := startServer(t, serverConfig{tls: serverStartTLS})
	err := newMailer(t, baseConfig(ts)).Send(cancelledContext(t), otpMessage())
	assert.ErrorIs(t, err, ports.ErrUnavailable)
}

func cancelledContext(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}

// assertNoSecrets checks that an error string carries neither the password
// (in clear or in its SASL encodings) nor the message body.
func assertNoSecrets(t *testing.T, err error) {
	t.Helper()
	text := err.Error()
	assert.NotContains(t, text, testPassword)
	assert.NotContains(t, text, base64.StdEncoding.EncodeToString([]byte(testPassword)))
	assert.NotContains(t, text, base64.StdEncoding.EncodeToString([]byte("\x00"+testUser+"\x00"+testPassword)))
	assert.NotContains(t, text, testCode)
	assert.NotContains(t, text, "\n", "an error is one log line")
}

func TestRedactor(t *testing.T) {
	t.Parallel()
	m := newMailer(t, Config{Host: "smtp.example.in", From: "a@example.in", Username: testUser, Password: testPassword})
	plain := base64.StdEncoding.EncodeToString([]byte("\x00" + testUser + "\x00" + testPassword))
	tests := []struct {
		name string
		in   string
	}{
		{name: "clear password", in: "535 bad password " + testPassword},
		{name: "PLAIN response echoed", in: "535 cannot decode " + plain},
		{name: "LOGIN response echoed", in: "535 cannot decode " + base64.StdEncoding.EncodeToString([]byte(testPassword))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := m.classify(t.Context(), errors.New(tc.in))
			assertNoSecrets(t, got)
			assert.Contains(t, got.Error(), "[REDACTED]")
		})
	}
}
