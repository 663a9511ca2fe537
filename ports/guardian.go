package ports

import (
	"context"
	"time"
)

// Ways a guardian of a child is verified (DPDP Rules 2025, Rule 10(1)).
const (
	GuardianByAccount  = "account"  // the guardian's own verified adult account, stepped up (Rule 10(1)(a))
	GuardianByVerifier = "verifier" // the app's GuardianVerifier: a document or DigiLocker-style check (Rule 10(1)(b))
)

// Guardianship links a child's account to its guardian (DPDP Act 2023 §9).
// It is created with the child's account, pending, and confirmed once.
type Guardianship struct {
	ChildID       string
	GuardianEmail string    // where the consent link went
	DateOfBirth   time.Time // the child's, as declared at registration (a date, UTC midnight)
	RequestedAt   time.Time
	// Proposed are the decisions submitted at registration, recorded on the
	// child's chain only when the guardian confirms (with source guardian).
	Proposed []ConsentRecord
	// Set at confirmation; ConfirmedAt is zero while pending.
	ConfirmedAt time.Time
	Method      string // GuardianByAccount or GuardianByVerifier
	GuardianID  string // the guardian's user ID (GuardianByAccount)
	Reference   string // the verifier's reference of its check (GuardianByVerifier)
}

// Pending reports whether no guardian has confirmed yet.
func (g Guardianship) Pending() bool { return g.ConfirmedAt.IsZero() }

// GuardianConfirmation is a guardian's consent to a child's account.
type GuardianConfirmation struct {
	At         time.Time
	Method     string
	GuardianID string
	Reference  string
	// Consents are appended to the child's chain in the same transaction,
	// exactly as ConsentLedger.AppendConsents would.
	Consents ConsentAppend
}

// GuardianStore keeps guardianships. A managed-mode backend that implements it
// also takes NewUser.Guardian in CreateUser, in the same transaction. It is
// safe for concurrent use.
type GuardianStore interface {
	// Guardianship returns the child's guardianship; ErrNotFound when the
	// user is no child (or none is recorded).
	Guardianship(ctx context.Context, childID string) (Guardianship, error)
	// ConfirmGuardianship atomically confirms a pending guardianship and
	// appends c.Consents to the child's chain. ErrNotFound for none;
	// ErrConflict when it is already confirmed (and then nothing is written).
	ConfirmGuardianship(ctx context.Context, childID string, c GuardianConfirmation) (Guardianship, error)
	// GuardianChildren returns the guardianships guardianID confirmed by
	// account, oldest first (empty when none).
	GuardianChildren(ctx context.Context, guardianID string) ([]Guardianship, error)
	// DeletePendingChildren erases every child account whose guardianship is
	// still pending and was requested before requestedBefore: the user, its
	// credentials, tokens, events and guardianship (a pending child has no
	// sessions and no consent rows). It returns the erased user IDs.
	DeletePendingChildren(ctx context.Context, requestedBefore time.Time) ([]string, error)
	// DiscardGuardianship deletes the child's guardianship, pending or
	// confirmed, and nothing else: the account stays, no longer a child's.
	// Deleting none is not an error.
	DiscardGuardianship(ctx context.Context, childID string) error
}

// GuardianCheck is what an app's GuardianVerifier is asked to check.
type GuardianCheck struct {
	ChildID       string
	GuardianEmail string
	// Evidence is what the app's own flow collected (a DigiLocker consent
	// artefact id, a document reference…), passed through as is.
	Evidence string
}

// GuardianVerdict is a GuardianVerifier's answer.
type GuardianVerdict struct {
	Verified  bool
	Reference string // the verifier's reference of its check, recorded with the guardianship
}

// GuardianVerifier verifies that someone is a child's parent or lawful
// guardian and an adult, by a document or a DigiLocker-style check (DPDP
// Rules 2025, Rule 10(1)(b)). The app implements it; optional in core. An
// error means the check could not be made (not a refusal).
type GuardianVerifier interface {
	VerifyGuardian(ctx context.Context, c GuardianCheck) (GuardianVerdict, error)
}
