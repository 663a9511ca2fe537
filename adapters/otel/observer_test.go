package otel_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/adapters/otel"
	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
)

const (
	email    = "asha.rao@example.in"
	password = "correct horse battery staple"
	clientIP = "203.0.113.7"
	agent    = "Mozilla/5.0 (Linux; Android 14) TestPhone"
	device   = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
)

// rig is core over memory adapters observed through the SDK's in-memory
// span exporter and manual metric reader.
type rig struct {
	auth    *core.Auth
	store   *memory.Store
	clock   *memory.Clock
	outbox  *memory.Outbox
	spans   *tracetest.InMemoryExporter
	metrics *sdkmetric.ManualReader
	client  core.Client
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{store: memory.New(), clock: memory.NewClock(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)),
		outbox: memory.NewOutbox(), spans: tracetest.NewInMemoryExporter(), metrics: sdkmetric.NewManualReader(),
		client: core.Client{IP: clientIP, UserAgent: agent}}
	obs, err := otel.New(otel.Options{
		MeterProvider:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.metrics)),
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSyncer(r.spans)),
	})
	require.NoError(t, err)
	cfg := core.DefaultConfig()
	cfg.SecretKey = []byte("test-secret-key-that-is-32-bytes-long!!")
	cfg.UnsafeFastHashingForTests = true
	cfg.MailInline = true
	cfg.Logger = slog.New(slog.DiscardHandler)
	r.auth, err = core.New(cfg, core.Deps{Storage: r.store, Mailer: r.outbox, Limiter: memory.NewLimiter(),
		Clock: r.clock, Observer: obs})
	require.NoError(t, err)
	return r
}

func (r *rig) register(t *testing.T) ports.User {
	t.Helper()
	var consents []core.ConsentDecision
	for _, c := range core.DefaultCategories() {
		consents = append(consents, core.ConsentDecision{Category: c.Name, Granted: true})
	}
	u, err := r.auth.Register(context.Background(), core.RegisterInput{Email: email, Password: password,
		Consents: consents, Client: r.client})
	require.NoError(t, err)
	require.NoError(t, r.store.MarkEmailVerified(context.Background(), u.ID, r.clock.Now()))
	return u
}

func (r *rig) login(pw string) (core.LoginResult, error) {
	return r.auth.Login(context.Background(), core.LoginInput{Identifier: email, Password: pw,
		DeviceFingerprint: device, Client: r.client})
}

// collect reads every metric recorded so far, by name.
func (r *rig) collect(t *testing.T) map[string]metricdata.Aggregation {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.metrics.Collect(context.Background(), &rm))
	out := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

// sum is the counter's value for the data point with exactly attrs.
func sum(t *testing.T, data metricdata.Aggregation, attrs ...attribute.KeyValue) int64 {
	t.Helper()
	s, ok := data.(metricdata.Sum[int64])
	require.True(t, ok, "a counter, got %T", data)
	want := attribute.NewSet(attrs...)
	for _, dp := range s.DataPoints {
		if dp.Attributes.Equals(&want) {
			return dp.Value
		}
	}
	return 0
}

// histogramCount is how many values the histogram recorded over all its
// data points.
func histogramCount(t *testing.T, data metricdata.Aggregation) uint64 {
	t.Helper()
	h, ok := data.(metricdata.Histogram[float64])
	require.True(t, ok, "a histogram, got %T", data)
	var n uint64
	for _, dp := range h.DataPoints {
		n += dp.Count
	}
	return n
}

func TestCountsSignInsLocksAndMail(t *testing.T) {
	r := newRig(t)
	r.register(t)
	_, err := r.login(password)
	require.NoError(t, err)
	for range 6 { // the 5th locks; the 6th is refused by the lock
		_, _ = r.login("wrong-password")
	}

	m := r.collect(t)
	signIns := m["bharatauth.sign_ins"]
	assert.EqualValues(t, 1, sum(t, signIns, attribute.String("method", "password"), attribute.String("result", "ok")))
	assert.EqualValues(t, 4, sum(t, signIns, attribute.String("method", "password"), attribute.String("result", "unauthorized")))
	assert.EqualValues(t, 2, sum(t, signIns, attribute.String("method", "password"), attribute.String("result", "account_locked")))
	assert.EqualValues(t, 1, sum(t, m["bharatauth.locks"], attribute.String("kind", "soft")))
	assert.EqualValues(t, 1, sum(t, m["bharatauth.mail"], attribute.String("kind", "verify_email"), attribute.String("result", "sent")))
	assert.EqualValues(t, 1, sum(t, m["bharatauth.mail"], attribute.String("kind", "new_device"), attribute.String("result", "sent")))
}

func TestRecordsFlowStoreAndHashTimes(t *testing.T) {
	r := newRig(t)
	r.register(t)
	_, err := r.login(password)
	require.NoError(t, err)

	m := r.collect(t)
	assert.EqualValues(t, 2, histogramCount(t, m["bharatauth.flow.duration"]), "Register and Login")
	assert.Greater(t, histogramCount(t, m["bharatauth.store.duration"]), uint64(5))
	assert.EqualValues(t, 2, histogramCount(t, m["bharatauth.hash.wait"]), "hashing the password at Register, checking it at Login")
}

func TestOneSpanPerFlow(t *testing.T) {
	r := newRig(t)
	r.register(t)
	res, err := r.login(password)
	require.NoError(t, err)
	_, err = r.auth.Refresh(context.Background(), core.RefreshInput{RefreshToken: res.RefreshToken, Client: r.client})
	require.NoError(t, err)

	var names []string
	for _, s := range r.spans.GetSpans() {
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"Register", "Login", "Refresh"}, names)
}

func TestTelemetryHoldsNoPersonalData(t *testing.T) {
	r := newRig(t)
	u := r.register(t)
	res, err := r.login(password)
	require.NoError(t, err)
	p, err := r.auth.Authenticate(context.Background(), res.AccessToken)
	require.NoError(t, err)
	_, _ = r.login("wrong-password")
	_ = r.auth.RequestOTP(context.Background(), core.RequestOTPInput{Identifier: email, Client: r.client})
	_ = r.auth.RequestPasswordReset(context.Background(), core.IdentifierInput{Identifier: email, Client: r.client})
	_, _ = r.auth.Refresh(context.Background(), core.RefreshInput{RefreshToken: res.RefreshToken, Client: r.client})
	_, _ = r.auth.Sessions(context.Background(), p)
	_, _ = r.auth.Export(context.Background(), p, r.client)

	personal := []string{"asha", "example.in", clientIP, u.ID, p.SessionID, agent, device[:16]}
	var seen []string
	for _, s := range r.spans.GetSpans() {
		seen = append(seen, s.Name)
		for _, kv := range s.Attributes {
			seen = append(seen, string(kv.Key), kv.Value.Emit())
		}
		for _, ev := range s.Events {
			for _, kv := range ev.Attributes {
				seen = append(seen, string(kv.Key), kv.Value.Emit())
			}
		}
	}
	require.NotEmpty(t, seen)
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.metrics.Collect(context.Background(), &rm))
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			seen = append(seen, metricAttributes(m.Data)...)
		}
	}
	for _, s := range seen {
		for _, pd := range personal {
			assert.NotContains(t, strings.ToLower(s), strings.ToLower(pd))
		}
	}
}

// metricAttributes lists every attribute key and value of a metric's data
// points.
func metricAttributes(data metricdata.Aggregation) []string {
	var sets []attribute.Set
	switch d := data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
		}
	case metricdata.Histogram[float64]:
		for _, dp := range d.DataPoints {
			sets = append(sets, dp.Attributes)
		}
	default:
		panic(fmt.Sprintf("unexpected aggregation %T", data))
	}
	var out []string
	for _, s := range sets {
		for _, kv := range s.ToSlice() {
			out = append(out, string(kv.Key), kv.Value.Emit())
		}
	}
	return out
}

func TestServerFaultsMarkTheSpanAsAnError(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	obs, err := otel.New(otel.Options{MeterProvider: sdkmetric.NewMeterProvider(),
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))})
	require.NoError(t, err)
	for _, outcome := range []string{"ok", "unauthorized", "unavailable", "internal"} {
		_, end := obs.StartFlow(context.Background(), "Login")
		end(outcome)
	}
	var got []codes.Code
	for _, s := range spans.GetSpans() {
		got = append(got, s.Status.Code)
	}
	assert.Equal(t, []codes.Code{codes.Unset, codes.Unset, codes.Error, codes.Error}, got,
		"a wrong password is the flow working; an unreachable store is a fault")
}

func TestStoreCallsAreClassedByResult(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	obs, err := otel.New(otel.Options{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
		TracerProvider: sdktrace.NewTracerProvider()})
	require.NoError(t, err)
	for _, e := range []error{nil, fmt.Errorf("memory: %w", ports.ErrNotFound),
		fmt.Errorf("postgres: %w", ports.ErrUnavailable), context.DeadlineExceeded, fmt.Errorf("postgres: %w", ports.ErrConflict)} {
		obs.StartStoreCall(context.Background(), "SessionRepo.Session")(e)
	}
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	results := map[string]uint64{}
	for _, dp := range rm.ScopeMetrics[0].Metrics[0].Data.(metricdata.Histogram[float64]).DataPoints {
		v, _ := dp.Attributes.Value("result")
		results[v.AsString()] += dp.Count
	}
	assert.Equal(t, map[string]uint64{"ok": 1, "not_found": 1, "unavailable": 2, "error": 1}, results)
}
