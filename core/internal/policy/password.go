// Package policy holds the rules a new password or PIN must meet.
//
// Passwords follow NIST SP 800-63B §3.1.1.2: a length range counted in
// Unicode code points, no composition rules, no truncation, and a check
// against a list of commonly used passwords. PINs are 4 to 8 ASCII digits
// and may not be among the most common PINs or an obvious pattern.
//
// CheckPassword and CheckPIN return nil or a *Violation whose Reason says,
// in plain English, why the value was refused. A Violation never contains
// the value itself.
package policy

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Password length bounds, in Unicode code points. NIST SP 800-63B asks for at
// least 8 and accepting at least 64; 128 leaves room for passphrases while bounding the hashing input.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 128
)

// minFragmentLength is the shortest email local part or username that a
// password may not contain: shorter ones ("a", "jo") would refuse many
// unrelated passwords.
const minFragmentLength = 3

// Violation says which field broke which rule. It implements error.
type Violation struct {
	Field  string // "password" or "pin"
	Reason string // plain English, e.g. "too short: at least 8 characters"
}

// Error returns "<field>: <reason>".
func (v *Violation) Error() string { return v.Field + ": " + v.Reason }

// CheckPassword returns nil when password may be used by the account with
// email and username (either may be empty), or a *Violation saying why not:
// not valid UTF-8, too short, too long, contains the email address or
// username, or too common.
func CheckPassword(password, email, username string) error {
	if !utf8.ValidString(password) {
		return passwordViolation("not valid UTF-8 text")
	}
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLength {
		return passwordViolation("too short: at least " + strconv.Itoa(MinPasswordLength) + " characters")
	}
	if n > MaxPasswordLength {
		return passwordViolation("too long: at most " + strconv.Itoa(MaxPasswordLength) + " characters")
	}
	lower := strings.ToLower(password)
	if containsFragment(lower, emailLocalPart(email)) || containsFragment(lower, strings.TrimSpace(email)) {
		return passwordViolation("contains your email address")
	}
	if containsFragment(lower, strings.TrimSpace(username)) {
		return passwordViolation("contains your username")
	}
	if IsCommonPassword(password) {
		return passwordViolation("too common: it appears in lists of leaked passwords")
	}
	return nil
}

func passwordViolation(reason string) *Violation {
	return &Violation{Field: "password", Reason: reason}
}

// emailLocalPart returns the part of email before the last "@" (all of it
// when there is no "@").
func emailLocalPart(email string) string {
	email = strings.TrimSpace(email)
	if at := strings.LastIndexByte(email, '@'); at >= 0 {
		return email[:at]
	}
	return email
}

// containsFragment reports whether lowerPassword contains fragment,
// case-insensitively, when fragment is long enough to matter.
func containsFragment(lowerPassword, fragment string) bool {
	if utf8.RuneCountInString(fragment) < minFragmentLength {
		return false
	}
	return strings.Contains(lowerPassword, strings.ToLower(fragment))
}
