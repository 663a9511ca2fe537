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

// Mailer sends one email. Implementations honour ctx's deadline (core gives a
// send 15 seconds) and return an error wrapping ErrUnavailable for a failure
// that may pass if the same message is sent again later: a timeout, a refused
// or reset connection, throttling, an SMTP 4xx reply. Any other error is
// permanent (an SMTP 5xx reply, a rejected address, bad credentials) and the
// message is given up at once. With a MailQueue, core sends a message again
// after a failure wrapping ErrUnavailable (or context.DeadlineExceeded):
// after 15–30 s, then after waits that double up to 30 minutes (each drawn
// between half and all of its length), at most 20 attempts in all, and never
// at or after the message's own expiry (a code's email expires with the code,
// a link's with the link, any other email after 24 hours). An email given up
// is logged and recorded as a mail_failed security event, without its text.
// Delivery is at least once: a Send that delivered but returned an error, or
// whose sender died before recording it, may be repeated.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}
