package sns

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

const (
	testRegion   = "ap-south-1"
	testCode     = "482913"
	testSecret   = "SECRET"
	testNumber   = "+919876543210"
	testEntity   = "1101456789012345678"
	testTemplate = "1107161234567890123"
)

type answer struct {
	status    int
	errorCode string // the <Code> of an SNS error answer
	errorType string // its <Type>: Sender or Receiver
	message   string // its <Message>
	rawBody   string // a body that is not SNS's (a proxy's page)
	hang      bool   // never answer (until the client gives up)
}

// startFakeSNS stands in for the SNS endpoint (the AWS query protocol: a form
// POST, an XML answer): it records each request and answers with the status
// and error code the test chose.
func startFakeSNS(t *testing.T, a answer) *porttest.Endpoint {
	t.Helper()
	if a.hang {
		return porttest.NewEndpoint(t, porttest.Hang)
	}
	return porttest.NewEndpoint(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("X-Amzn-Requestid", "req-1")
		switch {
		case a.rawBody != "":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(a.status)
			_, _ = io.WriteString(w, a.rawBody)
		case a.errorCode != "":
			w.WriteHeader(a.status)
			_, _ = fmt.Fprintf(w, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`,
				a.errorType, a.errorCode, a.message)
		default:
			_, _ = io.WriteString(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>5b0c-test</MessageId></PublishResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></PublishResponse>`)
		}
	})
}

// form reads the form a request to the fake SNS carries.
func form(t *testing.T, req porttest.Request) url.Values {
	t.Helper()
	values, err := url.ParseQuery(string(req.Body))
	require.NoError(t, err)
	return values
}

// snsClient is the real SDK client pointed at the fake endpoint, with the
// SDK's default retry policy (up to 3 attempts): the Sender must still make
// one.
func snsClient(f *porttest.Endpoint) *sns.Client {
	return sns.New(sns.Options{
		Region:       testRegion,
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", testSecret, ""),
		BaseEndpoint: aws.String(f.URL),
		HTTPClient:   f.Client(),
	})
}

func newSender(t *testing.T, f *porttest.Endpoint, opts Options) *Sender {
	t.Helper()
	s, err := New(snsClient(f), opts)
	require.NoError(t, err)
	return s
}

func codeSMS() ports.SMS {
	return ports.SMS{
		To:         testNumber,
		Text:       testCode + " आपका BharatAuth लॉगिन कोड है।\n@example.in #" + testCode,
		TemplateID: testTemplate,
		Kind:       "signin_code",
	}
}

// attributes reads the message attributes of a Publish form
// (MessageAttributes.entry.N.Name / .Value.DataType / .Value.StringValue) as
// name → "DataType:StringValue".
func attributes(t *testing.T, form url.Values) map[string]string {
	t.Helper()
	attrs := map[string]string{}
	for n := 1; ; n++ {
		prefix := fmt.Sprintf("MessageAttributes.entry.%d.", n)
		name := form.Get(prefix + "Name")
		if name == "" {
			return attrs
		}
		attrs[name] = form.Get(prefix+"Value.DataType") + ":" + form.Get(prefix+"Value.StringValue")
	}
}

// sentSMS reads back the SMS a Publish request carries (Kind never travels).
func sentSMS(t *testing.T, form url.Values) ports.SMS {
	t.Helper()
	attrs := attributes(t, form)
	m := ports.SMS{To: form.Get("PhoneNumber"), Text: form.Get("Message")}
	if v, ok := attrs[attrTemplateID]; ok {
		m.TemplateID = strings.TrimPrefix(v, "String:")
	}
	return m
}

func TestSendRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      Options
		sms       func() ports.SMS
		wantAttrs map[string]string
	}{
		{
			name: "DLT entity and template, sender ID and max price",
			opts: Options{EntityID: testEntity, SenderID: "BHRATH", MaxPrice: "0.05"},
			sms:  codeSMS,
			wantAttrs: map[string]string{
				"AWS.SNS.SMS.SMSType":   "String:Transactional",
				"AWS.MM.SMS.EntityId":   "String:" + testEntity,
				"AWS.MM.SMS.TemplateId": "String:" + testTemplate,
				"AWS.SNS.SMS.SenderID":  "String:BHRATH",
				"AWS.SNS.SMS.MaxPrice":  "Number:0.05",
			},
		},
		{
			name:      "zero options send Transactional only",
			sms:       func() ports.SMS { m := codeSMS(); m.TemplateID = ""; return m },
			wantAttrs: map[string]string{"AWS.SNS.SMS.SMSType": "String:Transactional"},
		},
		{
			name: "an entity without a template id on the SMS",
			opts: Options{EntityID: testEntity},
			sms:  func() ports.SMS { m := codeSMS(); m.TemplateID = ""; return m },
			wantAttrs: map[string]string{
				"AWS.SNS.SMS.SMSType": "String:Transactional",
				"AWS.MM.SMS.EntityId": "String:" + testEntity,
			},
		},
		{
			name: "a template id without an entity",
			sms:  codeSMS,
			wantAttrs: map[string]string{
				"AWS.SNS.SMS.SMSType":   "String:Transactional",
				"AWS.MM.SMS.TemplateId": "String:" + testTemplate,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := startFakeSNS(t, answer{})
			m := tc.sms()

			require.NoError(t, newSender(t, f, tc.opts).SendSMS(t.Context(), m))

			reqs := f.Requests()
			require.Len(t, reqs, 1)
			req := reqs[0]
			assert.Equal(t, http.MethodPost, req.Method)
			assert.Equal(t, "/", req.Path)
			auth := req.Header.Get("Authorization")
			assert.Regexp(t, `^AWS4-HMAC-SHA256 Credential=AKID/\d{8}/`+testRegion+`/sns/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$`, auth)
			assert.NotContains(t, auth, testSecret)
			assert.Contains(t, req.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
			publish := form(t, req)
			assert.Equal(t, "Publish", publish.Get("Action"))
			assert.Equal(t, "2010-03-31", publish.Get("Version"))
			assert.Equal(t, testNumber, publish.Get("PhoneNumber"))
			assert.Equal(t, m.Text, publish.Get("Message"), "the Hindi text and its line break arrive unchanged")
			assert.Empty(t, publish.Get("TopicArn"))
			assert.Empty(t, publish.Get("TargetArn"))
			assert.Equal(t, tc.wantAttrs, attributes(t, publish))
			assert.NotContains(t, fmt.Sprint(publish), m.Kind, "Kind never leaves the app")
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
			name:            "throttled",
			answer:          answer{status: 400, errorType: "Sender", errorCode: "Throttled", message: "Rate exceeded"},
			wantUnavailable: true, wantAs: new(*types.ThrottledException), wantText: "Throttled",
		},
		{
			name:            "generic throttling code",
			answer:          answer{status: 400, errorType: "Sender", errorCode: "Throttling", message: "Rate exceeded"},
			wantUnavailable: true, wantText: "Throttling",
		},
		{
			name:            "429 from a proxy",
			answer:          answer{status: 429, rawBody: "<html>Too Many Requests</html>"},
			wantUnavailable: true, wantText: "429",
		},
		{
			name:            "500 internal error",
			answer:          answer{status: 500, errorType: "Receiver", errorCode: "InternalError", message: "internal"},
			wantUnavailable: true, wantAs: new(*types.InternalErrorException), wantText: "InternalError",
		},
		{
			name:            "503 from a proxy",
			answer:          answer{status: 503, rawBody: "<html>Service Unavailable</html>"},
			wantUnavailable: true, wantText: "503",
		},
		{
			name:     "invalid parameter quoting the number",
			answer:   answer{status: 400, errorType: "Sender", errorCode: "InvalidParameter", message: "Invalid parameter: PhoneNumber Reason: " + testNumber + " is not valid to publish to"},
			wantAs:   new(*types.InvalidParameterException),
			wantText: "InvalidParameter",
		},
		{
			name:     "opted out",
			answer:   answer{status: 400, errorType: "Sender", errorCode: "OptedOut", message: "Phone number is opted out"},
			wantAs:   new(*types.OptedOutException),
			wantText: "OptedOut",
		},
		{
			name:     "authorization error",
			answer:   answer{status: 403, errorType: "Sender", errorCode: "AuthorizationError", message: "not authorized to perform SNS:Publish"},
			wantAs:   new(*types.AuthorizationErrorException),
			wantText: "AuthorizationError",
		},
		{
			name:     "403 bad signature",
			answer:   answer{status: 403, errorType: "Sender", errorCode: "SignatureDoesNotMatch", message: "The request signature we calculated does not match"},
			wantText: "SignatureDoesNotMatch",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := startFakeSNS(t, tc.answer)

			err := newSender(t, f, Options{EntityID: testEntity}).SendSMS(t.Context(), codeSMS())

			porttest.AssertSendFailure(t, err, tc.wantUnavailable)
			if tc.wantAs != nil {
				assert.ErrorAs(t, err, tc.wantAs)
			}
			assert.Contains(t, err.Error(), tc.wantText)
			assertNoSecrets(t, err)
			assert.Len(t, f.Requests(), 1, "one request, never retried, although the client retries by default")
		})
	}
}

func TestSendContextDeadline(t *testing.T) {
	t.Parallel()
	f := startFakeSNS(t, answer{hang: true})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()

	start := time.Now()
	err := newSender(t, f, Options{}).SendSMS(ctx, codeSMS())

	require.Error(t, err)
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, ports.ErrUnavailable)
	assert.Len(t, f.Requests(), 1)
	assertNoSecrets(t, err)
}

func TestSendNetworkFailure(t *testing.T) {
	t.Parallel()
	f := startFakeSNS(t, answer{})
	client := snsClient(f)
	f.Close() // nothing listens at the endpoint any more
	s, err := New(client, Options{})
	require.NoError(t, err)

	err = s.SendSMS(t.Context(), codeSMS())

	require.Error(t, err)
	assert.ErrorIs(t, err, ports.ErrUnavailable)
	assertNoSecrets(t, err)
}

func TestSendRefusesBadTemplateID(t *testing.T) {
	t.Parallel()
	// The SMSSender suite checks the other malformed messages.
	f := startFakeSNS(t, answer{})
	for _, id := range []string{"1107 1612", "1107\n1612", "११०७"} {
		m := codeSMS()
		m.TemplateID = id
		err := newSender(t, f, Options{}).SendSMS(t.Context(), m)
		require.Error(t, err, id)
		assert.Contains(t, err.Error(), "template id")
		assert.False(t, errors.Is(err, ports.ErrUnavailable))
	}
	assert.Empty(t, f.Requests(), "an invalid SMS never reaches SNS")
}

func TestNewValidation(t *testing.T) {
	t.Parallel()
	client := sns.New(sns.Options{Region: testRegion})
	tests := []struct {
		name   string
		client *sns.Client
		opts   Options
		want   string
	}{
		{name: "nil client", want: "sns.Client"},
		{name: "entity id with a space", client: client, opts: Options{EntityID: "1101 4567"}, want: "EntityID"},
		{name: "entity id with a line break", client: client, opts: Options{EntityID: "1101\n4567"}, want: "EntityID"},
		{name: "sender ID too long", client: client, opts: Options{SenderID: "BHARATAUTHIN"}, want: "SenderID"},
		{name: "sender ID without a letter", client: client, opts: Options{SenderID: "123456"}, want: "SenderID"},
		{name: "sender ID with a space", client: client, opts: Options{SenderID: "BA TH"}, want: "SenderID"},
		{name: "sender ID with a dot", client: client, opts: Options{SenderID: "BA.TH"}, want: "SenderID"},
		{name: "sender ID of digits and signs only", client: client, opts: Options{SenderID: "12-3_4"}, want: "SenderID"},
		{name: "max price zero", client: client, opts: Options{MaxPrice: "0.00"}, want: "MaxPrice"},
		{name: "max price negative", client: client, opts: Options{MaxPrice: "-0.05"}, want: "MaxPrice"},
		{name: "max price in exponent form", client: client, opts: Options{MaxPrice: "5e-2"}, want: "MaxPrice"},
		{name: "max price with a trailing point", client: client, opts: Options{MaxPrice: "1."}, want: "MaxPrice"},
		{name: "max price without whole digits", client: client, opts: Options{MaxPrice: ".5"}, want: "MaxPrice"},
		{name: "max price not a number", client: client, opts: Options{MaxPrice: "NaN"}, want: "MaxPrice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := New(tc.client, tc.opts)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.ErrorIs(t, err, ErrInvalidOptions)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	for _, ok := range []Options{{SenderID: "BHRATH"}, {SenderID: "BharatAuth1"}, {SenderID: "AI-HR"}, {SenderID: "ba_auth"}, {MaxPrice: "1"}, {MaxPrice: "0.00581"}} {
		_, err := New(client, ok)
		assert.NoError(t, err, "%+v", ok)
	}
}

// assertNoSecrets checks that an error string carries neither the AWS
// secret, the SMS text nor the phone number.
func assertNoSecrets(t *testing.T, err error) {
	t.Helper()
	assert.NotContains(t, err.Error(), testSecret)
	assert.NotContains(t, err.Error(), testCode)
	assert.NotContains(t, err.Error(), testNumber[3:])
}
