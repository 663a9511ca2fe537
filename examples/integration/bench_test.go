package integration

import (
	"testing"

	"github.com/bharatauth/bharatauth-go/core"
)

// Benchmarks of whole flows over PostgreSQL (and the Redis session cache),
// with production argon2id hashing. queries/op is the number of SQL round
// trips per flow (bun's query counter: statements, BEGIN and COMMIT).
// Compare runs with benchstat.

func benchInstance(b *testing.B, s setup) *instance {
	in := newInstance(b, newDB(b), s)
	in.register(b, "bench@example.in")
	return in
}

func reportQueries(b *testing.B, in *instance, before uint32) {
	b.ReportMetric(float64(in.db.DBStats().Queries-before)/float64(b.N), "queries/op")
}

func BenchmarkPostgresLogin(b *testing.B) {
	in := benchInstance(b, setup{})
	ctx := b.Context()
	// Step up once on this device, so every login below is the common case:
	// a known device, no new-device alert.
	p, err := in.auth.Authenticate(ctx, in.login(b, "bench@example.in").AccessToken)
	if err != nil {
		b.Fatal(err)
	}
	if err := in.auth.RequestStepUp(ctx, p, client); err != nil {
		b.Fatal(err)
	}
	if err := in.auth.VerifyStepUp(ctx, p, core.VerifyStepUpInput{Code: in.lastCode(b, "bench@example.in"), Client: client}); err != nil {
		b.Fatal(err)
	}
	input := core.LoginInput{Identifier: "bench@example.in", Password: password, DeviceFingerprint: fp, Client: client}
	before := in.db.DBStats().Queries
	for b.Loop() {
		if _, err := in.auth.Login(ctx, input); err != nil {
			b.Fatal(err)
		}
	}
	reportQueries(b, in, before)
}

func BenchmarkPostgresVerifyOTP(b *testing.B) {
	in := benchInstance(b, setup{fastHashing: true})
	ctx := b.Context()
	var queries uint32
	for b.Loop() {
		b.StopTimer()
		if err := in.auth.RequestOTP(ctx, core.RequestOTPInput{Identifier: "bench@example.in", DeviceFingerprint: fp, Client: client}); err != nil {
			b.Fatal(err)
		}
		code := in.lastCode(b, "bench@example.in")
		before := in.db.DBStats().Queries
		b.StartTimer()
		if _, err := in.auth.VerifyOTP(ctx, core.VerifyOTPInput{Identifier: "bench@example.in", Code: code, DeviceFingerprint: fp, Client: client}); err != nil {
			b.Fatal(err)
		}
		queries += in.db.DBStats().Queries - before
	}
	b.ReportMetric(float64(queries)/float64(b.N), "queries/op")
}

func BenchmarkPostgresRefresh(b *testing.B) {
	in := benchInstance(b, setup{fastHashing: true})
	token := in.login(b, "bench@example.in").RefreshToken
	ctx := b.Context()
	before := in.db.DBStats().Queries
	for b.Loop() {
		next, err := in.auth.Refresh(ctx, core.RefreshInput{RefreshToken: token, Client: client})
		if err != nil {
			b.Fatal(err)
		}
		token = next.RefreshToken
	}
	reportQueries(b, in, before)
}

func benchAuthenticate(b *testing.B, s setup) {
	in := benchInstance(b, s)
	access := in.login(b, "bench@example.in").AccessToken
	ctx := b.Context()
	if _, err := in.auth.Authenticate(ctx, access); err != nil { // warm any cache
		b.Fatal(err)
	}
	before := in.db.DBStats().Queries
	b.ReportAllocs()
	for b.Loop() {
		if _, err := in.auth.Authenticate(ctx, access); err != nil {
			b.Fatal(err)
		}
	}
	reportQueries(b, in, before)
}

func BenchmarkPostgresAuthenticate(b *testing.B) { benchAuthenticate(b, setup{fastHashing: true}) }

func BenchmarkRedisCachedAuthenticate(b *testing.B) {
	benchAuthenticate(b, setup{fastHashing: true, redisPrefix: newPrefix()})
}
