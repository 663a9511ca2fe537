// Package emails renders the emails BharatAuth sends — one-time codes, links,
// security alerts and consent receipts — in English ("en") and Hindi ("hi"),
// with optional app-supplied overrides and extra languages.
//
// The emails are written for people on shared or borrowed phones and slow
// networks: short and plain, the code or link first, the expiry stated, and
// always what to do if it was not them. No email ever carries a password or PIN.
//
// Each email has three parts. The subject and the text body are rendered with
// text/template; the HTML body with html/template, so every value it
// interpolates is escaped and links keep only safe schemes. Subjects are
// flattened to one line, so data can never inject a mail header.
//
// NewRenderer returns an error naming the kind and language of a template that
// does not parse or execute. Render returns errors wrapping ErrUnknownKind for a
// kind it does not know and ErrMissingData when Data lacks a field the kind
// needs; neither error ever contains a code or a link.
package emails

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"
)

// Kind names one email.
type Kind string

// The emails BharatAuth sends. The comment after each names the Data fields its
// built-in templates use besides AppName, DisplayName and Email.
const (
	LoginOTP          Kind = "login_otp"           // Code, ExpiresIn
	StepUpOTP         Kind = "step_up_otp"         // Code, ExpiresIn ("confirm it's you")
	VerifyEmail       Kind = "verify_email"        // Link, ExpiresIn
	PasswordReset     Kind = "password_reset"      // Link, ExpiresIn
	PINReset          Kind = "pin_reset"           // Link, ExpiresIn
	Unlock            Kind = "unlock"              // Link, ExpiresIn; the account was locked after many failed attempts
	NewDevice         Kind = "new_device"          // Device, IPAddress, At
	CredentialChanged Kind = "credential_changed"  // Change ("password" | "pin"), At, IPAddress
	ConsentWithdrawn  Kind = "consent_withdrawn"   // Category, At — a receipt (DPDP §6(4))
	ErasureRequested  Kind = "erasure_requested"   // At, DueAt; ExpiresIn (the grace) when a sign-in before DueAt cancels — a receipt (DPDP §12(3))
	ErasureCancelled  Kind = "erasure_cancelled"   // At — a sign-in cancelled the erasure request
	ErasureCompleted  Kind = "erasure_completed"   // At — the erasure was carried out
	GrievanceFiled    Kind = "grievance_filed"     // Title, At, DueAt — a receipt (DPDP §13)
	GrievanceAnswered Kind = "grievance_answered"  // Title, Body (the answer), At
	EmailChangeLink   Kind = "email_change_link"   // Link, ExpiresIn — to the new address
	EmailChangeNotice Kind = "email_change_notice" // Title (the new address), At, IPAddress — to the old address (DPDP §12(1))
	NomineeNamed      Kind = "nominee_named"       // Title (the address of who named them), At — to the nominee (DPDP §14)
	InactivityWarning Kind = "inactivity_warning"  // At (last active), DueAt (erasure unless they sign in) — DPDP Rules, Rule 8(2)
	BreachNotice      Kind = "breach_notice"       // Breach, At (when it happened) — DPDP §8(6), Rule 7(1)
	GuardianConsent   Kind = "guardian_consent"    // Link, ExpiresIn, Child — to a child's guardian (DPDP §9)
	DataExported      Kind = "data_exported"       // At, IPAddress — a receipt of a copy of the data (DPDP §11)
)

// Kinds lists every Kind, in a stable order. The slice is the caller's own.
func Kinds() []Kind {
	return []Kind{
		LoginOTP, StepUpOTP, VerifyEmail, PasswordReset, PINReset,
		Unlock, NewDevice, CredentialChanged, ConsentWithdrawn, ErasureRequested, GuardianConsent,
		ErasureCancelled, ErasureCompleted, GrievanceFiled, GrievanceAnswered,
		EmailChangeLink, EmailChangeNotice, NomineeNamed, InactivityWarning, BreachNotice, DataExported,
	}
}

// Data is what a template may show. Fields a kind does not use stay empty.
type Data struct {
	AppName     string        // required for every kind: an email that does not say who sent it looks like phishing
	DisplayName string        // may be empty: the greeting then has no name
	Email       string        // the account's address, shown in alerts and receipts
	Code        string        // the one-time code (LoginOTP, StepUpOTP)
	Link        string        // an absolute http(s) URL carrying the token (link kinds)
	ExpiresIn   time.Duration // how long the code or link works; zero omits the sentence
	Device      string        // a human description of the device ("Chrome on Android")
	IPAddress   string
	At          time.Time // when the event happened; shown in IST
	Change      string    // what changed: "password" or "pin"
	Category    string    // the DPDP consent category withdrawn
	// ProcessingStops is set on a withdrawal receipt when the app listens for
	// consent changes (a ConsentListener), so the receipt may promise that
	// processing stops; otherwise it only confirms the withdrawal is recorded.
	ProcessingStops bool
	// Child is the child's email address, or its phone number for a child
	// that registered by phone only, in the guardian's consent request.
	Child string
	DueAt time.Time // when a request will be answered; shown in IST
	Title string    // what a request is about, as the user named it (a grievance's subject)
	Body  string    // a longer text written by a person (a grievance officer's answer)
	// Breach is what a breach notice says (BreachNotice).
	Breach Breach
	// Contact is the app's privacy contact, shown in every receipt of a
	// data-protection right; its line is left out when Email is empty.
	Contact Contact
}

// Breach is what DPDP Rules 2025, Rule 7(1) has a breach notice say.
type Breach struct {
	Description  string // what happened: its nature and extent
	Consequences string // the consequences likely for the reader
	Measures     string // what the service is doing about it
	UserActions  string // what the reader can do
}

// Contact is whom a user asks about their personal data: the data
// protection officer or the person the app names (DPDP Rules 2025, Rule 9).
type Contact struct {
	Name  string
	Email string
	Phone string // optional
	URL   string // optional
}

// Template holds the Go template sources of one email over Data. Subject and
// Text are text/template sources, HTML an html/template source. Besides Data's
// fields they may call:
//
//	duration .ExpiresIn  "10 minutes" / "10 मिनट" (Hindi units for "hi", English otherwise)
//	when .At             "26 Nov 2026, 15:04 IST" / "26 नवंबर 2026, 15:04 IST"; "" for a zero time
//	ist .At              the time.Time in IST, for a layout of your own
//	change .Change       "password" / "PIN" / "पासवर्ड"
//	category .Category   the category, with a Hindi name for the defaults in "hi"
type Template struct{ Subject, Text, HTML string }

// Message is one rendered email. HTML is empty only when an override for an
// added language left it out.
type Message struct{ Subject, Text, HTML string }

// ErrUnknownKind is wrapped by Render for a kind that is not one of Kinds.
var ErrUnknownKind = errors.New("emails: unknown kind")

// ErrMissingData is wrapped by Render when Data lacks a field the kind needs
// (AppName always; Code, Link, Change or Category by kind), or a link is not an
// absolute http(s) URL.
var ErrMissingData = errors.New("emails: missing data")

// Renderer renders emails. It is immutable after NewRenderer and safe for
// concurrent use.
type Renderer struct {
	defaultLang string
	langs       map[string]map[Kind]*compiled
}

type compiled struct {
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template // nil when the source is empty
}

// NewRenderer parses the built-in English ("en") and Hindi ("hi") templates,
// then the overrides (language → kind → Template), and returns a Renderer.
//
// For a built-in language an override may cover any subset of kinds, and any
// subset of a kind's parts: an empty Subject, Text or HTML keeps the built-in
// one. An override may add a language only if it covers every kind with at
// least a Subject and a Text (HTML is optional there). Language keys match by
// primary subtag ("hi-IN" overrides "hi"). Every template is parsed and
// executed once on sample data, so a reference to a field Data does not have is
// caught here, with the kind and language named in the error. defaultLang ("en"
// if empty) must be a language the Renderer knows.
func NewRenderer(defaultLang string, overrides map[string]map[Kind]Template) (*Renderer, error) {
	sources := map[string]map[Kind]Template{"en": english(), "hi": hindi()}
	if err := mergeOverrides(sources, overrides); err != nil {
		return nil, err
	}
	if defaultLang == "" {
		defaultLang = "en"
	}
	def := primarySubtag(defaultLang)
	if _, ok := sources[def]; !ok {
		return nil, fmt.Errorf("emails: default language %q has no templates", defaultLang)
	}
	r := &Renderer{defaultLang: def, langs: make(map[string]map[Kind]*compiled, len(sources))}
	for lang, kinds := range sources {
		r.langs[lang] = make(map[Kind]*compiled, len(kinds))
		for kind, src := range kinds {
			c, err := compile(lang, kind, src)
			if err != nil {
				return nil, err
			}
			r.langs[lang][kind] = c
		}
	}
	return r, nil
}

// mergeOverrides folds overrides into sources, validating languages and kinds.
func mergeOverrides(sources map[string]map[Kind]Template, overrides map[string]map[Kind]Template) error {
	known := make(map[Kind]bool)
	for _, k := range Kinds() {
		known[k] = true
	}
	seen := make(map[string]string, len(overrides))
	for key, kinds := range overrides {
		lang := primarySubtag(key)
		if !validSubtag(lang) {
			return fmt.Errorf("emails: override language %q is not a language tag", key)
		}
		if other, dup := seen[lang]; dup {
			return fmt.Errorf("emails: overrides %q and %q are the same language", other, key)
		}
		seen[lang] = key
		for kind := range kinds {
			if !known[kind] {
				return fmt.Errorf("emails: override for language %q: %w %q", lang, ErrUnknownKind, kind)
			}
		}
		base, builtin := sources[lang]
		if !builtin {
			for _, kind := range Kinds() {
				t, ok := kinds[kind]
				if !ok || t.Subject == "" || t.Text == "" {
					return fmt.Errorf("emails: added language %q must give a subject and text for kind %q", lang, kind)
				}
			}
			base = make(map[Kind]Template, len(kinds))
			sources[lang] = base
		}
		for kind, t := range kinds {
			merged := base[kind]
			if t.Subject != "" {
				merged.Subject = t.Subject
			}
			if t.Text != "" {
				merged.Text = t.Text
			}
			if t.HTML != "" {
				merged.HTML = t.HTML
			}
			base[kind] = merged
		}
	}
	return nil
}

// compile parses one kind's sources for one language and executes them on
// sample data, so that mistakes surface at start-up rather than in a send.
func compile(lang string, kind Kind, src Template) (*compiled, error) {
	fail := func(part string, err error) error {
		return fmt.Errorf("emails: kind %q, language %q, %s template: %w", kind, lang, part, err)
	}
	funcs := funcsFor(lang)
	c := &compiled{}
	var err error
	if c.subject, err = texttemplate.New("subject").Funcs(funcs).Parse(src.Subject); err != nil {
		return nil, fail("subject", err)
	}
	if c.text, err = texttemplate.New("text").Funcs(funcs).Parse(src.Text); err != nil {
		return nil, fail("text", err)
	}
	if src.HTML != "" {
		if c.html, err = htmltemplate.New("html").Funcs(htmltemplate.FuncMap(funcs)).Parse(src.HTML); err != nil {
			return nil, fail("HTML", err)
		}
	}
	if _, err := c.execute(sampleData()); err != nil {
		return nil, fmt.Errorf("emails: kind %q, language %q: %w", kind, lang, err)
	}
	return c, nil
}

func (c *compiled) execute(d Data) (Message, error) {
	var subject, text, html strings.Builder
	if err := c.subject.Execute(&subject, d); err != nil {
		return Message{}, fmt.Errorf("subject template: %w", err)
	}
	if err := c.text.Execute(&text, d); err != nil {
		return Message{}, fmt.Errorf("text template: %w", err)
	}
	if c.html != nil {
		if err := c.html.Execute(&html, d); err != nil {
			return Message{}, fmt.Errorf("HTML template: %w", err)
		}
	}
	return Message{Subject: oneLine(subject.String()), Text: tidyText(text.String()), HTML: html.String()}, nil
}

// Render renders kind in lang. lang is a BCP 47 tag ("hi", "hi-IN", "en-IN"
// match by primary subtag) or an Accept-Language list; an empty or unknown
// language falls back to the default language.
func (r *Renderer) Render(kind Kind, lang string, d Data) (Message, error) {
	chosen := r.match(lang)
	c, ok := r.langs[chosen][kind]
	if !ok {
		return Message{}, fmt.Errorf("emails: render %q: %w", kind, ErrUnknownKind)
	}
	if err := validate(kind, d); err != nil {
		return Message{}, err
	}
	m, err := c.execute(d)
	if err != nil {
		return Message{}, fmt.Errorf("emails: kind %q, language %q: %w", kind, chosen, err)
	}
	return m, nil
}

// validate checks the fields without which the email would be useless or
// misleading. Errors name the field, never its value: a link carries a token.
func validate(kind Kind, d Data) error {
	missing := func(field string) error {
		return fmt.Errorf("emails: %s needs %s: %w", kind, field, ErrMissingData)
	}
	if strings.TrimSpace(d.AppName) == "" {
		return missing("AppName")
	}
	switch kind {
	case LoginOTP, StepUpOTP:
		if strings.TrimSpace(d.Code) == "" {
			return missing("Code")
		}
	case VerifyEmail, PasswordReset, PINReset, Unlock, GuardianConsent, EmailChangeLink:
		// Only web links: html/template would neutralise any other scheme
		// in the HTML part, and many mail apps do not open custom schemes.
		u, err := url.Parse(d.Link)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return missing("Link (an absolute http or https URL)")
		}
	case CredentialChanged:
		if strings.TrimSpace(d.Change) == "" {
			return missing("Change")
		}
	case ConsentWithdrawn:
		if strings.TrimSpace(d.Category) == "" {
			return missing("Category")
		}
	case GrievanceAnswered:
		if strings.TrimSpace(d.Body) == "" {
			return missing("Body")
		}
	case BreachNotice:
		if strings.TrimSpace(d.Breach.Description) == "" || d.At.IsZero() {
			return missing("Breach.Description and At")
		}
	case EmailChangeNotice, NomineeNamed:
		if strings.TrimSpace(d.Title) == "" {
			return missing("Title")
		}
	}
	if kind == GuardianConsent && strings.TrimSpace(d.Child) == "" {
		return missing("Child")
	}
	return nil
}

// oneLine turns every control or line-separator character into a space and
// collapses runs of spaces, so a subject can never carry CR/LF into headers.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// tidyText trims trailing spaces and collapses the blank lines that optional
// template sections leave behind, ending the body with one newline.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines))
	for _, line := range lines {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if line == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, line)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}

// sampleData fills every field, so that executing a template on it reaches
// every branch a real send would.
func sampleData() Data {
	return Data{
		AppName:     "Sample",
		DisplayName: "Asha",
		Email:       "asha@example.com",
		Code:        "123456",
		Link:        "https://app.example/link?token=sample",
		ExpiresIn:   10 * time.Minute,
		Device:      "Chrome on Android",
		IPAddress:   "203.0.113.7",
		At:          time.Date(2026, time.November, 26, 9, 34, 0, 0, time.UTC),
		Change:      "password",
		Category:    "analytics",
		DueAt:       time.Date(2026, time.December, 3, 9, 34, 0, 0, time.UTC),
		Title:       "My phone number",
		Body:        "We shared it with the courier only.",
		Breach:      Breach{Description: "d", Consequences: "c", Measures: "m", UserActions: "u"},
		Contact:     Contact{Name: "Grievance Officer", Email: "privacy@app.example", Phone: "+91 80 0000 0000", URL: "https://app.example/privacy"},
	}
}
