package ports

import "time"

// Clock tells the time. Every time-based rule in core reads it, so tests can move
// time without sleeping. Implementations must be safe for concurrent use.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock: the wall time in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
