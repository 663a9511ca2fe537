// Package sns is the Amazon SNS implementation of ports.SMSSender: it sends
// BharatAuth's SMS (sign-in codes, phone verification, new-device alerts, PIN
// resets) with the Publish operation of
// github.com/aws/aws-sdk-go-v2/service/sns, straight to the phone number
// (no topic).
//
// Every SMS is Transactional (message attribute AWS.SNS.SMS.SMSType), the
// type meant for one-time codes. For India's DLT (Distributed Ledger
// Technology) rules each SMS also carries the business's Principal Entity ID
// (Options.EntityID, as AWS.MM.SMS.EntityId) and the id under which its
// template is registered (ports.SMS.TemplateID, as AWS.MM.SMS.TemplateId);
// Options.SenderID (AWS.SNS.SMS.SenderID) and Options.MaxPrice
// (AWS.SNS.SMS.MaxPrice) are sent when set. Kind is never sent.
//
// The caller passes a ready *sns.Client, configured the usual AWS way
// (region, credentials chain, retry policy); this package never reads the
// environment. An SMS costs money and a failed request may still have been
// delivered, so SendSMS makes exactly one Publish request per call: it turns
// the client's retryer off for that call (RetryMaxAttempts 1), and core
// decides whether to send again. A failure is classified here.
//
// # Errors
//
// SendSMS returns an error wrapping ports.ErrUnavailable when a later retry
// may succeed: throttling (Throttled, HTTP 429, a throttling error code), SNS
// server faults (5xx, InternalError), network failures and an ended context
// (whose error is wrapped too, so errors.Is(err, context.DeadlineExceeded)
// holds). Everything else is permanent and returned as a plain error:
// InvalidParameter (a bad number or attribute), OptedOut, AuthorizationError,
// bad credentials, and an SMS refused before sending (a number not in E.164
// form, a blank text, a template id with spaces). Error strings carry the
// SNS error code and message with the number and text redacted.
//
// Files: sender.go builds the Publish input and sends it; errors.go
// classifies failures.
package sns
