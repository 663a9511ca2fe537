package porttest

import (
	"errors"
	"fmt"
	"mime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// MailerHarness makes the mailers Mailer checks, each wired to a receiving
// side the test can read back.
type MailerHarness struct {
	// NewMailer returns a fresh mailer and received, which reports every
	// message the mailer's receiving side (a mail server, an HTTP endpoint,
	// an outbox) accepted so far, decoded back into Messages. The harness
	// cleans up with t.Cleanup.
	NewMailer func(t *testing.T) (mailer ports.Mailer, received func() []ports.Message)
	// NewRefusingMailer returns a mailer whose receiving side refuses every
	// message for good (an SMTP 550, an SES MessageRejected), so that sending
	// fails without wrapping ErrUnavailable. Nil skips the case.
	NewRefusingMailer func(t *testing.T) ports.Mailer
	// NewDeferringMailer returns a mailer whose receiving side turns every
	// message away for now (an SMTP 451, SES throttling, a failed write), so
	// that sending fails wrapping ErrUnavailable. Nil skips the case.
	NewDeferringMailer func(t *testing.T) ports.Mailer
	// TextOnly says that the receiving side sees only the text part (a
	// console mailer prints no HTML), so HTML is not compared.
	TextOnly bool
	// ChecksMessages says that the mailer refuses a malformed message (a bad
	// recipient, a line break in Subject or ToName, a blank Subject, no body)
	// before sending it, with an error that does not wrap ErrUnavailable.
	// Capturing and printing mailers take whatever they are given.
	ChecksMessages bool
}

// mailCode is the secret every test message carries, so that a test can tell
// whether the body leaked into an error.
const mailCode = "482913"

// otpMessage is a one-time-code email in Hindi, as core sends it.
func otpMessage() ports.Message {
	return ports.Message{
		To:      "rahul@example.in",
		ToName:  "राहुल शर्मा",
		Subject: "आपका OTP कोड",
		Text:    "आपका कोड " + mailCode + " है। It expires in 10 minutes.",
		HTML:    "<p>आपका कोड <b>" + mailCode + "</b> है।</p>",
	}
}

// arrived is msg as the receiving side of h can see it.
func (h MailerHarness) arrived(msg ports.Message) ports.Message {
	if h.TextOnly {
		msg.HTML = ""
	}
	return msg
}

// assertNoBody checks that err carries no part of the message body, in clear
// or inside an RFC 2047 encoded-word.
func assertNoBody(t *testing.T, err error) {
	t.Helper()
	text := err.Error()
	assert.NotContains(t, text, mailCode, "an error must not carry the message body")
	if decoded, decodeErr := new(mime.WordDecoder).DecodeHeader(text); decodeErr == nil {
		assert.NotContains(t, decoded, mailCode, "an error must not carry the message body, encoded or not")
	}
}

func testMailerDeliversMessage(t *testing.T, h MailerHarness) {
	mailer, received := h.NewMailer(t)
	msg := otpMessage()
	require.NoError(t, mailer.Send(t.Context(), msg))
	assert.Equal(t, []ports.Message{h.arrived(msg)}, received())
}

func testMailerDeliversTextOnly(t *testing.T, h MailerHarness) {
	mailer, received := h.NewMailer(t)
	msg := otpMessage()
	msg.HTML, msg.ToName = "", ""
	require.NoError(t, mailer.Send(t.Context(), msg))
	assert.Equal(t, []ports.Message{msg}, received())
}

func testMailerCancelled(t *testing.T, h MailerHarness) {
	mailer, received := h.NewMailer(t)
	assertCancelled(t, mailer.Send(cancelled(t), otpMessage()))
	assert.Empty(t, received())
}

func testMailerRefusalIsPermanent(t *testing.T, h MailerHarness) {
	err := h.NewRefusingMailer(t).Send(t.Context(), otpMessage())
	require.Error(t, err)
	assert.NotErrorIs(t, err, ports.ErrUnavailable, "sending again would be refused again")
	assertNoBody(t, err)
}

func testMailerDeferralIsUnavailable(t *testing.T, h MailerHarness) {
	err := h.NewDeferringMailer(t).Send(t.Context(), otpMessage())
	require.Error(t, err)
	assert.ErrorIs(t, err, ports.ErrUnavailable, "sending again later may succeed")
	assertNoBody(t, err)
}

func testMailerParallelSends(t *testing.T, h MailerHarness) {
	const senders = 8
	mailer, received := h.NewMailer(t)
	want := make([]ports.Message, senders)
	errs := make([]error, senders)
	for i := range want {
		want[i] = otpMessage()
		want[i].To = fmt.Sprintf("user%d@example.in", i)
	}
	Together(senders, func(i int) { errs[i] = mailer.Send(t.Context(), want[i]) })
	for i, err := range errs {
		require.NoError(t, err, "send %d", i)
		want[i] = h.arrived(want[i])
	}
	assert.ElementsMatch(t, want, received())
}

func testMailerRefusesMalformed(t *testing.T, h MailerHarness) {
	mailer, received := h.NewMailer(t)
	cases := []struct {
		name  string
		spoil func(*ports.Message)
	}{
		{"recipient is no address", func(m *ports.Message) { m.To = "not an address" }},
		{"no recipient", func(m *ports.Message) { m.To = "" }},
		{"line break in the subject", func(m *ports.Message) { m.Subject = "hi\r\nBcc: x@evil.example" }},
		{"line break in the recipient name", func(m *ports.Message) { m.ToName = "x\nBcc: y@evil.example" }},
		{"blank subject", func(m *ports.Message) { m.Subject = " " }},
		{"no body", func(m *ports.Message) { m.Text, m.HTML = "", "" }},
	}
	for _, c := range cases {
		msg := otpMessage()
		c.spoil(&msg)
		err := mailer.Send(t.Context(), msg)
		if !assert.Error(t, err, c.name) {
			continue
		}
		assert.NotErrorIs(t, err, ports.ErrUnavailable, "%s: a malformed message stays malformed", c.name)
		assertNoBody(t, err)
	}
	assert.Empty(t, received(), "a malformed message is never sent")
}

// AssertSendFailure checks a sender's failed Send (a Mailer's or an
// SMSSender's): it wraps ports.ErrUnavailable exactly when retryable, and its
// text says "temporary failure" exactly then too, so an operator reading the
// log tells a retry from a message given up.
func AssertSendFailure(t *testing.T, err error, retryable bool) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, retryable, errors.Is(err, ports.ErrUnavailable), "error: %v", err)
	if retryable {
		assert.Contains(t, err.Error(), "temporary failure")
	} else {
		assert.NotContains(t, err.Error(), "temporary failure")
	}
}
