package ses

import (
	"testing"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

// TestConformance runs the Mailer suite against the fake SES endpoint, which
// the real SDK client signs and sends to.
func TestConformance(t *testing.T) {
	t.Parallel()
	opts := Options{From: "भारतऑथ <no-reply@example.in>"}
	porttest.Mailer(t, porttest.MailerHarness{
		NewMailer: func(t *testing.T) (ports.Mailer, func() []ports.Message) {
			f := startFakeSES(t, answer{})
			return newMailer(t, f, opts), func() []ports.Message {
				var msgs []ports.Message
				for _, req := range f.Requests() {
					msgs = append(msgs, sentMessage(t, req.Body))
				}
				return msgs
			}
		},
		NewRefusingMailer: func(t *testing.T) ports.Mailer {
			f := startFakeSES(t, answer{status: 400, errorType: "MessageRejected", body: `{"message":"Email address is not verified."}`})
			return newMailer(t, f, opts)
		},
		NewDeferringMailer: func(t *testing.T) ports.Mailer {
			f := startFakeSES(t, answer{status: 429, errorType: "TooManyRequestsException", body: `{"message":"Too many requests"}`})
			return newMailer(t, f, opts)
		},
		ChecksMessages: true,
	})
}
