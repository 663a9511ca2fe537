package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

// TestSMSBudgetTakesPurgesAndClearsTogether runs takes over overlapping keys
// (listed in both orders, each pruning expired sends of its keys), purges
// and clears at one moment: every call succeeds (a deadlock would come back
// as ErrUnavailable) and the limits still hold while rows are deleted under
// the takes. Why no cycle can form is argued at the statements (key order,
// SKIP LOCKED); a race this size rarely builds one even without them.
func TestSMSBudgetTakesPurgesAndClearsTogether(t *testing.T) {
	t.Parallel()
	store, _ := newTestDB(t)
	ctx := t.Context()
	now := t0.Add(48 * time.Hour)
	keys := []string{"sms:a", "sms:b", "sms:c", "sms:d"}
	limit := func(key string, n int) ports.SMSLimit { return ports.SMSLimit{Key: key, Limit: n, Window: time.Hour} }
	// Expired sends on every key, for the takes to prune and Purge to delete.
	for _, key := range keys {
		for range 5 {
			d, err := store.TakeSMS(ctx, []ports.SMSLimit{limit(key, 5)}, now.Add(-2*time.Hour))
			require.NoError(t, err)
			require.True(t, d.Allowed)
		}
	}
	const calls = 48
	errs := make([]error, calls)
	allowed := make([]bool, calls)
	porttest.Together(calls, func(i int) {
		switch i % 8 {
		case 0:
			_, errs[i] = store.Purge(ctx, now, 3)
		case 1:
			errs[i] = store.ClearSMS(ctx, "sms:cleared")
		default:
			a, b := keys[i%len(keys)], keys[(i+1)%len(keys)]
			if i%3 == 0 {
				a, b = b, a
			}
			var d ports.SMSDecision
			d, errs[i] = store.TakeSMS(ctx, []ports.SMSLimit{limit(a, 100), limit(b, 100), limit("sms:global", 30)}, now)
			allowed[i] = d.Allowed
		}
	})
	n := 0
	for i, err := range errs {
		require.NoError(t, err, fmt.Sprintf("call %d", i))
		if allowed[i] {
			n++
		}
	}
	assert.Equal(t, 30, n, "the 36 takes share a global limit of 30")
}

// BenchmarkTakeSMS is one SMS budget check as core makes it: four limits (the
// number, the IP, the number's prefix and a global one), over 1000 numbers,
// so allowed and refused takes mix. It is one transaction of four round
// trips (BEGIN, lock, take, COMMIT).
func BenchmarkTakeSMS(b *testing.B) {
	store, _ := newTestDB(b)
	ctx, now := b.Context(), time.Now().UTC()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := store.TakeSMS(ctx, benchSMSLimits(i), now.Add(time.Duration(i)*time.Microsecond)); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSMSLimits are the limits of the i-th benchmark take.
func benchSMSLimits(i int) []ports.SMSLimit {
	return []ports.SMSLimit{
		{Key: fmt.Sprintf("num:%d", i%1000), Limit: 5, Window: time.Hour},
		{Key: fmt.Sprintf("ip:%d", i%250), Limit: 20, Window: time.Hour},
		{Key: fmt.Sprintf("pfx:%d", i%40), Limit: 100, Window: time.Hour},
		{Key: "global", Limit: 1000, Window: time.Minute},
	}
}
