package core

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func testBreach() BreachNotice {
	return BreachNotice{Description: "A copy of the user table was read on 20 Nov.", OccurredAt: testStart.Add(-6 * 24 * time.Hour),
		Consequences: "Emails pretending to be us.", Measures: "We closed the hole and reset sessions.",
		UserActions: "Ignore emails asking for codes.", PerSecond: 1_000_000}
}

func TestNotifyBreachTellsEachUserInTheirLanguageWhatRuleSevenLists(t *testing.T) {
	t.Parallel()
	ctx := waitContext(t) // paced a microsecond apart: a slower pace ends the context and fails the test
	e := newEnv(t, withoutLimiter(), withContact())
	asha := e.register("asha@example.in")
	priya, err := e.auth.Register(ctx, RegisterInput{Email: "priya@example.in", Password: testPassword, Language: "hi",
		Consents: allGranted(), Client: e.client})
	require.NoError(t, err)

	report, err := e.auth.NotifyBreach(ctx, testBreach(), []string{asha.ID, priya.ID, asha.ID, "usr_unknown"})
	require.NoError(t, err)
	assert.Equal(t, []string{asha.ID, priya.ID}, report.Notified, "each user once")
	assert.Equal(t, []BreachFailure{{UserID: "usr_unknown", Reason: "no such user"}}, report.Failed)

	m, ok := e.outbox.Last(asha.Email)
	require.True(t, ok)
	for _, part := range []string{"What happened: A copy of the user table", "When it happened: 20 Nov 2026",
		"What it may mean for you: Emails pretending", "What we are doing: We closed", "What you can do: Ignore emails",
		"dpo@acme.example"} {
		assert.Contains(t, m.Text, part)
	}
	hi, ok := e.outbox.Last(priya.Email)
	require.True(t, ok)
	assert.Contains(t, hi.Subject, "उल्लंघन")
	assert.Contains(t, e.eventKinds(asha.ID), ports.EventBreachNotified)
}

func TestNotifyBreachReportsWhoCouldNotBeTold(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "asha@example.in")
	e.outbox.FailWith(fmt.Errorf("mail down: %w", ports.ErrUnavailable))
	report, err := e.auth.NotifyBreach(t.Context(), testBreach(), []string{u.ID})
	require.NoError(t, err)
	assert.Empty(t, report.Notified)
	assert.Equal(t, []BreachFailure{{UserID: u.ID, Reason: "sending failed"}}, report.Failed)
	assert.NotContains(t, e.eventKinds(u.ID), ports.EventBreachNotified)
}

func TestNotifyBreachNeedsEveryPartOfTheNotice(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "asha@example.in")
	for field, edit := range map[string]func(*BreachNotice){
		"description":  func(n *BreachNotice) { n.Description = " " },
		"consequences": func(n *BreachNotice) { n.Consequences = "" },
		"measures":     func(n *BreachNotice) { n.Measures = "" },
		"user_actions": func(n *BreachNotice) { n.UserActions = "" },
		"occurred_at":  func(n *BreachNotice) { n.OccurredAt = time.Time{} },
		"per_second":   func(n *BreachNotice) { n.PerSecond = -1 },
	} {
		n := testBreach()
		edit(&n)
		_, err := e.auth.NotifyBreach(t.Context(), n, []string{u.ID})
		ce := requireKind(t, err, KindValidation)
		assert.Equal(t, field, ce.Field)
	}
	assert.Zero(t, e.mailsTo(u.Email)-1, "only the verification email") // registration's
}

func TestNotifyBreachStopsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	a, b := e.register("asha@example.in"), e.register("ravi@example.in")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	n := testBreach()
	n.PerSecond = 1 // the second user waits a second: the ended context answers first
	report, err := e.auth.NotifyBreach(ctx, n, []string{a.ID, b.ID})
	require.ErrorIs(t, err, context.Canceled)
	require.Len(t, report.Failed, 1, "the first user is tried at once, without waiting for the pace (the ended context fails its lookup); the second never")
	assert.Equal(t, a.ID, report.Failed[0].UserID)
	assert.Empty(t, report.Notified)
}

// A notice without a rate goes out at the default pace, 10 emails a second.
func TestNotifyBreachWithoutARateUsesTheDefaultPace(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	a, b := e.register("asha@example.in"), e.register("ravi@example.in")
	n := testBreach()
	n.PerSecond = 0
	start := time.Now()
	report, err := e.auth.NotifyBreach(waitContext(t), n, []string{a.ID, b.ID})
	require.NoError(t, err)
	assert.Equal(t, []string{a.ID, b.ID}, report.Notified)
	assert.GreaterOrEqual(t, time.Since(start), time.Second/defaultBreachRate, "the second email waited for the pace")
}
