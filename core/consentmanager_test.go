package core

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// testManager is the consent manager the tests register.
const testManager = "CM-DPB-0001"

func TestRecordManagedConsentRecordsTheManager(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config, _ *Deps) {
		c.ConsentManagers = []ConsentManager{{RegistrationID: testManager, Name: "Sahmati"}}
	})
	u := e.register("managed@example.in")
	ctx := t.Context()
	rows, err := e.auth.RecordManagedConsent(ctx, u.ID, ManagedConsentInput{ManagerID: testManager, Reference: "artefact-42",
		Decisions: []ConsentDecision{{Category: "analytics", Granted: false}, {Category: "location", Granted: true}}, Client: e.client})
	require.NoError(t, err)
	require.Len(t, rows, 2)
	for _, r := range rows {
		assert.Equal(t, ports.SourceConsentManager, r.Source)
		assert.Equal(t, testManager, r.ManagerID)
		assert.Equal(t, "artefact-42", r.ManagerReference)
		assert.Equal(t, "1.0.0", r.NoticeVersion)
	}
	m, ok := e.outbox.Last(u.Email)
	require.True(t, ok)
	assert.Contains(t, m.Text, "analytics", "the withdrawal's receipt reaches the user")
	states, err := e.auth.Admin().Consents(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, ports.SourceConsentManager, states[5].Source)
	report, err := e.auth.Admin().VerifyConsentChain(ctx, u.ID)
	require.NoError(t, err)
	assert.True(t, report.Intact)
}

func TestRecordManagedConsentRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config, _ *Deps) { c.ConsentManagers = []ConsentManager{{RegistrationID: testManager}} })
	u := e.register("refused@example.in")
	ctx := t.Context()
	analytics := []ConsentDecision{{Category: "analytics", Granted: true}}
	for _, tc := range []struct {
		name  string
		in    ManagedConsentInput
		kind  Kind
		code  string
		field string
	}{
		{name: "unregistered manager", in: ManagedConsentInput{ManagerID: "CM-X", Reference: "r", Decisions: analytics},
			kind: KindValidation, code: codeConsentManagerAbsent, field: "manager_id"},
		{name: "no reference", in: ManagedConsentInput{ManagerID: testManager, Decisions: analytics}, kind: KindValidation, field: "reference"},
		{name: "a 129-byte reference", in: ManagedConsentInput{ManagerID: testManager, Reference: strings.Repeat("r", 129), Decisions: analytics},
			kind: KindValidation, field: "reference"},
		{name: "a required category withdrawn", in: ManagedConsentInput{ManagerID: testManager, Reference: "r",
			Decisions: []ConsentDecision{{Category: "identity"}}}, kind: KindConflict, code: codeConsentForService},
		{name: "an unknown notice", in: ManagedConsentInput{ManagerID: testManager, Reference: "r", Decisions: analytics, NoticeVersion: "0.1"},
			kind: KindValidation, field: "notice_version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.auth.RecordManagedConsent(ctx, u.ID, tc.in)
			ce := requireKind(t, err, tc.kind)
			assert.Equal(t, tc.field, ce.Field)
			if tc.code != "" {
				assert.Equal(t, tc.code, ce.Code)
			}
		})
	}
	history := inStore(e, e.store.ConsentHistory, u.ID)
	assert.Len(t, history, 6, "nothing recorded")
	require.NoError(t, errOf(e.auth.RecordManagedConsent(ctx, u.ID, ManagedConsentInput{ManagerID: testManager, Reference: strings.Repeat("r", 128), Decisions: analytics})), "a 128-byte reference fits")
}

func TestNewRefusesBadConsentManagers(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.SecretKey = []byte("test-secret-key-that-is-32-bytes-long!!")
	cfg.ConsentManagers = []ConsentManager{{RegistrationID: "CM-1"}, {RegistrationID: "CM-1"}, {RegistrationID: " "}}
	_, err := New(cfg, Deps{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `consent manager "CM-1" is listed twice`)
	assert.Contains(t, err.Error(), "RegistrationID must be")
}

// A consent manager relays the child's decisions, not the guardian's: it may
// withdraw for a child, never grant, and records nothing before a guardian
// consented.
func TestAConsentManagerCannotGrantForAChild(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter(), func(c *Config, _ *Deps) {
		c.ConsentManagers = []ConsentManager{{RegistrationID: testManager, Name: "Sahmati"}}
	})
	ctx := t.Context()
	child := e.registerChild("ravi@example.in")
	relay := func(granted bool) error {
		_, err := e.auth.RecordManagedConsent(ctx, child.ID, ManagedConsentInput{ManagerID: testManager, Reference: "artefact-1",
			Decisions: []ConsentDecision{{Category: "location", Granted: granted}}, Client: e.client})
		return err
	}
	assert.Equal(t, codeGuardianRequired, requireKind(t, relay(false), KindForbidden).Code, "pending: nothing recorded")
	e.guardianConsents(t)
	assert.Equal(t, codeGuardianRequired, requireKind(t, relay(true), KindForbidden).Code)
	ok, err := e.auth.HasConsent(ctx, child.ID, "location")
	require.NoError(t, err)
	assert.True(t, ok, "the guardian's decision stands")
	require.NoError(t, relay(false), "a withdrawal is recorded")
	ok, err = e.auth.HasConsent(ctx, child.ID, "location")
	require.NoError(t, err)
	assert.False(t, ok)
}
