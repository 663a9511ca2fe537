package memory_test

import (
	"testing"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	porttest.Run(t, porttest.Harness{
		NewStorage: func(*testing.T) ports.Storage { return memory.New() },
		NewLimiter: func(*testing.T) ports.RateLimiter { return memory.NewLimiter() },
	})
}
