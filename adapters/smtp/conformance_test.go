package smtp

import (
	"testing"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

// TestConformance runs the Mailer suite against the in-process SMTP server,
// over STARTTLS with a login, as in production.
func TestConformance(t *testing.T) {
	t.Parallel()
	porttest.Mailer(t, porttest.MailerHarness{
		NewMailer: func(t *testing.T) (ports.Mailer, func() []ports.Message) {
			ts, mailer := startAuthed(t, serverConfig{})
			return mailer, func() []ports.Message {
				var msgs []ports.Message
				for _, m := range ts.received() {
					msg, _ := parseMail(t, m.data)
					msgs = append(msgs, msg)
				}
				return msgs
			}
		},
		NewRefusingMailer: func(t *testing.T) ports.Mailer {
			_, mailer := startAuthed(t, serverConfig{rcptError: &gosmtp.SMTPError{
				Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user",
			}})
			return mailer
		},
		NewDeferringMailer: func(t *testing.T) ports.Mailer {
			_, mailer := startAuthed(t, serverConfig{dataError: &gosmtp.SMTPError{
				Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 7, 1}, Message: "Greylisted, try again later",
			}})
			return mailer
		},
		ChecksMessages: true,
	})
}
