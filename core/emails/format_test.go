package emails

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		d      time.Duration
		en, hi string
	}{
		{name: "OTP", d: 10 * time.Minute, en: "10 minutes", hi: "10 मिनट"},
		{name: "reset link", d: 30 * time.Minute, en: "30 minutes", hi: "30 मिनट"},
		{name: "verify link", d: 24 * time.Hour, en: "24 hours", hi: "24 घंटे"},
		{name: "one hour", d: time.Hour, en: "1 hour", hi: "1 घंटा"},
		{name: "hours and minutes", d: 90 * time.Minute, en: "1 hour 30 minutes", hi: "1 घंटा 30 मिनट"},
		{name: "one minute", d: time.Minute, en: "1 minute", hi: "1 मिनट"},
		{name: "seconds", d: 45 * time.Second, en: "45 seconds", hi: "45 सेकंड"},
		{name: "89 seconds still counts seconds", d: 89 * time.Second, en: "89 seconds", hi: "89 सेकंड"},
		{name: "90 seconds rounds to minutes", d: 90 * time.Second, en: "2 minutes", hi: "2 मिनट"},
		{name: "a moment after issuing rounds up", d: 10*time.Minute - 300*time.Millisecond, en: "10 minutes", hi: "10 मिनट"},
		{name: "under a second", d: time.Millisecond, en: "1 second", hi: "1 सेकंड"},
		{name: "zero", d: 0, en: "", hi: ""},
		{name: "negative", d: -time.Minute, en: "", hi: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.en, formatDuration(tt.d, false))
			assert.Equal(t, tt.hi, formatDuration(tt.d, true))
		})
	}
}

func TestFormatWhen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		at     time.Time
		en, hi string
	}{
		{name: "UTC afternoon", at: time.Date(2026, time.November, 26, 9, 34, 0, 0, time.UTC), en: "26 Nov 2026, 15:04 IST", hi: "26 नवंबर 2026, 15:04 IST"},
		{name: "crosses midnight into the next day", at: time.Date(2026, time.December, 31, 18, 45, 0, 0, time.UTC), en: "1 Jan 2027, 00:15 IST", hi: "1 जनवरी 2027, 00:15 IST"},
		{name: "another zone", at: time.Date(2026, time.February, 3, 8, 0, 0, 0, time.FixedZone("EST", -5*3600)), en: "3 Feb 2026, 18:30 IST", hi: "3 फ़रवरी 2026, 18:30 IST"},
		{name: "zero", at: time.Time{}, en: "", hi: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.en, formatWhen(tt.at, false))
			assert.Equal(t, tt.hi, formatWhen(tt.at, true))
		})
	}
}

func TestOneLineAndTidyText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		fn             func(string) string
	}{
		{name: "subject CRLF", fn: oneLine, in: "Code\r\nBcc: x", want: "Code Bcc: x"},
		{name: "subject tabs and separators", fn: oneLine, in: " a\t\u2028b\u0085c\x00 ", want: "a b c"},
		{name: "text collapses blank runs", fn: tidyText, in: "\n\na  \n\n\n\nb\r\n\n", want: "a\n\nb\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.fn(tt.in))
		})
	}
}
