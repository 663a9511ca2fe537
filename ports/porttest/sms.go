package porttest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bharatauth/bharatauth-go/ports"
)

// SMSSenderHarness makes the senders SMSSender checks, each wired to a
// receiving side the test can read back: the twin of MailerHarness.
type SMSSenderHarness struct {
	// NewSender returns a fresh sender and received, which reports every SMS
	// the sender's receiving side (a provider's HTTP endpoint, a console, an
	// outbox) accepted so far, decoded back into SMS values. The harness
	// cleans up with t.Cleanup.
	NewSender func(t *testing.T) (sender ports.SMSSender, received func() []ports.SMS)
	// NewRefusingSender returns a sender whose receiving side refuses every
	// SMS for good (an invalid or opted-out number, a template the carrier
	// refuses), so that sending fails without wrapping ErrUnavailable. Nil
	// skips the case.
	NewRefusingSender func(t *testing.T) ports.SMSSender
	// NewDeferringSender returns a sender whose receiving side turns every
	// SMS away for now (throttling, a 5xx, a failed write), so that sending
	// fails wrapping ErrUnavailable. Nil skips the case.
	NewDeferringSender func(t *testing.T) ports.SMSSender
	// KindUnseen says that the receiving side never sees SMS.Kind (it never
	// reaches the phone, and a provider's request need not carry it), so Kind
	// is not compared.
	KindUnseen bool
	// ChecksMessages says that the sender refuses a malformed SMS (a number
	// not in E.164 form, a blank text) before sending it, with an error that
	// does not wrap ErrUnavailable. Capturing and printing senders take
	// whatever they are given.
	ChecksMessages bool
}

// smsCode is the secret every test SMS carries, so that a test can tell
// whether the text leaked into an error.
const smsCode = "482913"

// smsNumber is the number every test SMS goes to: a phone number is personal
// data, so errors must not carry it either.
const smsNumber = "+919876543210"

// signinSMS is a sign-in code SMS in Hindi with its WebOTP line and DLT
// template id, as core sends it.
func signinSMS() ports.SMS {
	return ports.SMS{
		To:         smsNumber,
		Text:       smsCode + " आपका BharatAuth लॉगिन कोड है। 10 मिनट में समाप्त।\n@example.in #" + smsCode,
		TemplateID: "1107161234567890123",
		Kind:       "signin_code",
	}
}

// arrived is m as the receiving side of h can see it.
func (h SMSSenderHarness) arrived(m ports.SMS) ports.SMS {
	if h.KindUnseen {
		m.Kind = ""
	}
	return m
}

// assertNoSMSText checks that err does not carry the code.
func assertNoSMSText(t *testing.T, err error) {
	t.Helper()
	assert.NotContains(t, err.Error(), smsCode, "an error must not carry the SMS text")
}

// assertNoSMSContent checks that err carries neither the code nor the number.
func assertNoSMSContent(t *testing.T, err error) {
	t.Helper()
	assertNoSMSText(t, err)
	assert.NotContains(t, err.Error(), smsNumber[3:], "an error must not carry the phone number")
}

// contract is h as the cases it shares with Mailer see it.
func (h SMSSenderHarness) contract() senderContract[ports.SMS] {
	return senderContract[ports.SMS]{
		newSender: func(t *testing.T) (sendFunc[ports.SMS], func() []ports.SMS) {
			sender, received := h.NewSender(t)
			return sender.SendSMS, received
		},
		newRefusing:          func(t *testing.T) sendFunc[ports.SMS] { return h.NewRefusingSender(t).SendSMS },
		newDeferring:         func(t *testing.T) sendFunc[ports.SMS] { return h.NewDeferringSender(t).SendSMS },
		message:              signinSMS,
		readdress:            func(m *ports.SMS, i int) { m.To = fmt.Sprintf("+91987654321%d", i) },
		arrived:              h.arrived,
		assertNoText:         assertNoSMSText,
		assertNothingPrivate: assertNoSMSContent,
		malformed: []spoiled[ports.SMS]{
			{"no number", func(m *ports.SMS) { m.To = "" }},
			{"a national number without its country code", func(m *ports.SMS) { m.To = "9876543210" }},
			{"spaces in the number", func(m *ports.SMS) { m.To = "+91 98765 43210" }},
			{"letters in the number", func(m *ports.SMS) { m.To = "+91987654321O" }},
			{"a country code starting with 0", func(m *ports.SMS) { m.To = "+0919876543210" }},
			{"more than 15 digits", func(m *ports.SMS) { m.To = "+9198765432101234" }},
			{"a line break after the number", func(m *ports.SMS) { m.To = smsNumber + "\n" }},
			{"no text", func(m *ports.SMS) { m.Text = "" }},
			{"a blank text", func(m *ports.SMS) { m.Text = " \n " }},
		},
	}
}

func testSMSWithoutTemplate(t *testing.T, c senderContract[ports.SMS]) {
	assertArrivesAsSent(t, c, ports.SMS{To: "+447700900123", Text: "Your BharatAuth code is " + smsCode + ".\n@example.in #" + smsCode, Kind: "verify_phone"})
}
