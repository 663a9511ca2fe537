// Package mailcheck holds the checks every Mailer makes on a message before
// it sends it. It lives beside package ports, not in it, so that ports keeps
// to the packages of the standard library that need no network code.
package mailcheck

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Recipient checks that m can be sent and returns its recipient: To parsed
// as an address, named ToName when that is set. Every Mailer checks a message
// this way before it sends: the subject and the name must be single lines (a
// line break in a header would let a caller inject headers), the subject
// must not be blank and there must be a body. An error is permanent: the
// message itself is wrong.
func Recipient(m ports.Message) (*mail.Address, error) {
	to, err := mail.ParseAddress(strings.TrimSpace(m.To))
	if err != nil {
		return nil, fmt.Errorf("invalid recipient address: %w", err)
	}
	if m.ToName != "" {
		to.Name = m.ToName
	}
	if strings.ContainsAny(m.Subject, "\r\n") || strings.ContainsAny(to.Name, "\r\n") {
		return nil, errors.New("subject and recipient name must be single lines")
	}
	if strings.TrimSpace(m.Subject) == "" {
		return nil, errors.New("subject is required")
	}
	if m.Text == "" && m.HTML == "" {
		return nil, errors.New("message has no body")
	}
	return to, nil
}
