// Package smtp is the SMTP implementation of ports.Mailer: it delivers
// BharatAuth's emails (OTP codes, verification and reset links, security
// alerts) through any SMTP submission server.
//
// It is built on github.com/wneessen/go-mail, chosen because it already does
// the parts that are easy to get subtly wrong by hand: multipart/alternative
// MIME with quoted-printable UTF-8 bodies, RFC 2047 encoded subjects and
// display names (a Hindi subject such as "आपका OTP कोड" survives), a STARTTLS
// policy that refuses to continue when the server does not offer STARTTLS,
// implicit TLS, PLAIN/LOGIN authentication that never runs over a clear
// connection to a remote host, and typed SMTP reply codes for error mapping.
//
// # Security
//
// The default TLS mode is TLSStartTLS and it is mandatory: when the server does
// not offer STARTTLS, Send fails before any credential is sent. TLSImplicit
// speaks TLS from the first byte (port 465). TLSNone is plain text and must be
// chosen explicitly; with credentials it is only accepted for a loopback host
// (a local relay), so a password never crosses a network in clear.
//
// # Connections and timeouts
//
// Every Send opens one connection, delivers one message and closes it. An
// authentication mail is rare and latency-tolerant, and a fresh connection
// cannot be left half-broken by an earlier failure, so no pool is kept; Mailer
// is safe for concurrent use. Config.Timeout is a socket deadline that go-mail
// sets twice: once for the connection set-up (dial, greeting, EHLO, STARTTLS,
// AUTH) and once for the mail transaction (MAIL, RCPT, DATA), so a server that
// stalls anywhere is given up on after at most about twice Timeout. The
// context passed to Send bounds the whole exchange on top of that: when it is
// cancelled or its deadline passes, the connection is closed at once.
//
// Files: config.go holds Config and its validation; mailer.go builds and sends
// the message; errors.go classifies failures.
//
// # Errors
//
// Send returns an error wrapping ports.ErrUnavailable when a retry may succeed:
// connection refused or reset, timeouts, a cancelled context (which is wrapped
// too, so errors.Is(err, context.DeadlineExceeded) holds), and 4xx SMTP
// replies such as 421 or 451. Permanent failures are plain errors: 5xx replies
// (a rejected recipient, failed authentication), a server without STARTTLS
// while it is required, an untrusted certificate, an invalid message. Error
// strings never contain the password or the message body. Core retries the
// first kind with backoff through its mail queue and gives the second up at
// once (ports.Mailer says exactly when and how often).
package smtp
