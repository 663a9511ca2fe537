package ses

import (
	"context"
	"errors"
	"net"

	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/bharatauth/bharatauth-go/ports"
)

// throttleCodes are error codes AWS uses for "slow down" beyond the typed
// SES exceptions (the same set the SDK's retryer treats as throttling).
var throttleCodes = map[string]bool{
	"Throttling":                             true,
	"ThrottlingException":                    true,
	"ThrottledException":                     true,
	"RequestThrottledException":              true,
	"TooManyRequestsException":               true,
	"ProvisionedThroughputExceededException": true,
	"TransactionInProgressException":         true,
	"RequestLimitExceeded":                   true,
	"BandwidthLimitExceeded":                 true,
	"LimitExceededException":                 true,
	"RequestThrottled":                       true,
	"SlowDown":                               true,
	"PriorRequestNotComplete":                true,
	"EC2ThrottledException":                  true,
	"RequestTimeout":                         true,
	"RequestTimeoutException":                true,
}

// sendError is a failed SendEmail. It unwraps to ports.ErrUnavailable (when
// retryable), the context error (when ctx ended) and the SDK error, so that
// errors.Is and errors.As see all of them; its text leaves out the port
// sentinel's wording ("store unavailable"), which would mislead in a mail log.
type sendError struct {
	text   string
	causes []error
}

func (e *sendError) Error() string   { return e.text }
func (e *sendError) Unwrap() []error { return e.causes }

// classify wraps err for the caller: ports.ErrUnavailable (and the context
// error) when a retry may succeed, the SDK error alone otherwise.
func classify(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		// The SDK normally wraps the context error already; wrapping it
		// again costs nothing and guarantees it passes through.
		return &sendError{text: "ses: send email: temporary failure: " + err.Error(), causes: []error{ports.ErrUnavailable, ctxErr, err}}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || retryable(err) {
		return &sendError{text: "ses: send email: temporary failure: " + err.Error(), causes: []error{ports.ErrUnavailable, err}}
	}
	return &sendError{text: "ses: send email: " + err.Error(), causes: []error{err}}
}

// retryable reports whether sending the same message later may succeed.
func retryable(err error) bool {
	// Typed SES answers first: they say exactly what happened.
	var (
		tooMany     *types.TooManyRequestsException
		limit       *types.LimitExceededException
		internal    *types.InternalServiceErrorException
		concurrent  *types.ConcurrentModificationException
		rejected    *types.MessageRejected
		notVerified *types.MailFromDomainNotVerifiedException
		badRequest  *types.BadRequestException
		suspended   *types.AccountSuspendedException
		paused      *types.SendingPausedException
		notFound    *types.NotFoundException
	)
	switch {
	case errors.As(err, &tooMany), errors.As(err, &limit), errors.As(err, &internal), errors.As(err, &concurrent):
		return true
	case errors.As(err, &rejected), errors.As(err, &notVerified), errors.As(err, &badRequest),
		errors.As(err, &suspended), errors.As(err, &paused), errors.As(err, &notFound):
		return false
	}

	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		if throttleCodes[apiErr.ErrorCode()] || apiErr.ErrorFault() == smithy.FaultServer {
			return true
		}
	}
	// No answer at all: the request did not get through or the response was
	// lost on the way back.
	var sendErr *smithyhttp.RequestSendError
	if errors.As(err, &sendErr) {
		return true
	}
	// Untyped answers (a proxy's 502, an unknown error code): the status
	// decides. 429 is throttling, 5xx a server fault.
	var withStatus interface{ HTTPStatusCode() int }
	if errors.As(err, &withStatus) && withStatus.HTTPStatusCode() > 0 {
		status := withStatus.HTTPStatusCode()
		return status == 429 || status >= 500
	}
	var netErr net.Error
	return errors.As(err, &netErr)
}
