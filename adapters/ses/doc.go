// Package ses is the Amazon SES (API v2) implementation of ports.Mailer: it
// sends BharatAuth's emails with the SendEmail operation of
// github.com/aws/aws-sdk-go-v2/service/sesv2, as "Simple" content (subject,
// text and HTML bodies in UTF-8), so SES builds the MIME message itself.
//
// The caller passes a ready *sesv2.Client, configured the usual AWS way
// (region, credentials chain, retry policy); this package never reads the
// environment. The SDK's own retryer already retries throttling and 5xx
// answers within the call; whatever still fails is classified here.
//
// # Errors
//
// Send returns an error wrapping ports.ErrUnavailable when a later retry may
// succeed: throttling (HTTP 429, TooManyRequestsException,
// LimitExceededException, a throttling error code), SES server faults (5xx,
// InternalServiceErrorException), network failures and an ended context (whose
// error is wrapped too, so errors.Is(err, context.DeadlineExceeded) holds).
// Everything else is permanent and returned as a plain error: MessageRejected,
// MailFromDomainNotVerifiedException, BadRequestException, a suspended or
// paused account, bad credentials, an invalid message. Error strings carry the
// SES error code and message, never the message body.
//
// Display names are encoded as RFC 2047 encoded-words, as SES requires for
// non-ASCII "friendly" names; email addresses themselves must be ASCII (SES
// accepts a non-ASCII domain only in Punycode).
//
// Files: mailer.go builds the SendEmail input and sends it; errors.go
// classifies failures.
package ses
