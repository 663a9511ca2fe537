package core

import (
	"errors"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// maxEmailLen is the RFC 5321 path limit, in bytes of the address as sent,
// that is with its domain in ASCII form.
const maxEmailLen = 254

// Why an email address is refused; the text is what a caller is told.
var (
	errEmailInvalid      = errors.New("is not a valid email address")
	errEmailTooLong      = errors.New("is too long")
	errEmailIPDomain     = errors.New("must name a domain, not an IP address")
	errEmailUnicodeLocal = errors.New("may use only ASCII characters before the @")
	errEmailBadDomain    = errors.New("has a domain that is not a valid domain name")

	errTextNotUTF8   = errors.New("is not valid UTF-8")
	errTextControl   = errors.New("contains control characters")
	errTextInvisible = errors.New("contains invisible formatting characters")
)

// canonicalEmail is the one rule for email addresses, applied where an
// account is created and wherever an identifier names one, so that every
// spelling of one mailbox reaches one account and nothing the eye cannot see
// tells two accounts apart:
//   - a bare address (no display name, no comment, no quoted local part);
//   - no control characters and no invisible formatting characters
//     (checkIdentifierText), which would let "asha@example.in" and a
//     look-alike with a zero-width space be two accounts;
//   - a domain name, never an IP literal ("[192.0.2.1]", "[IPv6:…]") or a
//     dotted quad: mail to one goes to whatever host the address names,
//     past any MX, SPF or DMARC of a domain, and past domain allow-lists;
//   - the domain in its ASCII (IDNA, UTS #46 lookup) form, lower-cased, so
//     "bücher.example" and "xn--bcher-kva.example" are one domain;
//   - a local part in ASCII unless allowUnicodeLocal (RFC 6531 needs SMTPUTF8
//     at every hop to deliver it);
//   - at most maxEmailLen bytes in the form returned.
//
// The local part keeps its case (emails compare case-insensitively in the
// UserDirectory). s must be trimmed; the error's text says why it is refused.
func canonicalEmail(s string, allowUnicodeLocal bool) (string, error) {
	if len(s) > maxIdentifierLen {
		return "", errEmailTooLong // before any parsing work
	}
	if err := checkIdentifierText(s); err != nil {
		return "", err
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return "", errEmailInvalid
	}
	local, domain := s[:at], s[at+1:]
	if strings.HasPrefix(domain, "[") {
		return "", errEmailIPDomain
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return "", errEmailInvalid
	}
	if !allowUnicodeLocal && !isASCII(local) {
		return "", errEmailUnicodeLocal
	}
	// Lookup maps (lower-cases, NFC) and checks each label; it also folds
	// full-width digits and dots, so the IP checks below run on its output.
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return "", errEmailBadDomain
	}
	ascii = strings.ToLower(ascii)
	if !hostnameLabels(ascii) {
		// Lookup can map a label to nothing ("Xn--" becomes ""): judge the
		// form that is kept, not the one typed.
		return "", errEmailBadDomain
	}
	dot := strings.LastIndexByte(ascii, '.')
	if dot < 0 {
		return "", errEmailInvalid
	}
	if allDigits(ascii[dot+1:]) {
		// No top-level domain is numeric (RFC 3696 §2): this is an IPv4
		// address, whole or abbreviated.
		return "", errEmailIPDomain
	}
	email := local + "@" + ascii
	if len(email) > maxEmailLen {
		return "", errEmailTooLong
	}
	return email, nil
}

// checkIdentifierText says why s cannot be an identifier's text: invalid
// UTF-8, a control character (Cc), or a formatting character (Cf) such as the
// zero-width space and joiners (U+200B–U+200D, U+2060–U+2064, U+FEFF) and
// the bidi marks, embeddings, overrides and isolates (U+200E–U+200F,
// U+202A–U+202E, U+2066–U+2069), which make two identifiers look alike or
// one display reversed. It returns nil for acceptable text.
func checkIdentifierText(s string) error {
	switch {
	case !utf8.ValidString(s):
		return errTextNotUTF8
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return errTextControl
	case strings.IndexFunc(s, isFormatChar) >= 0:
		return errTextInvisible
	}
	return nil
}

func isFormatChar(r rune) bool { return unicode.Is(unicode.Cf, r) }

// isASCII reports whether s (valid UTF-8) is ASCII: then every rune is one byte.
func isASCII(s string) bool { return utf8.RuneCountInString(s) == len(s) }

func allDigits(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// maxLabelLen is the longest label of a domain name (RFC 1035 §2.3.4).
const maxLabelLen = 63

// hostnameLabels reports whether every dot-separated label of domain has 1 to
// 63 characters. Lookup's STD3 rules already allow only letters, digits and
// inner hyphens; it does not check lengths, and it can map a label to nothing.
func hostnameLabels(domain string) bool {
	for _, label := range strings.Split(domain, ".") {
		if label == "" || len(label) > maxLabelLen {
			return false
		}
	}
	return true
}
