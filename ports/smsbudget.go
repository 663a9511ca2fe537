package ports

import (
	"context"
	"time"
)

// SMSLimit allows Limit sends within any Window-long span for one key.
type SMSLimit struct {
	Key    string // what is counted: a number's HMAC, an IP, a number prefix, "global"
	Limit  int
	Window time.Duration
}

// SMSDecision is the answer of an SMSBudget.
type SMSDecision struct {
	Allowed    bool
	RefusedBy  string        // when refused: the Key of a limit that is spent
	RetryAfter time.Duration // when refused: how long until that limit allows a send again
}

// SMSBudget counts SMS sends before they are made, so that a stranger cannot
// make an app pay for texts to numbers they choose (SMS pumping, or toll
// fraud). Unlike RateLimiter it is not optional once SMS is configured, and
// core fails closed on its errors: a send it could not count is not made.
// memory.Store and postgres.Store provide it beside Storage; the Redis adapter
// provides it for deployments that keep counters there.
type SMSBudget interface {
	// TakeSMS atomically checks every limit and, only when all allow, counts
	// one send against each of them: all or nothing. A refused call counts
	// against none. N concurrent calls sharing a key allow at most that key's
	// Limit within its Window, whatever other keys they carry.
	//
	// Windows slide: a send counted at t counts against its key until
	// t+Window, excluded, so a send refused at now is allowed again at
	// now+RetryAfter unless others were counted meanwhile. When several
	// limits are spent, RefusedBy and RetryAfter name the one that allows a
	// send last. An allowed decision has no RefusedBy and no RetryAfter.
	//
	// limits must hold at least one limit, each with a non-empty Key, a
	// Limit of at least 1 and a positive Window, and no Key twice (two rules
	// for one thing need two keys); otherwise TakeSMS counts nothing and
	// returns a plain error (core fails closed on it). A failure of the
	// storage wraps ErrUnavailable; a cancelled ctx comes back as ctx.Err(),
	// wrapped or not. Either way nothing was counted.
	TakeSMS(ctx context.Context, limits []SMSLimit, now time.Time) (SMSDecision, error)
	// ClearSMS forgets every send counted against key (core clears a
	// number's "sent but never completed" count once a code sent to it is
	// used). Clearing a key never counted is not an error; the errors are
	// TakeSMS's.
	ClearSMS(ctx context.Context, key string) error
}
