package postgres_test

import (
	"testing"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

// TestConformance runs the shared contract suites; every backend gets its
// own schema.
func TestConformance(t *testing.T) {
	porttest.Run(t, porttest.Harness{
		NewStorage: func(t *testing.T) ports.Storage {
			s, _ := newTestDB(t)
			return s
		},
	})
}
