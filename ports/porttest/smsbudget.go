package porttest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// smsWindow is the window of most SMS budget cases: an hour, like core's
// per-number budget.
const smsWindow = time.Hour

// smsLimit is a limit of n sends per smsWindow on key.
func smsLimit(key string, n int) ports.SMSLimit {
	return ports.SMSLimit{Key: key, Limit: n, Window: smsWindow}
}

// takeSMS asks b for one send at now under limits.
func takeSMS(t *testing.T, b ports.SMSBudget, now time.Time, limits ...ports.SMSLimit) ports.SMSDecision {
	t.Helper()
	d, err := b.TakeSMS(t.Context(), limits, now)
	require.NoError(t, err)
	if d.Allowed {
		assert.Empty(t, d.RefusedBy, "an allowed decision names no limit")
		assert.Zero(t, d.RetryAfter, "an allowed decision has no RetryAfter")
	}
	return d
}

// takenSMS asks tries times at now and returns how many sends b allowed.
func takenSMS(t *testing.T, b ports.SMSBudget, now time.Time, tries int, limits ...ports.SMSLimit) int {
	t.Helper()
	n := 0
	for range tries {
		if takeSMS(t, b, now, limits...).Allowed {
			n++
		}
	}
	return n
}

// assertRefused checks that d refuses for key with exactly retryAfter to wait.
func assertRefused(t *testing.T, d ports.SMSDecision, key string, retryAfter time.Duration) {
	t.Helper()
	assert.False(t, d.Allowed, "refused")
	assert.Equal(t, key, d.RefusedBy, "RefusedBy")
	assert.Equal(t, retryAfter, d.RetryAfter, "RetryAfter")
}

func testSMSBudgetCancelled(t *testing.T, b ports.SMSBudget) {
	key, now := newID("sms_"), baseTime()
	_, err := b.TakeSMS(cancelled(t), []ports.SMSLimit{smsLimit(key, 1)}, now)
	assertCancelled(t, err)
	assertCancelled(t, b.ClearSMS(cancelled(t), key))
	assert.True(t, takeSMS(t, b, now, smsLimit(key, 1)).Allowed, "a cancelled take counted nothing")
}

func testSMSBudgetLimitExactly(t *testing.T, b ports.SMSBudget) {
	const limit = 5
	key, t0 := newID("sms_"), baseTime()
	for i := range limit {
		require.True(t, takeSMS(t, b, t0.Add(time.Duration(i)*10*time.Minute), smsLimit(key, limit)).Allowed, "send %d", i+1)
	}
	// Sends at 0, 10, 20, 30 and 40 minutes: the one at 0 leaves the count
	// at 60 minutes exactly.
	assertRefused(t, takeSMS(t, b, t0.Add(50*time.Minute), smsLimit(key, limit)), key, 10*time.Minute)
	assertRefused(t, takeSMS(t, b, t0.Add(smsWindow-time.Microsecond), smsLimit(key, limit)), key, time.Microsecond)
	assert.True(t, takeSMS(t, b, t0.Add(smsWindow), smsLimit(key, limit)).Allowed, "allowed again a window after the first send")
	assertRefused(t, takeSMS(t, b, t0.Add(smsWindow), smsLimit(key, limit)), key, 10*time.Minute)
}

func testSMSBudgetRefusalsCountNothing(t *testing.T, b ports.SMSBudget) {
	key, t0 := newID("sms_"), baseTime()
	require.Equal(t, 3, takenSMS(t, b, t0, 3, smsLimit(key, 3)))
	assert.Zero(t, takenSMS(t, b, t0.Add(time.Minute), 10, smsLimit(key, 3)))
	assert.Equal(t, 3, takenSMS(t, b, t0.Add(smsWindow), 5, smsLimit(key, 3)),
		"a window after the allowed sends the whole limit is back, whatever was refused since")
}

func testSMSBudgetWindowSlides(t *testing.T, b ports.SMSBudget) {
	key, t0 := newID("sms_"), baseTime()
	require.Equal(t, 5, takenSMS(t, b, t0.Add(59*time.Minute), 5, smsLimit(key, 5)))
	assert.Zero(t, takenSMS(t, b, t0.Add(61*time.Minute), 5, smsLimit(key, 5)),
		"5 at 0:59 and more at 1:01 would be more than 5 within an hour")
	assert.Equal(t, 5, takenSMS(t, b, t0.Add(59*time.Minute+smsWindow), 6, smsLimit(key, 5)))
}

func testSMSBudgetAllOrNothing(t *testing.T, b ports.SMSBudget) {
	spent, fresh, other, now := newID("sms_"), newID("sms_"), newID("sms_"), baseTime()
	require.True(t, takeSMS(t, b, now, smsLimit(spent, 1)).Allowed)
	// The spent limit refuses whether it comes first, last or in between.
	for _, limits := range [][]ports.SMSLimit{
		{smsLimit(fresh, 1), smsLimit(spent, 1)},
		{smsLimit(spent, 1), smsLimit(fresh, 1)},
		{smsLimit(fresh, 1), smsLimit(spent, 1), smsLimit(other, 1)},
	} {
		assertRefused(t, takeSMS(t, b, now, limits...), spent, smsWindow)
	}
	assert.True(t, takeSMS(t, b, now, smsLimit(fresh, 1)).Allowed, "the refusals counted nothing against fresh")
	assert.True(t, takeSMS(t, b, now, smsLimit(other, 1)).Allowed, "the refusals counted nothing against other")
}

func testSMSBudgetCountsEveryKey(t *testing.T, b ports.SMSBudget) {
	number, ip, now := newID("sms_"), newID("sms_"), baseTime()
	require.Equal(t, 2, takenSMS(t, b, now, 2, smsLimit(number, 2), smsLimit(ip, 3)))
	assertRefused(t, takeSMS(t, b, now, smsLimit(number, 2), smsLimit(ip, 3)), number, smsWindow)
	assert.Equal(t, 1, takenSMS(t, b, now, 3, smsLimit(ip, 3)), "both allowed sends counted against ip as well")
}

func testSMSBudgetRefusedByLatest(t *testing.T, b ports.SMSBudget) {
	soon, late, global, t0 := newID("sms_"), newID("sms_"), newID("sms_"), baseTime()
	require.True(t, takeSMS(t, b, t0, smsLimit(late, 1)).Allowed)
	require.True(t, takeSMS(t, b, t0.Add(20*time.Minute), smsLimit(soon, 1)).Allowed)
	now := t0.Add(30 * time.Minute)
	// late allows again at 60 min, soon at 80 min: soon allows last.
	assertRefused(t, takeSMS(t, b, now, smsLimit(late, 1), smsLimit(soon, 1)), soon, 50*time.Minute)
	assertRefused(t, takeSMS(t, b, now, smsLimit(soon, 1), smsLimit(late, 1)), soon, 50*time.Minute)
	// A spent per-minute limit allows again sooner than a spent hourly one.
	perMinute := ports.SMSLimit{Key: global, Limit: 1, Window: time.Minute}
	require.True(t, takeSMS(t, b, now, perMinute).Allowed)
	later := now.Add(15 * time.Second)
	assertRefused(t, takeSMS(t, b, later, perMinute, smsLimit(late, 1)), late, 29*time.Minute+45*time.Second)
	assertRefused(t, takeSMS(t, b, later, perMinute), global, 45*time.Second)
}

func testSMSBudgetClear(t *testing.T, b ports.SMSBudget) {
	key, other, now := newID("sms_"), newID("sms_"), baseTime()
	require.Equal(t, 2, takenSMS(t, b, now, 2, smsLimit(key, 2), smsLimit(other, 2)))
	require.NoError(t, b.ClearSMS(t.Context(), key))
	assert.Equal(t, 2, takenSMS(t, b, now, 3, smsLimit(key, 2)), "a cleared key has its whole limit again")
	assert.Zero(t, takenSMS(t, b, now, 1, smsLimit(other, 2)), "clearing one key leaves the others")
	require.NoError(t, b.ClearSMS(t.Context(), newID("sms_")), "clearing a key never counted is no error")
}

func testSMSBudgetRefusesBadLimits(t *testing.T, b ports.SMSBudget) {
	key, now := newID("sms_"), baseTime()
	cases := []struct {
		name   string
		limits []ports.SMSLimit
	}{
		{"no limits", nil},
		{"an empty key", []ports.SMSLimit{smsLimit(key, 1), smsLimit("", 1)}},
		{"a zero limit", []ports.SMSLimit{smsLimit(key, 1), {Key: newID("sms_"), Window: time.Hour}}},
		{"a negative limit", []ports.SMSLimit{smsLimit(key, 1), {Key: newID("sms_"), Limit: -1, Window: time.Hour}}},
		{"a zero window", []ports.SMSLimit{smsLimit(key, 1), {Key: newID("sms_"), Limit: 1}}},
		{"a negative window", []ports.SMSLimit{smsLimit(key, 1), {Key: newID("sms_"), Limit: 1, Window: -time.Hour}}},
		{"a key twice", []ports.SMSLimit{smsLimit(key, 1), {Key: key, Limit: 2, Window: time.Minute}}},
	}
	for _, c := range cases {
		d, err := b.TakeSMS(t.Context(), c.limits, now)
		assert.Error(t, err, c.name)
		assert.False(t, d.Allowed, c.name)
	}
	assert.True(t, takeSMS(t, b, now, smsLimit(key, 1)).Allowed, "the refused calls counted nothing")
}

func testSMSBudgetParallelOneKey(t *testing.T, b ports.SMSBudget) {
	const calls, limit = 50, 5
	key, now := newID("sms_"), baseTime()
	decisions := make([]ports.SMSDecision, calls)
	errs := make([]error, calls)
	Together(calls, func(i int) {
		decisions[i], errs[i] = b.TakeSMS(t.Context(), []ports.SMSLimit{smsLimit(key, limit)}, now)
	})
	n := 0
	for i := range calls {
		require.NoError(t, errs[i], "call %d", i)
		if decisions[i].Allowed {
			n++
		} else {
			assertRefused(t, decisions[i], key, smsWindow)
		}
	}
	assert.Equal(t, limit, n)
}

// testSMSBudgetParallelMixedKeys releases 50 takes, each on the global key
// (limit 20) and one of 10 number keys (limit 3, five takes each), listed in
// either order. Whatever the interleaving, the 30 number sends available
// exceed the 20 global ones, so exactly 20 are allowed; and a refusal counts
// nothing, which the number keys' remaining capacity shows afterwards.
func testSMSBudgetParallelMixedKeys(t *testing.T, b ports.SMSBudget) {
	const calls, numbers, perNumber, global = 50, 10, 3, 20
	globalKey, now := newID("sms_global_"), baseTime()
	numberKeys := make([]string, numbers)
	for i := range numberKeys {
		numberKeys[i] = newID(fmt.Sprintf("sms_n%d_", i))
	}
	decisions := make([]ports.SMSDecision, calls)
	errs := make([]error, calls)
	Together(calls, func(i int) {
		limits := []ports.SMSLimit{smsLimit(globalKey, global), smsLimit(numberKeys[i%numbers], perNumber)}
		if i%2 == 1 {
			limits[0], limits[1] = limits[1], limits[0]
		}
		decisions[i], errs[i] = b.TakeSMS(t.Context(), limits, now)
	})
	allowed, perKey := 0, make([]int, numbers)
	for i := range calls {
		require.NoError(t, errs[i], "call %d", i)
		if decisions[i].Allowed {
			allowed++
			perKey[i%numbers]++
			continue
		}
		assert.Contains(t, []string{globalKey, numberKeys[i%numbers]}, decisions[i].RefusedBy, "call %d", i)
	}
	assert.Equal(t, global, allowed, "the global limit is reached exactly")
	for j, key := range numberKeys {
		assert.LessOrEqual(t, perKey[j], perNumber, "number %d", j)
		assert.Equal(t, perNumber-perKey[j], takenSMS(t, b, now, perNumber+1, smsLimit(key, perNumber)),
			"number %d: only its allowed sends were counted", j)
	}
	assertRefused(t, takeSMS(t, b, now, smsLimit(globalKey, global)), globalKey, smsWindow)
	assert.True(t, takeSMS(t, b, now, smsLimit(globalKey, global+1)).Allowed, "exactly 20 global sends were counted")
}
