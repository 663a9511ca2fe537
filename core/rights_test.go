package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// DPDP Rule 9 wants a contact in every answer about a right: New warns when
// none is set, and only then.
func TestNewWarnsWhenNoPrivacyContactIsSet(t *testing.T) {
	t.Parallel()
	without, with := &logBuffer{}, &logBuffer{}
	newEnv(t, logTo(without))
	newEnv(t, logTo(with), withContact())
	assert.Contains(t, without.String(), "Config.PrivacyContact is not set")
	assert.NotContains(t, with.String(), "PrivacyContact")
}

func TestGrievancePeriodIsThirtyDaysAtMostNinety(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 30*24*time.Hour, DefaultConfig().GrievancePeriod)
	for _, tc := range []struct {
		period time.Duration
		ok     bool
	}{{90 * 24 * time.Hour, true}, {90*24*time.Hour + time.Second, false}, {0, false}, {time.Hour, true}} {
		cfg := validConfig()
		cfg.GrievancePeriod = tc.period
		_, err := New(cfg, validDeps())
		if tc.ok {
			require.NoError(t, err, "%s", tc.period)
		} else {
			require.ErrorContains(t, err, "GrievancePeriod", "%s", tc.period)
		}
	}
}

func TestPrivacyContactIsChecked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		contact PrivacyContact
		want    string
	}{
		{"not an address", PrivacyContact{Email: "dpo at acme"}, "PrivacyContact.Email"},
		{"a name without an address", PrivacyContact{Name: "DPO"}, "needs an Email"},
		{"a URL of another scheme", PrivacyContact{Email: "dpo@acme.example", URL: "javascript:alert(1)"}, "PrivacyContact.URL"},
		{"a name over two lines", PrivacyContact{Email: "dpo@acme.example", Name: "DPO\nBcc: x"}, "one line"},
	} {
		cfg := validConfig()
		cfg.PrivacyContact = tc.contact
		_, err := New(cfg, validDeps())
		require.ErrorContains(t, err, tc.want, tc.name)
	}
	cfg := validConfig()
	cfg.PrivacyContact = testContact
	require.NoError(t, errOf(New(cfg, validDeps())))
}

func TestRightsNameTheContactAndThePeriods(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withContact())
	assert.Equal(t, Rights{Contact: testContact, GrievancePeriod: 30 * 24 * time.Hour, ErasureGrace: 7 * 24 * time.Hour,
		Retention: DefaultConfig().Retention}, e.auth.Rights())
	f := newEnv(t, withErasureHandler(&erasureInbox{}))
	assert.True(t, f.auth.Rights().ErasureByApp)
}

func TestRightsReceiptsCarryTheContact(t *testing.T) {
	t.Parallel()
	e, u := newUserEnv(t, "asha@example.in", withContact())
	e.requestErasure(u.Email)
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Contains(t, m.Text, "Meera Rao, Grievance Officer, dpo@acme.example, +91 80 4000 0000, https://acme.example/privacy")
	e.mustLogin(u.Email) // cancels: another rights email
	for _, m := range e.outbox.Messages() {
		if m.To == u.Email && m.Subject == "Your request to erase your data on BharatAuth was cancelled" {
			assert.Contains(t, m.Text, "dpo@acme.example")
		}
	}
}
