package ports

import "context"

// Observer is told what core does, for metrics and traces (the otel adapter
// implements it on OpenTelemetry). It is optional: without one core makes no
// call at all and measures nothing. Core never passes personal data to it:
// flow and call names are constants, outcomes are error kinds; no email,
// identifier, IP address, user or session ID crosses this port.
//
// The observer measures durations itself (core reads time only from its
// Clock, which tests set): each Start method is called when something begins
// and returns the function core calls once when it ends. Implementations are
// safe for concurrent use and must not block; a slow observer slows every
// flow.
type Observer interface {
	// StartFlow is called as a flow (a method of core's Auth such as "Login"
	// or "Refresh") begins. The context it returns (carrying a span, say) is
	// the one the flow runs with; end is called once as the flow returns,
	// with "ok" or the returned error's kind ("unauthorized", "locked",
	// "unavailable", …).
	StartFlow(ctx context.Context, flow string) (_ context.Context, end func(outcome string))
	// StartStoreCall is called before core calls a port method (call is
	// "Port.Method", such as "SessionRepo.RotateRefresh"); end is called with
	// the method's error once it returns.
	StartStoreCall(ctx context.Context, call string) (end func(err error))
	// StartHashWait is called as a password or PIN hash waits for one of the
	// hashing slots (Config.HashConcurrency); end is called once it has one,
	// or has given up with its context.
	StartHashWait(ctx context.Context) (end func())
	// Signal counts one security-relevant happening (see SignalKind).
	Signal(ctx context.Context, s Signal)
}

// SignalKind names what a Signal counts.
type SignalKind string

// The signals core sends. Detail and Result hold, per kind:
const (
	// SignalSignIn: a password or OTP sign-in ended. Detail is the method
	// ("password", "otp"); Result "ok" or the error kind.
	SignalSignIn SignalKind = "sign_in"
	// SignalLock: a counter crossed a lock threshold. Detail is "soft" or
	// "hard" (sign-in counters), "pin_soft" or "pin_hard" (the PIN counter),
	// "code_soft" (a number's wrong texted codes).
	SignalLock SignalKind = "lock"
	// SignalIPBlock: failures from one IP started an IP block.
	SignalIPBlock SignalKind = "ip_block"
	// SignalRateLimited: a Layer-1 rate limit refused a request. Detail is
	// the rule ("login", "otp_request", "mail", …).
	SignalRateLimited SignalKind = "rate_limited"
	// SignalRefreshReuse: an already-rotated refresh token came back after
	// the grace, and its session was revoked.
	SignalRefreshReuse SignalKind = "refresh_reuse"
	// SignalMail: an attempt to deliver an email ended. Detail is the kind
	// of email ("login_otp", "unlock", …); Result "sent", "retry" (a failure
	// worth retrying; it will be tried again) or "failed" (given up).
	SignalMail SignalKind = "mail"
)

// Signal is one counted happening. Flow is the flow it happened in (a
// constant such as "Login"); Detail and Result depend on Kind. None of its
// fields ever holds personal data.
type Signal struct {
	Kind   SignalKind
	Flow   string
	Detail string
	Result string
}

// NopObserver observes nothing. Embed it in an Observer that implements only
// some of the methods.
type NopObserver struct{}

// StartFlow returns ctx and an end that does nothing.
func (NopObserver) StartFlow(ctx context.Context, _ string) (context.Context, func(string)) {
	return ctx, func(string) {}
}

// StartStoreCall returns an end that does nothing.
func (NopObserver) StartStoreCall(context.Context, string) func(error) { return func(error) {} }

// StartHashWait returns an end that does nothing.
func (NopObserver) StartHashWait(context.Context) func() { return func() {} }

// Signal does nothing.
func (NopObserver) Signal(context.Context, Signal) {}

var _ Observer = NopObserver{}
