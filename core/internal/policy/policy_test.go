package policy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCommonPasswordList(t *testing.T) {
	t.Parallel()
	set := commonPasswords()
	assert.GreaterOrEqual(t, len(set), 1000)
	assert.GreaterOrEqual(t, len(set), 10_000, "the README promises 10,000+ common passwords")
	for entry := range set {
		if entry != strings.ToLower(entry) {
			t.Fatalf("list entry is not lower-cased: %q", entry)
		}
	}
	tests := []struct {
		name     string
		password string
		want     bool
	}{
		{name: "password", password: "password", want: true},
		{name: "digits", password: "12345678", want: true},
		{name: "keyboard row", password: "qwertyuiop", want: true},
		{name: "iloveyou", password: "iloveyou", want: true},
		{name: "case-insensitive", password: "PassWord", want: true},
		{name: "india-specific", password: "India@123", want: true},
		{name: "deity", password: "jaishreeram", want: true},
		{name: "cricket", password: "Sachin10", want: true},
		{name: "short entries are listed too", password: "123456", want: true},
		{name: "uncommon", password: "tangerine-kettle-49", want: false},
		{name: "empty", password: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, IsCommonPassword(tt.password))
		})
	}
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		password   string
		email      string
		username   string
		wantReason string // "" means accepted
	}{
		{name: "ordinary", password: "tangerine-kettle-49"},
		{name: "exactly 8", password: "x7#kq2Lm"},
		{name: "no composition rules", password: "correcthorsebatterystaple"},
		{name: "spaces allowed and kept", password: "  two  spaces  "},
		{name: "multibyte counted in code points", password: "pässwörd1"},
		{name: "hindi passphrase", password: "मेरा पासवर्ड"},
		{name: "exactly 128", password: strings.Repeat("ab", 64)},
		{name: "128 multibyte code points is 256 bytes", password: strings.Repeat("ä", 128)},
		{name: "7 characters", password: "x7#kq2L", wantReason: "too short: at least 8 characters"},
		{name: "7 multibyte characters, 9 bytes", password: "pässwö1", wantReason: "too short: at least 8 characters"},
		{name: "empty", password: "", wantReason: "too short: at least 8 characters"},
		{name: "129", password: strings.Repeat("a", 64) + strings.Repeat("b", 65), wantReason: "too long: at most 128 characters"},
		{name: "invalid UTF-8", password: "abc\xffdefgh", wantReason: "not valid UTF-8 text"},
		{name: "common", password: "password1", wantReason: "too common: it appears in lists of leaked passwords"},
		{name: "common, any case", password: "QWERTYUIOP", wantReason: "too common: it appears in lists of leaked passwords"},
		{name: "contains the email's local part", password: "ravi.kumar2026!", email: "Ravi.Kumar@example.in", wantReason: "contains your email address"},
		{name: "contains the whole email", password: "x-ravi@example.in", email: "ravi@example.in", wantReason: "contains your email address"},
		{name: "contains the username", password: "MyNameIsCoolRavi99", username: "coolravi", wantReason: "contains your username"},
		{name: "short local part is not a fragment", password: "tangerine-kettle-49", email: "ke@example.in"},
		// 3 is the shortest fragment that counts: a 3-character username or
		// local part inside the password is refused.
		{name: "3-character local part is a fragment", password: "tangerine-kettle-49", email: "Ket@example.in", wantReason: "contains your email address"},
		{name: "3-character username is a fragment", password: "tangerine-kettle-49", username: "TAN", wantReason: "contains your username"},
		{name: "short username is not a fragment", password: "tangerine-kettle-49", username: "ta"},
		{name: "unrelated email and username", password: "tangerine-kettle-49", email: "ravi@example.in", username: "ravi_k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckPassword(tt.password, tt.email, tt.username)
			if requireViolation(t, err, "password", tt.wantReason) {
				assert.Equal(t, "password: "+tt.wantReason, err.Error())
				if len(tt.password) >= 4 {
					assert.NotContains(t, err.Error(), tt.password, "the password is never echoed")
				}
			}
		})
	}
}

func TestCheckPIN(t *testing.T) {
	t.Parallel()
	const badFormat = "must be 4 to 8 digits"
	const guessable = "too easy to guess: a common PIN, a repeat or a sequence"
	tests := []struct {
		name       string
		pin        string
		wantReason string // "" means accepted
	}{
		{name: "four digits", pin: "4829"},
		{name: "leading zero", pin: "0472"},
		{name: "six digits", pin: "503917"},
		{name: "eight digits", pin: "50391728"},
		{name: "near-sequence", pin: "1235"},
		{name: "almost repeated", pin: "1112"},
		{name: "a year is allowed", pin: "1987"},
		{name: "three digits", pin: "482", wantReason: badFormat},
		{name: "nine digits", pin: "482948291", wantReason: badFormat},
		{name: "empty", pin: "", wantReason: badFormat},
		{name: "letters", pin: "48a9", wantReason: badFormat},
		{name: "space", pin: "48 29", wantReason: badFormat},
		{name: "sign", pin: "+4829", wantReason: badFormat},
		{name: "devanagari digits", pin: "४८२९", wantReason: badFormat},
		{name: "fullwidth digits", pin: "４８２９", wantReason: badFormat},
		{name: "0000", pin: "0000", wantReason: guessable},
		{name: "1111", pin: "1111", wantReason: guessable},
		{name: "999999", pin: "999999", wantReason: guessable},
		{name: "1234", pin: "1234", wantReason: guessable},
		{name: "4321", pin: "4321", wantReason: guessable},
		{name: "0123", pin: "0123", wantReason: guessable},
		{name: "3210", pin: "3210", wantReason: guessable},
		{name: "7890 wraps like the number row", pin: "7890", wantReason: guessable},
		{name: "123456", pin: "123456", wantReason: guessable},
		{name: "654321", pin: "654321", wantReason: guessable},
		{name: "12345678", pin: "12345678", wantReason: guessable},
		{name: "1212", pin: "1212", wantReason: guessable},
		{name: "6969", pin: "6969", wantReason: guessable},
		{name: "121212", pin: "121212", wantReason: guessable},
		{name: "123123", pin: "123123", wantReason: guessable},
		{name: "12341234", pin: "12341234", wantReason: guessable},
		{name: "2580 keypad column", pin: "2580", wantReason: guessable},
		{name: "1004", pin: "1004", wantReason: guessable},
		{name: "2000", pin: "2000", wantReason: guessable},
		{name: "2001", pin: "2001", wantReason: guessable},
		{name: "1122", pin: "1122", wantReason: guessable},
		{name: "112233", pin: "112233", wantReason: guessable},
		{name: "159753", pin: "159753", wantReason: guessable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckPIN(tt.pin)
			if requireViolation(t, err, "pin", tt.wantReason) && tt.pin != "" {
				assert.NotContains(t, err.Error(), tt.pin, "the PIN is never echoed")
			}
		})
	}
}

func TestDataGeneticsTop20Refused(t *testing.T) {
	t.Parallel()
	top20 := []string{"1234", "1111", "0000", "1212", "7777", "1004", "2000", "4444", "2222", "6969",
		"9999", "3333", "5555", "6666", "1122", "1313", "8888", "4321", "2001", "1010"}
	for _, pin := range top20 {
		t.Run(pin, func(t *testing.T) {
			t.Parallel()
			require.Error(t, CheckPIN(pin))
		})
	}
}

func TestFourDigitPINsRefusedCount(t *testing.T) {
	t.Parallel()
	// The rules refuse a small, known share of the 10,000 four-digit PINs:
	// 100 "abab" repeats (10 of them "aaaa"), 20 straight runs (10 up, 10
	// down) and the 10 listed four-digit PINs that are neither (1004, 2000,
	// 1122, 2001, 2580, 0852, 1470, 0741, 1379, 1397). A rule that grew by
	// accident would show up here as a different count.
	refused := 0
	for n := range 10000 {
		pin := string([]byte{byte('0' + n/1000), byte('0' + n/100%10), byte('0' + n/10%10), byte('0' + n%10)})
		if CheckPIN(pin) != nil {
			refused++
		}
	}
	assert.Equal(t, 100+20+10, refused)
}
