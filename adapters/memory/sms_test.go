package memory_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestSMSSenderConformance(t *testing.T) {
	t.Parallel()
	t.Run("SMSOutbox", func(t *testing.T) {
		porttest.SMSSender(t, porttest.SMSSenderHarness{
			NewSender: func(*testing.T) (ports.SMSSender, func() []ports.SMS) {
				o := memory.NewSMSOutbox()
				return o, o.Messages
			},
			NewRefusingSender: func(*testing.T) ports.SMSSender {
				return failingSMSOutbox(errors.New("InvalidParameter: the number is not valid"))
			},
			NewDeferringSender: func(*testing.T) ports.SMSSender {
				return failingSMSOutbox(fmt.Errorf("Throttled: %w", ports.ErrUnavailable))
			},
		})
	})
	t.Run("ConsoleSMS", func(t *testing.T) {
		porttest.SMSSender(t, porttest.SMSSenderHarness{
			NewSender: func(*testing.T) (ports.SMSSender, func() []ports.SMS) {
				var out lockedBuffer
				return memory.NewConsoleSMS(&out), func() []ports.SMS { return printedSMS(out.String()) }
			},
			// A console sender only fails to write, which is worth retrying.
			NewDeferringSender: func(*testing.T) ports.SMSSender { return memory.NewConsoleSMS(failingWriter{}) },
		})
	})
}

// failingSMSOutbox is an SMSOutbox whose every send fails with err.
func failingSMSOutbox(err error) *memory.SMSOutbox {
	o := memory.NewSMSOutbox()
	o.FailWith(err)
	return o
}

// printedSMS reads back the SMS a ConsoleSMS printed.
func printedSMS(out string) []ports.SMS {
	var msgs []ports.SMS
	for _, block := range strings.SplitAfter(out, "----- end -----\n") {
		if block == "" {
			continue
		}
		block = strings.TrimPrefix(block, "----- sms -----\n")
		header, text, _ := strings.Cut(block, "\n\n")
		m := ports.SMS{Text: strings.TrimSuffix(text, "\n----- end -----\n")}
		for _, line := range strings.Split(header, "\n") {
			name, value, _ := strings.Cut(line, ": ")
			switch name {
			case "To":
				m.To = value
			case "Kind":
				m.Kind = value
			case "Template":
				m.TemplateID = value
			}
		}
		msgs = append(msgs, m)
	}
	return msgs
}

func TestConsoleSMS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sms  ports.SMS
		want string
	}{
		{"every field",
			ports.SMS{To: "+919876543210", Kind: "signin_code", TemplateID: "1107161234567890123", Text: "482913 is your code.\n@example.in #482913"},
			"----- sms -----\nTo: +919876543210\nKind: signin_code\nTemplate: 1107161234567890123\n\n482913 is your code.\n@example.in #482913\n----- end -----\n"},
		{"no template id or kind, text ending in a newline",
			ports.SMS{To: "+447700900123", Text: "Code 482913\n"},
			"----- sms -----\nTo: +447700900123\n\nCode 482913\n----- end -----\n"},
		{"Hindi text prints as it is",
			ports.SMS{To: "+919876543210", Kind: "signin_code", Text: "482913 आपका लॉगिन कोड है।"},
			"----- sms -----\nTo: +919876543210\nKind: signin_code\n\n482913 आपका लॉगिन कोड है।\n----- end -----\n"},
		{"a line break in a header value is quoted, not obeyed",
			ports.SMS{To: "+91\nKind: forged", Kind: "x\r\ny", TemplateID: "1\n2", Text: "t"},
			"----- sms -----\nTo: \"+91\\nKind: forged\"\nKind: \"x\\r\\ny\"\nTemplate: \"1\\n2\"\n\nt\n----- end -----\n"},
		{"terminal escapes and bad UTF-8 in the text are printed as escapes, tabs and line breaks kept",
			ports.SMS{To: "+919876543210", Text: "a\x1b[2Jb\tc\nd\xffe\r\n"},
			"----- sms -----\nTo: +919876543210\n\na\\x1b[2Jb\tc\nd\\xffe\\r\n----- end -----\n"},
		{"a backslash stays a backslash beside an escaped control character; Devanagari joiners stay",
			ports.SMS{To: "+919876543210", Text: "a\\tb\x07 क्\u200dष\u0085"},
			"----- sms -----\nTo: +919876543210\n\na\\tb\\a क्\u200dष\\u0085\n----- end -----\n"},
		{"empty values print nothing harmful",
			ports.SMS{},
			"----- sms -----\nTo: \n\n\n----- end -----\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			require.NoError(t, memory.NewConsoleSMS(&buf).SendSMS(t.Context(), tt.sms))
			assert.Equal(t, tt.want, buf.String())
		})
	}
}

func TestConsoleSMSWriteFailure(t *testing.T) {
	t.Parallel()
	err := memory.NewConsoleSMS(failingWriter{}).SendSMS(t.Context(), ports.SMS{To: "+919876543210", Text: "482913"})
	require.ErrorIs(t, err, ports.ErrUnavailable)
	assert.NotContains(t, err.Error(), "482913")
}

func TestConsoleSMSDoesNotInterleave(t *testing.T) {
	t.Parallel()
	var out lockedBuffer
	c := memory.NewConsoleSMS(&out)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			assert.NoError(t, c.SendSMS(t.Context(), ports.SMS{To: fmt.Sprintf("+9198765432%02d", i), Text: "line one\nline two"}))
		})
	}
	wg.Wait()
	assertOneWritePerSend(t, &out, 20, "----- sms -----\n", "\n\nline one\nline two\n----- end -----\n")
}

func TestSMSOutbox(t *testing.T) {
	t.Parallel()
	o := memory.NewSMSOutbox()
	ctx := t.Context()
	require.NoError(t, o.SendSMS(ctx, ports.SMS{To: "+919876543210", Text: "one"}))
	require.NoError(t, o.SendSMS(ctx, ports.SMS{To: "+447700900123", Text: "other"}))
	require.NoError(t, o.SendSMS(ctx, ports.SMS{To: "+919876543210", Text: "two"}))
	assert.Equal(t, 3, o.Len())
	last, ok := o.Last("+919876543210")
	require.True(t, ok)
	assert.Equal(t, "two", last.Text)
	_, ok = o.Last("+910000000000")
	assert.False(t, ok)
	msgs := o.Messages()
	msgs[0].Text = "changed"
	assert.Equal(t, "one", o.Messages()[0].Text, "Messages returns a copy")

	o.FailWith(fmt.Errorf("down: %w", ports.ErrUnavailable))
	assert.ErrorIs(t, o.SendSMS(ctx, ports.SMS{To: "+919876543210"}), ports.ErrUnavailable)
	assert.Equal(t, 3, o.Len(), "a failed send records nothing")
	o.Reset()
	assert.Zero(t, o.Len())
	o.FailWith(nil)
	require.NoError(t, o.SendSMS(ctx, ports.SMS{To: "+919876543210"}))
	assert.Equal(t, 1, o.Len())
}

func ExampleConsoleSMS() {
	sender := memory.NewConsoleSMS(os.Stdout)
	_ = sender.SendSMS(context.Background(), ports.SMS{
		To:         "+919876543210",
		Kind:       "signin_code",
		TemplateID: "1107161234567890123",
		Text:       "482913 is your BharatAuth sign-in code.\n@example.in #482913",
	})
	// Output:
	// ----- sms -----
	// To: +919876543210
	// Kind: signin_code
	// Template: 1107161234567890123
	//
	// 482913 is your BharatAuth sign-in code.
	// @example.in #482913
	// ----- end -----
}
