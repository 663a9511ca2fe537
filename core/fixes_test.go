package core

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// flakyDirectory fails UserByID while down is set, like a store blip.
type flakyDirectory struct {
	ports.UserDirectory
	down *bool
}

func (d flakyDirectory) UserByID(ctx context.Context, id string) (ports.User, error) {
	if *d.down {
		return ports.User{}, fmt.Errorf("lookup: %w", ports.ErrUnavailable)
	}
	return d.UserDirectory.UserByID(ctx, id)
}

// Once the refresh token is rotated, a blip in the user lookup must not lose
// the new pair: the client's retry with the old token would look like theft.
func TestRefreshSurvivesAUserLookupBlipAfterRotation(t *testing.T) {
	t.Parallel()
	down := false
	e := newEnv(t, withoutLimiter(), func(_ *Config, d *Deps) {
		d.Users, d.Registry = flakyDirectory{d.Storage, &down}, d.Storage.(ports.UserRegistry)
	})
	e.register("blip@example.in")
	res := e.mustLogin("blip@example.in")
	down = true
	next, err := e.auth.Refresh(context.Background(), RefreshInput{RefreshToken: res.RefreshToken, Client: e.client})
	require.NoError(t, err)
	down = false
	_, err = e.auth.Refresh(context.Background(), RefreshInput{RefreshToken: next.RefreshToken, Client: e.client})
	require.NoError(t, err)
}

func TestRegistrationIsOneWriteWithItsConsents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.register("atomic@example.in")
	history, err := e.store.ConsentHistory(context.Background(), u.ID)
	require.NoError(t, err)
	require.Len(t, history, len(DefaultCategories()))
	report, err := e.auth.Admin().VerifyConsentChain(context.Background(), u.ID)
	require.NoError(t, err)
	assert.True(t, report.Intact)
	events, err := e.store.Events(context.Background(), u.ID)
	require.NoError(t, err)
	assert.Len(t, events, len(DefaultCategories()), "one consent_changed event per decision")
}

func TestTruncateCutsAtARuneBoundary(t *testing.T) {
	t.Parallel()
	got := truncate("a"+strings.Repeat("é", 40), 64)
	assert.True(t, utf8.ValidString(got))
	assert.LessOrEqual(t, len(got), 64+len("…"))
}
