package porttest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// assertNoSMSContent checks that err carries neither the code nor the number.
func assertNoSMSContent(t *testing.T, err error) {
	t.Helper()
	assert.NotContains(t, err.Error(), smsCode, "an error must not carry the SMS text")
	assert.NotContains(t, err.Error(), smsNumber[3:], "an error must not carry the phone number")
}

func testSMSDeliversMessage(t *testing.T, h SMSSenderHarness) {
	sender, received := h.NewSender(t)
	m := signinSMS()
	require.NoError(t, sender.SendSMS(t.Context(), m))
	assert.Equal(t, []ports.SMS{h.arrived(m)}, received())
}

func testSMSWithoutTemplate(t *testing.T, h SMSSenderHarness) {
	sender, received := h.NewSender(t)
	m := ports.SMS{To: "+447700900123", Text: "Your BharatAuth code is " + smsCode + ".\n@example.in #" + smsCode, Kind: "verify_phone"}
	require.NoError(t, sender.SendSMS(t.Context(), m))
	assert.Equal(t, []ports.SMS{h.arrived(m)}, received())
}

func testSMSCancelled(t *testing.T, h SMSSenderHarness) {
	sender, received := h.NewSender(t)
	assertCancelled(t, sender.SendSMS(cancelled(t), signinSMS()))
	assert.Empty(t, received())
}

func testSMSRefusalIsPermanent(t *testing.T, h SMSSenderHarness) {
	err := h.NewRefusingSender(t).SendSMS(t.Context(), signinSMS())
	require.Error(t, err)
	assert.NotErrorIs(t, err, ports.ErrUnavailable, "sending again would be refused again")
	assertNoSMSContent(t, err)
}

func testSMSDeferralIsUnavailable(t *testing.T, h SMSSenderHarness) {
	err := h.NewDeferringSender(t).SendSMS(t.Context(), signinSMS())
	require.Error(t, err)
	assert.ErrorIs(t, err, ports.ErrUnavailable, "sending again later may succeed")
	assertNoSMSContent(t, err)
}

func testSMSParallelSends(t *testing.T, h SMSSenderHarness) {
	const senders = 8
	sender, received := h.NewSender(t)
	want := make([]ports.SMS, senders)
	errs := make([]error, senders)
	for i := range want {
		want[i] = signinSMS()
		want[i].To = fmt.Sprintf("+91987654321%d", i)
	}
	Together(senders, func(i int) { errs[i] = sender.SendSMS(t.Context(), want[i]) })
	for i, err := range errs {
		require.NoError(t, err, "send %d", i)
		want[i] = h.arrived(want[i])
	}
	assert.ElementsMatch(t, want, received())
}

func testSMSRefusesMalformed(t *testing.T, h SMSSenderHarness) {
	sender, received := h.NewSender(t)
	cases := []struct {
		name  string
		spoil func(*ports.SMS)
	}{
		{"no number", func(m *ports.SMS) { m.To = "" }},
		{"a national number without its country code", func(m *ports.SMS) { m.To = "9876543210" }},
		{"spaces in the number", func(m *ports.SMS) { m.To = "+91 98765 43210" }},
		{"letters in the number", func(m *ports.SMS) { m.To = "+91987654321O" }},
		{"a country code starting with 0", func(m *ports.SMS) { m.To = "+0919876543210" }},
		{"more than 15 digits", func(m *ports.SMS) { m.To = "+9198765432101234" }},
		{"a line break after the number", func(m *ports.SMS) { m.To = smsNumber + "\n" }},
		{"no text", func(m *ports.SMS) { m.Text = "" }},
		{"a blank text", func(m *ports.SMS) { m.Text = " \n " }},
	}
	for _, c := range cases {
		m := signinSMS()
		c.spoil(&m)
		err := sender.SendSMS(t.Context(), m)
		if !assert.Error(t, err, c.name) {
			continue
		}
		assert.NotErrorIs(t, err, ports.ErrUnavailable, "%s: a malformed SMS stays malformed", c.name)
		assert.NotContains(t, err.Error(), smsCode, "%s: an error must not carry the SMS text", c.name)
	}
	assert.Empty(t, received(), "a malformed SMS is never sent")
}
