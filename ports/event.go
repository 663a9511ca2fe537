package ports

import (
	"context"
	"time"
)

// Kinds of security events core records.
const (
	EventLoginSucceeded       = "login_succeeded"
	EventLoginFailed          = "login_failed"
	EventAccountLocked        = "account_locked"
	EventAccountHardLocked    = "account_hard_locked"
	EventAccountUnlocked      = "account_unlocked"
	EventNewDevice            = "new_device"
	EventStepUp               = "step_up"
	EventPasswordChanged      = "password_changed"
	EventPINChanged           = "pin_changed"
	EventPINLocked            = "pin_locked"
	EventEmailVerified        = "email_verified"
	EventConsentChanged       = "consent_changed"
	EventSessionRevoked       = "session_revoked"
	EventRefreshTokenReused   = "refresh_token_reused"
	EventIPBlocked            = "ip_blocked"
	EventMailFailed           = "mail_failed"
	EventDataExported         = "data_exported"
	EventErasureRequested     = "erasure_requested"
	EventErasureCancelled     = "erasure_cancelled"
	EventErasureCompleted     = "erasure_completed"
	EventGrievanceFiled       = "grievance_filed"
	EventProfileChanged       = "profile_changed"
	EventEmailChangeRequested = "email_change_requested"
	EventEmailChanged         = "email_changed"
	EventNomineeAdded         = "nominee_added"
	EventNomineeRemoved       = "nominee_removed"
	EventBreachNotified       = "breach_notified"
	EventGrievanceAnswered    = "grievance_answered"
	// EventGuardianshipDiscarded: an unverified registrant's guardianship was
	// dropped when the address's owner proved it otherwise (pre-hijacking).
	EventGuardianshipDiscarded = "guardianship_discarded"
	// EventConsentUndelivered: the ConsentListener refused a change for every
	// attempt; it was given up so the user's later changes go through.
	EventConsentUndelivered = "consent_undelivered"
	// EventPhoneVerified: a code sent by SMS to the account's number was used.
	EventPhoneVerified = "phone_verified"
	// EventSMSRefused: an SMS to the account's number was not sent; Detail
	// names the SMS budget that refused it ("number", "ip", "prefix",
	// "global", "unverified") or "budget_error" when the budget could not
	// be asked (core fails closed). The number itself is never recorded.
	EventSMSRefused = "sms_refused"
	// EventPhoneChangeRequested and EventPhoneChanged: a phone change was
	// asked for, and confirmed with the code sent to the new number.
	EventPhoneChangeRequested = "phone_change_requested"
	EventPhoneChanged         = "phone_changed"
	// EventUnprovenIdentifierReleased: a registrant named an identifier this
	// account held but never proved, and it was taken off the account (Detail
	// "phone" or "email"; the identifier itself is never recorded).
	EventUnprovenIdentifierReleased = "unproven_identifier_released"
	// EventSMSFailed: the SMSSender failed to send an SMS (Detail: its kind).
	EventSMSFailed = "sms_failed"
)

// SecurityEvent is one audit entry about a user. Detail never holds a secret.
type SecurityEvent struct {
	UserID    string
	Kind      string
	IPAddress string
	UserAgent string
	Detail    string
	At        time.Time
}

// EventLog records security events for audit and the data export. Optional in
// core: without one, events are not kept.
type EventLog interface {
	// RecordEvent appends e.
	RecordEvent(ctx context.Context, e SecurityEvent) error
	// Events lists the user's events, oldest first.
	Events(ctx context.Context, userID string) ([]SecurityEvent, error)
}

// EventPseudonymiser removes what identifies a person from old security
// events and consent rows, which are kept as evidence (DPDP Rules 2025, Rule
// 6(1)(e): logs are kept for at least a year) but need not stay identifying
// for ever.
type EventPseudonymiser interface {
	// PseudonymiseEvents empties the IP address and user agent of at most
	// limit events recorded strictly before before that still have either,
	// oldest first, and returns how many it changed. Kind, detail, user and
	// time are kept. Events at or after before are never touched.
	PseudonymiseEvents(ctx context.Context, before time.Time, limit int) (int, error)
	// PseudonymiseConsents empties the IP address and user agent of at most
	// limit consent rows of chain version 2 or later recorded strictly before
	// before that still have either, oldest first, and returns how many it
	// changed. Nothing else of a row changes, so its hash, which covers the
	// keyed digests and not the raw values, stays valid. Version 1 rows hash
	// the raw values and are never touched: they stay as recorded evidence.
	PseudonymiseConsents(ctx context.Context, before time.Time, limit int) (int, error)
}
