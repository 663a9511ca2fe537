package memory

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestSMSBudgetForgetsKeysWhoseWindowPassed(t *testing.T) {
	t.Parallel()
	const window = time.Hour
	t0 := time.Date(2026, 1, 26, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		later    time.Duration // when the second wave of takes arrives
		wantKeys int           // keys left after the wave
	}{
		{"keys of a passed window are forgotten", window, smsSweepEvery},
		{"keys still in their window are kept", window - time.Microsecond, 2 * smsSweepEvery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New()
			take := func(key string, at time.Time) {
				d, err := s.TakeSMS(t.Context(), []ports.SMSLimit{{Key: key, Limit: 1, Window: window}}, at)
				require.NoError(t, err)
				require.True(t, d.Allowed)
			}
			for i := range smsSweepEvery {
				take(fmt.Sprintf("old%d", i), t0)
			}
			for i := range smsSweepEvery {
				take(fmt.Sprintf("new%d", i), t0.Add(tt.later))
			}
			s.sms.mu.Lock()
			defer s.sms.mu.Unlock()
			assert.Len(t, s.sms.keys, tt.wantKeys)
		})
	}
}
