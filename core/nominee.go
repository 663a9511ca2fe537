package core

import (
	"context"
	"strings"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// Bounds of a nomination.
const (
	maxNomineeName         = 100 // characters
	maxNomineeRelationship = 50  // characters
	maxStandingNominees    = 5
)

// NomineeInput names a person to exercise the caller's rights after their
// death or incapacity (DPDP §14).
type NomineeInput struct {
	Name         string
	Email        string
	Relationship string // optional: "brother", "daughter", …
	Client       Client
}

// AddNominee records a nominee of the caller. It is sensitive (a nominee may
// later act for the user), so it needs a step-up (RequireStepUp). The
// nominee is emailed that they were named, with the privacy contact; at most
// five nominations stand at once.
//
// Errors: ErrValidation (with Field), ErrConflict (code "too_many_nominees"),
// ErrStepUpRequired, ErrUnauthorized, ErrUnavailable.
func (a *Auth) AddNominee(ctx context.Context, p Principal, in NomineeInput) (ports.Nominee, error) {
	const op = "AddNominee"
	name, rel := strings.TrimSpace(in.Name), strings.TrimSpace(in.Relationship)
	if err := checkText(op, "name", name, maxNomineeName, true); err != nil {
		return ports.Nominee{}, err
	}
	if rel != "" {
		if err := checkText(op, "relationship", rel, maxNomineeRelationship, true); err != nil {
			return ports.Nominee{}, err
		}
	}
	email, err := a.cleanEmail(op, in.Email)
	if err != nil {
		return ports.Nominee{}, err
	}
	if err := a.RequireStepUp(ctx, p); err != nil {
		return ports.Nominee{}, err
	}
	u, err := a.userByID(ctx, op, p.UserID)
	if err != nil {
		return ports.Nominee{}, err
	}
	standing, err := a.standingNominees(ctx, op, u.ID)
	if err != nil {
		return ports.Nominee{}, err
	}
	if len(standing) >= maxStandingNominees {
		return ports.Nominee{}, newError(op, KindConflict, "too_many_nominees", "at most 5 nominees; remove one first")
	}
	n := ports.Nominee{ID: newID("nom_"), UserID: u.ID, Name: name, Email: email, Relationship: rel, AddedAt: a.now()}
	if err := a.deps.Nominees.AddNominee(ctx, n); err != nil {
		return ports.Nominee{}, storeError(op, err)
	}
	a.event(ctx, u.ID, ports.EventNomineeAdded, in.Client, n.ID)
	// The nominee's inbox is unproven and not an account: no name is used,
	// and the email is in the user's language.
	a.send(ctx, ports.User{ID: u.ID, Email: email, Language: u.Language}, emails.NomineeNamed,
		emails.Data{Title: u.Email, At: n.AddedAt}, in.Client)
	return n, nil
}

// RemoveNominee withdraws a nomination of the caller (step-up); the history
// keeps it, marked removed. ErrNotFound for an unknown, another user's or a
// removed nominee.
func (a *Auth) RemoveNominee(ctx context.Context, p Principal, id string, c Client) error {
	const op = "RemoveNominee"
	if err := a.RequireStepUp(ctx, p); err != nil {
		return err
	}
	n, err := a.deps.Nominees.RemoveNominee(ctx, p.UserID, id, a.now())
	if isNotFound(err) {
		return newError(op, KindNotFound, "", "no standing nominee of yours has this ID")
	}
	if err != nil {
		return storeError(op, err)
	}
	a.event(ctx, p.UserID, ports.EventNomineeRemoved, c, n.ID)
	return nil
}

// OwnNominees lists the caller's nominations, removed ones included, oldest
// first.
func (a *Auth) OwnNominees(ctx context.Context, p Principal) ([]ports.Nominee, error) {
	const op = "OwnNominees"
	if _, err := a.activeSession(ctx, op, &p); err != nil {
		return nil, err
	}
	list, err := a.deps.Nominees.Nominees(ctx, p.UserID)
	return list, storeError(op, err)
}

// Nominees lists the standing nominees of a user, for the app's process
// when a user dies or becomes incapable (DPDP §14): the app verifies the
// event and the nominee, then acts for the user. No session is involved.
func (a *Auth) Nominees(ctx context.Context, userID string) ([]ports.Nominee, error) {
	return a.standingNominees(ctx, "Nominees", userID)
}

func (a *Auth) standingNominees(ctx context.Context, op, userID string) ([]ports.Nominee, error) {
	all, err := a.deps.Nominees.Nominees(ctx, userID)
	if err != nil {
		return nil, storeError(op, err)
	}
	standing := all[:0]
	for _, n := range all {
		if n.RemovedAt.IsZero() {
			standing = append(standing, n)
		}
	}
	return standing, nil
}
