package memory_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 26, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		move func(c *memory.Clock)
		want time.Time
	}{
		{"reads the start", func(*memory.Clock) {}, start},
		{"advances", func(c *memory.Clock) { c.Advance(7 * time.Minute) }, start.Add(7 * time.Minute)},
		{"sets, backwards too", func(c *memory.Clock) { c.Set(start.Add(-time.Hour)) }, start.Add(-time.Hour)},
		{"advances after a set", func(c *memory.Clock) {
			c.Set(start.Add(time.Hour))
			c.Advance(time.Second)
		}, start.Add(time.Hour + time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := memory.NewClock(start)
			tt.move(c)
			assert.True(t, tt.want.Equal(c.Now()), "Now() = %v, want %v", c.Now(), tt.want)
		})
	}
}

func TestClockConcurrentAdvance(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 26, 0, 0, 0, 0, time.UTC)
	c := memory.NewClock(start)
	porttest.Together(50, func(int) {
		c.Advance(time.Second)
		_ = c.Now()
	})
	assert.True(t, start.Add(50*time.Second).Equal(c.Now()))
}
