package policy

import (
	_ "embed"
	"strings"
	"sync"
)

// commonPasswordsText is the list of common passwords: lower-cased, one per
// line. README.md beside it names its sources and their licences.
//
//go:embed common_passwords.txt
var commonPasswordsText string

// commonPasswords is the list as a set, built on first use.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	lines := strings.Split(commonPasswordsText, "\n")
	set := make(map[string]struct{}, len(lines))
	for _, line := range lines {
		if line = strings.TrimRight(line, "\r"); line != "" {
			set[line] = struct{}{}
		}
	}
	return set
})

// IsCommonPassword reports whether p, compared case-insensitively, is on the
// embedded list of common passwords.
func IsCommonPassword(p string) bool {
	_, found := commonPasswords()[strings.ToLower(p)]
	return found
}
