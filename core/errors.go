package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Kind says what kind of thing went wrong. Kinds are stable; transports map
// them to their own status codes.
type Kind int

// The kinds of error core returns.
const (
	KindInternal         Kind = iota // a bug or an unexpected store answer
	KindUnauthorized                 // bad credentials, bad token, wrong or locked PIN
	KindTokenExpired                 // an access, refresh or link token has expired
	KindForbidden                    // not allowed (e.g. registration in external mode)
	KindSuspended                    // the account is suspended
	KindEmailNotVerified             // RequireVerifiedEmail and the email is unverified
	KindConsentRequired              // a DPDP consent decision is missing or a required one declined
	KindStepUpRequired               // a sensitive action needs a fresh PIN or OTP
	KindNotFound                     // the thing does not exist (or is not the caller's)
	KindConflict                     // e.g. the email is taken
	KindValidation                   // well-formed input with a bad value
	KindLocked                       // the account is locked (password and OTP)
	KindRateLimited                  // Layer-1 rate limit
	KindIPBlocked                    // the client IP is blocked
	KindUnavailable                  // a store or service could not be reached
)

var kindNames = [...]string{
	KindInternal: "internal", KindUnauthorized: "unauthorized", KindTokenExpired: "token_expired",
	KindForbidden: "forbidden", KindSuspended: "suspended", KindEmailNotVerified: "email_not_verified",
	KindConsentRequired: "consent_required", KindStepUpRequired: "step_up_required",
	KindNotFound: "not_found", KindConflict: "conflict", KindValidation: "validation_failed",
	KindLocked: "account_locked", KindRateLimited: "rate_limited", KindIPBlocked: "ip_blocked",
	KindUnavailable: "unavailable",
}

// String returns the kind's snake_case name, which is also its default Code.
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is the one error type of core. Message is safe to show to a client; Err
// (the cause) is for logs and never holds a secret.
type Error struct {
	Kind    Kind
	Code    string // stable snake_case reason, e.g. "invalid_credentials"; defaults to Kind.String()
	Op      string // the flow, e.g. "Login"
	Field   string // for KindValidation: the input field at fault
	Message string

	LockedUntil         time.Time     // KindLocked: end of a soft lock
	RequiresEmailVerify bool          // KindLocked: a hard lock, cleared only by the unlock link or a password reset
	RetryAfter          time.Duration // KindRateLimited, KindIPBlocked

	Err error
}

func (e *Error) Error() string {
	s := "bharatauth"
	if e.Op != "" {
		s += ": " + e.Op
	}
	s += ": " + e.ErrorCode()
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// ErrorCode returns Code, or the kind's name when Code is empty.
func (e *Error) ErrorCode() string {
	if e.Code != "" {
		return e.Code
	}
	return e.Kind.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is a sentinel of the same Kind (and, if the target
// has a Code, the same Code), so errors.Is(err, core.ErrLocked) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Kind == e.Kind && (t.Code == "" || t.Code == e.Code)
}

// Sentinels for errors.Is, one per kind.
var (
	ErrInternal         = &Error{Kind: KindInternal}
	ErrUnauthorized     = &Error{Kind: KindUnauthorized}
	ErrTokenExpired     = &Error{Kind: KindTokenExpired}
	ErrForbidden        = &Error{Kind: KindForbidden}
	ErrSuspended        = &Error{Kind: KindSuspended}
	ErrEmailNotVerified = &Error{Kind: KindEmailNotVerified}
	ErrConsentRequired  = &Error{Kind: KindConsentRequired}
	ErrStepUpRequired   = &Error{Kind: KindStepUpRequired}
	ErrNotFound         = &Error{Kind: KindNotFound}
	ErrConflict         = &Error{Kind: KindConflict}
	ErrValidation       = &Error{Kind: KindValidation}
	ErrLocked           = &Error{Kind: KindLocked}
	ErrRateLimited      = &Error{Kind: KindRateLimited}
	ErrIPBlocked        = &Error{Kind: KindIPBlocked}
	ErrUnavailable      = &Error{Kind: KindUnavailable}
)

// KindOf returns the Kind of err, KindInternal when err is not a core error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// Stable codes for the same kind told apart.
const (
	codeInvalidCredentials = "invalid_credentials"
	codeInvalidOTP         = "invalid_otp"
	codeInvalidPIN         = "invalid_pin"
	codeInvalidToken       = "invalid_token"
	codeEmailTaken         = "email_taken"
	codeRefreshReused      = "refresh_token_reused"
)

// Codes of the DPDP consent rules, stable for clients.
const (
	codeNoticeNotFound       = "notice_not_found"             // KindNotFound: no notice in that language
	codeNoticeOutdated       = "notice_outdated"              // KindConflict: the decision was on an older notice
	codeConsentWithdrawn     = "consent_withdrawn"            // KindForbidden: RequireConsent on a withdrawn category
	codeReconsentRequired    = "reconsent_required"           // KindForbidden: RequireConsent on a grant under a superseded notice
	codeConsentForService    = "consent_required_for_service" // KindConflict: withdrawing a required category
	codeConsentManagerAbsent = "unknown_consent_manager"      // KindValidation: not a registered consent manager
)

func newError(op string, k Kind, code, msg string) *Error {
	return &Error{Op: op, Kind: k, Code: code, Message: msg}
}

func invalidField(op, field, msg string) *Error {
	return &Error{Op: op, Kind: KindValidation, Field: field, Message: msg}
}

// storeError turns an error from a port into a core error: unreachable stores
// and cancelled contexts become KindUnavailable, anything else KindInternal.
// A core error passes through unchanged.
func storeError(op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		return err
	}
	if errors.Is(err, ports.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &Error{Op: op, Kind: KindUnavailable, Message: "a backing service is unavailable; try again", Err: err}
	}
	return &Error{Op: op, Kind: KindInternal, Message: "internal error", Err: err}
}
