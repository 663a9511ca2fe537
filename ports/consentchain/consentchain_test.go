package consentchain_test

import (
	"testing"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/consentchain"
)

// TestHashVersionsDiffer: a version-1 and a version-2 row with the same fields
// hash apart, and a version-0 row hashes as version 1 (rows stored before
// versions existed).
func TestHashVersionsDiffer(t *testing.T) {
	r := ports.ConsentRecord{UserID: "usr_1", Seq: 1, Category: "analytics", IPAddress: "203.0.113.7",
		RecordedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	v0 := consentchain.Hash("", r)
	r.ChainVersion = ports.ChainV1
	if consentchain.Hash("", r) != v0 {
		t.Fatal("version 0 does not hash as version 1")
	}
	r.ChainVersion = ports.ChainV2
	if consentchain.Hash("", r) == v0 {
		t.Fatal("version 2 hashes as version 1")
	}
}

// TestCheckpointNeedsTheKey: the checkpoint changes with the key, the user,
// the Seq and the head.
func TestCheckpointNeedsTheKey(t *testing.T) {
	base := consentchain.Checkpoint([]byte("k1"), "usr_1", 3, "head")
	for name, other := range map[string]string{
		"key":  consentchain.Checkpoint([]byte("k2"), "usr_1", 3, "head"),
		"user": consentchain.Checkpoint([]byte("k1"), "usr_2", 3, "head"),
		"seq":  consentchain.Checkpoint([]byte("k1"), "usr_1", 4, "head"),
		"head": consentchain.Checkpoint([]byte("k1"), "usr_1", 3, "heae"),
	} {
		if other == base {
			t.Errorf("another %s gives the same checkpoint", name)
		}
	}
}
