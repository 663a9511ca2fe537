package core

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestExportHoldsEverythingAndNoSecret(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "export@example.in")
	ctx := t.Context()
	old := e.mustLogin(u.Email)
	e.logout(old)
	res := e.knownDeviceLogin(u.Email) // no step-up needed for the export
	p := e.principal(res)
	require.NoError(t, e.auth.SetPIN(ctx, p, SetPINInput{PIN: testPIN, Client: e.client}))
	_, _ = e.login(u.Email, "wrong-password")
	require.NoError(t, e.auth.RequestOTP(ctx, RequestOTPInput{Identifier: u.Email, Client: e.client}))

	doc, err := e.auth.Export(ctx, p, e.client)
	require.NoError(t, err)
	assert.Equal(t, u.Email, doc.Account.Email)
	assert.True(t, doc.Account.PasswordSet)
	assert.True(t, doc.Account.PINSet)
	assert.Equal(t, 1, doc.Account.Lock.Failures)
	assert.Len(t, doc.Sessions, 3, "revoked sessions too")
	assert.Len(t, doc.Consents, 6)
	assert.NotEmpty(t, doc.Events)
	var purposes []string
	for _, tok := range doc.OneTimeTokens {
		purposes = append(purposes, tok.Purpose)
	}
	assert.Contains(t, purposes, ports.PurposeEmailVerify)
	assert.Contains(t, purposes, ports.PurposeLoginOTP)

	raw, err := json.Marshal(doc)
	require.NoError(t, err)
	creds := inStore(e, e.store.Credentials, u.ID)
	sessions := inStore(e, e.store.Sessions, u.ID)
	tokens := inStore(e, e.store.Tokens, u.ID)
	secrets := []string{creds.PasswordHash, creds.PINHash, testPassword, `"4829"`, res.RefreshToken} // the PIN as a JSON value: 4 digits alone occur in random hex
	for _, s := range sessions {
		secrets = append(secrets, s.RefreshHash)
	}
	for _, tok := range tokens {
		secrets = append(secrets, tok.Hash)
	}
	for _, s := range secrets {
		assert.NotContains(t, string(raw), s)
	}
}

func TestExportNeedsAStepUpOnANewDevice(t *testing.T) {
	t.Parallel()
	e, _ := newUserEnv(t, "fresh@example.in")
	p := e.principal(e.mustLogin("fresh@example.in"))
	requireKind(t, errOf(e.auth.Export(t.Context(), p, e.client)), KindStepUpRequired)
}

func TestExportWithoutAnEventLog(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "noevents@example.in", withoutEventLog())
	ctx := t.Context()
	res := e.knownDeviceLogin(u.Email)
	_, _ = e.login(u.Email, "a wrong one!")

	doc, err := e.auth.Export(ctx, e.principal(res), e.client)
	require.NoError(t, err)
	assert.Equal(t, u.Email, doc.Account.Email)
	assert.Empty(t, doc.Events)
	assert.Len(t, doc.Sessions, 2)
	assert.Len(t, doc.Consents, 6)
	assert.Equal(t, 1, doc.Account.Lock.Failures)
	assert.True(t, doc.Account.PasswordSet)
	assert.False(t, doc.Account.PINSet)

	kept := inStore(e, e.store.Events, u.ID)
	assert.Empty(t, kept, "no EventLog: nothing is recorded")
}

func TestExportIncludesStepUpCodesAndRecordsAnEvent(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "full@example.in")
	ctx := t.Context()
	p := e.principal(e.mustLogin(u.Email))
	e.stepUp(p, u.Email)

	doc, err := e.auth.Export(ctx, p, e.client)
	require.NoError(t, err)
	var stepUps int
	for _, tok := range doc.OneTimeTokens {
		if tok.Purpose == ports.PurposeStepUpOTP {
			stepUps++
			assert.False(t, tok.UsedAt.IsZero())
		}
	}
	assert.Equal(t, 1, stepUps)
	kinds := e.eventKinds(u.ID)
	assert.Equal(t, ports.EventDataExported, kinds[len(kinds)-1])
}

func TestExportListsRecipientsGrievancesNomineesAndErasures(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	recipients := []Recipient{{Name: "Amazon SES (ap-south-1)", Purpose: "sending emails", Data: "email address, email contents"}}
	e, u := newUserEnv(t, "asha@example.in", withErasureHandler(&erasureInbox{}), func(c *Config, _ *Deps) { c.Recipients = recipients })
	receipt := e.requestErasure(u.Email)
	p := e.principal(e.knownDeviceLogin(u.Email))
	require.NoError(t, errOf(e.auth.FileGrievance(ctx, p, GrievanceInput{Subject: "s", Message: "m"})))
	require.NoError(t, errOf(e.auth.AddNominee(ctx, p, NomineeInput{Name: "Ravi", Email: "ravi@example.in"})))

	doc, err := e.auth.Export(ctx, p, e.client)
	require.NoError(t, err)
	assert.Equal(t, recipients, doc.Recipients)
	require.Len(t, doc.Grievances, 1)
	require.Len(t, doc.Nominees, 1)
	require.Len(t, doc.Erasures, 1)
	assert.Equal(t, receipt.RequestID, doc.Erasures[0].ID)
	assert.Equal(t, ports.ErasureReceived, doc.Erasures[0].Status)

	cfg := validConfig()
	cfg.Recipients = []Recipient{{Name: "x"}}
	_, err = New(cfg, validDeps())
	require.ErrorContains(t, err, "Recipients[0]")
}

// Every rights receipt names the privacy contact; the export's is emailed in
// the user's language, within a budget of RequestPerIdentifier (5 an hour)
// per inbox, and past it the export is still answered.
func TestExportEmailsAReceiptWithThePrivacyContactWithinItsBudget(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t, withContact())
	require.Equal(t, 5, e.auth.Config().RateLimits.RequestPerIdentifier.Limit)
	u := e.register("asha@example.in")
	p := e.principal(e.knownDeviceLogin(u.Email))
	e.stepUp(p, u.Email)
	const subject = "a copy of your data"

	require.NoError(t, errOf(e.auth.Export(ctx, p, e.client)))
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Contains(t, m.Subject, subject)
	assert.Contains(t, m.Text, "dpo@acme.example", "the privacy contact")
	assert.Contains(t, m.Text, testIP)
	for range 5 {
		require.NoError(t, errOf(e.auth.Export(ctx, p, e.client)), "past the budget the export is still answered")
	}
	assert.Equal(t, 5, e.mailsWithSubject(u.Email, subject), "five receipts an hour")
	e.clock.Set(testStart.Add(time.Hour))
	p = e.principal(e.knownDeviceLogin(u.Email))
	e.stepUp(p, u.Email)
	require.NoError(t, errOf(e.auth.Export(ctx, p, e.client)))
	assert.Equal(t, 6, e.mailsWithSubject(u.Email, subject), "a new hour, a new budget")

	hi, err := e.auth.Register(ctx, RegisterInput{Email: "priya@example.in", Password: testPassword, Language: "hi",
		Consents: allGranted(), Client: e.client})
	require.NoError(t, err)
	require.NoError(t, e.store.MarkEmailVerified(ctx, hi.ID, e.now()))
	p = e.principal(e.knownDeviceLogin(hi.Email))
	e.stepUp(p, hi.Email)
	require.NoError(t, errOf(e.auth.Export(ctx, p, e.client)))
	m, ok = e.outbox.Last(hi.Email)
	require.True(t, ok)
	assert.Contains(t, m.Subject, "डेटा की कॉपी")
	assert.Contains(t, m.Text, "dpo@acme.example")
}
