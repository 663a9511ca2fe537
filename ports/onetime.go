package ports

import (
	"context"
	"time"
)

// Purposes of one-time tokens. A token is only ever accepted for its purpose.
const (
	PurposeLoginOTP         = "login_otp"
	PurposeStepUpOTP        = "step_up_otp"
	PurposeEmailVerify      = "email_verify"
	PurposePasswordReset    = "password_reset"
	PurposePINReset         = "pin_reset"
	PurposeUnlock           = "unlock"
	PurposeEmailChange      = "email_change"
	PurposeGuardian         = "guardian_consent"   // the link emailed to a child's guardian
	PurposeLoginSMS         = "login_sms"          // a sign-in code sent by SMS (never accepted as an emailed one)
	PurposePhoneVerify      = "phone_verify"       // a code sent by SMS to prove a number
	PurposePINResetSMS      = "pin_reset_sms"      // a PIN reset code sent by SMS
	PurposePasswordResetSMS = "password_reset_sms" // a password reset code sent by SMS
	PurposeUnlockSMS        = "unlock_sms"         // an unlock code sent by SMS
	PurposePhoneChange      = "phone_change"       // a code sent by SMS to the new number of a phone change
)

// OneTimeToken is an emailed OTP code or link token. Only its hash is stored.
type OneTimeToken struct {
	ID                string
	Purpose           string
	Subject           string // the user ID (or the session ID for step-up codes)
	Hash              string // HMAC-SHA256 (codes) or SHA-256 (links), hex
	DeviceFingerprint string // the requesting device, for OTP login trust
	CreatedAt         time.Time
	ExpiresAt         time.Time
	UsedAt            time.Time // zero while unused
	Attempts          int       // wrong tries so far
	MaxAttempts       int       // wrong tries allowed before the code is dead; 0 for links
	// Payload is what the purpose needs besides the subject, stored as given
	// (an email change's new address). Never a secret.
	Payload string
}

// OneTimeTokenRepo stores OTP codes and link tokens.
type OneTimeTokenRepo interface {
	// IssueToken atomically stores t and invalidates (marks used) every unused
	// token of the same Subject and Purpose, so only the newest one works.
	// ErrConflict when the ID exists, or when t is a link token (MaxAttempts
	// == 0) whose hash exists. Code hashes need not be unique: a 6-digit code
	// repeats, and codes are looked up by subject and purpose, not by hash.
	IssueToken(ctx context.Context, t OneTimeToken) error
	// ConsumeLink atomically marks the unused token of purpose with hash used
	// at now and returns it. Exactly one of N concurrent calls succeeds.
	// ErrNotFound for an unknown, used or other-purpose hash; ErrExpired when
	// the token expired (it stays unused).
	ConsumeLink(ctx context.Context, purpose, hash string, now time.Time) (OneTimeToken, error)
	// ConsumeCode atomically checks hash against the newest unused code of
	// subject and purpose at now:
	//   - none: ErrNotFound; expired: ErrExpired;
	//   - Attempts already at MaxAttempts: ErrExhausted (the code is dead);
	//   - hash differs: Attempts+1 and ErrMismatch, or ErrExhausted when that
	//     try was the last one allowed;
	//   - hash matches: the code is marked used at now and returned.
	// Exactly one of N concurrent correct calls succeeds.
	ConsumeCode(ctx context.Context, subject, purpose, hash string, now time.Time) (OneTimeToken, error)
	// Tokens lists the tokens of subject, newest first, hashes included: for
	// the data export (which leaves the hashes out) and for checking that a
	// queued email's code or link still works before it is sent again.
	Tokens(ctx context.Context, subject string) ([]OneTimeToken, error)
}
