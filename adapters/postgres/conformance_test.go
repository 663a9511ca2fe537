package postgres_test

import (
	"testing"

	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

// TestConformance runs the shared contract suites; every newStores call gets
// its own schema.
func TestConformance(t *testing.T) {
	porttest.All(t, func(t *testing.T) porttest.Stores {
		s, _ := newTestDB(t)
		return porttest.Stores{
			Users:       s,
			Registry:    s,
			Credentials: s,
			Lockouts:    s,
			Sessions:    s,
			Devices:     s,
			Tokens:      s,
			Consents:    s,
			Abuse:       s,
			Events:      s,
		}
	})
}
