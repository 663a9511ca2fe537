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

// FuzzHashV2SeparatesFields: in a version-2 row too, moving bytes between
// neighbouring fields changes the hash, and the raw IP address and user agent
// do not count (pseudonymising them keeps the chain).
func FuzzHashV2SeparatesFields(f *testing.F) {
	f.Add("ipd", "uad", "noticehash", "consent_manager", "cm-1", "ref-9")
	f.Fuzz(func(t *testing.T, ipd, uad, notice, source, manager, ref string) {
		at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		r := ports.ConsentRecord{ChainVersion: ports.ChainV2, UserID: "usr_1", Seq: 1, Category: "analytics",
			IPDigest: ipd, UserAgentDigest: uad, NoticeHash: notice, Source: source, ManagerID: manager,
			ManagerReference: ref, IPAddress: "203.0.113.7", UserAgent: "ua", RecordedAt: at}
		h := consentchain.Hash("prev", r)
		blanked := r
		blanked.IPAddress, blanked.UserAgent = "", ""
		if consentchain.Hash("prev", blanked) != h {
			t.Fatalf("blanking the raw IP address and user agent changed a version-2 hash")
		}
		if source == "" {
			return
		}
		shifted := r
		shifted.NoticeHash, shifted.Source = notice+source[:1], source[1:]
		if consentchain.Hash("prev", shifted) == h {
			t.Fatalf("moving a byte from source to notice hash kept the hash")
		}
	})
}
