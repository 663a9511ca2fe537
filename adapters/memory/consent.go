package memory

import (
	"context"
	"slices"
	"sync"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/consentchain"
)

// consentTable holds each user's hash-chained consent rows in Seq order.
type consentTable struct {
	mu     sync.Mutex
	chains map[string][]ports.ConsentRecord
}

// AppendConsents appends rows for userID in order under the table lock: each
// row gets the user ID, the next Seq, the previous row's hash, RecordedAt in
// UTC at microsecond precision, and its ConsentHash. It returns the stored rows.
func (s *Store) AppendConsents(ctx context.Context, userID string, rows []ports.ConsentRecord) ([]ports.ConsentRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := &s.consents
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.appendLocked(userID, rows)), nil
}

// appendLocked chains rows onto userID's history; the caller holds c.mu.
func (c *consentTable) appendLocked(userID string, rows []ports.ConsentRecord) []ports.ConsentRecord {
	chain := c.chains[userID]
	prev := ""
	if n := len(chain); n > 0 {
		prev = chain[n-1].Hash
	}
	stored := make([]ports.ConsentRecord, len(rows))
	for i, r := range rows {
		r.UserID = userID
		r.Seq = int64(len(chain) + i + 1)
		r.RecordedAt = stamp(r.RecordedAt)
		r.PrevHash = prev
		r.Hash = consentchain.Hash(prev, r)
		stored[i] = r
		prev = r.Hash
	}
	c.chains[userID] = append(chain, stored...)
	return stored
}

// ConsentHistory returns the user's rows in Seq order, exactly as stored.
func (s *Store) ConsentHistory(ctx context.Context, userID string) ([]ports.ConsentRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := &s.consents
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.chains[userID]), nil
}
