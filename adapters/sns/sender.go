package sns

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/smscheck"
)

// The message attributes of an SMS Publish, as the Amazon SNS Developer Guide
// names them ("Publishing to a mobile phone"; India's DLT ids).
const (
	attrSMSType    = "AWS.SNS.SMS.SMSType"
	attrSenderID   = "AWS.SNS.SMS.SenderID"
	attrMaxPrice   = "AWS.SNS.SMS.MaxPrice"
	attrEntityID   = "AWS.MM.SMS.EntityId"
	attrTemplateID = "AWS.MM.SMS.TemplateId"

	// smsTypeTransactional asks for the route meant for time-critical
	// messages such as one-time codes (the other type is Promotional).
	smsTypeTransactional = "Transactional"

	dataTypeString = "String"
	dataTypeNumber = "Number"
)

// maxSenderID is the longest alphanumeric sender ID SNS takes.
const maxSenderID = 11

// Options configures a Sender. The zero value sends Transactional SMS with
// the account's defaults for everything else.
type Options struct {
	// EntityID is the Principal Entity ID (PE ID) the business registered on
	// an Indian DLT platform. When set, every SMS carries it as
	// AWS.MM.SMS.EntityId; each SMS's TemplateID goes as
	// AWS.MM.SMS.TemplateId. Leave it empty outside India or when the
	// registration is kept with AWS for the sender ID.
	EntityID string
	// SenderID, when set, is the alphanumeric sender ID (AWS.SNS.SMS.SenderID)
	// the phone shows: 1 to 11 letters, digits, '-' or '_', at least one
	// letter. In India it is the header registered on DLT.
	SenderID string
	// MaxPrice, when set, is the most in USD one SMS may cost
	// (AWS.SNS.SMS.MaxPrice), a positive decimal such as "0.05"; SNS does not
	// send a message that would cost more.
	MaxPrice string
}

// ErrInvalidOptions is wrapped by every configuration error New returns.
var ErrInvalidOptions = errors.New("sns: invalid options")

// Sender sends SMS through Amazon SNS. It is safe for concurrent use, as is
// the *sns.Client it wraps.
type Sender struct {
	client *sns.Client
	attrs  map[string]types.MessageAttributeValue // every SMS's attributes but the template id
}

var _ ports.SMSSender = (*Sender)(nil)

// New returns a Sender that publishes with client. It does not call SNS, so
// an outage at start-up does not stop the application. Errors wrap
// ErrInvalidOptions.
func New(client *sns.Client, opts Options) (*Sender, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: an *sns.Client is required", ErrInvalidOptions)
	}
	attrs := map[string]types.MessageAttributeValue{attrSMSType: stringAttr(smsTypeTransactional)}
	if opts.EntityID != "" {
		if !isToken(opts.EntityID) {
			return nil, fmt.Errorf("%w: EntityID must be printable ASCII without spaces", ErrInvalidOptions)
		}
		attrs[attrEntityID] = stringAttr(opts.EntityID)
	}
	if opts.SenderID != "" {
		if !validSenderID(opts.SenderID) {
			return nil, fmt.Errorf("%w: SenderID must be 1 to %d letters, digits, '-' or '_' with at least one letter", ErrInvalidOptions, maxSenderID)
		}
		attrs[attrSenderID] = stringAttr(opts.SenderID)
	}
	if opts.MaxPrice != "" {
		if !validPrice(opts.MaxPrice) {
			return nil, fmt.Errorf("%w: MaxPrice must be a positive decimal amount in USD such as 0.05", ErrInvalidOptions)
		}
		attrs[attrMaxPrice] = types.MessageAttributeValue{DataType: aws.String(dataTypeNumber), StringValue: aws.String(opts.MaxPrice)}
	}
	return &Sender{client: client, attrs: attrs}, nil
}

// SendSMS publishes m to its number with one Publish request, never
// retried. A malformed SMS
// (see smscheck.SMS, or a template id with spaces or control characters) is
// refused before any request; retryable failures wrap ports.ErrUnavailable.
// See the package doc.
func (s *Sender) SendSMS(ctx context.Context, m ports.SMS) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := smscheck.SMS(m); err != nil {
		return fmt.Errorf("sns: %w", err)
	}
	attrs := make(map[string]types.MessageAttributeValue, len(s.attrs)+1)
	for k, v := range s.attrs {
		attrs[k] = v
	}
	if m.TemplateID != "" {
		if !isToken(m.TemplateID) {
			return errors.New("sns: SMS template id must be printable ASCII without spaces")
		}
		attrs[attrTemplateID] = stringAttr(m.TemplateID)
	}
	_, err := s.client.Publish(ctx, &sns.PublishInput{
		PhoneNumber:       aws.String(m.To),
		Message:           aws.String(m.Text),
		MessageAttributes: attrs,
	}, onceOnly)
	if err != nil {
		return classify(ctx, err, m)
	}
	return nil
}

// onceOnly makes one Publish one request: the SDK's retryer would repeat a
// request that failed with a 5xx or a timeout, and the first may have been
// delivered (and paid for) already.
func onceOnly(o *sns.Options) { o.RetryMaxAttempts = 1 }

func stringAttr(v string) types.MessageAttributeValue {
	return types.MessageAttributeValue{DataType: aws.String(dataTypeString), StringValue: aws.String(v)}
}

// isToken reports whether v is non-empty printable ASCII without spaces: the
// shape of DLT entity and template ids.
func isToken(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] > '~' {
			return false
		}
	}
	return true
}

// validSenderID follows AWS's rule for sender IDs: 1 to 11 of A-Z, a-z,
// 0-9, '-' and '_', with at least one letter.
func validSenderID(id string) bool {
	if len(id) > maxSenderID {
		return false
	}
	letter := false
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return letter
}

// validPrice reports whether p is a positive decimal amount: digits, at most
// one point with digits on both sides, and not all zeros.
func validPrice(p string) bool {
	whole, frac, dotted := strings.Cut(p, ".")
	if whole == "" || (dotted && frac == "") {
		return false
	}
	nonZero := false
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
			nonZero = nonZero || part[i] != '0'
		}
	}
	return nonZero
}
