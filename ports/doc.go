// Package ports declares the interfaces BharatAuth's core depends on and the
// plain records that cross them. It is a driver package, like database/sql/driver:
// adapters (memory, postgres, redis, smtp, ses, or an app's own code) implement
// these interfaces, and core consumes them.
//
// Rules every implementation follows:
//
//   - Every method is safe for concurrent use by multiple goroutines.
//   - A method documented as atomic is all-or-nothing and linearizable: when N
//     callers race, the outcome equals some serial order of the N calls.
//   - User IDs are opaque strings; an adapter never parses them.
//   - Time is always passed in by the caller (core reads its Clock port), so that
//     an implementation never calls time.Now for a rule and tests can drive time.
//   - Errors wrap one of the sentinels below with %w (errors.Is works), plus the
//     cause. Context errors (context.Canceled, context.DeadlineExceeded) pass
//     through unwrapped or wrapped, but are never replaced. A backend that cannot
//     be reached wraps ErrUnavailable.
//
// Files: one port per file (user.go UserDirectory, registry.go UserRegistry,
// credential.go, lockout.go, session.go SessionRepo, SessionUsers and
// DeviceTrust, onetime.go, consent.go ConsentLedger, consentoutbox.go
// ConsentOutbox and ConsentListener, signinusers.go SignInUsers (a sign-in's
// first reads in one) and signinsessions.go SignInSessions (its last writes
// in one), guardian.go GuardianStore and
// GuardianVerifier, abuse.go, event.go, ratelimit.go, mailer.go, sms.go SMSSender, smsbudget.go SMSBudget, mailqueue.go, clock.go, erasure.go,
// grievance.go, nominee.go, activity.go, observer.go, health.go Pinger),
// storage.go bundles the storage ports one
// backend provides (and Transactor, which groups its calls), errors.go
// declares the sentinels. Package mailcheck holds the checks every Mailer
// makes on a message before sending it (kept out of ports, which then needs
// no network code of the standard library).
//
// The contract suite in package porttest checks all of this; an adapter that
// passes it is a faithful implementation.
package ports
