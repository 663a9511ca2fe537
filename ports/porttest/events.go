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
