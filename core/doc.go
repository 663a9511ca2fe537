// Package core is BharatAuth's domain: every authentication flow (registration,
// password and OTP login, PIN app-lock, resets, unlock, refresh, sessions, step-up)
// and every security and DPDP rule, over the ports of package ports.
//
// Build an *Auth with New from a Config (start from DefaultConfig) and the adapters
// of your choice (Deps; Deps.Storage takes one backend for every storage port).
// End-user flows are methods of Auth and take a context, the caller's Principal
// where they act on a signed-in session, and one input struct that carries the
// caller's Client; operator calls (suspending users, consent taken elsewhere,
// chain verification) are on Auth.Admin. Core never speaks HTTP: each method
// returns either a result or an *Error whose Kind says what happened
// (unauthorized, locked, rate limited, …); use errors.Is with the sentinels
// (ErrLocked, ErrStepUpRequired, …) or errors.As to read LockedUntil,
// RequiresEmailVerify and RetryAfter. The transport/http module maps kinds to
// status codes.
//
// Emails go out after the answer and, with a ports.MailQueue (memory.Store and
// postgres.Store are one), are retried with backoff until delivered or
// expired (see ports.Mailer for exactly what is retried); New starts a worker
// for the retries unless Config.MailInline is set. At shutdown, after the
// HTTP server stopped, call Auth.Close.
//
// Where each rule lives:
//   - auth.go: New, Deps and the derived keys; config.go: Config, its defaults
//     and their validation; errors.go: the Error type and its kinds;
//     admin.go: the operator's view.
//   - signin.go: what password and OTP sign-in share (input checks, IP block,
//     rate limit, lookups, admitting the attempt, the verdict, the events of
//     a success);
//     login.go: password login; otp.go: login codes.
//   - lockout.go: the lockout counters (per identifier, per verified device,
//     per PIN), attempts admitted before a secret is checked and finished
//     after it;
//     abuse.go: IP blocks across identifiers and Layer-1 rate limits (fail open).
//   - trust.go: the device trust matrix, opening a session (with the end of
//     the sign-in that opened it, in one store call where the store can) and
//     step-up checks; stepup.go: emailed
//     step-up codes; session.go: access-token checks, session listing and
//     revocation; refresh.go: refresh-token rotation and logout.
//   - pin.go: the PIN app-lock; password.go: password reset and change;
//     unlock.go: the unlock link; verification.go: email verification and the
//     account pre-hijacking defence; register.go: managed-mode registration.
//   - links.go: the four enumeration-safe request flows and emailed links;
//     notify.go: security events, email and the work done after an answer;
//     delivery.go: sending email through the MailQueue, its retries with
//     backoff until the message's expiry, the sealing of queued messages and
//     the mail worker.
//   - identity.go and email.go: identifier and email rules; client.go: the
//     caller's IP and user agent; random.go: tokens, codes and IDs.
//   - consent.go: the DPDP consent ledger, HasConsent, re-consent and chain
//     verification (version 2 and the keyed checkpoint); notice.go: the
//     privacy notice registry; consentdelivery.go: delivery of consent
//     changes from the outbox to the app's ConsentListener; export.go: the
//     right-of-access export.
//   - erasure.go: erasure requests, their status and completion;
//     maintain.go: Maintain (due erasures, log pseudonymisation);
//     grievance.go: grievances (§13); correction.go: profile and email
//     correction (§12(1)); nominee.go: nominees (§14); inactivity.go:
//     inactive accounts; breach.go: breach intimation; rights.go: the
//     privacy contact and the periods a rights page shows.
//   - observe.go: the optional Observer hook (flows, signals) and
//     observe_ports.go: the port wrappers that time each call for it;
//     health.go: Ping, the readiness check.
package core
