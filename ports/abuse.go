package ports

import (
	"context"
	"time"
)

// IPPolicy is the IP-block rule an AbuseGuard applies atomically.
type IPPolicy struct {
	DistinctIdentifiers int           // failures for this many distinct identifiers… (3)
	Window              time.Duration // …within this window… (24 h)
	BlockFor            time.Duration // …block the IP this long (24 h)
}

// AbuseGuard tracks login failures per client IP across identifiers and blocks
// IPs that try many accounts. IPs arrive normalised by core (an IPv6 address as
// its /64 prefix); identifiers arrive normalised too. It must work without Redis.
type AbuseGuard interface {
	// RecordIPFailure atomically records a failure of identifier from ip at now
	// and, when the distinct identifiers that failed from ip within
	// policy.Window (this one included) reach policy.DistinctIdentifiers, blocks
	// ip until now + policy.BlockFor. It returns the end of the block in force
	// after the call (zero when the IP is not blocked).
	RecordIPFailure(ctx context.Context, ip, identifier string, now time.Time, policy IPPolicy) (time.Time, error)
	// IPBlockedUntil returns the end of the block on ip in force at now, or the
	// zero time when there is none.
	IPBlockedUntil(ctx context.Context, ip string, now time.Time) (time.Time, error)
}
