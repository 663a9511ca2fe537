package memory_test

import (
	"testing"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	porttest.All(t, func(*testing.T) porttest.Stores {
		s := memory.New()
		return porttest.Stores{
			Users: s, Registry: s, Credentials: s, Lockouts: s, Sessions: s,
			Devices: s, Tokens: s, Consents: s, Abuse: s, Events: s,
		}
	})
}

func TestLimiterConformance(t *testing.T) {
	t.Parallel()
	porttest.RateLimiter(t, func(*testing.T) ports.RateLimiter { return memory.NewLimiter() })
}
