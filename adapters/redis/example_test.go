package redis_test

import (
	"context"
	"log"
	"time"

	"github.com/redis/rueidis"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	bredis "github.com/bharatauth/bharatauth-go/adapters/redis"
)

// Wiring the Redis layers over a store (memory here; postgres in
// production). The results go into core's Deps as RateLimiter, AbuseGuard,
// SessionRepo and DeviceTrust, and the user cache as Users, Registry,
// Erasures and Guardians at once (every change of a user passes through it).
func Example() {
	client, err := bredis.NewClient("redis://127.0.0.1:6379/0", bredis.ClientOptions{})
	if err != nil {
		log.Printf("redis unavailable, starting without it: %v", err)
		return
	}
	defer client.Close()
	store := memory.New()

	limiter, err := bredis.NewLimiter(client, bredis.LimiterOptions{})
	if err != nil {
		log.Fatal(err)
	}
	abuse, err := bredis.NewIPBlockCache(store, client, bredis.IPBlockOptions{})
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := bredis.NewSessionCache(store, client, bredis.SessionCacheOptions{})
	if err != nil {
		log.Fatal(err)
	}
	devices, err := bredis.NewDeviceTrustCache(store, sessions)
	if err != nil {
		log.Fatal(err)
	}
	users, err := bredis.NewUserCache(store, client, bredis.UserCacheOptions{})
	if err != nil {
		log.Fatal(err)
	}
	_, _, _, _, _ = limiter, abuse, sessions, devices, users
}

// Starting while Redis is down: serve without the Redis layers and switch
// them on when ConnectInBackground reports a client.
func ExampleConnectInBackground() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := bredis.ConnectInBackground(ctx, "127.0.0.1:6379", bredis.ClientOptions{}, 2*time.Second,
		func(client rueidis.Client) {
			// Build the Redis-backed adapters and a new core value here, then
			// swap it in (for example with atomic.Pointer.Store).
			log.Print("redis connected")
		})
	if err != nil {
		log.Fatal(err)
	}
}
