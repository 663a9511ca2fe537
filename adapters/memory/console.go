package memory

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/bharatauth/bharatauth-go/ports"
)

// ConsoleMailer is a ports.Mailer for local development: it prints each email
// (recipient, subject, then the text body) to a writer instead of sending it,
// so the quickstart needs no mail server. Each email is written whole with a
// single Write under a lock, so concurrent emails never interleave. The HTML
// part is not printed; the text part carries the same code or link.
type ConsoleMailer struct {
	mu sync.Mutex
	w  io.Writer
}

// NewConsoleMailer returns a ConsoleMailer printing to w (os.Stdout, say).
func NewConsoleMailer(w io.Writer) *ConsoleMailer {
	return &ConsoleMailer{w: w}
}

// Send prints m. A failed write is returned wrapped in ports.ErrUnavailable.
func (c *ConsoleMailer) Send(ctx context.Context, m ports.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var b strings.Builder
	to := m.To
	if m.ToName != "" {
		to = fmt.Sprintf("%s <%s>", m.ToName, m.To)
	}
	fmt.Fprintf(&b, "----- email -----\nTo: %s\nSubject: %s\n\n%s", to, m.Subject, m.Text)
	if !strings.HasSuffix(m.Text, "\n") {
		b.WriteByte('\n')
	}
	b.WriteString("----- end -----\n")
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := io.WriteString(c.w, b.String()); err != nil {
		return fmt.Errorf("memory: console mailer: %w: %w", ports.ErrUnavailable, err)
	}
	return nil
}
