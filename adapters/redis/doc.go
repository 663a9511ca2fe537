// Package redis holds BharatAuth's Redis adapters, built on
// github.com/redis/rueidis. The Limiter and the caches are optional speed
// and scale layers: the store (memory or postgres adapter) stays the source
// of truth, and an app works the same, only slower or without Layer-1
// limits, when Redis is gone. SMSBudget is a counter an app may keep in
// Redis instead of its store, and fails closed.
//
//   - Limiter is a ports.RateLimiter: a sliding-window log in a sorted set,
//     checked and counted by one Lua script, so each check is one atomic round
//     trip. Keys are prefixed ("ba:rl:" by default) and expire one window after
//     their newest entry, so memory stays bounded.
//   - IPBlockCache is a ports.AbuseGuard placed in front of the store's guard: it
//     remembers IP blocks in Redis (and, through client-side caching, in each
//     app instance), so a blocked IP that keeps knocking costs no store query.
//   - SessionCache is a ports.SessionRepo placed in front of the store's repo:
//     Session(id), which core calls on every authenticated request, is served
//     from rueidis client-side caching, and every change that can revoke a
//     session rewrites the Redis entry, so that Redis invalidates the local copy
//     in every app instance at once. DeviceTrustCache keeps the cached entry
//     current when step-up marks change.
//   - UserCache keeps users by ID in front of a managed-mode store, so a "who
//     am I" request on a cached session reads no store at all. It is also the
//     registry, erasure store and guardian store core calls, so every change
//     of a user passes through it (see its doc for the generation counter that
//     keeps a reader from caching what a write replaced).
//   - SMSBudget is a ports.SMSBudget: a sliding-window log per key like the
//     Limiter's, checked and counted across all of a take's keys by one Lua
//     script, so a refusal by one key counts against none. When Redis cannot
//     answer within Timeout, TakeSMS refuses with an error wrapping
//     ports.ErrUnavailable (core then sends no SMS).
//
// # Session cache consistency
//
// A revocation is written to the store first, then to Redis as a tombstone;
// fills after a miss use SET NX and updates a script that never replaces a
// tombstone, so an instance that read "active" just before a revocation
// cannot undo it. The instance that revokes reads the revocation at once
// (with NewClient's single-connection option); every other instance receives
// Redis' invalidation push within the network latency (0.2–3 ms measured on
// one busy host). A tombstone that cannot be written because Redis is failing is
// retried by that instance as soon as Redis answers; until then, and at most
// for SessionCacheOptions.TTL (1 minute by default), other instances may read
// the old entry from Redis.
//
// # Failing open, fast
//
// When Redis is down, paused or refusing, every check still answers within a
// bounded time: each call runs under its own context.WithTimeout (Options.Timeout,
// 200 ms by default), and NewClient dials with a 300 ms timeout, sets a 1 s
// connection read/write timeout (ConnWriteTimeout, which also drives the
// background PINGs that detect a paused server) and disables rueidis' retries
// (which otherwise retry reads until the context deadline). Measured on a
// stopped and on a SIGSTOP-ed server, a check returns in at most about
// Options.Timeout. After a failure, reads (checks, cache lookups) skip Redis for
// one second and then let a single call probe it, so a paused server costs one
// timeout per second per instance, not one per request; writes that revoke a
// session never skip.
//
// On a Redis failure:
//   - Limiter.Allow returns RateDecision{Allowed: true} together with an error
//     wrapping ports.ErrUnavailable and the cause: core fails open on any
//     limiter error, and the error lets it count the degradation.
//   - IPBlockCache, SessionCache and UserCache answer from the inner store and return its
//     result; a failed cache write is logged, not returned.
//
// Failures are logged through Options.Logger at most once per
// Options.LogInterval (30 s by default) with the number of failures suppressed
// since the last line, plus one line when Redis answers again. Nothing is logged
// per request, and no key, identifier, token or hash is ever logged: keys hold
// identifiers (core passes an HMAC of an identifier, never the email address
// itself, but other callers may not).
//
// Recovery needs nothing: rueidis redials on the next command once the server is
// back, and the client-side cache of a dropped connection is discarded (never
// served stale).
//
// # Redis Cluster
//
// NewClient gives a cluster client when the address is a cluster node; list
// several nodes as "host1:7001,host2:7002,host3:7003" (or a URL with addr=
// parameters). Every command and script of the Limiter and the session and
// IP-block caches touches one key, so their keys need no hash tag and a
// prefix's keys spread over every primary; pipelines (DoMulti) are split by
// rueidis per node, in order. The user cache's two keys per user (its
// generation counter and its entry) share a hash tag, the user's ID, so its
// script can touch both while users still spread over every primary.
// SMSBudget's script touches several keys at once, which a cluster
// allows only within one hash slot: each of its keys is the prefix, the
// prefix again as a hash tag, then the key ("ba:sms:{ba:sms:}global"), so all
// keys of one prefix live on one primary. SMS sends are few (each costs
// money), so that slot carries little load; apps sharing a cluster with other
// prefixes land on other slots. This keeps a take one atomic round trip;
// spreading the keys would need a reservation on each key and a rollback,
// during which another take could be refused by a send that never happens. The session
// cache reads its own writes on a cluster too: each write of an entry is
// followed by a read of the same key, which goes to that key's node. The
// conformance suites run on a 3-primary cluster (TestConformanceOnRedisCluster).
//
// # Starting while Redis is down
//
// rueidis.NewClient (and NewClient here) fails at once when Redis cannot be
// reached. An app that must start anyway has two choices: start without the
// Redis layers (they are all optional: no RateLimiter, and the store's own
// AbuseGuard and SessionRepo) and call ConnectInBackground, whose callback runs
// once Redis answers, to build the Redis-backed values and swap in a new core
// value (for example behind an atomic.Pointer); or retry NewClient for a while
// before serving. Once a client exists it reconnects by itself.
//
// # Files
//
// client.go: NewClient with the fail-fast settings; degrade.go: the failure
// bypass and throttled logging; limiter.go; ipblock.go; session.go and
// sessioncodec.go: the session cache and its wire form; devicetrust.go: the
// DeviceTrust wrapper that keeps cached sessions current; usercache.go: the
// user cache; smsbudget.go.
//
// # Errors
//
// Constructors return plain validation errors. Limiter.Allow and
// SMSBudget's methods wrap ports.ErrUnavailable on Redis failures. The cache
// types return the inner store's errors unchanged, so its sentinels
// (ports.ErrNotFound, ErrConflict, ErrReused, ErrExpired, ErrUnavailable)
// reach the caller as the inner store sent them.
package redis
