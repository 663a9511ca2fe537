package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// Codes of the children's rules (DPDP Act 2023 §9, Rules 10–12).
const (
	codeGuardianRequired   = "guardian_consent_required" // KindForbidden: a child's account before a guardian consents
	codeNotAllowedForChild = "not_allowed_for_child"     // KindValidation: a Tracking category for a child
	codeGuardianNotFound   = "guardian_not_verified"     // KindForbidden: the guardian could not be verified
)

// maxAge bounds a believable date of birth.
const maxAge = 130

// childRegistration checks a registrant's date of birth and, for a child, the
// guardian's email and the decisions: it returns the pending guardianship to
// create with the account, or nil for an adult (or no date of birth given).
func (a *Auth) childRegistration(op string, in RegisterInput, email string, rows []ports.ConsentRecord) (*ports.Guardianship, error) {
	if in.DateOfBirth.IsZero() {
		return nil, nil
	}
	now := a.now()
	dob := dateOf(in.DateOfBirth)
	age := ageOn(dob, now)
	if dob.After(now) || age > maxAge {
		return nil, invalidField(op, "date_of_birth", "is not a believable date of birth")
	}
	if age >= a.cfg.AdultAge {
		return nil, nil
	}
	if a.deps.Guardians == nil {
		return nil, newError(op, KindForbidden, "", "this service does not take registrations of children")
	}
	if strings.TrimSpace(in.GuardianEmail) == "" {
		return nil, invalidField(op, "guardian_email", fmt.Sprintf("is required: you are under %d, so a parent or guardian must consent", a.cfg.AdultAge))
	}
	guardian, err := canonicalEmail(strings.TrimSpace(in.GuardianEmail), a.cfg.AllowUnicodeLocalPart)
	if err != nil {
		return nil, invalidField(op, "guardian_email", err.Error())
	}
	if strings.EqualFold(guardian, email) {
		return nil, invalidField(op, "guardian_email", "must be the guardian's own address, not yours")
	}
	if err := a.refuseTracking(op, rows); err != nil {
		return nil, err
	}
	return &ports.Guardianship{GuardianEmail: guardian, DateOfBirth: dob, RequestedAt: now, Proposed: rows}, nil
}

// dateOf is the calendar date of t, as UTC midnight.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ageOn is the age in whole years on now of someone born on dob.
func ageOn(dob, now time.Time) int {
	now = now.UTC()
	age := now.Year() - dob.Year()
	if now.Month() < dob.Month() || now.Month() == dob.Month() && now.Day() < dob.Day() {
		age-- // the birthday of this year is still to come
	}
	return age
}

// refuseTracking refuses granting a Tracking category for a child (§9(3)).
func (a *Auth) refuseTracking(op string, rows []ports.ConsentRecord) error {
	for _, r := range rows {
		if a.categories[r.Category].Tracking && r.Granted {
			return &Error{Op: op, Kind: KindValidation, Code: codeNotAllowedForChild, Field: "consents",
				Message: fmt.Sprintf("%q is behavioural tracking, which is never allowed for a child", r.Category)}
		}
	}
	return nil
}

// guardianship returns userID's guardianship, found false for an adult (or
// without a GuardianStore).
func (a *Auth) guardianship(ctx context.Context, op, userID string) (ports.Guardianship, bool, error) {
	if a.deps.Guardians == nil {
		return ports.Guardianship{}, false, nil
	}
	g, err := a.deps.Guardians.Guardianship(ctx, userID)
	if errors.Is(err, ports.ErrNotFound) {
		return ports.Guardianship{}, false, nil
	}
	if err != nil {
		return ports.Guardianship{}, false, storeError(op, err)
	}
	return g, true, nil
}

// refuseChildDecision applies the children's rules to rows about to be
// recorded for userID, when userID is a child: a Tracking category is never
// granted (§9(3)); only the guardian grants (§9(1): the child's own grant, or
// one a consent manager relays for the child, is no verifiable consent of the
// guardian), while a child may always withdraw; and before a guardian
// consented nothing is recorded but the guardian's confirmation.
func (a *Auth) refuseChildDecision(ctx context.Context, op, userID string, rows []ports.ConsentRecord) error {
	g, child, err := a.guardianship(ctx, op, userID)
	if err != nil || !child {
		return err
	}
	if err := a.refuseTracking(op, rows); err != nil {
		return err
	}
	for _, r := range rows {
		switch {
		case r.Source == ports.SourceGuardian:
		case g.Pending():
			return newError(op, KindForbidden, codeGuardianRequired,
				"a parent or guardian must consent before this account's decisions are recorded")
		case r.Granted:
			return newError(op, KindForbidden, codeGuardianRequired,
				fmt.Sprintf("only a parent or guardian can give consent for %q on a child's account; withdrawing stays yours", r.Category))
		}
	}
	return nil
}

// requireGuardian refuses a session to a child's account (holds from
// accountHolds) until a guardian consented.
func requireGuardian(op string, h ports.AccountHolds) error {
	if h.Guardianship != nil && h.Guardianship.Pending() {
		return newError(op, KindForbidden, codeGuardianRequired,
			"a parent or guardian must consent before this account can be used; they are emailed a link once your email address is confirmed")
	}
	return nil
}

// accountHolds reads what a session opening for userID checks: its
// guardianship and, when core runs erasure itself (no Deps.Erasure), its
// newest erasure request. One call where the guardian and erasure store is
// one backend that reads both at once (ports.AccountHoldsReader), else one
// call per store.
func (a *Auth) accountHolds(ctx context.Context, op, userID string) (ports.AccountHolds, error) {
	if a.holds != nil {
		h, err := a.holds.AccountHolds(ctx, userID)
		return h, storeError(op, err)
	}
	var h ports.AccountHolds
	g, child, err := a.guardianship(ctx, op, userID)
	if err != nil {
		return h, err
	}
	if child {
		h.Guardianship = &g
	}
	if a.deps.Erasure != nil {
		return h, nil
	}
	requests, err := a.deps.Erasures.ErasureRequests(ctx, userID)
	if err != nil {
		return h, storeError(op, err)
	}
	if len(requests) > 0 {
		h.Erasure = &requests[0]
	}
	return h, nil
}

// discardGuardianship drops the guardianship an unproven registrant declared
// on u (pre-hijacking defence, with proveEmail): the date of birth and the
// guardian's address were the registrant's, like the password, and must not
// make a stranger the guardian of the owner's account nor lock the owner out.
// A child who proves its address by anything but the registration's own
// verify link therefore loses the guardian step, as one who registers without
// a date of birth never has it: a self-declared age binds only the honest.
func (a *Auth) discardGuardianship(ctx context.Context, op string, u ports.User, c Client) error {
	_, found, err := a.guardianship(ctx, op, u.ID)
	if err != nil || !found {
		return err
	}
	if err := a.deps.Guardians.DiscardGuardianship(ctx, u.ID); err != nil {
		return storeError(op, err)
	}
	a.event(ctx, u.ID, ports.EventGuardianshipDiscarded, c, "the address was proven by its owner, not by the registration's link")
	return nil
}

// guardianLinkMail is the consent link emailed to a child's guardian.
func (a *Auth) guardianLinkMail() linkMail {
	return linkMail{ports.PurposeGuardian, a.cfg.GuardianWait, a.cfg.Links.GuardianConsent, emails.GuardianConsent}
}

// mailGuardian emails the guardian of child the consent link, after the
// answer, once the child proved its own address: an unproven registrant never
// makes the service write to a third party, and the child's address the mail
// names is one its owner proved. The guardian's inbox has a budget of its own
// (RequestPerIdentifier): many children naming one address cannot flood it.
// The token's subject is the child.
func (a *Auth) mailGuardian(ctx context.Context, op string, child ports.User, c Client) {
	g, found, err := a.guardianship(ctx, op, child.ID)
	if err != nil || !found || !g.Pending() {
		return
	}
	if err := a.limitIdentifier(ctx, op, budgetGuardian, a.identifierKey(g.GuardianEmail)); err != nil {
		a.log.WarnContext(ctx, "bharatauth: the guardian's inbox budget is spent; no consent link sent", "user_id", child.ID)
		return
	}
	l := a.guardianLinkMail()
	to := ports.User{ID: child.ID, Email: g.GuardianEmail, Language: child.Language}
	a.afterAnswer(ctx, "guardian consent link", func(ctx context.Context) {
		token, err := a.issueLink(ctx, child.ID, l.purpose, l.ttl)
		if err != nil {
			a.log.WarnContext(ctx, "bharatauth: issuing a guardian link failed", "user_id", child.ID, "error", err)
			return
		}
		a.sendNow(ctx, to, l.email, emails.Data{Link: link(l.template, token), ExpiresIn: l.ttl, Child: childContact(child)}, c)
	})
}

// childContact names a child to its guardian: by the email address it
// registered with, or by its number when it registered by phone only.
func childContact(child ports.User) string {
	if child.Email != "" {
		return child.Email
	}
	return child.Phone
}

// ConfirmGuardian is a guardian's consent to a child's account by the
// guardian's own account (DPDP Rule 10(1)(a)): p is the guardian, signed in
// to a verified adult account whose email received the link, opened at least
// GuardianAccountAge before the child registered, and stepped up afresh
// (StepUpWindow). The child's decisions are recorded with source guardian,
// and the child can sign in.
//
// An account opened for the occasion is refused before the link is used, so
// the guardian can still be verified another way (VerifyGuardian).
//
// Errors: ErrStepUpRequired, ErrForbidden (an unverified, child's or too new
// account, another address than the link's), ErrUnauthorized /
// ErrTokenExpired (the link), ErrConflict (already confirmed), ErrUnavailable.
func (a *Auth) ConfirmGuardian(ctx context.Context, p Principal, in LinkInput) (_ GuardianLink, err error) {
	ctx, flow := a.observeFlow(ctx, "ConfirmGuardian")
	defer flow.done(ctx, &err)
	const op = "ConfirmGuardian"
	if a.deps.Guardians == nil {
		return GuardianLink{}, newError(op, KindForbidden, "", "this service does not take registrations of children")
	}
	s, err := a.activeSession(ctx, op, &p)
	if err != nil {
		return GuardianLink{}, err
	}
	if err := a.requireFreshStepUp(ctx, op, s); err != nil {
		return GuardianLink{}, err
	}
	guardian, err := a.userByID(ctx, op, p.UserID)
	if err != nil {
		return GuardianLink{}, err
	}
	if _, child, err := a.guardianship(ctx, op, guardian.ID); err != nil || child || !guardian.EmailVerified {
		if err == nil {
			err = newError(op, KindForbidden, "", "a guardian needs their own verified adult account")
		}
		return GuardianLink{}, err
	}
	// A child registered before now: an account younger than the margin now
	// is too young for any child, so the link is kept for another way.
	if err := a.establishedGuardian(op, guardian, a.now()); err != nil {
		return GuardianLink{}, err
	}
	child, err := a.consumeLink(ctx, op, ports.PurposeGuardian, in.Token)
	if err != nil {
		return GuardianLink{}, err
	}
	g, found, err := a.guardianship(ctx, op, child.ID)
	if err != nil {
		return GuardianLink{}, err
	}
	if !found || !strings.EqualFold(g.GuardianEmail, guardian.Email) {
		return GuardianLink{}, newError(op, KindForbidden, "", "this link was sent to another address; sign in with that account")
	}
	if err := a.waitingChild(op, child); err != nil {
		return GuardianLink{}, err
	}
	if err := a.establishedGuardian(op, guardian, g.RequestedAt); err != nil {
		return GuardianLink{}, err
	}
	return a.confirmGuardianship(ctx, op, child, g, ports.GuardianConfirmation{Method: ports.GuardianByAccount, GuardianID: guardian.ID}, in.Client)
}

// establishedGuardian refuses a guardian's account opened less than
// GuardianAccountAge before the child's registration at requestedAt: a child
// can open a second, "adult" account in a minute (DPDP Rule 10(1)(a) asks
// for details the service already held). It cannot stop a child who planned
// a month ahead; only the GuardianVerifier's check of a document can.
func (a *Auth) establishedGuardian(op string, guardian ports.User, requestedAt time.Time) error {
	if guardian.CreatedAt.After(requestedAt.Add(-a.cfg.GuardianAccountAge)) {
		return newError(op, KindForbidden, "", fmt.Sprintf(
			"a guardian's account must have been open for %s before the child registered; ask the service to verify you another way",
			a.cfg.GuardianAccountAge))
	}
	return nil
}

// waitingChild refuses a child whose own address is not proven: its
// registration may be a stranger's, naming an address that is not theirs
// (account pre-hijacking), so no guardian may take the account yet.
func (a *Auth) waitingChild(op string, child ports.User) error {
	if !child.EmailVerified {
		return newError(op, KindNotFound, "", "no child account waits for a guardian under this ID (the child first confirms its email address)")
	}
	return nil
}

// VerifyGuardian is a guardian's consent to a child's account checked by the
// app's GuardianVerifier (DPDP Rule 10(1)(b)), a document or DigiLocker-style
// check of the evidence the app's own flow collected. When verified, the
// child's decisions are recorded with source guardian, and the child can sign
// in.
//
// Errors: ErrForbidden (no verifier; code "guardian_not_verified" when the
// verifier refused), ErrNotFound (no pending child, or one whose own address
// is not proven yet), ErrConflict,
// ErrUnavailable (the verifier or a store failed).
func (a *Auth) VerifyGuardian(ctx context.Context, childID, evidence string, c Client) (_ GuardianLink, err error) {
	ctx, flow := a.observeFlow(ctx, "VerifyGuardian")
	defer flow.done(ctx, &err)
	const op = "VerifyGuardian"
	if a.deps.GuardianVerifier == nil || a.deps.Guardians == nil {
		return GuardianLink{}, newError(op, KindForbidden, "", "this service verifies guardians by their own account only")
	}
	g, found, err := a.guardianship(ctx, op, childID)
	if err != nil {
		return GuardianLink{}, err
	}
	if !found || !g.Pending() {
		return GuardianLink{}, newError(op, KindNotFound, "", "no child account waits for a guardian under this ID")
	}
	child, err := a.userByID(ctx, op, childID)
	if err != nil {
		return GuardianLink{}, err
	}
	if err := a.waitingChild(op, child); err != nil {
		return GuardianLink{}, err
	}
	verdict, err := a.deps.GuardianVerifier.VerifyGuardian(ctx, ports.GuardianCheck{ChildID: childID, GuardianEmail: g.GuardianEmail, Evidence: evidence})
	if err != nil {
		return GuardianLink{}, &Error{Op: op, Kind: KindUnavailable, Message: "the guardian check could not be made; try again", Err: err}
	}
	if !verdict.Verified {
		return GuardianLink{}, newError(op, KindForbidden, codeGuardianNotFound, "the guardian could not be verified")
	}
	return a.confirmGuardianship(ctx, op, child, g, ports.GuardianConfirmation{Method: ports.GuardianByVerifier, Reference: verdict.Reference}, c)
}

// GuardianLink is a confirmed link between a child's account and its guardian.
type GuardianLink struct {
	ChildID     string
	ChildEmail  string
	Method      string // ports.GuardianByAccount or ports.GuardianByVerifier
	ConfirmedAt time.Time
}

// confirmGuardianship records the guardian's consent: the child's proposed
// decisions become the child's first rows, with source guardian and the
// guardian's client, in the transaction of the confirmation.
func (a *Auth) confirmGuardianship(ctx context.Context, op string, child ports.User, g ports.Guardianship, conf ports.GuardianConfirmation, c Client) (GuardianLink, error) {
	now := a.now()
	rows := make([]ports.ConsentRecord, len(g.Proposed))
	ip, ua := storedIP(c.IP), c.userAgent()
	for i, r := range g.Proposed {
		r.Source, r.RecordedAt = ports.SourceGuardian, now
		r.IPAddress, r.UserAgent, r.IPDigest, r.UserAgentDigest = ip, ua, a.clientDigest(ip), a.clientDigest(ua)
		rows[i] = r
	}
	conf.At, conf.Consents = now, a.consentAppend(rows)
	done, err := a.deps.Guardians.ConfirmGuardianship(ctx, child.ID, conf)
	switch {
	case errors.Is(err, ports.ErrConflict):
		return GuardianLink{}, newError(op, KindConflict, "", "a guardian has already consented for this account")
	case errors.Is(err, ports.ErrNotFound):
		return GuardianLink{}, newError(op, KindNotFound, "", "no child account waits for a guardian under this ID")
	case err != nil:
		return GuardianLink{}, storeError(op, err)
	}
	a.consentsRecorded(ctx, child.ID, rows, c)
	return GuardianLink{ChildID: child.ID, ChildEmail: child.Email, Method: done.Method, ConfirmedAt: done.ConfirmedAt}, nil
}

// GuardianChildren lists the children whose guardian p confirmed by account.
func (a *Auth) GuardianChildren(ctx context.Context, p Principal) (_ []GuardianLink, err error) {
	ctx, flow := a.observeFlow(ctx, "GuardianChildren")
	defer flow.done(ctx, &err)
	const op = "GuardianChildren"
	links := []GuardianLink{}
	if a.deps.Guardians == nil {
		return links, nil
	}
	gs, err := a.deps.Guardians.GuardianChildren(ctx, p.UserID)
	if err != nil {
		return nil, storeError(op, err)
	}
	for _, g := range gs {
		link := GuardianLink{ChildID: g.ChildID, Method: g.Method, ConfirmedAt: g.ConfirmedAt}
		if u, err := a.deps.Users.UserByID(ctx, g.ChildID); err == nil {
			link.ChildEmail = u.Email
		}
		links = append(links, link)
	}
	return links, nil
}

// guardedChild returns the child p is the confirmed guardian of; anyone else
// gets ErrNotFound (a child is never shown to a stranger).
func (a *Auth) guardedChild(ctx context.Context, op string, p Principal, childID string) (ports.User, error) {
	g, found, err := a.guardianship(ctx, op, childID)
	if err != nil {
		return ports.User{}, err
	}
	if !found || g.GuardianID == "" || g.GuardianID != p.UserID {
		return ports.User{}, newError(op, KindNotFound, "", "no child of yours has this ID")
	}
	return a.userByID(ctx, op, childID)
}

// ChildConsents returns the consents of a child p is the guardian of.
func (a *Auth) ChildConsents(ctx context.Context, p Principal, childID string) (_ []ConsentState, err error) {
	ctx, flow := a.observeFlow(ctx, "ChildConsents")
	defer flow.done(ctx, &err)
	if _, err := a.guardedChild(ctx, "ChildConsents", p, childID); err != nil {
		return nil, err
	}
	return a.consents(ctx, childID)
}

// WithdrawForChild withdraws, as the guardian p, the consent of a child for
// in.Category (source guardian). A required category cannot be withdrawn
// this way (ErrConflict "consent_required_for_service"): closing the child's
// account is the child's own request.
func (a *Auth) WithdrawForChild(ctx context.Context, p Principal, childID string, in ConsentInput) (_ ConsentState, err error) {
	ctx, flow := a.observeFlow(ctx, "WithdrawForChild")
	defer flow.done(ctx, &err)
	return a.decideForChild(ctx, "WithdrawForChild", p, childID, ConsentDecision{Category: in.Category}, in)
}

// GrantForChild grants, as the guardian p, the consent of a child for
// in.Category (source guardian): the only grant a child's account takes
// after the guardian's confirmation (the child may withdraw, never grant). A
// Tracking category is ErrValidation "not_allowed_for_child".
func (a *Auth) GrantForChild(ctx context.Context, p Principal, childID string, in ConsentInput) (_ ConsentState, err error) {
	ctx, flow := a.observeFlow(ctx, "GrantForChild")
	defer flow.done(ctx, &err)
	return a.decideForChild(ctx, "GrantForChild", p, childID, ConsentDecision{Category: in.Category, Granted: true}, in)
}

// decideForChild records the guardian p's decision d for a child of theirs.
func (a *Auth) decideForChild(ctx context.Context, op string, p Principal, childID string, d ConsentDecision, in ConsentInput) (ConsentState, error) {
	child, err := a.guardedChild(ctx, op, p, childID)
	if err != nil {
		return ConsentState{}, err
	}
	cat, ok := a.categories[d.Category]
	if !ok {
		return ConsentState{}, invalidField(op, "category", fmt.Sprintf("unknown category %q", truncate(d.Category, 64)))
	}
	if cat.Required && !d.Granted {
		return ConsentState{}, newError(op, KindConflict, codeConsentForService,
			fmt.Sprintf("%q is needed to run the service; the account can be closed with an erasure request", d.Category))
	}
	return a.recordDecision(ctx, op, child, d, ports.SourceGuardian, in, nil)
}

// guardianOf returns the guardian's account of a child with a guardian by
// account, found false otherwise.
func (a *Auth) guardianOf(ctx context.Context, childID string) (ports.User, bool) {
	g, child, err := a.guardianship(ctx, "guardianOf", childID)
	if err != nil || !child || g.GuardianID == "" {
		return ports.User{}, false
	}
	u, err := a.deps.Users.UserByID(ctx, g.GuardianID)
	return u, err == nil
}

// PurgePendingChildren erases the child accounts that no guardian consented
// to within GuardianWait of registering (DPDP §9: without a guardian's
// consent, a child's data is not processed). Run it with the store's purge.
// It returns how many were erased.
func (a *Auth) PurgePendingChildren(ctx context.Context) (_ int, err error) {
	ctx, flow := a.observeFlow(ctx, "PurgePendingChildren")
	defer flow.done(ctx, &err)
	if a.deps.Guardians == nil {
		return 0, nil
	}
	erased, err := a.deps.Guardians.DeletePendingChildren(ctx, a.now().Add(-a.cfg.GuardianWait))
	if err != nil {
		return 0, storeError("PurgePendingChildren", err)
	}
	return len(erased), nil
}
