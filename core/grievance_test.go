package core

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestGrievanceIsDueAfterTheGrievancePeriodWithAReceipt(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e, u := newUserEnv(t, "asha@example.in", withContact())
	p := e.principal(e.mustLogin(u.Email))

	g, err := e.auth.FileGrievance(ctx, p, GrievanceInput{Subject: " My phone number ", Message: "Why was it shared?", Client: e.client})
	require.NoError(t, err)
	assert.Equal(t, ports.GrievanceOpen, g.Status)
	assert.Equal(t, "My phone number", g.Subject, "trimmed")
	assert.Equal(t, testStart, g.ReceivedAt)
	assert.Equal(t, testStart.Add(30*24*time.Hour), g.DueAt)
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Contains(t, m.Subject, "grievance")
	assert.Contains(t, m.Text, "Answer due by: 26 Dec 2026, 15:30 IST")
	assert.Contains(t, m.Text, "dpo@acme.example")
	assert.Contains(t, e.eventKinds(u.ID), ports.EventGrievanceFiled)

	list, err := e.auth.Grievances(ctx, p)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, g.ID, list[0].ID)
}

func TestGrievancePeriodSetsTheDueDate(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "asha@example.in", func(c *Config, _ *Deps) { c.GrievancePeriod = 90 * 24 * time.Hour })
	g, err := e.auth.FileGrievance(t.Context(), e.principal(e.mustLogin(u.Email)), GrievanceInput{Subject: "s", Message: "m"})
	require.NoError(t, err)
	assert.Equal(t, testStart.Add(90*24*time.Hour), g.DueAt)
}

func TestGrievanceInputIsChecked(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "asha@example.in")
	p := e.principal(e.mustLogin(u.Email))
	for _, tc := range []struct {
		name, subject, message, field string
	}{
		{"empty subject", "  ", "m", "subject"},
		{"two-line subject", "a\nBcc: x", "m", "subject"},
		{"long subject", strings.Repeat("श", maxGrievanceSubject+1), "m", "subject"},
		{"empty message", "s", "", "message"},
		{"long message", "s", strings.Repeat("a", maxGrievanceMessage+1), "message"},
		{"invalid UTF-8", "s", "\xff", "message"},
	} {
		_, err := e.auth.FileGrievance(t.Context(), p, GrievanceInput{Subject: tc.subject, Message: tc.message})
		ce := requireKind(t, err, KindValidation)
		assert.Equal(t, tc.field, ce.Field, tc.name)
	}
	require.NoError(t, errOf(e.auth.FileGrievance(t.Context(), p, GrievanceInput{Subject: strings.Repeat("श", maxGrievanceSubject), Message: "m"})), "200 characters fit")
	list, _ := e.store.Grievances(t.Context(), u.ID)
	assert.Len(t, list, 1, "nothing stored for bad input")
}

func TestRespondGrievanceClosesItOnceAndEmailsTheAnswer(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t, withoutLimiter(), withContact())
	u, err := e.auth.Register(ctx, RegisterInput{Email: "priya@example.in", Password: testPassword, Language: "hi",
		Consents: allGranted(), Client: e.client})
	require.NoError(t, err)
	require.NoError(t, e.store.MarkEmailVerified(ctx, u.ID, e.now()))
	p := e.principal(e.mustLogin(u.Email))
	g, err := e.auth.FileGrievance(ctx, p, GrievanceInput{Subject: "मेरा नंबर", Message: "क्यों?"})
	require.NoError(t, err)

	e.clock.Advance(48 * time.Hour)
	requireKind(t, e.auth.RespondGrievance(ctx, g.ID, "  "), KindValidation)
	require.NoError(t, e.auth.RespondGrievance(ctx, g.ID, "हमने इसे केवल कूरियर को दिया।"))
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Contains(t, m.Subject, "शिकायत का जवाब")
	assert.Contains(t, m.Text, "हमने इसे केवल कूरियर को दिया।")
	assert.Contains(t, m.Text, "dpo@acme.example")

	requireCode(t, e.auth.RespondGrievance(ctx, g.ID, "again"), KindConflict, "grievance_answered")
	requireKind(t, e.auth.RespondGrievance(ctx, "grv_unknown", "x"), KindNotFound)
	list, err := e.auth.Grievances(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, ports.GrievanceAnswered, list[0].Status)
	assert.Equal(t, testStart.Add(48*time.Hour), list[0].RespondedAt)
	assert.Contains(t, e.eventKinds(u.ID), ports.EventGrievanceAnswered)
}
