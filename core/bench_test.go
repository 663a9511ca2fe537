package core

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bharatauth/bharatauth-go/core/internal/secret"
	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/golang-jwt/jwt/v5"
)

// Benchmarks use the production hashing parameters (argon2id m=19 MiB, t=2,
// p=1), so Login shows the real cost. Compare runs with benchstat.

func benchEnv(b *testing.B, opts ...envOption) *env {
	e := newEnv(b, append([]envOption{withoutLimiter()}, opts...)...)
	e.auth.hasher = secret.NewHasher(secret.DefaultParams, 0)
	e.register("bench@example.in")
	return e
}

func BenchmarkAuthenticate(b *testing.B) { benchAuthenticate(b, benchEnv(b)) }

// benchAuthenticate measures Authenticate of one signed-in session in e.
func benchAuthenticate(b *testing.B, e *env) {
	res := e.mustLogin("bench@example.in")
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.auth.Authenticate(ctx, res.AccessToken); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkObserverHook is the observer hook's cost on Authenticate, the call
// every request makes: without an observer (the hook is one nil check), and
// with one that does nothing (the wrapped port calls and the flow's end).
func BenchmarkObserverHook(b *testing.B) {
	for _, c := range []struct {
		name string
		obs  ports.Observer
	}{{"none", nil}, {"nop", ports.NopObserver{}}} {
		b.Run(c.name, func(b *testing.B) {
			benchAuthenticate(b, benchEnv(b, func(_ *Config, d *Deps) { d.Observer = c.obs }))
		})
	}
}

// BenchmarkObserveFlow is the hook alone, as every flow runs it (start, and
// the deferred end with the flow's error), beside the same empty flow
// without it: "nil" is the cost an app without an observer pays.
func BenchmarkObserveFlow(b *testing.B) {
	ctx := b.Context()
	b.Run("no-hook", func(b *testing.B) {
		for b.Loop() {
			_ = unobservedOnce(ctx, &Auth{})
		}
	})
	for _, c := range []struct {
		name string
		obs  ports.Observer
	}{{"nil", nil}, {"nop", ports.NopObserver{}}} {
		b.Run(c.name, func(b *testing.B) {
			a := &Auth{obs: c.obs}
			b.ReportAllocs()
			for b.Loop() {
				_ = observedOnce(ctx, a)
			}
		})
	}
}

// observedOnce is a flow that does nothing but be observed.
//
//go:noinline
func observedOnce(ctx context.Context, a *Auth) (err error) {
	ctx, flow := a.observeFlow(ctx, "Bench")
	defer flow.done(ctx, &err)
	return nil
}

// unobservedOnce is observedOnce without the hook.
//
//go:noinline
func unobservedOnce(context.Context, *Auth) error { return nil }

// BenchmarkGolangJWTStrictParse is BenchmarkAuthenticate's yardstick, in the
// same binary so that both run under the same load: golang-jwt's own strict
// HS256 parse of the same access token, with no session lookup.
func BenchmarkGolangJWTStrictParse(b *testing.B) {
	e := benchEnv(b)
	token := e.mustLogin("bench@example.in").AccessToken
	cfg := e.auth.Config()
	key := deriveKey(cfg.SecretKey, accessTokenKeyLabel)
	now := e.auth.now()
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	keyFunc := func(*jwt.Token) (any, error) { return key, nil }
	type claims struct {
		jwt.RegisteredClaims
		SessionID string   `json:"sid"`
		Trust     string   `json:"trust"`
		AMR       []string `json:"amr"`
	}
	b.ReportAllocs()
	for b.Loop() {
		var c claims
		if _, err := parser.ParseWithClaims(token, &c, keyFunc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLogin(b *testing.B) {
	e := benchEnv(b)
	e.knownDeviceLogin("bench@example.in") // the common case: a known device, no new-device alert
	ctx := b.Context()
	in := LoginInput{Identifier: "bench@example.in", Password: testPassword, DeviceFingerprint: fpA, Client: e.client}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.auth.Login(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyOTP(b *testing.B) {
	e := benchEnv(b)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		code := e.requestOTP("bench@example.in", fpA)
		b.StartTimer()
		if _, err := e.auth.VerifyOTP(ctx, VerifyOTPInput{Identifier: "bench@example.in", Code: code, DeviceFingerprint: fpA, Client: e.client}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoginHashSlots compares the argon2id concurrency cap (hash slots)
// under 16 concurrent logins: GOMAXPROCS slots (the default) against twice
// as many. One lane keeps one core busy, so the extra slots should add only
// memory (19 MiB each), not logins per second.
func BenchmarkLoginHashSlots(b *testing.B) {
	for _, slots := range []struct {
		name string
		n    int
	}{{"GOMAXPROCS", runtime.GOMAXPROCS(0)}, {"2xGOMAXPROCS", 2 * runtime.GOMAXPROCS(0)}} {
		b.Run(slots.name, func(b *testing.B) {
			e := newEnv(b, withoutLimiter())
			e.auth.hasher = secret.NewHasher(secret.DefaultParams, slots.n)
			const users = 16
			for i := range users {
				e.register(fmt.Sprintf("slots%d@example.in", i))
			}
			var next atomic.Int64
			b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					// Distinct users and IPs: the per-identifier counters and
					// the IP rules stay out of the way.
					i := next.Add(1)
					_, err := e.auth.Login(b.Context(), LoginInput{
						Identifier: fmt.Sprintf("slots%d@example.in", i%users), Password: testPassword,
						Client: Client{IP: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)}})
					if err != nil && KindOf(err) != KindRateLimited {
						b.Error(err)
					}
				}
			})
		})
	}
}

// benchConsents is benchEnv's user with seven consent rows: the six of
// registration and a withdrawal.
func benchConsents(b *testing.B) (*env, ports.User) {
	e := benchEnv(b)
	u, err := e.store.UserByEmail(b.Context(), "bench@example.in")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.auth.Admin().RecordConsent(b.Context(), u.ID, ConsentDecision{Category: "analytics"}, ConsentMeta{}); err != nil {
		b.Fatal(err)
	}
	return e, u
}

// BenchmarkRequireConsent is the check RequireConsent adds to an app route:
// one read of the user's consent history (here the six registration rows and
// a withdrawal), over the memory store.
func BenchmarkRequireConsent(b *testing.B) {
	e, u := benchConsents(b)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if err := e.auth.RequireConsent(ctx, u.ID, "communications"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyConsentChain recomputes a 7-row version-2 chain and its
// keyed checkpoint.
func BenchmarkVerifyConsentChain(b *testing.B) {
	e, u := benchConsents(b)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if r, err := e.auth.Admin().VerifyConsentChain(ctx, u.ID); err != nil || !r.Intact {
			b.Fatal(r, err)
		}
	}
}
