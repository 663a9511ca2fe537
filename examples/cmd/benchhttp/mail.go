package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
)

// email is one message the server's console mailer printed.
type email struct {
	To, Subject, Text string
}

// mailbox reads the emails MAILER=console prints to the server's stdout, so
// the setup signs users up through the API alone: the verification link and
// the sign-in code are read from it like a user reads their inbox.
type mailbox struct {
	mu       sync.Mutex
	messages []email
	arrived  chan struct{} // closed and replaced when a message arrives
}

func newMailbox() *mailbox { return &mailbox{arrived: make(chan struct{})} }

// read parses the console mailer's output until r ends:
//
//	----- email -----
//	To: someone@example.in
//	Subject: …
//
//	text
//	----- end -----
//
// Everything outside such blocks is skipped.
func (m *mailbox) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var (
		in   bool
		cur  email
		body strings.Builder
	)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "----- email -----":
			in, cur = true, email{}
			body.Reset()
		case !in:
		case line == "----- end -----":
			in = false
			cur.Text = body.String()
			m.add(cur)
		case cur.To == "" && strings.HasPrefix(line, "To: "):
			cur.To = strings.TrimPrefix(line, "To: ")
		case cur.Subject == "" && strings.HasPrefix(line, "Subject: "):
			cur.Subject = strings.TrimPrefix(line, "Subject: ")
		default:
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
}

func (m *mailbox) add(e email) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.messages = append(m.messages, e)
	close(m.arrived)
	m.arrived = make(chan struct{})
}

// await returns the first submatch of re in the first email to `to` whose
// subject contains subject, waiting for it until ctx ends (emails go out
// after the answer).
func (m *mailbox) await(ctx context.Context, to, subject string, re *regexp.Regexp) (string, error) {
	for {
		m.mu.Lock()
		for _, e := range m.messages {
			if e.To != to || !strings.Contains(e.Subject, subject) {
				continue
			}
			if sub := re.FindStringSubmatch(e.Text); sub != nil {
				m.mu.Unlock()
				return sub[1], nil
			}
		}
		arrived := m.arrived
		m.mu.Unlock()
		select {
		case <-arrived:
		case <-ctx.Done():
			return "", fmt.Errorf("no email %q to %s: %w", subject, to, ctx.Err())
		}
	}
}
