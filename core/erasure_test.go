package core

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// erasureInbox is the app's erasure handler in tests.
type erasureInbox struct {
	mu       sync.Mutex
	requests []ports.ErasureRequest
	fail     error
}

func (i *erasureInbox) ErasureRequested(_ context.Context, r ports.ErasureRequest) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.fail != nil {
		return i.fail
	}
	i.requests = append(i.requests, r)
	return nil
}

func TestErasureRequestIsSensitiveReachesTheAppAndEndsEverySession(t *testing.T) {
	t.Parallel()
	inbox := &erasureInbox{}
	e := newEnv(t, withoutLimiter(), func(_ *Config, d *Deps) { d.Erasure = inbox })
	u := e.register("erase@example.in")
	ctx := context.Background()

	fresh := e.principal(e.mustLogin(u.Email)) // a new device
	requireKind(t, e.auth.RequestErasure(ctx, fresh, e.client), KindStepUpRequired)
	assert.Empty(t, inbox.requests)

	res := e.knownDeviceLogin(u.Email)
	other := e.mustLogin(u.Email)
	p := e.principal(res)
	requireKind(t, e.auth.RequestErasure(ctx, p, e.client), KindStepUpRequired) // irreversible: a fresh step-up even here
	e.stepUp(p, u.Email)
	require.NoError(t, e.auth.RequestErasure(ctx, p, e.client))
	require.Len(t, inbox.requests, 1)
	assert.Equal(t, ports.ErasureRequest{UserID: u.ID, Email: u.Email, RequestedAt: testStart, IPAddress: testIP, UserAgent: testUA}, inbox.requests[0])

	for _, s := range []LoginResult{res, other} {
		_, err := e.auth.Authenticate(ctx, s.AccessToken)
		requireKind(t, err, KindUnauthorized)
	}
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Contains(t, m.Subject, "erase")
	events, err := e.store.Events(ctx, u.ID)
	require.NoError(t, err)
	var kinds []string
	for _, ev := range events {
		kinds = append(kinds, ev.Kind)
	}
	assert.Contains(t, kinds, ports.EventErasureRequested)
}

func TestErasureWithoutAHandlerOrWithAFailingOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, withoutLimiter())
	e.register("none@example.in")
	requireKind(t, e.auth.RequestErasure(ctx, e.principal(e.knownDeviceLogin("none@example.in")), e.client), KindForbidden)

	inbox := &erasureInbox{fail: errors.New("queue full")}
	f := newEnv(t, withoutLimiter(), func(_ *Config, d *Deps) { d.Erasure = inbox })
	f.register("fail@example.in")
	p := f.principal(f.knownDeviceLogin("fail@example.in"))
	f.stepUp(p, "fail@example.in")
	before := f.mailsTo("fail@example.in")
	requireKind(t, f.auth.RequestErasure(ctx, p, f.client), KindUnavailable)
	assert.Equal(t, before, f.mailsTo("fail@example.in"), "no receipt for a request that was not taken")
	assert.Empty(t, inbox.requests)
}
