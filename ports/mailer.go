package ports

import "context"

// Message is one email.
type Message struct {
	To      string
	ToName  string // optional display name
	Subject string
	Text    string
	HTML    string // optional
}

// Mailer sends one email. Implementations honour ctx's deadline and return an
// error wrapping ErrUnavailable for failures worth retrying (timeouts,
// throttling, 4xx/5xx transient answers).
type Mailer interface {
	Send(ctx context.Context, m Message) error
}
