// Package core is BharatAuth's domain: every authentication flow (registration,
// password and OTP login, PIN app-lock, resets, unlock, refresh, sessions, step-up)
// and every security and DPDP rule, over the ports of package ports.
//
// Build an *Auth with New from a Config (start from DefaultConfig) and the adapters
// of your choice (Deps). Core never speaks HTTP: each method returns either a
// result or an *Error whose Kind says what happened (unauthorized, locked, rate
// limited, …); use errors.Is with the sentinels (ErrLocked, ErrStepUpRequired, …) or
// errors.As to read LockedUntil, RequiresEmailVerify and RetryAfter. The
// transport/http module maps kinds to status codes.
//
// Where each rule lives:
//   - lockout.go: account lockout (soft lock at 5 failures for 7 minutes, hard
//     lock at 10, count restart after 24 h), counted before a secret is checked;
//   - abuse.go: IP blocks across identifiers and Layer-1 rate limits (fail open);
//   - trust.go: the device trust matrix and step-up;
//   - login.go, otp.go, pin.go, password.go, unlock.go, register.go, refresh.go,
//     session.go: one flow each;
//   - consent.go, export.go: DPDP consent ledger, chain verification and the
//     right-of-access export.
package core
