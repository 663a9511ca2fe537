package memory

import (
	"context"
	"fmt"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/smscheck"
)

// smsSweepEvery is how many TakeSMS calls pass between sweeps of keys whose
// sends have all left their window.
const smsSweepEvery = 256

// smsTable holds the SMS budgets: per key, the times of the sends counted
// within its window, oldest first. One lock makes a take across several keys
// atomic.
type smsTable struct {
	tableLock
	keys  map[string]*requestLog
	takes int
}

// TakeSMS checks every limit at now and, when all allow, counts one send
// against each: see ports.SMSBudget.
func (s *Store) TakeSMS(ctx context.Context, limits []ports.SMSLimit, now time.Time) (ports.SMSDecision, error) {
	if err := smscheck.Limits(limits); err != nil {
		return ports.SMSDecision{}, fmt.Errorf("memory: %w", err)
	}
	now = stamp(now)
	b := &s.sms
	if err := b.lock(ctx); err != nil {
		return ports.SMSDecision{}, err
	}
	defer b.mu.Unlock()
	b.takes++
	if b.takes%smsSweepEvery == 0 {
		sweepLogs(b.keys, now)
	}
	var refused ports.SMSDecision
	for _, l := range limits {
		log := b.keys[l.Key]
		if log == nil {
			continue
		}
		log.window = l.Window
		log.forget(now)
		if n := len(log.allowed); n >= l.Limit {
			// A send becomes possible when enough old ones have left the
			// window that fewer than Limit remain.
			wait := log.allowed[n-l.Limit].Add(l.Window).Sub(now)
			if wait > refused.RetryAfter {
				refused = ports.SMSDecision{RefusedBy: l.Key, RetryAfter: wait}
			}
		}
	}
	if refused.RefusedBy != "" {
		return refused, nil
	}
	for _, l := range limits {
		log := b.keys[l.Key]
		if log == nil {
			log = &requestLog{window: l.Window}
			b.keys[l.Key] = log
		}
		log.insert(now)
	}
	return ports.SMSDecision{Allowed: true}, nil
}

// ClearSMS forgets every send counted against key.
func (s *Store) ClearSMS(ctx context.Context, key string) error {
	return s.sms.do(ctx, func() { delete(s.sms.keys, key) })
}
