package core

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCanonicalEmail: no input panics; an accepted address is valid UTF-8,
// within the length limit, has one '@' before an ASCII lower-case domain,
// and is a fixed point (canonicalising it again changes nothing), so that one
// address always names one account, counter and limit.
func FuzzCanonicalEmail(f *testing.F) {
	for _, s := range []string{
		"asha@example.in", "Asha@Bücher.Example", "asha@xn--bcher-kva.example", "a@b.c",
		"asha@[203.0.113.7]", "asha@203.0.113.7", "as\u200bha@example.in", "आशा@उदाहरण.भारत",
		"\"quoted\"@example.in", "asha@@example.in", "", "@", strings.Repeat("a", 250) + "@x.in",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, unicodeLocal bool) {
		got, err := canonicalEmail(s, unicodeLocal)
		if err != nil {
			return
		}
		if !utf8.ValidString(got) || len(got) > maxEmailLen {
			t.Fatalf("accepted %q as %q: not valid UTF-8 or too long", s, got)
		}
		at := strings.LastIndexByte(got, '@')
		if at <= 0 || strings.Count(got, "@") != 1 {
			t.Fatalf("accepted %q as %q: not one local part and one domain", s, got)
		}
		domain := got[at+1:]
		for i := 0; i < len(domain); i++ {
			if c := domain[i]; c >= utf8.RuneSelf || c >= 'A' && c <= 'Z' {
				t.Fatalf("accepted %q with domain %q: not ASCII lower case", s, domain)
			}
		}
		again, err := canonicalEmail(got, unicodeLocal)
		if err != nil || again != got {
			t.Fatalf("canonical form %q of %q is no fixed point: %q, %v", got, s, again, err)
		}
	})
}

// FuzzCleanIdentifier: no input panics, and an accepted identifier is trimmed,
// valid UTF-8 and free of control characters.
func FuzzCleanIdentifier(f *testing.F) {
	for _, s := range []string{"asha", " asha@example.in ", "as\x00ha", "\u202eevil", strings.Repeat("x", 400)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := cleanIdentifier("Fuzz", "identifier", s)
		if err != nil {
			return
		}
		if got != strings.TrimSpace(got) || !plainText(got) || got == "" {
			t.Fatalf("accepted %q as %q", s, got)
		}
	})
}
