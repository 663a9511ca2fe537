package core

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// An account still holding a legacy bcrypt hash (the Python seed's, cost 12)
// takes ~10x the dummy argon2id to refuse a wrong password: wrong-password
// logins tell those accounts from unknown identifiers.
func TestAWrongPasswordForALegacyHashTakesAsLongAsForNobody(t *testing.T) {
	e := newEnv(t, withoutLimiter(), func(c *Config, _ *Deps) { c.UnsafeFastHashingForTests = false })
	ctx := context.Background()
	u := e.register("legacy@example.in")
	h, err := bcrypt.GenerateFromPassword([]byte(testPassword), 12)
	require.NoError(t, err)
	require.NoError(t, e.store.SetPasswordHash(ctx, u.ID, string(h), e.now()))
	fastest := func(identifier string) time.Duration {
		best := time.Hour
		for i := 0; i < 3; i++ {
			start := time.Now()
			_, err := e.auth.Login(ctx, LoginInput{Identifier: identifier, Password: fmt.Sprintf("wrong password %d", i),
				Client: Client{IP: fmt.Sprintf("192.0.2.%d", i+1)}})
			requireKind(t, err, KindUnauthorized)
			best = min(best, time.Since(start))
		}
		return best
	}
	known, unknown := fastest(u.Email), fastest("nobody@example.in")
	assert.Less(t, float64(known)/float64(unknown), 2.0, "legacy-hash account %v, unknown identifier %v", known, unknown)
}
