// Package memory is an in-memory backend for every BharatAuth storage port,
// the mail queue (ports.MailQueue) and the SMS budget (ports.SMSBudget), plus
// a rate limiter, a settable clock, two mailers (a capturing Outbox for tests
// and a ConsoleMailer for local development) and their SMS twins (SMSOutbox
// and ConsoleSMS). The mail queue lives in the process: emails waiting for a
// retry are lost on exit.
//
// Everything is safe for concurrent use and passes the porttest contract
// suites, so app tests can trust it in place of PostgreSQL and Redis. State
// lives only in the process: it is lost on exit and not shared between
// replicas, so use it for tests, demos and the quickstart, not in production.
//
// Errors wrap the ports sentinels (ports.ErrNotFound, ports.ErrConflict,
// ports.ErrExpired, ports.ErrReused, ports.ErrMismatch, ports.ErrExhausted) as
// each port method documents; a cancelled context returns ctx.Err().
//
// Files: store.go is the Store; table.go the lock every table enters and the
// row table of grievances, nominees and erasures; one file per port area
// (users.go, credentials.go, lockout.go, sessions.go, sessionusers.go,
// devices.go, tokens.go, consent.go, abuse.go, events.go, mailqueue.go,
// erasures.go, grievances.go, nominees.go, activity.go, smsbudget.go);
// limiter.go, clock.go, outbox.go, console.go, sms.go (with recorder.go) and
// erasure.go are the stand-alone helpers.
package memory

import (
	"crypto/rand"
	"encoding/hex"
	"slices"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Compile-time proof of every port this package implements: Store is every
// storage port (Storage), keeps users (UserRegistry), joins sessions to
// users (SessionUsers), queues mail (MailQueue) and counts SMS
// (SMSBudget); the stand-alone helpers each implement one port.
var (
	_ ports.Storage        = (*Store)(nil)
	_ ports.UserRegistry   = (*Store)(nil)
	_ ports.GuardianStore  = (*Store)(nil)
	_ ports.SessionUsers   = (*Store)(nil)
	_ ports.ConsentOutbox  = (*Store)(nil)
	_ ports.MailQueue      = (*Store)(nil)
	_ ports.SMSBudget      = (*Store)(nil)
	_ ports.Clock          = (*Clock)(nil)
	_ ports.RateLimiter    = (*Limiter)(nil)
	_ ports.Mailer         = (*Outbox)(nil)
	_ ports.Mailer         = (*ConsoleMailer)(nil)
	_ ports.SMSSender      = (*SMSOutbox)(nil)
	_ ports.SMSSender      = (*ConsoleSMS)(nil)
	_ ports.ErasureHandler = (*ErasureInbox)(nil)
)

// Store is one in-memory backend implementing every storage port. Each port
// area has its own lock, so unrelated operations do not contend. Values are
// copied in and out: a caller can never change stored state through a value
// it passed or received.
type Store struct {
	accounts   accountTable
	locks      lockTable
	sessions   sessionTable
	tokens     tokenTable
	consents   consentTable
	abuse      abuseTable
	events     eventTable
	erasures   erasureTable
	grievances grievanceTable
	nominees   nomineeTable
	activity   activityTable
	mail       mailTable
	sms        smsTable
}

// New returns an empty Store.
func New() *Store {
	return &Store{
		accounts: newAccountTable(),
		locks:    lockTable{states: map[string]ports.LockState{}},
		sessions: newSessionTable(),
		tokens:   newTokenTable(),
		consents: newConsentTable(),
		abuse:    abuseTable{ips: map[string]*ipRecord{}},
		activity: activityTable{byUser: map[string]ports.Activity{}},
		events:   eventTable{byUser: map[string][]ports.SecurityEvent{}},
		mail:     mailTable{byID: map[string]ports.QueuedMail{}},
		sms:      smsTable{keys: map[string]*requestLog{}},
	}
}

// stamp normalises a time the way PostgreSQL stores it: UTC, microseconds.
// The zero time stays zero, because zero means "not set" in the ports.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// randomID returns prefix followed by 16 random bytes in hex.
func randomID(prefix string) (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + hex.EncodeToString(b), nil
}

// listed returns the rows keep accepts, ordered by at: newest first (of
// rows at one instant, the later stored first) or oldest first (the earlier
// stored first), as PostgreSQL orders them by time, then insertion.
func listed[T any](rows []T, keep func(T) bool, at func(T) time.Time, newestFirst bool) []T {
	out := []T{}
	for _, r := range rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	if newestFirst {
		slices.Reverse(out)
		slices.SortStableFunc(out, func(a, b T) int { return at(b).Compare(at(a)) })
		return out
	}
	slices.SortStableFunc(out, func(a, b T) int { return at(a).Compare(at(b)) })
	return out
}
