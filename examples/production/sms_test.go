package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

// startSNSEndpoint stands in for Amazon SNS (the query protocol: a form POST,
// an XML answer) and keeps every Publish it is sent.
func startSNSEndpoint(t *testing.T) *porttest.Endpoint {
	t.Helper()
	return porttest.NewEndpoint(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		_, _ = io.WriteString(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>`)
	})
}

// attrs are a Publish's message attributes, name → string value.
func attrs(form url.Values) map[string]string {
	out := map[string]string{}
	for i := 1; form.Get("MessageAttributes.entry."+strconv.Itoa(i)+".Name") != ""; i++ {
		p := "MessageAttributes.entry." + strconv.Itoa(i)
		out[form.Get(p+".Name")] = form.Get(p + ".Value.StringValue")
	}
	return out
}

var smsCode = regexp.MustCompile(`^(\d{6}) `)

// publishedCode waits for the n-th Publish (from 1) sns was sent and returns
// it with its code.
func publishedCode(t *testing.T, sns *porttest.Endpoint, n int) (url.Values, string) {
	t.Helper()
	var form url.Values
	require.Eventually(t, func() bool { // SMS go out after the answer
		if published := sns.Requests(); len(published) >= n {
			form, _ = url.ParseQuery(string(published[n-1].Body))
		}
		return form != nil
	}, 10*time.Second, 10*time.Millisecond, "SMS %d never reached SNS", n)
	m := smsCode.FindStringSubmatch(form.Get("Message"))
	require.NotNil(t, m, "no code first in %q", form.Get("Message"))
	return form, m[1]
}

// With BHARATAUTH_SMS=sns the production example texts codes through SNS
// with India's DLT ids (the entity from the environment, each template's id
// from the template file), counted by the Redis budget when Redis is
// configured and by PostgreSQL's otherwise: sign up by a 10-digit number,
// confirm it, sign in with a texted code.
func TestProductionTextsCodesThroughSNS(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	templates := filepath.Join(t.TempDir(), "sms.json")
	require.NoError(t, os.WriteFile(templates, []byte(`{"en": {
		"verify_phone": {"text": "{code} is your {app} code to confirm this number.", "template_id": "1107000000000000001"},
		"signin_code": {"text": "{code} is your {app} sign-in code. Never share it.", "template_id": "1107000000000000002"}}}`), 0o600))
	for _, tc := range []struct{ budget, redis string }{{"redis", redisURL()}, {"postgres", ""}} {
		t.Run(tc.budget, func(t *testing.T) {
			sns := startSNSEndpoint(t)
			logs := &porttest.Buffer{}
			a := "http://" + startServerWith(t, io.Discard, logs, map[string]string{
				"REDIS_URL": tc.redis, "BHARATAUTH_SMS": "sns", "BHARATAUTH_SNS_REGION": "ap-south-1",
				"BHARATAUTH_SNS_ENDPOINT": sns.URL, "BHARATAUTH_SNS_ENTITY_ID": "1101456789012345678",
				"BHARATAUTH_SNS_SENDER_ID": "BHRATH", "BHARATAUTH_SMS_TEMPLATES": templates,
				"BHARATAUTH_PUBLIC_URL": "https://app.example.in",
			}).API + "/auth"
			assert.Contains(t, logs.String(), `msg="production: phone numbers on" sms=sns regions=[IN] sms_budget=`+tc.budget)

			status, body := post(t, a+"/register", "", `{"phone":"98765 43210","consents":[{"category":"identity","granted":true},
				{"category":"contact","granted":true},{"category":"location","granted":false},{"category":"security","granted":true},
				{"category":"communications","granted":false},{"category":"analytics","granted":false}]}`)
			require.Equal(t, http.StatusCreated, status, "%v", body)
			form, code := publishedCode(t, sns, 1)
			assert.Equal(t, "Publish", form.Get("Action"))
			assert.Equal(t, "+919876543210", form.Get("PhoneNumber"))
			assert.Regexp(t, `^\d{6} is your BharatAuth code to confirm this number\.\n@app\.example\.in #\d{6}$`, form.Get("Message"))
			assert.Equal(t, map[string]string{"AWS.SNS.SMS.SMSType": "Transactional", "AWS.MM.SMS.EntityId": "1101456789012345678",
				"AWS.MM.SMS.TemplateId": "1107000000000000001", "AWS.SNS.SMS.SenderID": "BHRATH"}, attrs(form))
			status, body = post(t, a+"/phone/verify", "", `{"phone":"9876543210","code":"`+code+`"}`)
			require.Equal(t, http.StatusOK, status, "%v", body)

			status, body = post(t, a+"/otp/request", "", `{"phone":"9876543210"}`)
			require.Equal(t, http.StatusOK, status, "%v", body)
			form, code = publishedCode(t, sns, 2)
			assert.Equal(t, "1107000000000000002", attrs(form)["AWS.MM.SMS.TemplateId"])
			status, body = post(t, a+"/otp/verify", "", `{"phone":"9876543210","otp_code":"`+code+`"}`)
			require.Equal(t, http.StatusOK, status, "%v", body)
			status, me := get(t, a+"/me", body["access_token"].(string))
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, "+919876543210", me["phone"])
			assert.Equal(t, true, me["phone_verified"])
		})
	}
}

// The console SMS sender is only ever asked for by name and says at start
// that codes go to stdout; SNS options sns.New refuses stop the start.
func TestSMSSenders(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	logs := &porttest.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	sender, err := newSMSSender(t.Context(), smsSettings{Sender: "console"}, io.Discard, log)
	require.NoError(t, err)
	assert.NotNil(t, sender)
	assert.Contains(t, logs.String(), "BHARATAUTH_SMS=console prints every SMS, its codes included, to stdout")

	logs = &porttest.Buffer{}
	log = slog.New(slog.NewTextHandler(logs, nil))
	_, err = newSMSSender(t.Context(), smsSettings{Sender: "sns", SNSRegion: "ap-south-1", SNSSenderID: "NOT A HEADER!"}, io.Discard, log)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SenderID")
	sender, err = newSMSSender(t.Context(), smsSettings{Sender: "sns", SNSRegion: "ap-south-1", SNSSenderID: "BHRATH"}, io.Discard, log)
	require.NoError(t, err)
	assert.NotNil(t, sender)
	assert.Empty(t, logs.String(), "a real sender starts quietly")
}
