package ports

import "context"

// SMS is one text message to a mobile phone.
type SMS struct {
	// To is the number in E.164 form ("+919876543210"); core sends only to
	// numbers it has parsed and allowed.
	To string
	// Text is the whole message as the phone shows it. Core keeps it within one
	// part: 160 GSM-7 characters, or 70 UCS-2 characters when any character
	// is outside GSM-7 (Hindi is).
	Text string
	// TemplateID is the id under which Text's template is registered with the
	// carriers (India's DLT, Distributed Ledger Technology, scrubs every
	// commercial SMS against registered templates; a message that matches none
	// is dropped). Empty outside India or when the sender's account supplies it.
	TemplateID string
	// Kind names what the message is for ("signin_code", "verify_phone",
	// "new_device", "pin_reset"), for senders that route or count by purpose;
	// it never reaches the phone.
	Kind string
}

// SMSSender sends one SMS. Like Mailer, it honours ctx's deadline and returns
// an error wrapping ErrUnavailable for a failure that may pass if the same
// message is sent again later (a timeout, throttling, a provider's 5xx); any
// other error is permanent (an invalid or opted-out number, a template the
// carrier refuses, bad credentials). An SMS costs money: an implementation
// sends at most once per call and never retries on its own; core counts every
// send against its SMS budgets before it calls Send.
type SMSSender interface {
	SendSMS(ctx context.Context, m SMS) error
}
