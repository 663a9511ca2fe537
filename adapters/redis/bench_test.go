package redis_test

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	bredis "github.com/bharatauth/bharatauth-go/adapters/redis"
	"github.com/bharatauth/bharatauth-go/ports"
)

// BenchmarkLimiterAllow is one rate-limit check: one EVALSHA round trip to the
// local Redis. Keys rotate over 1000 IPs, so the mix holds allowed and refused
// checks as under a real flood.
func BenchmarkLimiterAllow(b *testing.B) {
	l, rule, now := newBenchLimiter(b)
	ctx := b.Context()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := l.Allow(ctx, "login:ip:"+strconv.Itoa(i%1000), rule, now.Add(time.Duration(i)*time.Microsecond)); err != nil {
			b.Fatal(err)
		}
	}
}

// newBenchLimiter is a Limiter on a fresh client and prefix, with the rule
// and start time of the limiter benchmarks.
func newBenchLimiter(b *testing.B) (*bredis.Limiter, ports.RateRule, time.Time) {
	c := newClient(b)
	return newLimiterOn(b, c, prefix(b, c)), ports.RateRule{Limit: 20, Window: 15 * time.Minute}, time.Now().UTC()
}

// BenchmarkLimiterAllowParallel runs checks from 64 goroutines per CPU, as a
// busy server would: rueidis pipelines them over its one connection.
func BenchmarkLimiterAllowParallel(b *testing.B) {
	l, rule, now := newBenchLimiter(b)
	ctx := b.Context()
	var n atomic.Int64
	b.SetParallelism(64)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if _, err := l.Allow(ctx, "login:ip:"+strconv.FormatInt(i%1000, 10), rule, now.Add(time.Duration(i)*time.Microsecond)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// benchReadOneSession times Session on repo for one stored session; warm
// reads it once before the timer starts (to fill a cache).
func benchReadOneSession(b *testing.B, repo ports.SessionRepo, now time.Time, warm bool) {
	s := newTestSession("usr_bench", now)
	if err := repo.CreateSession(b.Context(), s); err != nil {
		b.Fatal(err)
	}
	if warm {
		if _, err := repo.Session(b.Context(), s.ID); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := repo.Session(b.Context(), s.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSession compares Session(id) served from the client-side cache
// (hot), from the memory store directly, and through a cache miss (a Redis
// round trip, the store read and the fill).
func BenchmarkSession(b *testing.B) {
	now := time.Now().UTC()
	b.Run("cache hot", func(b *testing.B) {
		c := newClient(b)
		cache, err := bredis.NewSessionCache(memory.New(), c, bredis.SessionCacheOptions{Prefix: prefix(b, c)})
		if err != nil {
			b.Fatal(err)
		}
		benchReadOneSession(b, cache, now, true)
	})
	b.Run("memory store", func(b *testing.B) {
		benchReadOneSession(b, memory.New(), now, false)
	})
	b.Run("cache miss", func(b *testing.B) {
		c := newClient(b)
		store := memory.New()
		cache, err := bredis.NewSessionCache(store, c, bredis.SessionCacheOptions{Prefix: prefix(b, c), ReuseIndexTTL: -1})
		if err != nil {
			b.Fatal(err)
		}
		ids := make([]string, b.N)
		for i := range ids {
			s := newTestSession("usr_bench", now)
			if err := store.CreateSession(b.Context(), s); err != nil {
				b.Fatal(err)
			}
			ids[i] = s.ID
		}
		b.ResetTimer()
		for _, id := range ids {
			if _, err := cache.Session(b.Context(), id); err != nil {
				b.Fatal(err)
			}
		}
	})
}
