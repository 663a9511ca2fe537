package core

import (
	"context"
	"testing"

	"github.com/bharatauth/bharatauth-go/core/internal/secret"
)

// Benchmarks use the production hashing parameters (argon2id m=19 MiB, t=2,
// p=1), so Login shows the real cost. Compare runs with benchstat.

func benchEnv(b *testing.B) *env {
	e := newEnv(b, withoutLimiter())
	e.auth.hasher = secret.NewHasher(secret.DefaultParams, 0)
	e.register("bench@example.in")
	return e
}

func BenchmarkAuthenticate(b *testing.B) {
	e := benchEnv(b)
	res := e.mustLogin("bench@example.in")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.auth.Authenticate(ctx, res.AccessToken); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLogin(b *testing.B) {
	e := benchEnv(b)
	e.knownDeviceLogin("bench@example.in") // the common case: a known device, no new-device alert
	ctx := context.Background()
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
	ctx := context.Background()
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
