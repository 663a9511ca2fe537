package smtp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// TLSMode says how the connection to the SMTP server is encrypted.
type TLSMode int

const (
	// TLSStartTLS connects in clear and upgrades with STARTTLS before anything
	// else is said; a server that does not offer STARTTLS is refused. This is
	// the default (the zero value), for submission on port 587.
	TLSStartTLS TLSMode = iota
	// TLSImplicit speaks TLS from the first byte, for port 465.
	TLSImplicit
	// TLSNone sends everything in clear. Only for a local relay or a test
	// server; with credentials it is accepted for a loopback host only.
	TLSNone
)

// String names the mode, for configuration errors and logs.
func (m TLSMode) String() string {
	switch m {
	case TLSStartTLS:
		return "starttls"
	case TLSImplicit:
		return "implicit"
	case TLSNone:
		return "none"
	default:
		return fmt.Sprintf("TLSMode(%d)", int(m))
	}
}

// AuthMechanism selects the SMTP AUTH mechanism used when Config.Username is set.
type AuthMechanism int

const (
	// AuthAuto uses PLAIN when the server offers it, else LOGIN (else the
	// strongest mechanism the server offers). The default.
	AuthAuto AuthMechanism = iota
	// AuthPlain forces SASL PLAIN (RFC 4616).
	AuthPlain
	// AuthLogin forces the LOGIN mechanism that some older servers require.
	AuthLogin
)

// Default ports per TLS mode, used when Config.Port is zero.
const (
	defaultSubmissionPort = 587
	defaultImplicitPort   = 465
	defaultPlainPort      = 25
	// defaultTimeout bounds the dial and each SMTP command when Config.Timeout
	// is zero: long enough for a slow provider, short enough that a request
	// waiting on a mail does not hang.
	defaultTimeout = 10 * time.Second
)

// Config configures a Mailer. Host and From are required; every other field
// has a working zero value.
type Config struct {
	// Host is the SMTP server's host name (also the TLS server name unless
	// TLSConfig.ServerName is set).
	Host string
	// Port defaults to 587 (TLSStartTLS), 465 (TLSImplicit) or 25 (TLSNone).
	Port int
	// Username and Password enable SMTP AUTH when Username is set.
	Username string
	Password string
	// From is the sender: "no-reply@example.in" or
	// "BharatAuth <no-reply@example.in>"; a non-ASCII display name is encoded.
	From string
	// TLS is the encryption mode; the zero value is TLSStartTLS (required).
	TLS TLSMode
	// Auth is the AUTH mechanism; the zero value is AuthAuto.
	Auth AuthMechanism
	// Timeout (default 10 s) bounds the connection set-up (dial, greeting,
	// STARTTLS, AUTH) and, separately, the mail transaction. The context
	// given to Send bounds the whole exchange on top of it.
	Timeout time.Duration
	// TLSConfig is optional: custom RootCAs or ServerName (for tests or a
	// private CA). It is cloned; MinVersion defaults to TLS 1.2.
	TLSConfig *tls.Config
	// HELO is the name sent in EHLO; defaults to the local host name.
	HELO string
	// Clock stamps the Date header; defaults to ports.SystemClock.
	Clock ports.Clock
}

// ErrInvalidConfig is wrapped by every configuration error New returns.
var ErrInvalidConfig = errors.New("smtp: invalid config")

// settings is a validated Config with its defaults applied.
type settings struct {
	host       string
	port       int
	username   string
	password   string
	from       *mail.Address
	fromDomain string
	tlsMode    TLSMode
	auth       AuthMechanism
	timeout    time.Duration
	tlsConfig  *tls.Config
	helo       string
	clock      ports.Clock
}

func configError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
}

// validate checks cfg and fills in the defaults. Its errors never quote the
// password.
func validate(cfg Config) (settings, error) {
	s := settings{
		host:     strings.TrimSpace(cfg.Host),
		port:     cfg.Port,
		username: cfg.Username,
		password: cfg.Password,
		tlsMode:  cfg.TLS,
		auth:     cfg.Auth,
		timeout:  cfg.Timeout,
		helo:     cfg.HELO,
		clock:    cfg.Clock,
	}
	if s.host == "" {
		return settings{}, configError("Host is required")
	}
	if strings.ContainsAny(s.host, " /:\r\n") && net.ParseIP(s.host) == nil {
		return settings{}, configError("Host %q is not a host name (give the port in Port)", s.host)
	}
	switch s.tlsMode {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return settings{}, configError("unknown TLS mode %d", int(s.tlsMode))
	}
	switch s.auth {
	case AuthAuto, AuthPlain, AuthLogin:
	default:
		return settings{}, configError("unknown auth mechanism %d", int(s.auth))
	}
	if s.port == 0 {
		s.port = defaultPort(s.tlsMode)
	}
	if s.port < 1 || s.port > 65535 {
		return settings{}, configError("Port %d is out of range 1-65535", s.port)
	}
	if s.timeout == 0 {
		s.timeout = defaultTimeout
	}
	if s.timeout < 0 {
		return settings{}, configError("Timeout must not be negative")
	}
	if s.username == "" && s.password != "" {
		return settings{}, configError("Password is set but Username is empty")
	}
	if s.username != "" && s.password == "" {
		return settings{}, configError("Username is set but Password is empty")
	}
	if s.username != "" && s.tlsMode == TLSNone && !isLoopback(s.host) {
		return settings{}, configError("TLS mode none with credentials is refused for non-loopback host %q: the password would travel in clear", s.host)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return settings{}, configError("From %q is not an email address: %v", cfg.From, err)
	}
	s.from = from
	s.fromDomain = from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	if cfg.TLSConfig != nil {
		s.tlsConfig = cfg.TLSConfig.Clone()
	} else {
		s.tlsConfig = &tls.Config{}
	}
	if s.tlsConfig.ServerName == "" {
		s.tlsConfig.ServerName = s.host
	}
	if s.tlsConfig.MinVersion == 0 {
		s.tlsConfig.MinVersion = tls.VersionTLS12
	}
	if s.clock == nil {
		s.clock = ports.SystemClock{}
	}
	return s, nil
}

func defaultPort(mode TLSMode) int {
	switch mode {
	case TLSImplicit:
		return defaultImplicitPort
	case TLSNone:
		return defaultPlainPort
	default:
		return defaultSubmissionPort
	}
}

// isLoopback reports whether host names this machine, the one case where a
// clear-text connection cannot be sniffed on a network. The set is the one
// go-mail's PLAIN and LOGIN accept without TLS, so that a configuration New
// accepts is one Send can use.
func isLoopback(host string) bool {
	switch strings.ToLower(host) {
	case "localhost", "127.0.0.1", "::1":
		return true
	default:
		return false
	}
}
