package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func testEventCancelled(t *testing.T, log ports.EventLog) {
	assertCancelled(t, log.RecordEvent(cancelled(t), ports.SecurityEvent{UserID: newID("usr_"), Kind: ports.EventLoginFailed, At: baseTime()}))
}

func testEventsPerUserOldestFirst(t *testing.T, log ports.EventLog) {
	a, b, t0 := newID("usr_"), newID("usr_"), baseTime()
	event := func(user, kind string, at time.Time) ports.SecurityEvent {
		return ports.SecurityEvent{UserID: user, Kind: kind, IPAddress: "203.0.113.9",
			UserAgent: "curl/8.5", Detail: "fingerprint 1a2b", At: at}
	}
	first := event(a, ports.EventLoginFailed, t0)
	second := event(a, ports.EventAccountLocked, t0.Add(time.Second))
	third := event(a, ports.EventAccountUnlocked, t0.Add(2*time.Second))
	other := event(b, ports.EventLoginSucceeded, t0.Add(time.Second))
	for _, e := range []ports.SecurityEvent{first, other, third, second} {
		require.NoError(t, log.RecordEvent(t.Context(), e))
	}

	cases := []struct {
		name string
		user string
		want []ports.SecurityEvent
	}{
		{"user with three events, recorded out of order", a, []ports.SecurityEvent{first, second, third}},
		{"another user", b, []ports.SecurityEvent{other}},
		{"unknown user", newID("usr_"), nil},
	}
	for _, c := range cases {
		got, err := log.Events(t.Context(), c.user)
		require.NoError(t, err, c.name)
		require.Len(t, got, len(c.want), c.name)
		for i := range got {
			assert.Truef(t, c.want[i].At.Equal(got[i].At), "%s: event %d at %v, want %v", c.name, i, got[i].At, c.want[i].At)
			got[i].At = c.want[i].At
			assert.Equal(t, c.want[i], got[i], "%s: event %d", c.name, i)
		}
	}
}

// RetainedEventLog is an event log and consent ledger that also
// pseudonymises old events and consent rows.
type RetainedEventLog interface {
	ports.EventLog
	ports.ConsentLedger
	ports.EventPseudonymiser
}

func testPseudonymiseCancelled(t *testing.T, log RetainedEventLog) {
	_, err := log.PseudonymiseEvents(cancelled(t), baseTime(), 10)
	assertCancelled(t, err)
	_, err = log.PseudonymiseConsents(cancelled(t), baseTime(), 10)
	assertCancelled(t, err)
}

// assertPseudonymisesThreeInTwoCalls checks pseudonymise(limit) on a log
// holding three items it may touch: a limit of 2 bounds the first call, the
// second takes the one left, and a third finds nothing, as what is
// pseudonymised is not counted again.
func assertPseudonymisesThreeInTwoCalls(t *testing.T, pseudonymise func(limit int) (int, error)) {
	t.Helper()
	for _, call := range []struct {
		limit, want int
		rule        string
	}{
		{limit: 2, want: 2, rule: "the limit bounds one call"},
		{limit: 10, want: 1, rule: "only what is left before the cutoff"},
		{limit: 10, want: 0, rule: "what is pseudonymised is not counted again"},
	} {
		n, err := pseudonymise(call.limit)
		require.NoError(t, err)
		assert.Equal(t, call.want, n, call.rule)
	}
}

func testPseudonymiseOnlyBeforeTheCutoff(t *testing.T, log RetainedEventLog) {
	user, t0 := newID("usr_"), baseTime()
	cutoff := t0.Add(-365 * 24 * time.Hour)
	at := []time.Time{cutoff.Add(-2 * time.Hour), cutoff.Add(-time.Hour), cutoff.Add(-time.Microsecond), cutoff, cutoff.Add(time.Hour)}
	for _, a := range at {
		require.NoError(t, log.RecordEvent(t.Context(), ports.SecurityEvent{UserID: user, Kind: ports.EventLoginSucceeded,
			IPAddress: "203.0.113.9", UserAgent: "curl/8.5", Detail: "pwd", At: a}))
	}
	assertPseudonymisesThreeInTwoCalls(t, func(limit int) (int, error) {
		return log.PseudonymiseEvents(t.Context(), cutoff, limit)
	})

	events, err := log.Events(t.Context(), user)
	require.NoError(t, err)
	require.Len(t, events, len(at), "events are kept")
	for i, e := range events {
		assert.Equal(t, "pwd", e.Detail)
		assert.Equal(t, ports.EventLoginSucceeded, e.Kind)
		if i < 3 {
			assert.Empty(t, e.IPAddress+e.UserAgent, "event %d, before the cutoff", i)
		} else {
			assert.Equal(t, "203.0.113.9", e.IPAddress, "event %d, at or after the cutoff, is never touched", i)
			assert.Equal(t, "curl/8.5", e.UserAgent)
		}
	}
}

func testPseudonymiseConsentsOnlyV2BeforeTheCutoff(t *testing.T, log RetainedEventLog) {
	user, t0 := newID("usr_"), baseTime()
	cutoff := t0.Add(-365 * 24 * time.Hour)
	// consentRow adds 789ns, so "just before" is a whole microsecond earlier.
	v2At := []time.Time{cutoff.Add(-2 * time.Hour), cutoff.Add(-time.Hour), cutoff.Add(-2 * time.Microsecond), cutoff, cutoff.Add(time.Hour)}
	rows := []ports.ConsentRecord{consentRow(user, "identity", true, cutoff.Add(-3*time.Hour))} // version 1, old
	for _, at := range v2At {
		rows = append(rows, consentRowV2(user, "analytics", true, at))
	}
	appendConsents(t, log, user, rows...)
	before := consentHistory(t, log, user)

	assertPseudonymisesThreeInTwoCalls(t, func(limit int) (int, error) {
		return log.PseudonymiseConsents(t.Context(), cutoff, limit)
	})

	after := consentHistory(t, log, user)
	require.Len(t, after, len(before), "rows are kept")
	verifyChain(t, after)
	for i, r := range after {
		want := before[i]
		if i >= 1 && i <= 3 {
			want.IPAddress, want.UserAgent = "", ""
		}
		assert.Equal(t, want, r, "row %d (0: version 1; 1-3: version 2 before the cutoff; 4-5: at or after it)", i)
	}
}
