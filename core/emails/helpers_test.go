package emails_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core/emails"
)

// testLink is the link of every email that carries one.
const testLink = "https://app.example/reset?token=abc&x=1"

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

// rendered is one email that renderEveryKind made: the language, kind and
// data it was rendered from, and the message.
type rendered struct {
	lang string
	kind emails.Kind
	data emails.Data
	emails.Message
}

// renderEveryKind renders every kind in English and Hindi, each in its own
// parallel subtest named lang/kind, from fullData changed by edit (when not
// nil), and hands each email to check.
func renderEveryKind(t *testing.T, edit func(*emails.Data), check func(t *testing.T, m rendered)) {
	t.Helper()
	r := newRenderer(t)
	for _, lang := range []string{"en", "hi"} {
		for _, kind := range emails.Kinds() {
			t.Run(lang+"/"+string(kind), func(t *testing.T) {
				t.Parallel()
				d := fullData(kind)
				if edit != nil {
					edit(&d)
				}
				m, err := r.Render(kind, lang, d)
				require.NoError(t, err)
				check(t, rendered{lang: lang, kind: kind, data: d, Message: m})
			})
		}
	}
}
