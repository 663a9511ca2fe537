// Package otel reports BharatAuth's flows as OpenTelemetry metrics and
// traces: an Observer for core's Deps.Observer (the ports.Observer hook).
//
// Metrics (names as exported; a Prometheus exporter turns dots into
// underscores and adds _total and unit suffixes):
//
//   - bharatauth.sign_ins{method, result}: password and OTP sign-ins
//   - bharatauth.locks{kind}: lock thresholds crossed (soft, hard, pin_soft, pin_hard, code_soft)
//   - bharatauth.ip_blocks: IP blocks started
//   - bharatauth.rate_limited{rule}: Layer-1 rate-limit refusals
//   - bharatauth.refresh_reuse: reused refresh tokens (the session revoked)
//   - bharatauth.mail{kind, result}: emails sent or failed
//   - bharatauth.flow.duration{flow, outcome}: seconds per flow
//   - bharatauth.hash.wait: seconds a password or PIN hash waited for a slot
//   - bharatauth.store.duration{call, result}: seconds per port call
//
// Traces: one span per flow, named after it ("Login", "Refresh", …), with the
// attributes bharatauth.flow and bharatauth.outcome; an outcome that is the
// server's fault (internal, unavailable) sets the span's status to Error.
// No attribute ever holds an email, identifier, IP address, user or session
// ID: core passes none to the hook.
//
// Files: observer.go (New, Options and the Observer), doc.go.
package otel
