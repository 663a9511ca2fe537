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
// same way for an adapter's or an app's own concurrency tests, and Buffer
// captures logs that concurrent code writes while a test reads them.
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
	t.Run("CredentialStore", func(t *testing.T) {
		CredentialStore(t, func(t *testing.T) ports.CredentialStore { return newStorage(t) })
	})
	t.Run("LockoutStore", func(t *testing.T) {
		LockoutStore(t, func(t *testing.T) ports.LockoutStore { return newStorage(t) })
	})
	t.Run("SessionRepo", func(t *testing.T) {
		SessionRepo(t, func(t *testing.T) ports.SessionRepo { return newStorage(t) })
	})
	t.Run("DeviceTrust", func(t *testing.T) {
		DeviceTrust(t, func(t *testing.T) SessionDevices {
			s := newStorage(t)
			return SessionDevices{Sessions: s, Devices: s}
		})
	})
	t.Run("OneTimeTokenRepo", func(t *testing.T) {
		OneTimeTokenRepo(t, func(t *testing.T) ports.OneTimeTokenRepo { return newStorage(t) })
	})
	t.Run("ConsentLedger", func(t *testing.T) {
		ConsentLedger(t, func(t *testing.T) ports.ConsentLedger { return newStorage(t) })
	})
	if _, ok := newStorage(t).(ports.ConsentOutbox); ok {
		t.Run("ConsentOutbox", func(t *testing.T) {
			ConsentOutbox(t, func(t *testing.T) LedgerOutbox { return newStorage(t).(LedgerOutbox) })
		})
	}
	t.Run("AbuseGuard", func(t *testing.T) {
		AbuseGuard(t, func(t *testing.T) ports.AbuseGuard { return newStorage(t) })
	})
	t.Run("EventLog", func(t *testing.T) {
		EventLog(t, func(t *testing.T) ports.EventLog { return newStorage(t) })
	})
	t.Run("EventPseudonymiser", func(t *testing.T) {
		EventPseudonymiser(t, func(t *testing.T) RetainedEventLog { return newStorage(t) })
	})
	t.Run("ErasureStore", func(t *testing.T) { ErasureStore(t, newStorage) })
	t.Run("ActivityStore", func(t *testing.T) {
		ActivityStore(t, func(t *testing.T) ports.ActivityStore { return newStorage(t) })
	})
	t.Run("NomineeStore", func(t *testing.T) {
		NomineeStore(t, func(t *testing.T) ports.NomineeStore { return newStorage(t) })
	})
	t.Run("GrievanceStore", func(t *testing.T) {
		GrievanceStore(t, func(t *testing.T) ports.GrievanceStore { return newStorage(t) })
	})
	if _, opens := newStorage(t).(ports.SignInSessions); opens {
		t.Run("SignInSessions", func(t *testing.T) { SignInSessions(t, newStorage) })
	}
	if _, tx := newStorage(t).(ports.Transactor); tx {
		t.Run("Transactor", func(t *testing.T) {
			Transactor(t, func(t *testing.T) TransactionalStorage { return newStorage(t).(TransactionalStorage) })
		})
	}
	if _, budgets := newStorage(t).(ports.SMSBudget); budgets {
		t.Run("SMSBudget", func(t *testing.T) {
			SMSBudget(t, func(t *testing.T) ports.SMSBudget { return newStorage(t).(ports.SMSBudget) })
		})
	}
	if _, queues := newStorage(t).(ports.MailQueue); queues {
		t.Run("MailQueue", func(t *testing.T) {
			MailQueue(t, func(t *testing.T) ports.MailQueue { return newStorage(t).(ports.MailQueue) })
		})
	}
	if _, managed := newStorage(t).(ports.UserRegistry); !managed {
		return
	}
	newManaged := func(t *testing.T) ManagedStorage { return newStorage(t).(ManagedStorage) }
	t.Run("UserRegistry", func(t *testing.T) { UserRegistry(t, newManaged) })
	t.Run("UserDirectory", func(t *testing.T) { UserDirectory(t, registryDirectory(newManaged)) })
	if _, phones := newStorage(t).(PhoneStorage); phones {
		t.Run("PhoneRegistry", func(t *testing.T) {
			PhoneRegistry(t, func(t *testing.T) PhoneStorage { return newStorage(t).(PhoneStorage) })
		})
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
		t.Run("SignInUsers", func(t *testing.T) { SignInUsers(t, newManaged) })
	}
	if _, ok := newStorage(t).(ports.GuardianStore); ok {
		t.Run("GuardianStore", func(t *testing.T) {
			GuardianStore(t, func(t *testing.T) GuardianBackend { return newStorage(t).(GuardianBackend) })
		})
	}
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
