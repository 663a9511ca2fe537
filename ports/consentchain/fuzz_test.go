package consentchain_test

import (
	"testing"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/consentchain"
)

// FuzzHashSeparatesFields: moving bytes from one field to the next (the
// classic ambiguity of concatenated hashes) always changes the hash, and the
// hash is 64 hex characters.
func FuzzHashSeparatesFields(f *testing.F) {
	f.Add("usr_1", "analytics", "1.0.0", "en", "ua", int64(1), true)
	f.Add("", "", "", "", "", int64(0), false)
	f.Fuzz(func(t *testing.T, user, category, version, lang, ua string, seq int64, granted bool) {
		at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		r := ports.ConsentRecord{UserID: user, Seq: seq, Category: category, Granted: granted,
			NoticeVersion: version, NoticeLanguage: lang, UserAgent: ua, RecordedAt: at}
		h := consentchain.Hash("prev", r)
		if len(h) != 64 {
			t.Fatalf("hash %q is not 64 hex characters", h)
		}
		if category == "" {
			return
		}
		shifted := r
		shifted.UserID, shifted.Category = user+category[:1], category[1:]
		if consentchain.Hash("prev", shifted) == h {
			t.Fatalf("moving a byte from category to user ID kept the hash")
		}
	})
}
