package ses

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

const (
	testRegion = "ap-south-1"
	testCode   = "482913"
	testSecret = "SECRET"
)

type answer struct {
	status    int
	errorType string // the X-Amzn-ErrorType header, as SES sends it
	body      string
	hang      bool // never answer (until the client gives up)
}

// startFakeSES stands in for the SES endpoint: it records each request and
// answers with the status, error type and body the test chose.
func startFakeSES(t *testing.T, a answer) *porttest.Endpoint {
	t.Helper()
	if a.hang {
		return porttest.NewEndpoint(t, porttest.Hang)
	}
	return porttest.NewEndpoint(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Requestid", "req-1")
		if a.errorType != "" {
			w.Header().Set("X-Amzn-ErrorType", a.errorType)
		}
		status := a.status
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		if a.body != "" {
			_, _ = io.WriteString(w, a.body)
		} else if status == http.StatusOK {
			_, _ = io.WriteString(w, `{"MessageId":"0100018c-test"}`)
		}
	})
}

// sesClient is the real SDK client pointed at the fake endpoint.
func sesClient(f *porttest.Endpoint) *sesv2.Client {
	return sesv2.New(sesv2.Options{
		Region:           testRegion,
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", testSecret, ""),
		BaseEndpoint:     aws.String(f.URL),
		HTTPClient:       f.Client(),
		RetryMaxAttempts: 1,
	})
}

func newMailer(t *testing.T, f *porttest.Endpoint, opts Options) *Mailer {
	t.Helper()
	m, err := New(sesClient(f), opts)
	require.NoError(t, err)
	return m
}

func otpMessage() ports.Message {
	return ports.Message{
		To:      "rahul@example.in",
		ToName:  "राहुल शर्मा",
		Subject: "आपका OTP कोड",
		Text:    "आपका कोड " + testCode + " है।",
		HTML:    "<p>आपका कोड <b>" + testCode + "</b> है।</p>",
	}
}

// sendEmailBody is the JSON SES v2 receives, as documented for SendEmail.
type sendEmailBody struct {
	FromEmailAddress string
	Destination      struct{ ToAddresses []string }
	Content          struct {
		Simple struct {
			Subject struct{ Data, Charset string }
			Body    struct {
				Text *struct{ Data, Charset string }
				Html *struct{ Data, Charset string }
			}
		}
	}
	ConfigurationSetName *string
}

// sentMessage reads back the message a SendEmail request carries.
func sentMessage(t *testing.T, requestBody []byte) ports.Message {
	t.Helper()
	var body sendEmailBody
	require.NoError(t, json.Unmarshal(requestBody, &body))
	require.Len(t, body.Destination.ToAddresses, 1)
	to, err := mail.ParseAddress(body.Destination.ToAddresses[0]) // decodes encoded-words
	require.NoError(t, err)
	simple := body.Content.Simple
	msg := ports.Message{To: to.Address, ToName: to.Name, Subject: simple.Subject.Data}
	if simple.Body.Text != nil {
		msg.Text = simple.Body.Text.Data
	}
	if simple.Body.Html != nil {
		msg.HTML = simple.Body.Html.Data
	}
	return msg
}

func TestSendRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		opts          Options
		message       func() ports.Message
		wantFrom      string
		wantConfigSet *string
	}{
		{
			name:     "text and html with display names",
			opts:     Options{From: "भारतऑथ <no-reply@example.in>"},
			message:  otpMessage,
			wantFrom: "भारतऑथ",
		},
		{
			name:          "configuration set",
			opts:          Options{From: "no-reply@example.in", ConfigurationSetName: "bharatauth-prod"},
			message:       otpMessage,
			wantConfigSet: aws.String("bharatauth-prod"),
		},
		{
			name: "text only without recipient name",
			opts: Options{From: "BharatAuth <no-reply@example.in>"},
			message: func() ports.Message {
				m := otpMessage()
				m.HTML, m.ToName = "", ""
				return m
			},
			wantFrom: "BharatAuth",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := startFakeSES(t, answer{})
			msg := tc.message()

			require.NoError(t, newMailer(t, f, tc.opts).Send(t.Context(), msg))

			reqs := f.Requests()
			require.Len(t, reqs, 1)
			req := reqs[0]
			assert.Equal(t, http.MethodPost, req.Method)
			assert.Equal(t, "/v2/email/outbound-emails", req.Path)
			auth := req.Header.Get("Authorization")
			assert.Regexp(t, `^AWS4-HMAC-SHA256 Credential=AKID/\d{8}/`+testRegion+`/ses/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$`, auth)
			assert.NotContains(t, auth, testSecret)
			assert.Contains(t, req.Header.Get("Content-Type"), "application/json")

			assert.Equal(t, msg, sentMessage(t, req.Body))
			var body sendEmailBody
			require.NoError(t, json.Unmarshal(req.Body, &body))
			from, err := mail.ParseAddress(body.FromEmailAddress)
			require.NoError(t, err)
			assert.Equal(t, "no-reply@example.in", from.Address)
			assert.Equal(t, tc.wantFrom, from.Name)
			assert.True(t, isASCII(body.FromEmailAddress), "SES wants encoded-words: %q", body.FromEmailAddress)
			assert.True(t, isASCII(body.Destination.ToAddresses[0]), "SES wants encoded-words: %q", body.Destination.ToAddresses[0])

			simple := body.Content.Simple
			assert.Equal(t, "UTF-8", simple.Subject.Charset)
			require.NotNil(t, simple.Body.Text)
			assert.Equal(t, "UTF-8", simple.Body.Text.Charset)
			if msg.HTML == "" {
				assert.Nil(t, simple.Body.Html)
			} else {
				require.NotNil(t, simple.Body.Html)
				assert.Equal(t, "UTF-8", simple.Body.Html.Charset)
			}
			assert.Equal(t, tc.wantConfigSet, body.ConfigurationSetName)
		})
	}
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		answer          answer
		wantUnavailable bool
		wantAs          any // a pointer to the typed error expected, or nil
		wantText        string
	}{
		{
			name:            "429 too many requests",
			answer:          answer{status: 429, errorType: "TooManyRequestsException", body: `{"message":"Too many requests"}`},
			wantUnavailable: true, wantAs: new(*types.TooManyRequestsException), wantText: "TooManyRequestsException",
		},
		{
			name:            "429 without error type",
			answer:          answer{status: 429, body: `{}`},
			wantUnavailable: true, wantText: "429",
		},
		{
			name:            "limit exceeded",
			answer:          answer{status: 400, errorType: "LimitExceededException", body: `{"message":"Maximum sending rate exceeded."}`},
			wantUnavailable: true, wantAs: new(*types.LimitExceededException), wantText: "LimitExceededException",
		},
		{
			name:            "throttling code",
			answer:          answer{status: 400, errorType: "ThrottlingException", body: `{"message":"Rate exceeded"}`},
			wantUnavailable: true, wantText: "ThrottlingException",
		},
		{
			name:            "500 internal service error",
			answer:          answer{status: 500, errorType: "InternalServiceErrorException", body: `{"message":"internal"}`},
			wantUnavailable: true, wantAs: new(*types.InternalServiceErrorException), wantText: "500",
		},
		{
			name:            "503 from a proxy",
			answer:          answer{status: 503, body: `<html>Service Unavailable</html>`},
			wantUnavailable: true, wantText: "503",
		},
		{
			name:     "400 message rejected",
			answer:   answer{status: 400, errorType: "MessageRejected:http://internal.amazon.com/coral/com.amazonaws.sesv2/", body: `{"message":"Email address is not verified."}`},
			wantAs:   new(*types.MessageRejected),
			wantText: "Email address is not verified",
		},
		{
			name:     "mail from domain not verified",
			answer:   answer{status: 400, errorType: "MailFromDomainNotVerifiedException", body: `{"message":"MAIL FROM domain not verified"}`},
			wantAs:   new(*types.MailFromDomainNotVerifiedException),
			wantText: "MailFromDomainNotVerifiedException",
		},
		{
			name:     "bad request",
			answer:   answer{status: 400, errorType: "BadRequestException", body: `{"message":"Invalid address"}`},
			wantAs:   new(*types.BadRequestException),
			wantText: "BadRequestException",
		},
		{
			name:     "sending paused",
			answer:   answer{status: 400, errorType: "SendingPausedException", body: `{"message":"paused"}`},
			wantAs:   new(*types.SendingPausedException),
			wantText: "SendingPausedException",
		},
		{
			name:     "403 bad signature",
			answer:   answer{status: 403, errorType: "SignatureDoesNotMatch", body: `{"message":"The request signature we calculated does not match"}`},
			wantText: "SignatureDoesNotMatch",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := startFakeSES(t, tc.answer)

			err := newMailer(t, f, Options{From: "no-reply@example.in"}).Send(t.Context(), otpMessage())

			porttest.AssertSendFailure(t, err, tc.wantUnavailable)
			if tc.wantAs != nil {
				assert.ErrorAs(t, err, tc.wantAs)
			}
			assert.Contains(t, err.Error(), tc.wantText)
			assertNoSecrets(t, err)
			assert.Len(t, f.Requests(), 1, "RetryMaxAttempts is 1")
		})
	}
}

func TestSendContextDeadline(t *testing.T) {
	t.Parallel()
	f := startFakeSES(t, answer{hang: true})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()

	start := time.Now()
	err := newMailer(t, f, Options{From: "no-reply@example.in"}).Send(ctx, otpMessage())

	require.Error(t, err)
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, ports.ErrUnavailable)
}

func TestSendNetworkFailure(t *testing.T) {
	t.Parallel()
	f := startFakeSES(t, answer{})
	client := sesClient(f)
	f.Close() // nothing listens at the endpoint any more
	m, err := New(client, Options{From: "no-reply@example.in"})
	require.NoError(t, err)

	err = m.Send(t.Context(), otpMessage())

	require.Error(t, err)
	assert.ErrorIs(t, err, ports.ErrUnavailable)
	assertNoSecrets(t, err)
}

func TestSendRefusesNonASCIIRecipient(t *testing.T) {
	t.Parallel()
	// SES takes only ASCII addresses; the Mailer suite checks the other
	// malformed messages.
	f := startFakeSES(t, answer{})
	msg := otpMessage()
	msg.To = "राहुल@example.in"
	err := newMailer(t, f, Options{From: "no-reply@example.in"}).Send(t.Context(), msg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ASCII")
	assert.False(t, errors.Is(err, ports.ErrUnavailable))
	assert.Empty(t, f.Requests(), "an invalid message never reaches SES")
}

func TestNewValidation(t *testing.T) {
	t.Parallel()
	client := sesv2.New(sesv2.Options{Region: testRegion})
	tests := []struct {
		name   string
		client *sesv2.Client
		opts   Options
		want   string
	}{
		{name: "nil client", opts: Options{From: "a@example.in"}, want: "sesv2.Client"},
		{name: "missing from", client: client, want: "From is required"},
		{name: "bad from", client: client, opts: Options{From: "BharatAuth"}, want: "not an email address"},
		{name: "non-ascii from address", client: client, opts: Options{From: "नमस्ते@example.in"}, want: "ASCII"},
		{name: "bad configuration set", client: client, opts: Options{From: "a@example.in", ConfigurationSetName: "prod set!"}, want: "ConfigurationSetName"},
		{name: "blank configuration set", client: client, opts: Options{From: "a@example.in", ConfigurationSetName: "  "}, want: "blank"},
		{name: "configuration set too long", client: client, opts: Options{From: "a@example.in", ConfigurationSetName: strings.Repeat("a", 65)}, want: "ConfigurationSetName"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := New(tc.client, tc.opts)
			require.Error(t, err)
			assert.Nil(t, m)
			assert.ErrorIs(t, err, ErrInvalidOptions)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// assertNoSecrets checks that an error string carries neither the AWS secret
// nor the message body.
func assertNoSecrets(t *testing.T, err error) {
	t.Helper()
	assert.NotContains(t, err.Error(), testSecret)
	assert.NotContains(t, err.Error(), testCode)
	word, _ := new(mime.WordDecoder).DecodeHeader(err.Error())
	assert.NotContains(t, word, testCode)
}
