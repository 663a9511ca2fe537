// Package porttest is the contract suite every BharatAuth adapter must pass:
// one suite per port, each case a function named after the rule it checks
// (suites.go lists them; the cases live in the file of their port).
//
// A storage backend's TestConformance hands Run a typed Harness of
// constructors that return fresh, empty, isolated instances:
//
//	func TestConformance(t *testing.T) {
//		porttest.Run(t, porttest.Harness{
//			NewStorage: func(*testing.T) ports.Storage { return memory.New() },
//			NewLimiter: func(*testing.T) ports.RateLimiter { return memory.NewLimiter() },
//		})
//	}
//
// An adapter that provides only some ports calls their suites alone
// (SessionRepo, DeviceTrust, AbuseGuard, RateLimiter, SMSBudget, …). A mailer
// runs Mailer with a MailerHarness that reads what the receiving side got, an
// SMS sender runs SMSSender with its twin, SMSSenderHarness, and an
// external-mode app runs UserDirectory over its own user table with a
// DirectoryHarness.
//
// The suites check the sentinel errors with errors.Is and run the atomic rules
// with real parallelism (one OTP use, one refresh rotation, distinct failure
// counts), so run them with -race. Together starts calls at one moment the
// same way for an adapter's or an app's own concurrency tests, Buffer
// captures logs that concurrent code writes while a test reads them, and
// Endpoint stands in for a provider's HTTP API, recording what a mailer or
// SMS sender that speaks HTTP sends (or stalling, to try its deadline).
package porttest

import (
	"testing"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Harness makes the backends Run tests. Each constructor returns a fresh,
// empty instance, isolated from every other call (its own schema, database or
// key prefix), so that cases run in parallel; it registers its own cleanup
// with t.Cleanup. Run skips the suites of a nil constructor.
type Harness struct {
	// NewStorage returns a backend of every storage port. When it implements
	// ports.UserRegistry too (managed mode), Run also runs UserRegistry and
	// UserDirectory, seeding users through the registry; when it implements
	// ports.MailQueue or ports.SMSBudget, Run runs their suites.
	NewStorage func(t *testing.T) ports.Storage
	// NewLimiter returns a rate limiter.
	NewLimiter func(t *testing.T) ports.RateLimiter
}

// ManagedStorage is a backend that keeps users itself (managed mode).
type ManagedStorage interface {
	ports.Storage
	ports.UserRegistry
}

// LedgerOutbox is a consent ledger with its outbox.
type LedgerOutbox interface {
	ports.ConsentLedger
	ports.ConsentOutbox
}

// Run runs the suite of every port the harness provides, one subtest per
// port. To learn whether the storage is managed, it makes one backend up
// front.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.NewStorage != nil {
		runStorage(t, h.NewStorage)
	}
	if h.NewLimiter != nil {
		t.Run("RateLimiter", func(t *testing.T) { RateLimiter(t, h.NewLimiter) })
	}
}

func runStorage(t *testing.T, newStorage func(*testing.T) ports.Storage) {
	t.Helper()
	runSuite(t, "CredentialStore", CredentialStore, newStorage)
	runSuite(t, "LockoutStore", LockoutStore, newStorage)
	runSuite(t, "SessionRepo", SessionRepo, newStorage)
	t.Run("DeviceTrust", func(t *testing.T) {
		DeviceTrust(t, func(t *testing.T) SessionDevices {
			s := newStorage(t)
			return SessionDevices{Sessions: s, Devices: s}
		})
	})
	runSuite(t, "OneTimeTokenRepo", OneTimeTokenRepo, newStorage)
	runSuite(t, "ConsentLedger", ConsentLedger, newStorage)
	if _, ok := newStorage(t).(ports.ConsentOutbox); ok {
		runSuite(t, "ConsentOutbox", ConsentOutbox, newStorage)
	}
	runSuite(t, "AbuseGuard", AbuseGuard, newStorage)
	runSuite(t, "EventLog", EventLog, newStorage)
	runSuite(t, "EventPseudonymiser", EventPseudonymiser, newStorage)
	runSuite(t, "ErasureStore", ErasureStore, newStorage)
	runSuite(t, "ActivityStore", ActivityStore, newStorage)
	runSuite(t, "NomineeStore", NomineeStore, newStorage)
	runSuite(t, "GrievanceStore", GrievanceStore, newStorage)
	if _, opens := newStorage(t).(ports.SignInSessions); opens {
		runSuite(t, "SignInSessions", SignInSessions, newStorage)
	}
	if _, tx := newStorage(t).(ports.Transactor); tx {
		runSuite(t, "Transactor", Transactor, newStorage)
	}
	if _, budgets := newStorage(t).(ports.SMSBudget); budgets {
		runSuite(t, "SMSBudget", SMSBudget, newStorage)
	}
	if _, queues := newStorage(t).(ports.MailQueue); queues {
		runSuite(t, "MailQueue", MailQueue, newStorage)
	}
	if _, managed := newStorage(t).(ports.UserRegistry); !managed {
		return
	}
	newManaged := func(t *testing.T) ManagedStorage { return newStorage(t).(ManagedStorage) }
	runSuite(t, "UserRegistry", UserRegistry, newStorage)
	t.Run("UserDirectory", func(t *testing.T) { UserDirectory(t, registryDirectory(newManaged)) })
	if _, phones := newStorage(t).(PhoneStorage); phones {
		runSuite(t, "PhoneRegistry", PhoneRegistry, newStorage)
	}
	if _, joined := newStorage(t).(ports.SessionUsers); joined {
		t.Run("SessionUsers", func(t *testing.T) {
			SessionUsers(t, func(t *testing.T) SessionUsersBackend {
				s := newManaged(t)
				return SessionUsersBackend{Storage: s, Joined: s.(ports.SessionUsers)}
			})
		})
	}
	if _, joined := newStorage(t).(ports.SignInUsers); joined {
		runSuite(t, "SignInUsers", SignInUsers, newStorage)
	}
	if _, ok := newStorage(t).(ports.GuardianStore); ok {
		runSuite(t, "GuardianStore", GuardianStore, newStorage)
	}
}

// runSuite runs suite as the subtest name on backends from newStorage, each
// seen as the port P the suite checks. The caller has made sure that the
// backends implement P.
func runSuite[P any](t *testing.T, name string, suite func(*testing.T, func(*testing.T) P), newStorage func(*testing.T) ports.Storage) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		suite(t, func(t *testing.T) P { return newStorage(t).(P) })
	})
}

// testCase is one rule of a suite, checked on a port of its own.
type testCase[P any] struct {
	name string
	run  func(t *testing.T, port P)
}

// runCases runs each case as a parallel subtest on a fresh port from newPort.
func runCases[P any](t *testing.T, newPort func(*testing.T) P, cases []testCase[P]) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newPort(t))
		})
	}
}
