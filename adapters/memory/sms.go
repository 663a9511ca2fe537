package memory

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/bharatauth/bharatauth-go/ports"
)

// ConsoleSMS is a ports.SMSSender for local development: it prints each SMS
// (number, kind, DLT template id, then the text) to a writer instead of
// sending it, so the quickstart needs no SMS provider. Each SMS is written
// whole with a single Write under a lock, so concurrent messages never
// interleave. It prints whatever it is given: a header value with a control
// character is printed quoted and a control character in the text (other
// than a line break or tab) as an escape, so no input can forge lines or
// drive the terminal. It fails only when the writer does.
type ConsoleSMS struct {
	mu sync.Mutex
	w  io.Writer
}

// NewConsoleSMS returns a ConsoleSMS printing to w (os.Stdout, say).
func NewConsoleSMS(w io.Writer) *ConsoleSMS {
	return &ConsoleSMS{w: w}
}

// SendSMS prints m. A failed write is returned wrapped in
// ports.ErrUnavailable, without the text.
func (c *ConsoleSMS) SendSMS(ctx context.Context, m ports.SMS) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("----- sms -----\nTo: " + headerValue(m.To) + "\n")
	if m.Kind != "" {
		b.WriteString("Kind: " + headerValue(m.Kind) + "\n")
	}
	if m.TemplateID != "" {
		b.WriteString("Template: " + headerValue(m.TemplateID) + "\n")
	}
	text := printableText(m.Text)
	b.WriteString("\n" + text)
	if !strings.HasSuffix(text, "\n") {
		b.WriteByte('\n')
	}
	b.WriteString("----- end -----\n")
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := io.WriteString(c.w, b.String()); err != nil {
		return fmt.Errorf("memory: console SMS: %w: %w", ports.ErrUnavailable, err)
	}
	return nil
}

// headerValue is v on one line: as it is when every character is graphic,
// else Go-quoted (so "+91\nKind: x" cannot add a header line).
func headerValue(v string) string {
	for _, r := range v {
		if !unicode.IsGraphic(r) || r == utf8Error {
			return strconv.QuoteToGraphic(v)
		}
	}
	return v
}

// utf8Error is what ranging over a string yields for a byte that is not
// UTF-8.
const utf8Error = utf8.RuneError

// printableText is text with every control character but a line break or a
// tab written as a Go escape (\r, \x1b), and every byte that is not UTF-8 as
// \xNN. Everything else, Devanagari and its joiners included, stays as it is.
func printableText(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, text[i])
		case r == '\n' || r == '\t' || !unicode.IsControl(r):
			b.WriteString(text[i : i+size])
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += size
	}
	return b.String()
}

// SMSOutbox is a capturing ports.SMSSender for tests, the twin of Outbox: it
// records every SMS it is asked to send, so a test can read the code a flow
// texted. It is safe for concurrent use.
type SMSOutbox struct {
	r recorder[ports.SMS]
}

// NewSMSOutbox returns an empty SMSOutbox.
func NewSMSOutbox() *SMSOutbox { return &SMSOutbox{} }

// SendSMS records m, or returns the error set by FailWith without recording.
func (o *SMSOutbox) SendSMS(ctx context.Context, m ports.SMS) error { return o.r.record(ctx, m) }

// Messages returns a copy of every recorded SMS, oldest first.
func (o *SMSOutbox) Messages() []ports.SMS { return o.r.all() }

// Last returns the newest SMS to the number to (E.164, compared exactly).
func (o *SMSOutbox) Last(to string) (ports.SMS, bool) {
	return o.r.last(func(m ports.SMS) bool { return m.To == to })
}

// Len returns how many SMS were recorded.
func (o *SMSOutbox) Len() int { return o.r.len() }

// Reset forgets every recorded SMS. A failure set by FailWith stays.
func (o *SMSOutbox) Reset() { o.r.reset() }

// FailWith makes every later SendSMS return err (a test of an SMS outage
// should wrap ports.ErrUnavailable); nil makes SendSMS record again.
func (o *SMSOutbox) FailWith(err error) { o.r.failWith(err) }
