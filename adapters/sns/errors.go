package sns

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/bharatauth/bharatauth-go/ports"
)

// redacted stands in an error text for the number and the message text.
const redacted = "[redacted]"

// sendError is a failed Publish. It unwraps to ports.ErrUnavailable (when
// retryable), the context error (when ctx ended) and the SDK error, so that
// errors.Is and errors.As see all of them; its text names neither the
// number nor the text (SNS may quote the number back), and leaves out the
// port sentinel's wording ("store unavailable"), which would mislead in a log.
type sendError struct {
	text   string
	causes []error
}

func (e *sendError) Error() string   { return e.text }
func (e *sendError) Unwrap() []error { return e.causes }

// classify wraps err for the caller: ports.ErrUnavailable (and the context
// error) when a retry may succeed, the SDK error alone otherwise.
func classify(ctx context.Context, err error, m ports.SMS) error {
	text := scrub(err.Error(), m)
	if ctxErr := ctx.Err(); ctxErr != nil {
		// The SDK normally wraps the context error already; wrapping it
		// again costs nothing and guarantees it passes through.
		return &sendError{text: "sns: send SMS: temporary failure: " + text, causes: []error{ports.ErrUnavailable, ctxErr, err}}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || retryable(err) {
		return &sendError{text: "sns: send SMS: temporary failure: " + text, causes: []error{ports.ErrUnavailable, err}}
	}
	return &sendError{text: "sns: send SMS: " + text, causes: []error{err}}
}

// scrub removes the number (with or without its +) and the text of m from an
// error text.
func scrub(text string, m ports.SMS) string {
	for _, secret := range []string{m.Text, m.To, strings.TrimPrefix(m.To, "+")} {
		if strings.TrimSpace(secret) != "" {
			text = strings.ReplaceAll(text, secret, redacted)
		}
	}
	return text
}

// retryable reports whether publishing the same SMS later may succeed.
func retryable(err error) bool {
	// Typed SNS answers first: they say exactly what happened.
	var (
		throttled     *types.ThrottledException
		internal      *types.InternalErrorException
		kmsThrottled  *types.KMSThrottlingException
		concurrent    *types.ConcurrentAccessException
		invalid       *types.InvalidParameterException
		invalidValue  *types.InvalidParameterValueException
		optedOut      *types.OptedOutException
		authorization *types.AuthorizationErrorException
		validation    *types.ValidationException
		security      *types.InvalidSecurityException
	)
	switch {
	case errors.As(err, &throttled), errors.As(err, &internal), errors.As(err, &kmsThrottled), errors.As(err, &concurrent):
		return true
	case errors.As(err, &invalid), errors.As(err, &invalidValue), errors.As(err, &optedOut),
		errors.As(err, &authorization), errors.As(err, &validation), errors.As(err, &security):
		return false
	}

	// The SDK's own retryer's rules: its throttling and timeout codes,
	// 500/502/503/504, 429, and connection errors.
	if retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary {
		return true
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorFault() == smithy.FaultServer {
		return true
	}
	// No answer at all: the request did not get through or the response was
	// lost on the way back.
	var sendErr *smithyhttp.RequestSendError
	if errors.As(err, &sendErr) {
		return true
	}
	// Untyped answers (a proxy's 507, an unknown error code): the status
	// decides. 429 is throttling, 5xx a server fault.
	var withStatus interface{ HTTPStatusCode() int }
	if errors.As(err, &withStatus) {
		status := withStatus.HTTPStatusCode()
		return status == 429 || status >= 500
	}
	return false
}
