package core

import (
	"context"
	"strings"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Observing (Deps.Observer) costs nothing when no observer is set: flows
// check one nil field, and the ports are called directly, unwrapped. With an
// observer, New wraps each port so every call is timed (observedPorts), and
// each flow reports its start and outcome.

// flowObservation is one observed flow; nil observes nothing (the flow then
// pays for a nil pointer and a deferred call that returns at once).
type flowObservation struct {
	end    func(outcome string)
	obs    ports.Observer
	flow   string
	method string // a sign-in's method ("password", "otp"), or ""
}

// observeFlow starts observing flow; the flow defers done with its error.
// It is small enough to be inlined, so a flow without an observer pays one
// nil check here.
func (a *Auth) observeFlow(ctx context.Context, flow string) (context.Context, *flowObservation) {
	if a.obs == nil {
		return ctx, nil
	}
	return a.startFlow(ctx, flow)
}

// startFlow is observeFlow with an observer, kept out of line so that
// observeFlow itself stays within the inliner's budget.
//
//go:noinline
func (a *Auth) startFlow(ctx context.Context, flow string) (context.Context, *flowObservation) {
	ctx, end := a.obs.StartFlow(ctx, flow)
	return ctx, &flowObservation{end: end, obs: a.obs, flow: flow}
}

// observeSignIn is observeFlow for a sign-in flow: its end is also counted as
// a sign-in by method.
func (a *Auth) observeSignIn(ctx context.Context, flow, method string) (context.Context, *flowObservation) {
	ctx, f := a.observeFlow(ctx, flow)
	if f != nil {
		f.method = method
	}
	return ctx, f
}

// done reports the flow's outcome: "ok", or the kind of *err. Inlined, like
// observeFlow.
func (f *flowObservation) done(ctx context.Context, err *error) {
	if f != nil {
		f.finish(ctx, *err)
	}
}

func (f *flowObservation) finish(ctx context.Context, err error) {
	result := outcome(err)
	if f.method != "" {
		f.obs.Signal(ctx, ports.Signal{Kind: ports.SignalSignIn, Flow: f.flow, Detail: f.method, Result: result})
	}
	f.end(result)
}

// outcome names how a flow ended for an observer: "ok" or the error's kind.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	return KindOf(err).String()
}

// signal sends one signal to the observer, if any.
func (a *Auth) signal(ctx context.Context, s ports.Signal) {
	if a.obs != nil {
		a.obs.Signal(ctx, s)
	}
}

// signalLock tells the observer that the failed attempt at crossed a lock
// threshold: exactly the attempt whose failure count is the threshold, so
// attempts finishing together count one lock.
func (a *Auth) signalLock(ctx context.Context, op string, at attempt, state ports.LockState) {
	if a.obs == nil || !state.Locked(a.now()) {
		return
	}
	if state.Failures != at.policy.SoftLockAfter && state.Failures != at.policy.HardLockAfter {
		return
	}
	detail := "soft"
	if state.HardLocked {
		detail = "hard"
	}
	switch {
	case strings.HasPrefix(at.key, pinLockKey("")):
		detail = "pin_" + detail
	case strings.HasPrefix(at.key, smsCodeLockKey("")):
		detail = "code_" + detail
	}
	a.obs.Signal(ctx, ports.Signal{Kind: ports.SignalLock, Flow: op, Detail: detail})
}

// rateRuleName is the rule part of a rate-limit key ("login" of
// "login:ip:…", "mail" of "mail:login_code:id:…"): never the IP or
// identifier after it.
func rateRuleName(key string) string {
	name, _, _ := strings.Cut(key, ":")
	return name
}
