package core

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/bharatauth/bharatauth-go/ports"
)

// maxManagerFieldLen bounds a consent manager's registration id and reference.
const maxManagerFieldLen = 128

// ManagedConsentInput is a decision a consent manager relays for a user
// (DPDP §6(7)–(9), Rule 4): the user gave or withdrew consent on the
// manager's platform, on the app's notice.
type ManagedConsentInput struct {
	ManagerID string // the manager's registration id, one of Config.ConsentManagers
	Reference string // the manager's own reference of the decision (its consent artefact)
	Decisions []ConsentDecision
	// NoticeVersion and NoticeLanguage name the notice the manager showed, as
	// for Register: empty version = current, empty language = the user's.
	NoticeVersion  string
	NoticeLanguage string
	Client         Client // the manager's request
}

// RecordManagedConsent records decisions relayed by a registered consent
// manager, each row with source "consent_manager", the manager's registration
// id and its reference, and emails a receipt of each withdrawal. The rules are
// the user's own: the current notice, and no withdrawal of a required
// category (a manager cannot close an account). For a child it relays the
// child's decisions: withdrawals only, and none before a guardian consented.
//
// The app authenticates the manager before calling: ManagerID is a public
// registration id, not a credential, and nothing here checks that the user
// linked that manager.
//
// Errors: ErrValidation (code "unknown_consent_manager" for a manager not in
// Config.ConsentManagers; a missing reference; unknown categories or notice),
// ErrConflict ("notice_outdated", "consent_required_for_service"),
// ErrForbidden ("guardian_consent_required": a grant for a child's account,
// which only its guardian gives), ErrUnauthorized (unknown user),
// ErrUnavailable.
func (a *Auth) RecordManagedConsent(ctx context.Context, userID string, in ManagedConsentInput) (_ []ports.ConsentRecord, err error) {
	ctx, flow := a.observeFlow(ctx, "RecordManagedConsent")
	defer flow.done(ctx, &err)
	const op = "RecordManagedConsent"
	if !slices.ContainsFunc(a.cfg.ConsentManagers, func(m ConsentManager) bool { return m.RegistrationID == in.ManagerID }) {
		return nil, &Error{Op: op, Kind: KindValidation, Code: codeConsentManagerAbsent, Field: "manager_id",
			Message: fmt.Sprintf("%q is not a consent manager this service works with", truncate(in.ManagerID, maxManagerFieldLen))}
	}
	ref := strings.TrimSpace(in.Reference)
	if ref == "" || !plainText(ref) || len(ref) > maxManagerFieldLen {
		return nil, invalidField(op, "reference", fmt.Sprintf("must be 1 to %d characters of plain text", maxManagerFieldLen))
	}
	for _, d := range in.Decisions {
		if c, ok := a.categories[d.Category]; ok && c.Required && !d.Granted {
			return nil, newError(op, KindConflict, codeConsentForService,
				fmt.Sprintf("%q is needed to run the service; only the user can close the account", d.Category))
		}
	}
	u, err := a.userByID(ctx, op, userID)
	if err != nil {
		return nil, err
	}
	n, err := a.noticeShown(op, in.NoticeVersion, in.NoticeLanguage, u.Language, false)
	if err != nil {
		return nil, err
	}
	rows, err := a.consentRows(op, in.Decisions, rowContext{notice: n, source: ports.SourceConsentManager,
		managerID: in.ManagerID, managerRef: ref, client: in.Client})
	if err != nil {
		return nil, err
	}
	if err := a.refuseChildDecision(ctx, op, userID, rows); err != nil {
		return nil, err
	}
	stored, err := a.appendConsents(ctx, op, userID, rows, in.Client)
	if err != nil {
		return nil, err
	}
	a.sendReceipts(ctx, u, stored, in.Client)
	return stored, nil
}
