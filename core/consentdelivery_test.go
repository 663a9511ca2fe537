package core

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
)

// The tests deliver under waitContext: a delivery that keeps claiming (its
// loop never sees an empty claim) fails the test after testWait instead of
// hanging the suite.

func TestConsentChangesReachTheListenerInOrder(t *testing.T) {
	t.Parallel()
	l := &listener{}
	e := newEnv(t, withListener(l))
	u := e.register("listen@example.in")
	require.Len(t, l.all(), 6, "the six registration decisions, delivered after its answer")
	p := e.principal(e.mustLogin(u.Email))
	ctx := waitContext(t)
	require.NoError(t, errOf(e.auth.Withdraw(ctx, p, ConsentInput{Category: "communications", Client: e.client})))
	require.NoError(t, errOf(e.auth.Grant(ctx, p, ConsentInput{Category: "communications", Client: e.client})))

	got := l.all()
	require.Len(t, got, 8, "six registration decisions, a withdrawal and a grant, delivered after each answer")
	for i, c := range got {
		assert.Equal(t, int64(i+1), c.Seq, "in order")
		assert.Equal(t, u.ID, c.UserID)
		assert.Equal(t, ports.SourceSelf, c.Source)
	}
	assert.Equal(t, "communications", got[6].Category)
	assert.False(t, got[6].Granted)
	assert.True(t, got[7].Granted)
	n, err := e.auth.DeliverConsentChanges(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left")
}

func TestRefusedConsentChangesAreRetriedWithBackoff(t *testing.T) {
	t.Parallel()
	l := &listener{}
	l.setFail(errors.New("processor down"))
	e := newEnv(t, withListener(l))
	u := e.register("retry@example.in")
	ctx := waitContext(t)
	// Attempt 1 failed after the registration's answer; the retries wait
	// 5 s, 10 s, 20 s, … doubling up to 30 minutes.
	for attempt, wait := range []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second} {
		e.clock.Advance(wait - time.Millisecond)
		n, err := e.auth.DeliverConsentChanges(ctx)
		require.NoError(t, err)
		require.Zero(t, n)
		require.Empty(t, l.all(), "attempt %d: not due before its backoff", attempt+2)
		e.clock.Advance(time.Millisecond)
		require.NoError(t, errOf(e.auth.DeliverConsentChanges(ctx))) // due now: tried and refused again
	}
	l.setFail(nil)
	e.clock.Advance(80 * time.Second)
	n, err := e.auth.DeliverConsentChanges(ctx)
	require.NoError(t, err)
	assert.Equal(t, 6, n)
	got := l.all()
	require.Len(t, got, 6)
	assert.Equal(t, 6, got[0].Attempts, "the sixth delivery of the first change")
	assert.Equal(t, u.ID, got[0].UserID)
}

// refuseFirst is a listener that refuses every user's first change for ever.
type refuseFirst struct{ listener }

func (l *refuseFirst) ConsentChanged(ctx context.Context, c ports.ConsentChange) error {
	if c.Seq == 1 {
		return errors.New("unknown category")
	}
	return l.listener.ConsentChanged(ctx, c)
}

// One change the listener never takes must not hold back the user's later
// ones (a withdrawal among them) for ever: after 12 attempts it is given up,
// with an event, and the next change goes.
func TestARefusedConsentChangeIsGivenUpAfterTwelveAttempts(t *testing.T) {
	t.Parallel()
	require.Equal(t, 12, consentMaxAttempts)
	l := &refuseFirst{}
	e := newEnv(t, withListener(l))
	u := e.register("stuck@example.in") // attempt 1 of change 1 fails after the answer
	ctx := waitContext(t)
	for attempt := 2; attempt <= consentMaxAttempts; attempt++ {
		require.Empty(t, l.all(), "attempt %d: change 1 still holds the others back", attempt)
		e.clock.Advance(consentRetryMax)
		require.NoError(t, errOf(e.auth.DeliverConsentChanges(ctx)))
	}
	got := l.all()
	require.Len(t, got, 5, "given up at its 12th attempt, the user's later changes go")
	assert.Equal(t, int64(2), got[0].Seq)
	assert.Contains(t, e.eventKinds(u.ID), ports.EventConsentUndelivered)
	n, err := e.auth.DeliverConsentChanges(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left: the given-up change is not retried")
	history := inStore(e, e.store.ConsentHistory, u.ID)
	assert.Len(t, history, 6, "the consent row itself stays in the ledger")
}

// slowListener takes a lease's time over the first change it is given.
type slowListener struct {
	listener
	clock *memory.Clock
}

func (l *slowListener) ConsentChanged(ctx context.Context, c ports.ConsentChange) error {
	if len(l.all()) == 0 {
		l.clock.Advance(consentLease)
	}
	return l.listener.ConsentChanged(ctx, c)
}

// The changes of a batch are delivered only within the batch's lease: once
// it is over they may be another claimer's, so they are claimed again.
func TestConsentChangesAreDeliveredOnlyWithinTheirLease(t *testing.T) {
	t.Parallel()
	l := &slowListener{}
	store := memory.New()
	e := newEnv(t, withListener(l), func(_ *Config, d *Deps) { d.Storage = store })
	l.clock = e.clock
	for _, user := range []string{"usr_a", "usr_b"} {
		_, err := store.AppendConsents(t.Context(), user, ports.ConsentAppend{Notify: true,
			Rows: []ports.ConsentRecord{{Category: "analytics", RecordedAt: e.clock.Now()}}})
		require.NoError(t, err)
	}
	n, err := e.auth.DeliverConsentChanges(waitContext(t))
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	got := l.all()
	require.Len(t, got, 2)
	assert.Equal(t, 1, got[0].Attempts)
	assert.Equal(t, 2, got[1].Attempts, "the second change was claimed again after the first one's slow delivery")
}

func TestConsentRetryDelayDoublesUpToItsCap(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 5*time.Second, consentRetryDelay(1))
	assert.Equal(t, 10*time.Second, consentRetryDelay(2))
	assert.Equal(t, 20*time.Second, consentRetryDelay(3))
	assert.Equal(t, 30*time.Minute, consentRetryDelay(10), "5 s × 2^9 is over the cap")
	assert.Equal(t, 30*time.Minute, consentRetryDelay(1000))
	assert.Equal(t, 21*time.Minute+20*time.Second, consentRetryDelay(9), "5 s × 2^8")
}

func TestAConsentChangeClaimedByACrashedProcessIsDeliveredAfterItsLease(t *testing.T) {
	t.Parallel()
	l := &listener{}
	store := memory.New()
	e := newEnv(t, withListener(l), func(_ *Config, d *Deps) { d.Storage = store })
	// Another process claims the change and dies before delivering it.
	crashed := func(ctx context.Context) {
		require.NoError(t, errOf(store.ClaimConsentChanges(ctx, e.clock.Now(), consentLease, 100)))
	}
	_, err := store.AppendConsents(t.Context(), "usr_crash", ports.ConsentAppend{Notify: true,
		Rows: []ports.ConsentRecord{{Category: "analytics", Granted: false, RecordedAt: e.clock.Now()}}})
	require.NoError(t, err)
	crashed(t.Context())
	n, err := e.auth.DeliverConsentChanges(waitContext(t))
	require.NoError(t, err)
	assert.Zero(t, n, "leased to the crashed process")
	e.clock.Advance(time.Minute)
	n, err = e.auth.DeliverConsentChanges(waitContext(t))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	require.Len(t, l.all(), 1)
	assert.Equal(t, 2, l.all()[0].Attempts)
}

func TestRunConsentDeliveryStopsWithItsContext(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withListener(&listener{}))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, e.auth.RunConsentDelivery(ctx, time.Second), context.Canceled)
	assert.Error(t, e.auth.RunConsentDelivery(t.Context(), 0))
}

// downOutbox is the store's consent outbox, whose claims fail while down is
// set, and with ctx's error once ctx ended. failed is closed at the first
// failed claim, through at the first claim that went through.
type downOutbox struct {
	ports.ConsentOutbox
	down            atomic.Bool
	failed, through chan struct{}
	failOnce, once  sync.Once
}

func withDownOutbox(o *downOutbox) envOption {
	return func(_ *Config, d *Deps) {
		o.ConsentOutbox = d.Storage.(*memory.Store)
		o.failed, o.through = make(chan struct{}), make(chan struct{})
		o.down.Store(true)
		d.ConsentOutbox = o
	}
}

func (o *downOutbox) ClaimConsentChanges(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]ports.ConsentChange, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if o.down.Load() {
		o.failOnce.Do(func() { close(o.failed) })
		return nil, errDown
	}
	o.once.Do(func() { close(o.through) })
	return o.ConsentOutbox.ClaimConsentChanges(ctx, now, lease, limit)
}

// A delivery after an answer that cannot claim the changes is logged, and the
// changes wait for the next delivery.
func TestAFailedDeliveryAfterAnAnswerIsLoggedAndTheChangesStayQueued(t *testing.T) {
	t.Parallel()
	l, o, logs := &listener{}, &downOutbox{}, &logBuffer{}
	e := newEnv(t, withListener(l), withDownOutbox(o), logTo(logs))
	e.register("queued@example.in")
	assert.Contains(t, logs.String(), "delivering consent changes failed; they stay queued")
	assert.Empty(t, l.all())

	o.down.Store(false)
	n, err := e.auth.DeliverConsentChanges(waitContext(t))
	require.NoError(t, err)
	assert.Equal(t, 6, n, "the six registration decisions")
}

// A failed round of RunConsentDelivery is logged with its error, and the
// next tick tries again.
func TestRunConsentDeliveryLogsAFailedRoundAndGoesOn(t *testing.T) {
	t.Parallel()
	o, logs := &downOutbox{}, &logBuffer{}
	e := newEnv(t, withListener(&listener{}), withDownOutbox(o), logTo(logs))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		assert.ErrorIs(t, e.auth.RunConsentDelivery(ctx, time.Millisecond), context.Canceled)
	}()
	waitOrFail(t, o.failed, "a failed round")
	o.down.Store(false)
	waitOrFail(t, o.through, "a round after the failed one") // the failed round has logged by then
	cancel()
	waitOrFail(t, done, "RunConsentDelivery to return")
	assert.Contains(t, logs.String(), "retrying on the next tick")
	assert.Contains(t, logs.String(), "dial tcp", "with the round's error")
}

// A round cut short because the context ended is how RunConsentDelivery
// stops, not a failure to warn of.
func TestRunConsentDeliveryDoesNotWarnOfARoundItsEndedContextCutShort(t *testing.T) {
	t.Parallel()
	o, logs := &downOutbox{}, &logBuffer{}
	e := newEnv(t, withListener(&listener{}), withDownOutbox(o), logTo(logs))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, e.auth.RunConsentDelivery(ctx, time.Second), context.Canceled)
	assert.NotContains(t, logs.String(), "delivering consent changes failed")
}

// noOutbox is a storage without a consent outbox.
type noOutbox struct{ ports.Storage }

func TestNewRefusesAListenerWithoutAnOutbox(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.SecretKey = []byte("test-secret-key-that-is-32-bytes-long!!")
	_, err := New(cfg, Deps{Storage: noOutbox{memory.New()}, Mailer: memory.NewOutbox(), ConsentListener: &listener{}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ConsentListener needs a ConsentOutbox")
}
