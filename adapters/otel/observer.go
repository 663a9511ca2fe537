package otel

import (
	"context"
	"errors"
	"fmt"
	"time"

	global "go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/bharatauth/bharatauth-go/ports"
)

// instrumentation is the name meters and tracers are created under.
const instrumentation = "github.com/bharatauth/bharatauth-go/adapters/otel"

// secondsBuckets are the histogram bounds, in seconds: from a cache hit
// (0.5 ms) to a store timing out (10 s). OpenTelemetry's defaults are meant
// for milliseconds.
var secondsBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Options configure New. The zero value uses the global providers
// (go.opentelemetry.io/otel's GetMeterProvider and GetTracerProvider).
type Options struct {
	MeterProvider  metric.MeterProvider
	TracerProvider trace.TracerProvider
}

// Observer implements ports.Observer on OpenTelemetry. It is safe for
// concurrent use.
type Observer struct {
	tracer trace.Tracer

	signIns, locks, ipBlocks, rateLimited, refreshReuse, mail metric.Int64Counter
	flowDuration, hashWait, storeDuration                     metric.Float64Histogram
}

var _ ports.Observer = (*Observer)(nil)

// New creates the instruments. It fails only when a provider refuses one.
func New(opts Options) (*Observer, error) {
	mp, tp := opts.MeterProvider, opts.TracerProvider
	if mp == nil {
		mp = global.GetMeterProvider()
	}
	if tp == nil {
		tp = global.GetTracerProvider()
	}
	m := mp.Meter(instrumentation)
	o := &Observer{tracer: tp.Tracer(instrumentation)}
	var errs []error
	counter := func(name, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithDescription(desc), metric.WithUnit("{event}"))
		errs = append(errs, err)
		return c
	}
	seconds := func(name, desc string) metric.Float64Histogram {
		h, err := m.Float64Histogram(name, metric.WithDescription(desc), metric.WithUnit("s"),
			metric.WithExplicitBucketBoundaries(secondsBuckets...))
		errs = append(errs, err)
		return h
	}
	o.signIns = counter("bharatauth.sign_ins", "Password and OTP sign-ins, by method and result")
	o.locks = counter("bharatauth.locks", "Lock thresholds crossed, by kind")
	o.ipBlocks = counter("bharatauth.ip_blocks", "IP blocks started")
	o.rateLimited = counter("bharatauth.rate_limited", "Requests refused by a Layer-1 rate limit, by rule")
	o.refreshReuse = counter("bharatauth.refresh_reuse", "Reused refresh tokens; each revoked its session")
	o.mail = counter("bharatauth.mail", "Emails handed to the mailer, by kind and result")
	o.flowDuration = seconds("bharatauth.flow.duration", "Time per flow, by flow and outcome")
	o.hashWait = seconds("bharatauth.hash.wait", "Time a password or PIN hash waited for a hashing slot")
	o.storeDuration = seconds("bharatauth.store.duration", "Time per port call, by call and result")
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("otel: creating instruments: %w", err)
	}
	return o, nil
}

// StartFlow starts the flow's span and returns the function that ends it and
// records its duration.
func (o *Observer) StartFlow(ctx context.Context, flow string) (context.Context, func(string)) {
	start := time.Now()
	ctx, span := o.tracer.Start(ctx, flow, trace.WithAttributes(attribute.String("bharatauth.flow", flow)))
	return ctx, func(outcome string) {
		o.flowDuration.Record(ctx, time.Since(start).Seconds(),
			metric.WithAttributes(attribute.String("flow", flow), attribute.String("outcome", outcome)))
		span.SetAttributes(attribute.String("bharatauth.outcome", outcome))
		if serverFault(outcome) {
			span.SetStatus(codes.Error, outcome)
		}
		span.End()
	}
}

// serverFault reports outcomes that are the service's fault, not the
// caller's: a wrong password is a flow working as meant.
func serverFault(outcome string) bool { return outcome == "internal" || outcome == "unavailable" }

// StartStoreCall returns the function that records the call's duration.
func (o *Observer) StartStoreCall(ctx context.Context, call string) func(error) {
	start := time.Now()
	return func(err error) {
		o.storeDuration.Record(ctx, time.Since(start).Seconds(),
			metric.WithAttributes(attribute.String("call", call), attribute.String("result", storeResult(err))))
	}
}

// storeResult classes a port error: "not_found" is an answer, not a fault.
func storeResult(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ports.ErrNotFound):
		return "not_found"
	case errors.Is(err, ports.ErrUnavailable), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "unavailable"
	default:
		return "error"
	}
}

// StartHashWait returns the function that records the wait.
func (o *Observer) StartHashWait(ctx context.Context) func() {
	start := time.Now()
	return func() { o.hashWait.Record(ctx, time.Since(start).Seconds()) }
}

// Signal adds one to the signal's counter.
func (o *Observer) Signal(ctx context.Context, s ports.Signal) {
	switch s.Kind {
	case ports.SignalSignIn:
		o.signIns.Add(ctx, 1, metric.WithAttributes(attribute.String("method", s.Detail), attribute.String("result", s.Result)))
	case ports.SignalLock:
		o.locks.Add(ctx, 1, metric.WithAttributes(attribute.String("kind", s.Detail)))
	case ports.SignalIPBlock:
		o.ipBlocks.Add(ctx, 1)
	case ports.SignalRateLimited:
		o.rateLimited.Add(ctx, 1, metric.WithAttributes(attribute.String("rule", s.Detail)))
	case ports.SignalRefreshReuse:
		o.refreshReuse.Add(ctx, 1)
	case ports.SignalMail:
		o.mail.Add(ctx, 1, metric.WithAttributes(attribute.String("kind", s.Detail), attribute.String("result", s.Result)))
	}
}
