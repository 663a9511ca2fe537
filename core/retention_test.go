package core

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogRetentionIsAtLeastAYearThenPseudonymisedAfterThirtyDaysMore(t *testing.T) {
	t.Parallel()
	year := 365 * 24 * time.Hour
	assert.Equal(t, Retention{MinLogRetention: year, MaxLogRetention: year + 30*24*time.Hour}, DefaultConfig().Retention)
	for _, tc := range []struct {
		name string
		r    Retention
		want string
	}{
		{"a minimum under a year", Retention{MinLogRetention: year - time.Second, MaxLogRetention: 2 * year}, "MinLogRetention must be at least one year"},
		{"a maximum under the minimum", Retention{MinLogRetention: 2 * year, MaxLogRetention: 2*year - time.Second}, "MaxLogRetention"},
	} {
		cfg := validConfig()
		cfg.Retention = tc.r
		_, err := New(cfg, validDeps())
		require.ErrorContains(t, err, tc.want, tc.name)
	}
	cfg := validConfig()
	cfg.Retention = Retention{MinLogRetention: year, MaxLogRetention: year}
	require.NoError(t, errOf(New(cfg, validDeps())), "exactly a year is allowed")
}

func TestMaintainPseudonymisesOnlyEventsPastTheMaximum(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "asha@example.in")
	e.mustLogin(u.Email) // login_succeeded at testStart, with IP and user agent
	max := e.auth.Config().Retention.MaxLogRetention
	e.clock.Set(testStart.Add(max - time.Hour))
	e.mustLogin(u.Email) // a younger sign-in

	report := e.maintainAt(testStart.Add(max)) // exactly MaxLogRetention old: not yet
	assert.Zero(t, report.EventsPseudonymised)

	report = e.maintainAt(testStart.Add(max + time.Microsecond))
	assert.Positive(t, report.EventsPseudonymised)
	events := inStore(e, e.store.Events, u.ID)
	for _, ev := range events {
		if ev.At.After(testStart) {
			assert.Equal(t, testIP, ev.IPAddress, "an event younger than the maximum keeps its IP (%s)", ev.Kind)
			assert.Equal(t, testUA, ev.UserAgent)
		} else {
			assert.Empty(t, ev.IPAddress+ev.UserAgent, "an event older than the maximum (%s)", ev.Kind)
		}
	}
}

func TestMaintainWithoutAPseudonymiserDoesNothingToEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter(), withoutEventLog())
	report := e.maintainAt(testStart.Add(10 * 365 * 24 * time.Hour))
	assert.Zero(t, report)
}

// Consent rows of chain version 2 hash keyed digests of IP and user agent, so
// retention empties the raw values of those past the maximum and the chain
// still verifies; younger rows keep them.
func TestMaintainPseudonymisesOnlyConsentRowsPastTheMaximumAndTheChainStillVerifies(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t, withoutLimiter())
	u := e.register("asha@example.in") // consent rows at testStart, with IP and user agent
	registered := inStore(e, e.store.ConsentHistory, u.ID)
	max := e.auth.Config().Retention.MaxLogRetention
	e.clock.Set(testStart.Add(max - time.Hour))
	require.NoError(t, errOf(e.auth.Withdraw(ctx, e.principal(e.mustLogin(u.Email)), ConsentInput{Category: "analytics", Client: e.client})))

	report := e.maintainAt(testStart.Add(max)) // exactly MaxLogRetention old: not yet
	assert.Zero(t, report.ConsentsPseudonymised)

	report = e.maintainAt(testStart.Add(max + time.Microsecond))
	assert.Equal(t, len(registered), report.ConsentsPseudonymised)
	history := inStore(e, e.store.ConsentHistory, u.ID)
	require.Len(t, history, len(registered)+1, "rows are kept")
	for _, r := range history[:len(registered)] {
		assert.Empty(t, r.IPAddress+r.UserAgent, "row %d, older than the maximum", r.Seq)
	}
	younger := history[len(registered)]
	assert.Equal(t, testIP+testUA, younger.IPAddress+younger.UserAgent, "a row younger than the maximum keeps IP and user agent")
	chain, err := e.auth.Admin().VerifyConsentChain(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, ChainReport{Rows: len(history), Intact: true, Checkpointed: true}, chain)
}

// batchedPseudonymiser pretends to hold more old rows than one batch changes:
// each call changes at most limit of those left, and it records the limits.
type batchedPseudonymiser struct {
	left   map[string]int
	limits []int
}

func (p *batchedPseudonymiser) take(kind string, limit int) (int, error) {
	p.limits = append(p.limits, limit)
	n := min(p.left[kind], limit)
	p.left[kind] -= n
	return n, nil
}

func (p *batchedPseudonymiser) PseudonymiseEvents(_ context.Context, _ time.Time, limit int) (int, error) {
	return p.take("events", limit)
}

func (p *batchedPseudonymiser) PseudonymiseConsents(_ context.Context, _ time.Time, limit int) (int, error) {
	return p.take("consents", limit)
}

// Maintain pseudonymises in batches of pseudonymiseBatch rows until one comes
// back short: a full batch (exactly the limit) may have left more behind, so
// it asks again, and a run reports the sum.
func TestMaintainPseudonymisesBatchAfterBatchUntilOneComesBackShort(t *testing.T) {
	t.Parallel()
	p := &batchedPseudonymiser{left: map[string]int{"events": 2*pseudonymiseBatch + 7, "consents": pseudonymiseBatch}}
	e := newEnv(t, withoutLimiter(), func(_ *Config, d *Deps) { d.Pseudonymiser = p })
	report := e.maintain()
	assert.Equal(t, 2*pseudonymiseBatch+7, report.EventsPseudonymised)
	assert.Equal(t, pseudonymiseBatch, report.ConsentsPseudonymised)
	assert.Zero(t, p.left["events"]+p.left["consents"], "nothing old is left")
	assert.Equal(t, []int{pseudonymiseBatch, pseudonymiseBatch, pseudonymiseBatch, pseudonymiseBatch, pseudonymiseBatch}, p.limits,
		"three batches of events (the last one short), two of consents (the second empty)")
}
