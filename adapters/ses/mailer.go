package ses

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/mailcheck"
)

// charsetUTF8 is declared on every content part: SES otherwise assumes 7-bit
// ASCII, and Hindi subjects and bodies must survive.
const charsetUTF8 = "UTF-8"

// Options configures a Mailer. From is required.
type Options struct {
	// From is the verified sender: "no-reply@example.in" or
	// "BharatAuth <no-reply@example.in>"; a non-ASCII display name is encoded.
	From string
	// ConfigurationSetName, when set, names the SES configuration set whose
	// event destinations (bounces, complaints) apply to every message.
	ConfigurationSetName string
}

// ErrInvalidOptions is wrapped by every configuration error New returns.
var ErrInvalidOptions = errors.New("ses: invalid options")

// Mailer sends email through Amazon SES v2. It is safe for concurrent use, as
// is the *sesv2.Client it wraps.
type Mailer struct {
	client    *sesv2.Client
	from      string // RFC 5322 form, display name encoded
	configSet *string
}

var _ ports.Mailer = (*Mailer)(nil)

// New returns a Mailer that sends with client. It does not call SES, so an
// outage at start-up does not stop the application. Errors wrap
// ErrInvalidOptions.
func New(client *sesv2.Client, opts Options) (*Mailer, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: a *sesv2.Client is required", ErrInvalidOptions)
	}
	if strings.TrimSpace(opts.From) == "" {
		return nil, fmt.Errorf("%w: From is required", ErrInvalidOptions)
	}
	from, err := mail.ParseAddress(opts.From)
	if err != nil {
		return nil, fmt.Errorf("%w: From %q is not an email address: %v", ErrInvalidOptions, opts.From, err)
	}
	if !isASCII(from.Address) {
		return nil, fmt.Errorf("%w: From address %q must be ASCII (use Punycode for the domain)", ErrInvalidOptions, from.Address)
	}
	m := &Mailer{client: client, from: from.String()}
	if name := strings.TrimSpace(opts.ConfigurationSetName); name != "" {
		if !validConfigSetName(name) {
			return nil, fmt.Errorf("%w: ConfigurationSetName %q may only hold letters, digits, '-' and '_' (at most 64)", ErrInvalidOptions, name)
		}
		m.configSet = aws.String(name)
	} else if opts.ConfigurationSetName != "" {
		return nil, fmt.Errorf("%w: ConfigurationSetName is blank", ErrInvalidOptions)
	}
	return m, nil
}

// Send delivers m with one SendEmail call. Retryable failures wrap
// ports.ErrUnavailable; see the package doc.
func (ml *Mailer) Send(ctx context.Context, m ports.Message) error {
	input, err := ml.input(m)
	if err != nil {
		return err
	}
	if _, err := ml.client.SendEmail(ctx, input); err != nil {
		return classify(ctx, err)
	}
	return nil
}

// input builds the SendEmail request. Its errors are permanent: the message
// itself is wrong.
func (ml *Mailer) input(m ports.Message) (*sesv2.SendEmailInput, error) {
	to, err := mailcheck.Recipient(m)
	if err != nil {
		return nil, fmt.Errorf("ses: %w", err)
	}
	if !isASCII(to.Address) {
		return nil, errors.New("ses: recipient address must be ASCII (use Punycode for the domain)")
	}

	body := &types.Body{}
	if m.Text != "" {
		body.Text = &types.Content{Data: aws.String(m.Text), Charset: aws.String(charsetUTF8)}
	}
	if m.HTML != "" {
		body.Html = &types.Content{Data: aws.String(m.HTML), Charset: aws.String(charsetUTF8)}
	}
	return &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(ml.from),
		// mail.Address.String encodes a non-ASCII display name as an
		// RFC 2047 encoded-word, the form SES requires.
		Destination: &types.Destination{ToAddresses: []string{to.String()}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(m.Subject), Charset: aws.String(charsetUTF8)},
			Body:    body,
		}},
		ConfigurationSetName: ml.configSet,
	}, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// validConfigSetName follows SES's rule for configuration set names.
func validConfigSetName(name string) bool {
	if len(name) > 64 {
		return false
	}
	for _, r := range name {
		ok := r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !ok {
			return false
		}
	}
	return true
}
