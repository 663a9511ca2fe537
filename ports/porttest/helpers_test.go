package porttest

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHelpers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"IDs and hashes are random and well formed", func(t *testing.T) {
			a, b := newID("ses_"), newID("ses_")
			assert.NotEqual(t, a, b)
			assert.True(t, strings.HasPrefix(a, "ses_"))
			assert.Len(t, a, len("ses_")+16)
			assert.Len(t, newHash(), 64)
		}},
		{"IPs parse", func(t *testing.T) {
			for range 20 {
				ip := newIP()
				require.NotNil(t, net.ParseIP(ip), ip)
			}
		}},
		{"base time is UTC at microsecond precision", func(t *testing.T) {
			b := baseTime()
			assert.Equal(t, time.UTC, b.Location())
			assert.Zero(t, b.Nanosecond()%1000)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t)
		})
	}
}
