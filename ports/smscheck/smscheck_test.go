package smscheck_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/smscheck"
)

func TestNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, to string
		ok       bool
	}{
		{"Indian mobile", "+919876543210", true},
		{"UK mobile", "+447700900123", true},
		{"8 digits, the fewest", "+12345678", true},
		{"15 digits, the most", "+123456789012345", true},
		{"7 digits", "+1234567", false},
		{"16 digits", "+1234567890123456", false},
		{"no plus", "919876543210", false},
		{"empty", "", false},
		{"plus only", "+", false},
		{"space", "+91 9876543210", false},
		{"trailing line break", "+919876543210\n", false},
		{"letter", "+91987654321O", false},
		{"country code 0", "+0919876543210", false},
		{"two plus signs", "++919876543210", false},
		{"Devanagari digits", "+९१९८७६५४३२१०", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := smscheck.Number(tc.to)
			if tc.ok != (err == nil) {
				t.Fatalf("Number(%q) = %v, want ok=%v", tc.to, err, tc.ok)
			}
			if err != nil && len(tc.to) > 4 && strings.Contains(err.Error(), tc.to[1:]) {
				t.Errorf("error quotes the number: %v", err)
			}
		})
	}
}

func TestSMS(t *testing.T) {
	t.Parallel()
	ok := ports.SMS{To: "+919876543210", Text: "482913 is your code"}
	if err := smscheck.SMS(ok); err != nil {
		t.Fatalf("valid SMS refused: %v", err)
	}
	for name, m := range map[string]ports.SMS{
		"bad number": {To: "98765", Text: ok.Text},
		"empty text": {To: ok.To},
		"blank text": {To: ok.To, Text: " \t\n"},
	} {
		if err := smscheck.SMS(m); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "482913") {
			t.Errorf("%s: error quotes the text: %v", name, err)
		}
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	good := ports.SMSLimit{Key: "num:abc", Limit: 5, Window: time.Hour}
	if err := smscheck.Limits([]ports.SMSLimit{good, {Key: "global", Limit: 1, Window: time.Microsecond}}); err != nil {
		t.Fatalf("valid limits refused: %v", err)
	}
	tests := []struct {
		name   string
		limits []ports.SMSLimit
		want   string
	}{
		{"none", nil, "no limits"},
		{"empty key", []ports.SMSLimit{good, {Limit: 1, Window: time.Hour}}, "limit 1 has no key"},
		{"zero limit", []ports.SMSLimit{{Key: "k", Window: time.Hour}}, "at least 1"},
		{"zero window", []ports.SMSLimit{{Key: "k", Limit: 1}}, "positive window"},
		{"negative window", []ports.SMSLimit{{Key: "k", Limit: 1, Window: -time.Second}}, "positive window"},
		{"repeated key", []ports.SMSLimit{good, {Key: good.Key, Limit: 9, Window: time.Minute}}, "repeats the key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := smscheck.Limits(tc.limits)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Limits = %v, want an error with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "num:abc") {
				t.Errorf("error quotes a key: %v", err)
			}
		})
	}
}
