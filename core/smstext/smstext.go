// Package smstext renders the text messages core sends by SMS: a sign-in
// code, a phone verification code, PIN reset, password reset and unlock codes,
// a new-device notice and a notice to the old number of a phone change,
// in English and Hindi, each overridable per language with the id under
// which the operator registered it on India's DLT platform.
//
// Every message fits one SMS part: at most 160 GSM-7 characters (an
// extension character such as '{' or '€' counts as 2), or, when any character
// is outside GSM-7 (Hindi is), at most 70 UCS-2 code units. A message with a
// code starts with the code (a phone's notification preview shows it) and
// ends with the WebOTP line "@<domain> #<code>" (browsers fill the code in),
// followed, when an Android app hash is configured, by the 11-character hash
// of Android's SMS Retriever.
//
// NewRenderer returns an error naming every template that is malformed or
// could grow past one part; Render returns one for an unknown kind.
package smstext

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Kind names what a message is for; it is ports.SMS.Kind.
type Kind string

// The kinds of messages.
const (
	SignInCode  Kind = "signin_code"  // a sign-in code (RequestOTP with a phone)
	VerifyPhone Kind = "verify_phone" // a code that proves a new number (registration, phone change)
	PINReset    Kind = "pin_reset"    // a code that resets the PIN
	// PasswordReset and Unlock are the recovery codes of an account without a
	// verified email: they reset the password, or lift a sign-in lock.
	PasswordReset Kind = "password_reset"
	Unlock        Kind = "unlock"
	NewDevice     Kind = "new_device"   // a notice of a sign-in from a new device; no code
	PhoneChange   Kind = "phone_change" // a notice to the old number that the account moves to another; no code
)

// Kinds returns every kind.
func Kinds() []Kind {
	return []Kind{SignInCode, VerifyPhone, PINReset, PasswordReset, Unlock, NewDevice, PhoneChange}
}

// hasCode reports whether messages of kind carry a code.
func hasCode(k Kind) bool { return k != NewDevice && k != PhoneChange }

// Template is one message. Text may use {code} (required first, for a kind
// with a code, and forbidden otherwise) and {app}; core adds the WebOTP line
// and the app hash itself. TemplateID is the DLT template id (ports.SMS).
type Template struct {
	Text       string
	TemplateID string
}

// Limits of what a message carries, used to check that every template fits
// one part whatever it is rendered with.
const (
	CodeLen       = 6  // digits of a code
	MaxDomainLen  = 20 // the WebOTP domain: "accounts.example.in" is 19
	MaxAppNameLen = 20 // {app}
	AppHashLen    = 11 // Android SMS Retriever
	MaxGSM7       = 160
	MaxUCS2       = 70
)

// Data fills a template.
type Data struct {
	Code    string // CodeLen digits; empty for NewDevice
	App     string // the app's name, at most MaxAppNameLen characters
	Domain  string // the WebOTP domain, at most MaxDomainLen characters
	AppHash string // "" or AppHashLen characters
}

// Message is a rendered SMS.
type Message struct {
	Text       string
	TemplateID string
}

// Renderer renders messages. It is safe for concurrent use.
type Renderer struct {
	defaultLang string
	templates   map[string]map[Kind]Template
}

// Languages returns the languages with built-in templates.
func Languages() []string { return []string{"en", "hi"} }

// NewRenderer merges overrides (language → kind → template) over the
// built-in templates and checks each one: {code} first where the kind has a
// code, no unknown placeholder, and one part when rendered with the longest
// code, app name, domain and hash allowed. A language that is not built in
// must override every kind. defaultLang is used for users without one.
func NewRenderer(defaultLang string, overrides map[string]map[Kind]Template) (*Renderer, error) {
	r := &Renderer{defaultLang: defaultLang, templates: map[string]map[Kind]Template{}}
	for lang, ts := range builtin {
		r.templates[lang] = map[Kind]Template{}
		for k, t := range ts {
			r.templates[lang][k] = t
		}
	}
	var errs []error
	for lang, ts := range overrides {
		if _, ok := r.templates[lang]; !ok {
			r.templates[lang] = map[Kind]Template{}
		}
		for k, t := range ts {
			if !slices.Contains(Kinds(), k) {
				errs = append(errs, fmt.Errorf("SMS template %s/%s: unknown kind", lang, k))
				continue
			}
			r.templates[lang][k] = t
		}
	}
	if _, ok := r.templates[defaultLang]; !ok {
		errs = append(errs, fmt.Errorf("SMS language %q has no templates (built in: %s)", defaultLang, strings.Join(Languages(), ", ")))
	}
	for lang, ts := range r.templates {
		for _, k := range Kinds() {
			t, ok := ts[k]
			if !ok {
				errs = append(errs, fmt.Errorf("SMS template %s/%s is missing", lang, k))
				continue
			}
			if err := Check(k, t); err != nil {
				errs = append(errs, fmt.Errorf("SMS template %s/%s: %w", lang, k, err))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return r, nil
}

// Why a template is refused.
var (
	ErrCodeNotFirst  = errors.New("must start with {code}")
	ErrCodeForbidden = errors.New("must not use {code}: this kind carries no code")
	ErrPlaceholder   = errors.New("uses a placeholder other than {code} and {app}")
	ErrTooLong       = errors.New("does not fit one SMS part (160 GSM-7 or 70 UCS-2 characters) with the longest code, app name, domain and hash")
)

// Check checks one template as NewRenderer does.
func Check(k Kind, t Template) error {
	text := strings.NewReplacer("{code}", "", "{app}", "").Replace(t.Text)
	if strings.ContainsAny(text, "{}") {
		return ErrPlaceholder
	}
	switch {
	case hasCode(k) && !strings.HasPrefix(t.Text, "{code}"):
		return ErrCodeNotFirst
	case !hasCode(k) && strings.Contains(t.Text, "{code}"):
		return ErrCodeForbidden
	}
	longest := Data{
		Code: strings.Repeat("9", CodeLen), App: strings.Repeat("W", MaxAppNameLen),
		Domain: strings.Repeat("w", MaxDomainLen), AppHash: strings.Repeat("A", AppHashLen),
	}
	if !OnePart(render(k, t, longest)) {
		return ErrTooLong
	}
	return nil
}

// Render renders kind in lang (or the default language when lang has no
// templates).
func (r *Renderer) Render(kind Kind, lang string, d Data) (Message, error) {
	ts, ok := r.templates[lang]
	if !ok {
		ts = r.templates[r.defaultLang]
	}
	t, ok := ts[kind]
	if !ok {
		return Message{}, fmt.Errorf("smstext: unknown kind %q", kind)
	}
	return Message{Text: render(kind, t, d), TemplateID: t.TemplateID}, nil
}

func render(k Kind, t Template, d Data) string {
	text := strings.NewReplacer("{code}", d.Code, "{app}", d.App).Replace(t.Text)
	if !hasCode(k) {
		return text
	}
	text += "\n@" + d.Domain + " #" + d.Code
	if d.AppHash != "" {
		text += " " + d.AppHash
	}
	return text
}

// OnePart reports whether text fits one SMS part: 160 GSM-7 septets (an
// extension character takes 2) when every character is in GSM-7, else 70
// UCS-2 code units (a character beyond the BMP takes 2).
func OnePart(text string) bool {
	septets, gsm := GSM7Len(text)
	if gsm {
		return septets <= MaxGSM7
	}
	return UCS2Len(text) <= MaxUCS2
}

// GSM7Len returns the septets text takes in GSM 03.38, and false when a
// character is not in its basic set or extension table.
func GSM7Len(text string) (int, bool) {
	n := 0
	for _, r := range text {
		switch {
		case strings.ContainsRune(gsm7Basic, r):
			n++
		case strings.ContainsRune(gsm7Extension, r):
			n += 2
		default:
			return 0, false
		}
	}
	return n, true
}

// UCS2Len returns the UTF-16 code units of text.
func UCS2Len(text string) int {
	n := 0
	for _, r := range text {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// The GSM 03.38 default alphabet and its extension table (each extension
// character is sent as ESC + itself: two septets).
const (
	gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Extension = "\f^{}\\[~]|€"
)
