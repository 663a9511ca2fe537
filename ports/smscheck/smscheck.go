// Package smscheck holds the checks that SMS senders and SMS budgets make on
// what they are given, so that every adapter refuses the same things in the
// same words. It lives beside package ports, not in it, so that ports keeps
// only its declarations.
package smscheck

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bharatauth/bharatauth-go/ports"
)

// maxE164Digits is the most digits an E.164 number has, country code
// included (ITU-T E.164 §6).
const maxE164Digits = 15

// minE164Digits is the fewest digits this package accepts: a country code and
// a subscriber number of any real numbering plan are longer.
const minE164Digits = 8

// Number checks that to is a phone number in E.164 form: a plus sign, then 8
// to 15 digits, the first of them not 0, and nothing else. Its error never
// quotes the number, which is personal data.
func Number(to string) error {
	digits, ok := strings.CutPrefix(to, "+")
	if !ok {
		return errors.New("phone number must be in E.164 form, starting with +")
	}
	if len(digits) < minE164Digits || len(digits) > maxE164Digits {
		return fmt.Errorf("phone number must have %d to %d digits in E.164 form", minE164Digits, maxE164Digits)
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return errors.New("phone number must hold only digits after the +")
		}
	}
	if digits[0] == '0' {
		return errors.New("phone number must not start with a 0 country code")
	}
	return nil
}

// SMS checks that m can be sent: an E.164 number and a text that is not
// blank. An error is permanent (the message itself is wrong) and never
// carries the text or the number.
func SMS(m ports.SMS) error {
	if err := Number(m.To); err != nil {
		return err
	}
	if strings.TrimSpace(m.Text) == "" {
		return errors.New("SMS text is blank")
	}
	return nil
}

// Limits checks the limits of one ports.SMSBudget.TakeSMS call as the port
// requires: at least one, each with a non-empty key, a limit of at least 1
// and a positive window, and no key twice. Its error never quotes a key
// (keys may hold a number's HMAC or an IP).
func Limits(limits []ports.SMSLimit) error {
	if len(limits) == 0 {
		return errors.New("SMS budget: no limits to take from")
	}
	seen := make(map[string]bool, len(limits))
	for i, l := range limits {
		switch {
		case l.Key == "":
			return fmt.Errorf("SMS budget: limit %d has no key", i)
		case l.Limit < 1:
			return fmt.Errorf("SMS budget: limit %d must allow at least 1 send, not %d", i, l.Limit)
		case l.Window <= 0:
			return fmt.Errorf("SMS budget: limit %d needs a positive window, not %s", i, l.Window)
		case seen[l.Key]:
			return fmt.Errorf("SMS budget: limit %d repeats the key of an earlier one", i)
		}
		seen[l.Key] = true
	}
	return nil
}
