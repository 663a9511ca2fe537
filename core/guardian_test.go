package core

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// newGuardedChild is an env with the child ravi@example.in whose guardian
// consented by account, signed in as guardian.
func newGuardedChild(t *testing.T) (*env, ports.User, Principal) {
	t.Helper()
	e := newEnv(t, withoutLimiter())
	child := e.registerChild("ravi@example.in")
	guardian, _ := e.guardianConsents(t)
	return e, child, guardian
}

func TestAChildCannotSignInUntilAGuardianConsents(t *testing.T) {
	t.Parallel()
	eachVariant(t, holdsReads, testAChildCannotSignInUntilAGuardianConsents)
}

func testAChildCannotSignInUntilAGuardianConsents(t *testing.T, e *env) {
	child := e.registerChild("ravi@example.in")
	ctx := t.Context()
	history := inStore(e, e.store.ConsentHistory, child.ID)
	assert.Empty(t, history, "a child's own decisions are not consent")
	m, ok := e.outbox.Last(guardianEmail)
	require.True(t, ok, "the guardian is emailed a link")
	assert.Contains(t, m.Text, "ravi@example.in")

	_, err := e.login(child.Email, testPassword)
	assert.Equal(t, codeGuardianRequired, requireKind(t, err, KindForbidden).Code)

	_, link := e.guardianConsents(t)
	assert.Equal(t, child.ID, link.ChildID)
	assert.Equal(t, ports.GuardianByAccount, link.Method)
	e.mustLogin(child.Email)
	history = inStore(e, e.store.ConsentHistory, child.ID)
	require.Len(t, history, 6, "the child's decisions, recorded on the guardian's consent")
	for _, r := range history {
		assert.Equal(t, ports.SourceGuardian, r.Source)
		assert.Equal(t, r.Category != "analytics", r.Granted)
	}
	report, err := e.auth.Admin().VerifyConsentChain(ctx, child.ID)
	require.NoError(t, err)
	assert.True(t, report.Intact && report.Checkpointed)
}

func TestAdultAgeIsEighteenByDefault(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 18, DefaultConfig().AdultAge)
	e := newEnv(t, withoutLimiter())
	for _, tc := range []struct {
		name  string
		dob   time.Time
		child bool
	}{
		{name: "18 today", dob: testStart.AddDate(-18, 0, 0)},
		{name: "18 tomorrow", dob: testStart.AddDate(-18, 0, 1), child: true},
		{name: "no date of birth", dob: time.Time{}},
	} {
		u, err := e.auth.Register(t.Context(), RegisterInput{Email: "age" + tc.dob.Format("20060102") + "@example.in",
			Password: testPassword, Consents: childDecisions(), DateOfBirth: tc.dob, GuardianEmail: guardianEmail, Client: e.client})
		require.NoError(t, err, tc.name)
		_, child, err := e.auth.guardianship(t.Context(), "test", u.ID)
		require.NoError(t, err)
		assert.Equal(t, tc.child, child, tc.name)
	}
}

func TestChildRegistrationRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	for _, tc := range []struct {
		name  string
		in    RegisterInput
		field string
		code  string
	}{
		{name: "no guardian email", in: RegisterInput{DateOfBirth: childDOB}, field: "guardian_email"},
		{name: "the child's own email", in: RegisterInput{DateOfBirth: childDOB, GuardianEmail: "KID@example.in"}, field: "guardian_email"},
		{name: "a malformed guardian email", in: RegisterInput{DateOfBirth: childDOB, GuardianEmail: "parent@"}, field: "guardian_email"},
		{name: "born tomorrow", in: RegisterInput{DateOfBirth: testStart.AddDate(0, 0, 1), GuardianEmail: guardianEmail}, field: "date_of_birth"},
		{name: "born 131 years ago", in: RegisterInput{DateOfBirth: testStart.AddDate(-131, 0, 0)}, field: "date_of_birth"},
		{name: "analytics granted", in: RegisterInput{DateOfBirth: childDOB, GuardianEmail: guardianEmail, Consents: allGranted()},
			field: "consents", code: codeNotAllowedForChild},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Email, in.Password, in.Client = "kid@example.in", testPassword, e.client
			if in.Consents == nil {
				in.Consents = childDecisions()
			}
			_, err := e.auth.Register(t.Context(), in)
			ce := requireKind(t, err, KindValidation)
			assert.Equal(t, tc.field, ce.Field)
			if tc.code != "" {
				assert.Equal(t, tc.code, ce.Code)
			}
		})
	}
	_, err := e.store.UserByEmail(t.Context(), "kid@example.in")
	assert.ErrorIs(t, err, ports.ErrNotFound, "nothing created")
}

func TestTrackingIsNeverGrantedForAChild(t *testing.T) {
	t.Parallel()
	e, child, guardian := newGuardedChild(t)
	ctx := t.Context()
	p := e.principal(e.mustLogin(child.Email))
	_, err := e.auth.Grant(ctx, p, ConsentInput{Category: "analytics", Client: e.client})
	assert.Equal(t, codeNotAllowedForChild, requireKind(t, err, KindValidation).Code)
	_, err = e.auth.Admin().RecordConsent(ctx, child.ID, ConsentDecision{Category: "analytics", Granted: true}, ConsentMeta{})
	assert.Equal(t, codeNotAllowedForChild, requireKind(t, err, KindValidation).Code)
	_, err = e.auth.GrantForChild(ctx, guardian, child.ID, ConsentInput{Category: "analytics", Client: e.client})
	assert.Equal(t, codeNotAllowedForChild, requireKind(t, err, KindValidation).Code, "not even by the guardian")
	require.NoError(t, errOf(e.auth.GrantForChild(ctx, guardian, child.ID, ConsentInput{Category: "location", Client: e.client})), "the guardian may grant other optional categories")
	require.NoError(t, errOf(e.auth.Grant(ctx, guardian, ConsentInput{Category: "analytics", Client: e.client})), "the guardian is an adult")
}

func TestConfirmGuardianRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	stranger := e.register("stranger@example.in")
	e.registerChild("ravi@example.in")
	token := e.lastToken(guardianEmail)
	ctx := t.Context()

	sp := e.principal(e.mustLogin(stranger.Email))
	requireKind(t, errOf(e.auth.ConfirmGuardian(ctx, sp, LinkInput{Token: token})), KindStepUpRequired)
	e.stepUp(sp, stranger.Email)
	_, err := e.auth.ConfirmGuardian(ctx, sp, LinkInput{Token: token})
	requireKind(t, err, KindForbidden) // the link went to another address
	e.stepUp(sp, stranger.Email)
	_, err = e.auth.ConfirmGuardian(ctx, sp, LinkInput{Token: token})
	requireKind(t, err, KindUnauthorized) // and it is used up
}

func TestAChildCannotBeAGuardian(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	ctx := t.Context()
	const kidEmail, grandparent = "kid@example.in", "grandparent@example.in"
	gp := e.openGuardian(grandparent)
	e.registerChildOf(kidEmail, grandparent)
	e.proveAddress(kidEmail)
	kidToken := e.lastToken(grandparent)
	gpp := e.principal(e.mustLogin(gp.Email))
	e.stepUp(gpp, gp.Email)
	require.NoError(t, errOf(e.auth.ConfirmGuardian(ctx, gpp, LinkInput{Token: kidToken})))

	e.clock.Advance(e.auth.cfg.GuardianAccountAge) // the kid's account is old enough: it is refused as a child's
	e.registerChildOf("ravi@example.in", kidEmail)
	e.proveAddress("ravi@example.in")
	token := e.lastToken(kidEmail)
	kp := e.principal(e.mustLogin(kidEmail))
	e.stepUp(kp, kidEmail)
	requireKind(t, errOf(e.auth.ConfirmGuardian(ctx, kp, LinkInput{Token: token})), KindForbidden)
}

func TestVerifyGuardianUsesTheAppsVerifier(t *testing.T) {
	t.Parallel()
	v := &verifier{}
	e := newEnv(t, withoutLimiter(), func(_ *Config, d *Deps) { d.GuardianVerifier = v })
	child := e.registerChild("ravi@example.in")
	ctx := t.Context()

	v.err = errors.New("digilocker down")
	_, err := e.auth.VerifyGuardian(ctx, child.ID, "artefact-1", e.client)
	requireKind(t, err, KindUnavailable)
	v.err = nil
	_, err = e.auth.VerifyGuardian(ctx, child.ID, "artefact-1", e.client)
	assert.Equal(t, codeGuardianNotFound, requireKind(t, err, KindForbidden).Code)
	v.verdict = ports.GuardianVerdict{Verified: true, Reference: "DL-77"}
	link, err := e.auth.VerifyGuardian(ctx, child.ID, "artefact-2", e.client)
	require.NoError(t, err)
	assert.Equal(t, ports.GuardianByVerifier, link.Method)
	assert.Equal(t, ports.GuardianCheck{ChildID: child.ID, GuardianEmail: guardianEmail, Evidence: "artefact-2"}, v.got[2])
	e.mustLogin(child.Email)
	requireKind(t, errOf(e.auth.VerifyGuardian(ctx, child.ID, "artefact-3", e.client)), KindNotFound)

	plain := newEnv(t)
	requireKind(t, errOf(plain.auth.VerifyGuardian(ctx, child.ID, "x", e.client)), KindForbidden)
}

func TestTheGuardianSeesAndWithdrawsTheChildsConsentsAndGetsReceipts(t *testing.T) {
	t.Parallel()
	e, child, guardian := newGuardedChild(t)
	ctx := t.Context()

	children, err := e.auth.GuardianChildren(ctx, guardian)
	require.NoError(t, err)
	require.Len(t, children, 1)
	assert.Equal(t, child.Email, children[0].ChildEmail)
	states, err := e.auth.ChildConsents(ctx, guardian, child.ID)
	require.NoError(t, err)
	assert.Len(t, states, 6)

	before := e.mailsTo(guardianEmail)
	st, err := e.auth.WithdrawForChild(ctx, guardian, child.ID, ConsentInput{Category: "communications", Client: e.client})
	require.NoError(t, err)
	assert.False(t, st.Granted)
	assert.Equal(t, ports.SourceGuardian, st.Source)
	assert.Equal(t, before+1, e.mailsTo(guardianEmail), "the guardian gets the receipt")
	m, ok := e.outbox.Last(child.Email)
	require.True(t, ok)
	assert.Contains(t, m.Text, "communications", "and the child too")

	cp := e.principal(e.mustLogin(child.Email))
	before = e.mailsTo(guardianEmail)
	require.NoError(t, errOf(e.auth.Withdraw(ctx, cp, ConsentInput{Category: "location", Client: e.client})))
	assert.Equal(t, before+1, e.mailsTo(guardianEmail), "every receipt of the child's")

	_, err = e.auth.WithdrawForChild(ctx, guardian, child.ID, ConsentInput{Category: "identity", Client: e.client})
	assert.Equal(t, codeConsentForService, requireKind(t, err, KindConflict).Code)
	stranger := e.register("stranger@example.in")
	sp := e.principal(e.mustLogin(stranger.Email))
	requireKind(t, errOf(e.auth.ChildConsents(ctx, sp, child.ID)), KindNotFound)
	requireKind(t, errOf(e.auth.WithdrawForChild(ctx, sp, child.ID, ConsentInput{Category: "communications"})), KindNotFound)
}

func TestPendingChildrenAreErasedAfterGuardianWait(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 7*24*time.Hour, DefaultConfig().GuardianWait)
	e := newEnv(t, withoutLimiter())
	pending := e.registerChild("ravi@example.in")
	ctx := t.Context()
	e.clock.Advance(7*24*time.Hour - time.Second)
	n, err := e.auth.PurgePendingChildren(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "within the wait")
	e.clock.Advance(2 * time.Second)
	n, err = e.auth.PurgePendingChildren(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, err = e.store.UserByID(ctx, pending.ID)
	assert.ErrorIs(t, err, ports.ErrNotFound)
}

func TestExportShowsTheGuardianLink(t *testing.T) {
	t.Parallel()
	e, child, guardian := newGuardedChild(t)
	ctx := t.Context()
	doc, err := e.auth.exportDocument(ctx, child.ID)
	require.NoError(t, err)
	require.NotNil(t, doc.Guardian)
	assert.Equal(t, guardianEmail, doc.Guardian.GuardianEmail)
	assert.Equal(t, ports.GuardianByAccount, doc.Guardian.Method)
	assert.Equal(t, childDOB, doc.Guardian.DateOfBirth)
	assert.Equal(t, ports.SourceGuardian, doc.Consents[0].Source)
	gdoc, err := e.auth.exportDocument(ctx, guardian.UserID)
	require.NoError(t, err)
	assert.Nil(t, gdoc.Guardian)
	require.Len(t, gdoc.Children, 1)
	assert.Equal(t, child.ID, gdoc.Children[0].ChildID)
}

// The attack: a stranger registers the victim's address as a child naming
// the stranger's own (old, verified) account as guardian. The stranger is
// never emailed a link for an address nobody proved, and when the owner
// proves the address by a reset, the declared guardianship goes with the
// registrant's password: the owner has a normal adult account.
func TestAnUnprovenChildRegistrationGivesAStrangerNoGuardianship(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	ctx := t.Context()
	const attacker, victim = "attacker@example.in", "victim@example.in"
	e.openGuardian(attacker)
	ap := e.principal(e.mustLogin(attacker))
	before := e.mailsTo(attacker)
	squat := e.registerChildOf(victim, attacker)
	assert.Equal(t, before, e.mailsTo(attacker), "no guardian link for an unproven child address")
	requireKind(t, errOf(e.auth.VerifyGuardian(ctx, squat.ID, "artefact", e.client)), KindForbidden) // no verifier here; with one, the unproven child is refused (below)

	require.NoError(t, e.auth.RequestPasswordReset(ctx, IdentifierInput{Identifier: victim, Client: e.client}))
	_, err := e.auth.ConfirmPasswordReset(ctx, ConfirmPasswordResetInput{Token: e.lastToken(victim),
		NewPassword: "the owner's own passphrase", Client: e.client})
	require.NoError(t, err, "the owner signs in: no guardian is waited for")
	_, child, err := e.auth.guardianship(ctx, "test", squat.ID)
	require.NoError(t, err)
	assert.False(t, child, "the registrant's guardianship is discarded with its password")
	assert.Contains(t, e.eventKinds(squat.ID), ports.EventGuardianshipDiscarded)
	children, err := e.auth.GuardianChildren(ctx, ap)
	require.NoError(t, err)
	assert.Empty(t, children)
	requireKind(t, errOf(e.auth.ChildConsents(ctx, ap, squat.ID)), KindNotFound)
	assert.Equal(t, before, e.mailsTo(attacker), "nor is the stranger emailed later")
}

// The same when the owner proves the address by signing in with a code: the
// sign-in that discards the registrant's guardianship opens the owner's
// session, though it read the account (pending guardianship included)
// before the code was checked.
func TestACodeSignInThatProvesTheAddressIsNotHeldByTheRegistrantsGuardianship(t *testing.T) {
	t.Parallel()
	eachVariant(t, holdsReads, func(t *testing.T, e *env) {
		const victim = "victim@example.in"
		e.openGuardian("attacker@example.in")
		squat := e.registerChildOf(victim, "attacker@example.in")
		res, err := e.verifyOTP(victim, e.requestOTP(victim, ""), "")
		require.NoError(t, err, "the owner signs in: no guardian is waited for")
		assert.Equal(t, squat.ID, res.User.ID)
	})
}

// A guardianship confirmed before the address was proven (by an earlier
// version, or any way round the link) ends when the owner proves it.
func TestProvingTheAddressEndsAGuardianshipMadeBeforeTheProof(t *testing.T) {
	t.Parallel()
	v := &verifier{verdict: ports.GuardianVerdict{Verified: true, Reference: "DL-1"}}
	e := newEnv(t, withoutLimiter(), func(_ *Config, d *Deps) { d.GuardianVerifier = v })
	ctx := t.Context()
	u := e.registerChildOf("owner@example.in", guardianEmail)
	_, err := e.auth.VerifyGuardian(ctx, u.ID, "artefact", e.client)
	requireKind(t, err, KindNotFound) // the child's own address comes first
	assert.Empty(t, v.got, "the verifier is not even asked")

	g, _, err := e.auth.guardianship(ctx, "test", u.ID)
	require.NoError(t, err)
	require.NoError(t, errOf(e.store.ConfirmGuardianship(ctx, u.ID, ports.GuardianConfirmation{At: e.now(), Method: ports.GuardianByAccount, GuardianID: "usr_stranger"})))
	require.False(t, g.ConfirmedAt.After(e.now()))
	code := e.requestOTP(u.Email, "")
	require.NoError(t, errOf(e.verifyOTP(u.Email, code, "")))
	_, child, err := e.auth.guardianship(ctx, "test", u.ID)
	require.NoError(t, err)
	assert.False(t, child)
	children, err := e.store.GuardianChildren(ctx, "usr_stranger")
	require.NoError(t, err)
	assert.Empty(t, children)
}

// A child that registered by phone only is named to its guardian by its
// number, once it proved the number: the consent request (DPDP §9) goes out
// as for a child with an email address.
func TestTheGuardianOfAChildRegisteredByPhoneIsEmailedOnceTheNumberIsProven(t *testing.T) {
	t.Parallel()
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	p.openGuardian(guardianEmail)
	before := p.mailsTo(guardianEmail)
	_, err := p.auth.Register(ctx, RegisterInput{Phone: testPhoneTyped, Consents: childDecisions(),
		DateOfBirth: childDOB, GuardianEmail: guardianEmail, Client: p.client})
	require.NoError(t, err)
	assert.Equal(t, before, p.mailsTo(guardianEmail), "nothing before the number is proven")

	require.NoError(t, p.auth.VerifyPhone(ctx, VerifyPhoneInput{Phone: testPhoneTyped, Code: p.sms.lastSMSCode(t, testPhone), Client: p.client}))
	m, ok := p.outbox.Last(guardianEmail)
	require.True(t, ok)
	assert.Equal(t, before+1, p.mailsTo(guardianEmail))
	assert.Contains(t, m.Text, testPhone, "the child is named by its number")
}

func TestTheGuardianIsEmailedOnlyOnceTheChildProvedItsAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	ctx := t.Context()
	e.openGuardian(guardianEmail)
	e.registerChildOf("ravi@example.in", guardianEmail)
	before := e.mailsTo(guardianEmail)
	token := e.lastToken("ravi@example.in")
	require.NoError(t, e.auth.VerifyEmail(ctx, LinkInput{Token: token, Client: e.client}))
	assert.Equal(t, before+1, e.mailsTo(guardianEmail))
	m, _ := e.outbox.Last(guardianEmail)
	assert.Contains(t, m.Text, "ravi@example.in", "the child's address, now proven")
}

// Whoever registers names the guardian's address, so it has a mail budget of
// its own: 5 consent links an hour (RequestPerIdentifier), however many
// children, each with a proven address of its own, name it.
func TestAGuardiansAddressGetsAtMost5ConsentLinksAnHour(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	child := func(email string, i int) {
		_, err := e.auth.Register(t.Context(), RegisterInput{Email: email, Password: testPassword, Consents: childDecisions(),
			DateOfBirth: childDOB, GuardianEmail: "victim@example.in", Client: Client{IP: fmt.Sprintf("203.0.113.%d", i+1)}})
		require.NoError(t, err, "registration %d", i+1)
		e.proveAddress(email)
	}
	for i := range 6 {
		child(fmt.Sprintf("kid%d@example.in", i), i)
	}
	assert.Equal(t, 5, e.mailsTo("victim@example.in"))
	e.clock.Advance(time.Hour)
	child("kid-next-hour@example.in", 7)
	assert.Equal(t, 6, e.mailsTo("victim@example.in"), "the budget comes back")
}

// D2: a child's second account, opened for the occasion, is no guardian.
func TestAGuardianAccountOpenedForTheOccasionIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	ctx := t.Context()
	const second = "me.too@example.in"
	e.registerChildOf("kid@example.in", second)
	e.proveAddress("kid@example.in")
	token := e.lastToken(second)
	e.clock.Advance(time.Minute)
	me := e.register(second)
	p := e.principal(e.mustLogin(me.Email))
	e.stepUp(p, me.Email)
	requireKind(t, errOf(e.auth.ConfirmGuardian(ctx, p, LinkInput{Token: token})), KindForbidden)
	kid := mustUser(t, e, "kid@example.in")
	tokens := inStore(e, e.store.Tokens, kid.ID)
	for _, tok := range tokens {
		if tok.Purpose == ports.PurposeGuardian {
			assert.True(t, tok.UsedAt.IsZero(), "the link is kept for the real guardian")
		}
	}
	_, err := e.login("kid@example.in", testPassword)
	assert.Equal(t, codeGuardianRequired, requireKind(t, err, KindForbidden).Code)
}

func TestGuardianAccountAgeIsThirtyDays(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 30*24*time.Hour, DefaultConfig().GuardianAccountAge)
	for _, tc := range []struct {
		name  string
		after time.Duration // from the guardian's account to the child's registration
		ok    bool
	}{
		{name: "a second short", after: 30*24*time.Hour - time.Second},
		{name: "exactly", after: 30 * 24 * time.Hour, ok: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, withoutLimiter())
			ctx := t.Context()
			e.register(guardianEmail)
			e.clock.Advance(tc.after)
			child := e.registerChildOf("kid@example.in", guardianEmail)
			e.proveAddress(child.Email)
			token := e.lastToken(guardianEmail)
			p := e.principal(e.mustLogin(guardianEmail))
			e.stepUp(p, guardianEmail)
			_, err := e.auth.ConfirmGuardian(ctx, p, LinkInput{Token: token})
			if tc.ok {
				require.NoError(t, err)
				return
			}
			requireKind(t, err, KindForbidden)
		})
	}
}

// D3: the guardian's withdrawal stands against the child's own grant; the
// guardian alone grants again.
func TestAChildCannotGrantOverItsGuardian(t *testing.T) {
	t.Parallel()
	e, child, guardian := newGuardedChild(t)
	ctx := t.Context()
	require.NoError(t, errOf(e.auth.WithdrawForChild(ctx, guardian, child.ID, ConsentInput{Category: "communications", Client: e.client})))

	cp := e.principal(e.mustLogin(child.Email))
	_, err := e.auth.Grant(ctx, cp, ConsentInput{Category: "communications", Client: e.client})
	assert.Equal(t, codeGuardianRequired, requireKind(t, err, KindForbidden).Code)
	_, err = e.auth.Admin().RecordConsent(ctx, child.ID, ConsentDecision{Category: "communications", Granted: true}, ConsentMeta{})
	assert.Equal(t, codeGuardianRequired, requireKind(t, err, KindForbidden).Code, "nor as the child's own, through the app")
	require.Error(t, e.auth.RequireConsent(ctx, child.ID, "communications"))
	require.NoError(t, errOf(e.auth.Withdraw(ctx, cp, ConsentInput{Category: "location", Client: e.client})), "withdrawing stays the child's")

	st, err := e.auth.GrantForChild(ctx, guardian, child.ID, ConsentInput{Category: "communications", Client: e.client})
	require.NoError(t, err)
	assert.Equal(t, ports.SourceGuardian, st.Source)
	require.NoError(t, e.auth.RequireConsent(ctx, child.ID, "communications"))
	stranger := e.register("stranger@example.in")
	requireKind(t, errOf(e.auth.GrantForChild(ctx, e.principal(e.mustLogin(stranger.Email)), child.ID, ConsentInput{Category: "location"})), KindNotFound)
}

// A guardian the app verified (no account here) grants again through the
// app: Admin.RecordGuardianConsent, source guardian, only for a child whose
// guardian consented.
func TestTheAppRecordsAVerifiedGuardiansGrant(t *testing.T) {
	t.Parallel()
	v := &verifier{verdict: ports.GuardianVerdict{Verified: true, Reference: "DL-9"}}
	e := newEnv(t, withoutLimiter(), func(_ *Config, d *Deps) { d.GuardianVerifier = v })
	child := e.registerChild("ravi@example.in")
	ctx := t.Context()
	grant := []ConsentDecision{{Category: "communications", Granted: true}}
	_, err := e.auth.Admin().RecordGuardianConsent(ctx, child.ID, grant, ConsentMeta{})
	requireKind(t, err, KindNotFound) // pending: the guardian has not consented
	require.NoError(t, errOf(e.auth.VerifyGuardian(ctx, child.ID, "artefact", e.client)))
	cp := e.principal(e.mustLogin(child.Email))
	require.NoError(t, errOf(e.auth.Withdraw(ctx, cp, ConsentInput{Category: "communications", Client: e.client})))

	rows, err := e.auth.Admin().RecordGuardianConsent(ctx, child.ID, grant, ConsentMeta{})
	require.NoError(t, err)
	assert.Equal(t, ports.SourceGuardian, rows[0].Source)
	require.NoError(t, e.auth.RequireConsent(ctx, child.ID, "communications"))
	_, err = e.auth.Admin().RecordGuardianConsent(ctx, child.ID, []ConsentDecision{{Category: "analytics", Granted: true}}, ConsentMeta{})
	assert.Equal(t, codeNotAllowedForChild, requireKind(t, err, KindValidation).Code)
	adult := e.register("adult@example.in")
	requireKind(t, errOf(e.auth.Admin().RecordGuardianConsent(ctx, adult.ID, grant, ConsentMeta{})), KindNotFound)
}

// A registrant who turns maxAge (130) today is believable, an adult; one who
// turned 131 is not (TestChildRegistrationRefusals).
func TestADateOfBirthMaxAgeYearsAgoIsBelievable(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withoutLimiter())
	u, err := e.auth.Register(t.Context(), RegisterInput{Email: "eldest@example.in", Password: testPassword,
		Consents: allGranted(), DateOfBirth: testStart.AddDate(-maxAge, 0, 0), Client: e.client})
	require.NoError(t, err)
	_, child, err := e.auth.guardianship(t.Context(), "test", u.ID)
	require.NoError(t, err)
	assert.False(t, child)
}
