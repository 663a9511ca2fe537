package smtp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"syscall"

	gomail "github.com/wneessen/go-mail"

	"github.com/bharatauth/bharatauth-go/ports"
)

// sendError is a delivery failure whose text has been redacted. It unwraps to
// ports.ErrUnavailable (when retryable), to the context error (when ctx
// ended), and to the original cause, so errors.Is and errors.As keep working.
// Its text says "temporary failure" rather than the port sentinel's "store
// unavailable", which would mislead in a mail log.
type sendError struct {
	text   string
	causes []error
}

func (e *sendError) Error() string   { return e.text }
func (e *sendError) Unwrap() []error { return e.causes }

// classify maps a go-mail error to the port's error classes: retryable
// failures wrap ports.ErrUnavailable, permanent ones do not.
func (ml *Mailer) classify(ctx context.Context, err error) error {
	const temporary = "smtp: send: temporary failure: "
	if ctxErr := ctx.Err(); ctxErr != nil {
		// The connection was closed because ctx ended; whatever error
		// go-mail saw is a consequence of that.
		return &sendError{text: temporary + ml.redact(err) + ": " + ctxErr.Error(), causes: []error{ports.ErrUnavailable, ctxErr, err}}
	}
	if retryable(err) {
		return &sendError{text: temporary + ml.redact(err), causes: []error{ports.ErrUnavailable, err}}
	}
	return &sendError{text: "smtp: send: " + ml.redact(err), causes: []error{err}}
}

// retryable reports whether a retry of the same message may succeed.
func retryable(err error) bool {
	if code := replyCode(err); code != 0 {
		// RFC 5321 §4.2.1: 4yz is a transient negative completion, 5yz a
		// permanent one.
		return code >= 400 && code < 500
	}
	// A certificate the client does not trust will not become trusted by
	// retrying; it needs an operator.
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuthority) || errors.As(err, &hostnameErr) {
		return false
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return !dnsErr.IsNotFound
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var sendErr *gomail.SendError
	if errors.As(err, &sendErr) {
		// go-mail's SendError hides its cause; without a reply code the
		// failure was the connection itself (a reset, a timeout at DATA).
		if sendErr.IsTemp() {
			return true
		}
		switch sendErr.Reason {
		case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
			return false // the message, not the connection, is at fault
		default:
			return sendErr.ErrorCode() == 0
		}
	}
	return false
}

// replyCode returns the SMTP reply code carried by err, or 0.
func replyCode(err error) int {
	var protoErr *textproto.Error
	if errors.As(err, &protoErr) {
		return protoErr.Code
	}
	var sendErr *gomail.SendError
	if errors.As(err, &sendErr) {
		return sendErr.ErrorCode()
	}
	return 0
}

// newRedactor builds a replacer that blanks the password, and the base64
// forms in which PLAIN and LOGIN put it on the wire, should a server ever echo
// them into a reply that ends up in an error string.
func newRedactor(username, password string) *strings.Replacer {
	if password == "" {
		return strings.NewReplacer()
	}
	const mask = "[REDACTED]"
	enc := base64.StdEncoding
	return strings.NewReplacer(
		enc.EncodeToString([]byte("\x00"+username+"\x00"+password)), mask,
		enc.EncodeToString([]byte(password)), mask,
		password, mask,
	)
}

// redact renders err on one line (go-mail joins errors with newlines, which
// would split a log entry) without the password.
func (ml *Mailer) redact(err error) string {
	return strings.ReplaceAll(ml.redactor.Replace(fmt.Sprint(err)), "\n", "; ")
}
