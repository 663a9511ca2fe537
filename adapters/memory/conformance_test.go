package memory_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	porttest.Run(t, porttest.Harness{
		NewStorage: func(*testing.T) ports.Storage { return memory.New() },
		NewLimiter: func(*testing.T) ports.RateLimiter { return memory.NewLimiter() },
	})
}

func TestMailerConformance(t *testing.T) {
	t.Parallel()
	t.Run("Outbox", func(t *testing.T) {
		porttest.Mailer(t, porttest.MailerHarness{
			NewMailer: func(*testing.T) (ports.Mailer, func() []ports.Message) {
				o := memory.NewOutbox()
				return o, o.Messages
			},
			NewRefusingMailer: func(*testing.T) ports.Mailer { return failingOutbox(errors.New("550 5.1.1 no such user")) },
			NewDeferringMailer: func(*testing.T) ports.Mailer {
				return failingOutbox(fmt.Errorf("451 4.7.1 greylisted: %w", ports.ErrUnavailable))
			},
		})
	})
	t.Run("ConsoleMailer", func(t *testing.T) {
		porttest.Mailer(t, porttest.MailerHarness{
			NewMailer: func(*testing.T) (ports.Mailer, func() []ports.Message) {
				var out bytes.Buffer
				return memory.NewConsoleMailer(&out), func() []ports.Message { return printed(out.String()) }
			},
			// A console mailer only fails to write, which is worth retrying.
			NewDeferringMailer: func(*testing.T) ports.Mailer { return memory.NewConsoleMailer(failingWriter{}) },
			TextOnly:           true,
		})
	})
}

// failingOutbox is an Outbox whose every send fails with err.
func failingOutbox(err error) *memory.Outbox {
	o := memory.NewOutbox()
	o.FailWith(err)
	return o
}

// printed reads back the emails a ConsoleMailer printed.
func printed(out string) []ports.Message {
	var msgs []ports.Message
	for _, email := range strings.SplitAfter(out, "----- end -----\n") {
		if email == "" {
			continue
		}
		email = strings.TrimPrefix(email, "----- email -----\n")
		header, text, _ := strings.Cut(email, "\n\n")
		to, subject, _ := strings.Cut(header, "\n")
		m := ports.Message{
			To:      strings.TrimPrefix(to, "To: "),
			Subject: strings.TrimPrefix(subject, "Subject: "),
			Text:    strings.TrimSuffix(text, "\n----- end -----\n"),
		}
		if name, addr, named := strings.Cut(m.To, " <"); named {
			m.ToName, m.To = name, strings.TrimSuffix(addr, ">")
		}
		msgs = append(msgs, m)
	}
	return msgs
}
