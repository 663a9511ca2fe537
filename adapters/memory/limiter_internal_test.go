package memory

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestLimiterForgetsKeysWhoseWindowPassed(t *testing.T) {
	t.Parallel()
	rule := ports.RateRule{Limit: 3, Window: time.Minute}
	t0 := time.Date(2026, 1, 26, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		later    time.Duration // when the second wave of keys arrives
		wantKeys int           // keys left after the wave
	}{
		{"keys of a passed window are forgotten", rule.Window, sweepEvery},
		{"keys still in their window are kept", rule.Window / 2, 2 * sweepEvery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := NewLimiter()
			for i := range sweepEvery {
				_, err := l.Allow(t.Context(), fmt.Sprintf("old%d", i), rule, t0)
				require.NoError(t, err)
			}
			for i := range sweepEvery {
				_, err := l.Allow(t.Context(), fmt.Sprintf("new%d", i), rule, t0.Add(tt.later))
				require.NoError(t, err)
			}
			l.mu.Lock()
			defer l.mu.Unlock()
			assert.Len(t, l.keys, tt.wantKeys)
		})
	}
}

func TestLimiterRejectsAnInvalidRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rule ports.RateRule
	}{
		{"zero limit", ports.RateRule{Window: time.Minute}},
		{"zero window", ports.RateRule{Limit: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewLimiter().Allow(t.Context(), "k", tt.rule, time.Date(2026, 1, 26, 0, 0, 0, 0, time.UTC))
			assert.ErrorIs(t, err, errRule)
		})
	}
}
