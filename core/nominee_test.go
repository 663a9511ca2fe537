package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestNomineesAreSensitiveEmailedAndKeptAsHistory(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e, u := newUserEnv(t, "asha@example.in", withContact())
	fresh := e.principal(e.mustLogin(u.Email)) // a new device
	in := NomineeInput{Name: "Ravi Sharma", Email: "Ravi@Example.in", Relationship: "brother", Client: e.client}
	requireKind(t, errOf(e.auth.AddNominee(ctx, fresh, in)), KindStepUpRequired)

	p := e.principal(e.knownDeviceLogin(u.Email))
	n, err := e.auth.AddNominee(ctx, p, in)
	require.NoError(t, err)
	assert.Equal(t, "Ravi@example.in", n.Email, "the domain is canonical")
	m, ok := e.outbox.Last("Ravi@example.in")
	require.True(t, ok, "the nominee is emailed")
	assert.Contains(t, m.Text, "asha@example.in named you as its nominee")
	assert.Contains(t, m.Text, "dpo@acme.example")
	assert.Contains(t, e.eventKinds(u.ID), ports.EventNomineeAdded)

	standing, err := e.auth.Nominees(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, standing, 1)
	require.NoError(t, e.auth.RemoveNominee(ctx, p, n.ID, e.client))
	assert.Equal(t, []string{n.ID}, e.eventDetails(u.ID, ports.EventNomineeRemoved), "the removal is recorded, naming the nomination")
	requireKind(t, e.auth.RemoveNominee(ctx, p, n.ID, e.client), KindNotFound)
	standing, err = e.auth.Nominees(ctx, u.ID)
	require.NoError(t, err)
	assert.Empty(t, standing, "the app's process sees standing nominees only")
	history, err := e.auth.OwnNominees(ctx, p)
	require.NoError(t, err)
	require.Len(t, history, 1, "the history keeps the removed nomination")
	assert.Equal(t, testStart, history[0].RemovedAt)
}

func TestNomineeInputIsCheckedAndBounded(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e, u := newUserEnv(t, "asha@example.in")
	p := e.principal(e.knownDeviceLogin(u.Email))
	for _, tc := range []struct {
		in    NomineeInput
		field string
	}{
		{NomineeInput{Name: "", Email: "r@example.in"}, "name"},
		{NomineeInput{Name: "Ravi\nx", Email: "r@example.in"}, "name"},
		{NomineeInput{Name: "Ravi", Email: "not-an-email"}, "email"},
		{NomineeInput{Name: "Ravi", Email: "r@example.in", Relationship: "a\tb"}, "relationship"},
	} {
		ce := requireKind(t, errOf(e.auth.AddNominee(ctx, p, tc.in)), KindValidation)
		assert.Equal(t, tc.field, ce.Field)
	}
	for i := range maxStandingNominees {
		require.NoError(t, errOf(e.auth.AddNominee(ctx, p, NomineeInput{Name: "N", Email: distinct(i)})))
	}
	requireCode(t, errOf(e.auth.AddNominee(ctx, p, NomineeInput{Name: "N", Email: "six@example.in"})), KindConflict, "too_many_nominees")
}
