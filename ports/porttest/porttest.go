// Package porttest is the contract suite every BharatAuth storage adapter and
// rate limiter must pass. An adapter's TestConformance calls the suites with a
// constructor of fresh, empty, isolated instances:
//
//	func TestConformance(t *testing.T) {
//		porttest.All(t, func(t *testing.T) porttest.Stores {
//			s := memory.New()
//			return porttest.Stores{Users: s, Registry: s, ...}
//		})
//		porttest.RateLimiter(t, func(t *testing.T) ports.RateLimiter { return memory.NewLimiter() })
//	}
//
// The suites check the sentinel errors with errors.Is and run the atomic rules
// with real parallelism (one OTP use, one refresh rotation, distinct failure
// counts), so run them with -race.
package porttest

import (
	"testing"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Stores is the set of storage ports one backend provides. A suite uses only the
// fields it needs; it fails when one of those is nil.
type Stores struct {
	Users       ports.UserDirectory
	Registry    ports.UserRegistry
	Credentials ports.CredentialStore
	Lockouts    ports.LockoutStore
	Sessions    ports.SessionRepo
	Devices     ports.DeviceTrust
	Tokens      ports.OneTimeTokenRepo
	Consents    ports.ConsentLedger
	Abuse       ports.AbuseGuard
	Events      ports.EventLog
}

// NewStores returns a fresh, empty backend, isolated from every other call (its
// own schema or database), so subtests may run in parallel. It registers its own
// cleanup with t.Cleanup.
type NewStores func(t *testing.T) Stores

// NewLimiter returns a fresh, empty rate limiter, isolated like NewStores.
type NewLimiter func(t *testing.T) ports.RateLimiter

// All runs every storage suite as subtests, one per port. Each suite runs its
// own subtests in parallel, each on a fresh backend from newStores.
func All(t *testing.T, newStores NewStores) {
	t.Helper()
	suites := []struct {
		name string
		run  func(*testing.T, NewStores)
	}{
		{"UserRegistry", UserRegistry},
		{"CredentialStore", CredentialStore},
		{"LockoutStore", LockoutStore},
		{"SessionRepo", SessionRepo},
		{"DeviceTrust", DeviceTrust},
		{"OneTimeTokenRepo", OneTimeTokenRepo},
		{"ConsentLedger", ConsentLedger},
		{"AbuseGuard", AbuseGuard},
		{"EventLog", EventLog},
	}
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) { s.run(t, newStores) })
	}
}
