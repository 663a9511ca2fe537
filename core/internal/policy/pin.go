package policy

import "strconv"

// PIN length bounds, in ASCII digits.
const (
	MinPINLength = 4
	MaxPINLength = 8
)

// commonPINs are the PINs refused beyond the patterns CheckPIN detects
// (repeated blocks and straight sequences).
//
// The 4-digit ones are the 20 most frequent in DataGenetics' 2012 PIN
// analysis (Nick Berry, "PIN number analysis", 3.4 million leaked or
// released PINs), which together cover over a quarter of that set, plus 2580
// (its 22nd, the keypad's middle column). The rest are our own additions:
// keypad lines and doubled digits, the shapes PIN studies report near the
// top of 4- and 6-digit choices (e.g. Wang et al., "Understanding
// Human-chosen PINs", ASIA CCS 2017). Repeats and straight runs of any
// length (111111, 123456, 654321) are caught by the patterns instead.
var commonPINs = map[string]struct{}{
	// DataGenetics top 20 (patterns among them, such as 1234 and 1111, are
	// listed anyway so the list reads as the study's) and 2580.
	"1234": {}, "1111": {}, "0000": {}, "1212": {}, "7777": {},
	"1004": {}, "2000": {}, "4444": {}, "2222": {}, "6969": {},
	"9999": {}, "3333": {}, "5555": {}, "6666": {}, "1122": {},
	"1313": {}, "8888": {}, "4321": {}, "2001": {}, "1010": {},
	"2580": {},
	// Keypad lines and doubled digits.
	"0852": {}, "1470": {}, "0741": {}, "1379": {}, "1397": {},
	"112233": {}, "332211": {}, "123321": {}, "147258": {}, "258369": {},
	"159753": {}, "789456": {}, "456123": {}, "147852": {}, "963852": {},
	"11223344": {}, "12344321": {},
}

// CheckPIN returns nil when pin may be used, or a *Violation: not 4 to 8
// ASCII digits, or too easy to guess (a common PIN, one digit or block
// repeated such as 1111, 1212 or 123123, or a straight run such as 1234,
// 4321, 0123 or 7890).
func CheckPIN(pin string) error {
	if len(pin) < MinPINLength || len(pin) > MaxPINLength || !allDigits(pin) {
		return &Violation{Field: "pin", Reason: "must be " + strconv.Itoa(MinPINLength) + " to " +
			strconv.Itoa(MaxPINLength) + " digits"}
	}
	if _, common := commonPINs[pin]; common || repeatedBlock(pin) || straightRun(pin) {
		return &Violation{Field: "pin", Reason: "too easy to guess: a common PIN, a repeat or a sequence"}
	}
	return nil
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// repeatedBlock reports whether pin is one block written at least twice:
// 1111, 1212, 123123, 12341234.
func repeatedBlock(pin string) bool {
	for size := 1; size <= len(pin)/2; size++ {
		if len(pin)%size != 0 {
			continue
		}
		repeats := true
		for i := size; i < len(pin); i++ {
			if pin[i] != pin[i-size] {
				repeats = false
				break
			}
		}
		if repeats {
			return true
		}
	}
	return false
}

// straightRun reports whether every digit is one more than the previous, or
// every digit one less, counting 9 and 0 as neighbours the way they sit on
// a keyboard's number row (7890, 3210, 0987).
func straightRun(pin string) bool {
	up, down := true, true
	for i := 1; i < len(pin); i++ {
		step := (int(pin[i]) - int(pin[i-1]) + 10) % 10
		up = up && step == 1
		down = down && step == 9
	}
	return up || down
}
