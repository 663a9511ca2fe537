package smtp

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/mailcheck"
)

// Mailer sends email through one SMTP server. Create it with New; it is safe
// for concurrent use.
type Mailer struct {
	s settings
	// redactor removes the password from error text (see errors.go).
	redactor *strings.Replacer
}

var _ ports.Mailer = (*Mailer)(nil)

// New validates cfg and returns a Mailer. It does not connect: a mail server
// that is down at start-up must not stop the application, and every Send
// dials afresh. Configuration errors wrap ErrInvalidConfig.
func New(cfg Config) (*Mailer, error) {
	s, err := validate(cfg)
	if err != nil {
		return nil, err
	}
	return &Mailer{s: s, redactor: newRedactor(s.username, s.password)}, nil
}

// Send delivers m over one new connection. It honours ctx: when ctx ends, the
// connection is closed and Send returns an error wrapping both
// ports.ErrUnavailable and ctx.Err(). See the package doc for the error
// classes.
func (ml *Mailer) Send(ctx context.Context, m ports.Message) error {
	if err := ctx.Err(); err != nil {
		return &sendError{text: "smtp: send: temporary failure: " + err.Error(), causes: []error{ports.ErrUnavailable, err}}
	}
	msg, err := ml.compose(m)
	if err != nil {
		return err
	}

	// go-mail bounds the dial by ctx but each later command only by its own
	// timeout; closing the connection when ctx ends makes ctx bound the whole
	// exchange. stops is only touched on this goroutine (go-mail dials
	// synchronously inside DialAndSendWithContext).
	var stops []func() bool
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	// go-mail's own address is host + ":" + port, wrong for an IPv6
	// literal; dial joins them properly instead.
	addr := net.JoinHostPort(ml.s.host, strconv.Itoa(ml.s.port))
	dial := func(dialCtx context.Context, network, _ string) (net.Conn, error) {
		conn, err := ml.dial(dialCtx, network, addr)
		if err != nil {
			return nil, err
		}
		stops = append(stops, context.AfterFunc(ctx, func() { _ = conn.Close() }))
		return conn, nil
	}

	client, err := gomail.NewClient(ml.s.host, ml.clientOptions(dial)...)
	if err != nil {
		return fmt.Errorf("smtp: configure client: %s", ml.redact(err))
	}
	err = client.DialAndSendWithContext(ctx, msg)
	if msg.IsDelivered() {
		// The server accepted the message; a failure of the RSET or QUIT
		// that follows must not make the caller send it twice.
		return nil
	}
	if err == nil {
		return errors.New("smtp: send: the server did not confirm delivery")
	}
	return ml.classify(ctx, err)
}

// dial opens the TCP connection, wrapping it in TLS at once for TLSImplicit.
// It returns the *tls.Conn itself (not a wrapper) because the SMTP client
// checks for that type to know the channel is encrypted before it allows
// PLAIN or LOGIN authentication.
func (ml *Mailer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	netDialer := &net.Dialer{Timeout: ml.s.timeout}
	if ml.s.tlsMode == TLSImplicit {
		tlsDialer := &tls.Dialer{NetDialer: netDialer, Config: ml.s.tlsConfig}
		return tlsDialer.DialContext(ctx, network, addr)
	}
	return netDialer.DialContext(ctx, network, addr)
}

// clientOptions turns the settings into go-mail options for one Send.
func (ml *Mailer) clientOptions(dial gomail.DialContextFunc) []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(ml.s.port),
		gomail.WithTimeout(ml.s.timeout),
		gomail.WithTLSConfig(ml.s.tlsConfig),
		gomail.WithDialContextFunc(dial),
	}
	switch ml.s.tlsMode {
	case TLSImplicit:
		// TLS is done by dial; WithSSL only stops go-mail from attempting
		// STARTTLS inside the TLS session.
		opts = append(opts, gomail.WithSSL(), gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if ml.s.helo != "" {
		opts = append(opts, gomail.WithHELO(ml.s.helo))
	}
	if ml.s.username != "" {
		opts = append(opts, gomail.WithUsername(ml.s.username), gomail.WithPassword(ml.s.password))
		// The plain PLAIN and LOGIN variants (not the -NOENC ones) refuse
		// to run over a clear connection to anything but localhost.
		switch ml.s.auth {
		case AuthPlain:
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain))
		case AuthLogin:
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthLogin))
		default:
			opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin))
		}
	}
	return opts
}

// compose builds the MIME message: multipart/alternative with a text/plain and
// a text/html part, or a single text/plain part when m.HTML is empty. Errors
// are permanent: the message itself is wrong.
func (ml *Mailer) compose(m ports.Message) (*gomail.Msg, error) {
	// A line break in a header is refused although go-mail would encode it:
	// such input is a bug worth reporting.
	to, err := mailcheck.Recipient(m)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}

	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	msg.FromMailAddress(ml.s.from)
	msg.ToMailAddress(to)
	msg.Subject(m.Subject)
	msg.SetDateWithValue(ml.s.clock.Now())
	id, err := messageID(ml.s.fromDomain)
	if err != nil {
		return nil, err
	}
	msg.SetMessageIDWithValue(id)
	switch {
	case m.HTML == "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	case m.Text == "":
		msg.SetBodyString(gomail.TypeTextHTML, m.HTML)
	default:
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// messageID returns a globally unique Message-ID local part and domain: 128
// random bits at the sender's domain (go-mail's default uses the host name of
// the machine, which leaks it and may not be a domain at all).
func messageID(domain string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("smtp: message id: %w", err)
	}
	return hex.EncodeToString(b[:]) + "@" + domain, nil
}
