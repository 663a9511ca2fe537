package emails_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

const (
	testLink    = "https://app.example/reset?token=abc&x=1"
	escapedHref = `href="https://app.example/reset?token=abc&amp;x=1"`
)

var at = time.Date(2026, time.November, 26, 9, 34, 0, 0, time.UTC) // 15:04 IST

// fullData fills what each kind needs, as core would.
func fullData(kind emails.Kind) emails.Data {
	d := emails.Data{
		AppName:     "Acme",
		DisplayName: "Asha",
		Email:       "asha@example.com",
		Device:      "Chrome on Android",
		IPAddress:   "203.0.113.7",
		At:          at,
		Contact:     emails.Contact{Name: "Meera Rao, Grievance Officer", Email: "dpo@acme.example", Phone: "+91 80 4000 0000"},
	}
	switch kind {
	case emails.LoginOTP, emails.StepUpOTP:
		d.Code, d.ExpiresIn = "483920", 10*time.Minute
	case emails.VerifyEmail, emails.EmailChangeLink:
		d.Link, d.ExpiresIn = testLink, 24*time.Hour
	case emails.EmailChangeNotice:
		d.Title = "asha.new@example.com"
	case emails.NomineeNamed:
		d.Title = "asha@example.com"
	case emails.InactivityWarning:
		d.DueAt = at.Add(48 * time.Hour)
	case emails.BreachNotice:
		d.Breach = emails.Breach{Description: "A copy of the user table was read.", Consequences: "Phishing emails.",
			Measures: "We closed the hole.", UserActions: "Beware of emails asking for codes."}
	case emails.PasswordReset, emails.PINReset, emails.Unlock:
		d.Link, d.ExpiresIn = testLink, 30*time.Minute
	case emails.CredentialChanged:
		d.Change = "password"
	case emails.ConsentWithdrawn:
		d.Category = "analytics"
	case emails.ErasureRequested:
		d.DueAt = at.Add(7 * 24 * time.Hour)
	case emails.GrievanceFiled:
		d.Title, d.DueAt = "My phone number", at.Add(30*24*time.Hour)
	case emails.GrievanceAnswered:
		d.Title, d.Body = "My phone number", "We shared it with the courier only."
	case emails.GuardianConsent:
		d.Link, d.ExpiresIn, d.Child = testLink, 7*24*time.Hour, "ravi@example.in"
	}
	return d
}

func newRenderer(t *testing.T) *emails.Renderer {
	t.Helper()
	r, err := emails.NewRenderer("", nil)
	require.NoError(t, err)
	return r
}

func TestRenderEveryKindInEveryLanguage(t *testing.T) {
	t.Parallel()
	expiry := map[string]map[time.Duration]string{
		"en": {10 * time.Minute: "10 minutes", 24 * time.Hour: "24 hours", 30 * time.Minute: "30 minutes"},
		"hi": {10 * time.Minute: "10 मिनट", 24 * time.Hour: "24 घंटे", 30 * time.Minute: "30 मिनट"},
	}
	when := map[string]string{"en": "26 Nov 2026, 15:04 IST", "hi": "26 नवंबर 2026, 15:04 IST"}
	renderEveryKind(t, nil, func(t *testing.T, m rendered) {
		lang, kind, d := m.lang, m.kind, m.data
		require.NotEmpty(t, strings.TrimSpace(m.Subject))
		require.NotEmpty(t, strings.TrimSpace(m.Text))
		require.NotEmpty(t, strings.TrimSpace(m.HTML))

		for part, body := range map[string]string{"subject": m.Subject, "text": m.Text, "html": m.HTML} {
			assert.Contains(t, body, "Acme", "%s names the app", part)
		}
		assert.Contains(t, m.HTML, `<html lang="`+lang+`">`)
		assert.NotContains(t, m.HTML, "ZgotmplZ", "html/template rejected a value")
		assert.NotContains(t, m.Text, "{{", "no template source leaks")
		assert.NotContains(t, m.Text, "<no value>")
		assert.NotContains(t, m.HTML, "<no value>")
		if d.Code != "" {
			assert.Contains(t, m.Text, d.Code)
			assert.Contains(t, m.HTML, d.Code)
			assert.Less(t, strings.Index(m.Text, d.Code), 80, "the code comes early")
		}
		if d.Link != "" {
			assert.Contains(t, m.Text, testLink, "text keeps the link as is")
			assert.Contains(t, m.HTML, escapedHref, "the link is clickable, & escaped inside href")
			assert.Less(t, strings.Index(m.Text, testLink), 120, "the link comes early")
		}
		if d.ExpiresIn > 0 {
			assert.Contains(t, m.Text, expiry[lang][d.ExpiresIn])
			assert.Contains(t, m.HTML, expiry[lang][d.ExpiresIn])
		}
		if kind == emails.NewDevice || kind == emails.CredentialChanged || kind == emails.ConsentWithdrawn || kind == emails.ErasureRequested ||
			kind == emails.ErasureCancelled || kind == emails.ErasureCompleted || kind == emails.GrievanceAnswered {
			assert.Contains(t, m.Text, when[lang])
			assert.Contains(t, m.HTML, when[lang])
			assert.Contains(t, m.Text, d.Email)
		}
		if kind == emails.NewDevice {
			assert.Contains(t, m.Text, d.Device)
			assert.Contains(t, m.Text, d.IPAddress)
		}
	})
}

func TestRenderAdvisesWhenItWasNotThem(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	advice := map[emails.Kind][2]string{ // en, hi
		emails.LoginOTP:          {"your account is safe", "आपका खाता सुरक्षित है"},
		emails.StepUpOTP:         {"reset your password", "पासवर्ड रीसेट करें"},
		emails.VerifyEmail:       {"Ignore this email", "अनदेखा करें"},
		emails.PasswordReset:     {"your account is safe", "आपका खाता सुरक्षित है"},
		emails.PINReset:          {"your account is safe", "आपका खाता सुरक्षित है"},
		emails.Unlock:            {"reset your password", "पासवर्ड रीसेट करके"},
		emails.NewDevice:         {"Reset your password", "पासवर्ड रीसेट करें"},
		emails.CredentialChanged: {"contact Acme support", "Acme सहायता टीम से संपर्क करें"},
		emails.ConsentWithdrawn:  {"contact Acme support", "Acme सहायता टीम से संपर्क करें"},
		emails.ErasureRequested:  {"contact Acme support", "Acme सहायता टीम से संपर्क करें"},
		emails.ErasureCancelled:  {"reset your password", "पासवर्ड रीसेट करें"},
		emails.ErasureCompleted:  {"Contact Acme support", "Acme सहायता टीम से संपर्क करें"},
		emails.GrievanceFiled:    {"reset your password", "पासवर्ड रीसेट करें"},
		emails.GrievanceAnswered: {"Contact Acme support", "Acme सहायता टीम से संपर्क करें"},
		emails.EmailChangeLink:   {"Ignore this email", "अनदेखा करें"},
		emails.EmailChangeNotice: {"reset your password", "पासवर्ड रीसेट करें"},
		emails.NomineeNamed:      {"Contact Acme support", "Acme सहायता टीम से संपर्क करें"},
		emails.InactivityWarning: {"contact Acme support", "Acme सहायता टीम से संपर्क करें"},
		emails.BreachNotice:      {"never asks for them", "कभी नहीं माँगता"},
		emails.GuardianConsent:   {"Ignore this email", "अनदेखा करें"},
		emails.DataExported:      {"reset your password", "पासवर्ड रीसेट करें"},
	}
	require.Len(t, advice, len(emails.Kinds()))
	for kind, want := range advice {
		for i, lang := range []string{"en", "hi"} {
			t.Run(lang+"/"+string(kind), func(t *testing.T) {
				t.Parallel()
				m, err := r.Render(kind, lang, fullData(kind))
				require.NoError(t, err)
				assert.Contains(t, m.Text, want[i])
				assert.Contains(t, m.HTML, want[i])
			})
		}
	}
}

func TestRenderEscapesDataInHTML(t *testing.T) {
	t.Parallel()
	renderEveryKind(t, func(d *emails.Data) {
		d.DisplayName = "<script>alert(1)</script>"
		d.Device = `<img src=x onerror="alert(2)">`
	}, func(t *testing.T, m rendered) {
		assert.NotContains(t, m.HTML, "<script>")
		assert.NotContains(t, m.HTML, "<img")
		assert.Contains(t, m.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;")
		assert.Contains(t, m.Text, "<script>alert(1)</script>", "text is plain text: nothing to escape")
	})
}

func TestSubjectIsOneLine(t *testing.T) {
	t.Parallel()
	renderEveryKind(t, func(d *emails.Data) {
		d.AppName = "Acme\r\nBcc: x@evil.example"
		d.Change = "password\r\nBcc: y@evil.example"
	}, func(t *testing.T, m rendered) {
		assert.NotContains(t, m.Subject, "\r")
		assert.NotContains(t, m.Subject, "\n")
		assert.Contains(t, m.Subject, "Acme Bcc: x@evil.example", "CR/LF become one space")
	})
}

func TestSubjectOverrideCannotInjectHeaders(t *testing.T) {
	t.Parallel()
	r, err := emails.NewRenderer("en", map[string]map[emails.Kind]emails.Template{
		"en": {emails.LoginOTP: {Subject: "Hi {{.DisplayName}}\n\tyour code\u2028{{.AppName}}"}},
	})
	require.NoError(t, err)
	d := fullData(emails.LoginOTP)
	d.DisplayName = "Asha\nBcc: x@evil.example\r\n"
	m, err := r.Render(emails.LoginOTP, "en", d)
	require.NoError(t, err)
	assert.Equal(t, "Hi Asha Bcc: x@evil.example your code Acme", m.Subject)
}

func TestRenderOmitsMissingOptionalFacts(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	tests := []struct {
		name    string
		kind    emails.Kind
		lang    string
		edit    func(*emails.Data)
		want    []string
		notWant []string
	}{
		{
			name: "no display name greets without a name",
			kind: emails.LoginOTP, lang: "en",
			edit: func(d *emails.Data) { d.DisplayName = "" },
			want: []string{"\nHello,\n"}, notWant: []string{"Hello ,"},
		},
		{
			name: "no display name in Hindi",
			kind: emails.LoginOTP, lang: "hi",
			edit: func(d *emails.Data) { d.DisplayName = "" },
			want: []string{"\nनमस्ते,\n"},
		},
		{
			name: "no device or IP leaves those lines out",
			kind: emails.NewDevice, lang: "en",
			edit: func(d *emails.Data) { d.Device, d.IPAddress = "", "" },
			want: []string{"When: 26 Nov 2026, 15:04 IST"}, notWant: []string{"Device:", "IP address:", "\n\n\n"},
		},
		{
			name: "no expiry drops the expiry sentence",
			kind: emails.PasswordReset, lang: "en",
			edit: func(d *emails.Data) { d.ExpiresIn = 0 },
			want: []string{"The link works only once."}, notWant: []string{"expires"},
		},
		{
			name: "no expiry in Hindi",
			kind: emails.StepUpOTP, lang: "hi",
			edit: func(d *emails.Data) { d.ExpiresIn = 0 },
			want: []string{"यह केवल एक बार काम करेगा।"}, notWant: []string{"मान्य"},
		},
		{
			name: "zero time leaves the when line out",
			kind: emails.CredentialChanged, lang: "hi",
			edit: func(d *emails.Data) { d.At = time.Time{} },
			want: []string{"IP पता: 203.0.113.7"}, notWant: []string{"समय:"},
		},
		{
			name: "PIN change names the PIN",
			kind: emails.CredentialChanged, lang: "en",
			edit: func(d *emails.Data) { d.Change = "pin" },
			want: []string{"Your Acme PIN was changed"},
		},
		{
			name: "custom consent category shows as given in Hindi",
			kind: emails.ConsentWithdrawn, lang: "hi",
			edit: func(d *emails.Data) { d.Category = "marketing_sms" },
			want: []string{`"marketing_sms"`},
		},
		{
			name: "default consent category gets its Hindi name",
			kind: emails.ConsentWithdrawn, lang: "hi",
			edit: func(d *emails.Data) { d.Category = "location" },
			want: []string{`"लोकेशन (location)"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := fullData(tt.kind)
			tt.edit(&d)
			m, err := r.Render(tt.kind, tt.lang, d)
			require.NoError(t, err)
			for _, s := range tt.want {
				assert.Contains(t, m.Subject+"\n"+m.Text, s)
			}
			for _, s := range tt.notWant {
				assert.NotContains(t, m.Text, s)
			}
			assert.True(t, strings.HasSuffix(m.Text, "\n") && !strings.HasSuffix(m.Text, "\n\n"), "text ends with one newline")
		})
	}
}

func TestRenderersAreSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	porttest.Together(16, func(i int) {
		kind := emails.Kinds()[i%len(emails.Kinds())]
		lang := []string{"en", "hi"}[i%2]
		_, err := r.Render(kind, lang, fullData(kind))
		assert.NoError(t, err)
	})
}

// Links may be https or plain http (a local quickstart on 127.0.0.1); both
// end up in the email as given.
func TestRenderAcceptsHTTPAndHTTPSLinks(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	for _, link := range []string{"https://auth.example.in/unlock?token=abc", "http://127.0.0.1:8080/unlock?token=abc"} {
		t.Run(link, func(t *testing.T) {
			t.Parallel()
			d := fullData(emails.Unlock)
			d.Link = link
			m, err := r.Render(emails.Unlock, "en", d)
			require.NoError(t, err)
			assert.Contains(t, m.Text, link)
		})
	}
}

// rightsReceipts are the emails that answer a data-protection right.
var rightsReceipts = map[emails.Kind]bool{
	emails.ConsentWithdrawn: true, emails.ErasureRequested: true, emails.ErasureCancelled: true,
	emails.ErasureCompleted: true, emails.GrievanceFiled: true, emails.GrievanceAnswered: true,
	emails.EmailChangeNotice: true, emails.NomineeNamed: true, emails.InactivityWarning: true,
	emails.BreachNotice: true, emails.DataExported: true,
}

func TestRightsReceiptsCarryThePrivacyContact(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	for _, lang := range []string{"en", "hi"} {
		for _, kind := range emails.Kinds() {
			d := fullData(kind)
			m, err := r.Render(kind, lang, d)
			require.NoError(t, err)
			const line = "Meera Rao, Grievance Officer, dpo@acme.example, +91 80 4000 0000"
			if !rightsReceipts[kind] {
				assert.NotContains(t, m.Text, "dpo@acme.example", "%s/%s is no rights receipt", lang, kind)
				continue
			}
			assert.Contains(t, m.Text, line, "%s/%s", lang, kind)
			assert.Contains(t, m.HTML, "Meera Rao, Grievance Officer, dpo@acme.example, &#43;91 80 4000 0000", "%s/%s", lang, kind)

			d.Contact = emails.Contact{}
			m, err = r.Render(kind, lang, d)
			require.NoError(t, err)
			assert.NotContains(t, m.Text, "Questions about your personal data", "%s/%s: no contact set, no line", lang, kind)
			assert.NotContains(t, m.Text, "संपर्क करें:", "%s/%s: no contact set, no line", lang, kind)
		}
	}
}
