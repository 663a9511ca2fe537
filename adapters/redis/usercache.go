package redis

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/redis/rueidis"

	"github.com/bharatauth/bharatauth-go/ports"
)

// UserCacheOptions tunes a UserCache. The zero value works.
type UserCacheOptions struct {
	// Prefix starts every key; default "ba:user:".
	Prefix string
	// TTL is how long a cached user lives; default 1 minute. It bounds how
	// stale a copy can be only when a change could not reach Redis (Redis
	// failing at that moment, or the process dying between the store's
	// commit and the invalidation); otherwise a change shows at once.
	TTL time.Duration
	// Timeout bounds each Redis call; default 200 ms.
	Timeout time.Duration
	// Logger receives the throttled failure lines; default slog.Default().
	Logger *slog.Logger
	// LogInterval is the least time between two failure lines; default 30 s.
	LogInterval time.Duration
	// Clock times the log throttle only; default ports.SystemClock.
	Clock ports.Clock
}

// UserStore is what a UserCache wraps: a managed-mode store's users and every
// port of it whose writes change a user (ports.User): the registry, erasure
// (which deletes the user) and guardianships (which delete children never
// confirmed). memory.Store and postgres.Store are each one.
type UserStore interface {
	ports.UserDirectory
	ports.UserRegistry
	ports.PhoneDirectory
	ports.PhoneRegistry
	ports.ErasureStore
	ports.GuardianStore
	ports.AccountHoldsReader
}

// UserCache keeps users by ID in Redis in front of a store, which stays the
// source of truth: UserByID, which core calls on "who am I" requests and
// after every refresh, is then one Redis round trip instead of a store query.
// Hand it to core as Deps.Users, Deps.Registry, Deps.Erasures and
// Deps.Guardians together (beside Deps.Storage), so that every change of a
// user goes through it:
//
//	uc, err := redis.NewUserCache(store, client, redis.UserCacheOptions{})
//	deps := core.Deps{Storage: store, Users: uc, Registry: uc, Erasures: uc, Guardians: uc, …}
//
// Each user has a generation counter in Redis beside its entry. Every write
// that can change the user (verification, suspension, profile, email, phone,
// erasure, deletion of a pending child) runs in the store, then increments
// the counter before it returns, whether it succeeded or not (a failed call
// may still have changed the row). An entry counts only while it carries the
// current generation, and a reader that missed fills the cache only if the
// generation it saw before reading the store is still current, checked in
// Redis by one script. So a reader that read the old user just before a write
// cannot store it after the write: the write's increment makes its fill a
// no-op. Entries and counters are read from Redis on every call, never from a
// client-side cache, so every instance sees a change as soon as the write
// returns.
//
// When Redis fails, reads go to the store. An increment that failed is kept
// and written once Redis answers; until then a copy cached before the change
// may be served by an instance that still reaches Redis, for at most TTL.
//
// The increment follows the store's call, so its calls must not run inside a
// transaction of the store (ports.Transactor) that commits later: core makes
// no user change inside one.
type UserCache struct {
	inner  UserStore
	health *health
	prefix string
	ttl    time.Duration
	// fillWindow is the longest a miss may take between reading the
	// generation and filling: longer, and the counter could have expired
	// and come back to the value read.
	fillWindow time.Duration

	pending pendingIDs // users whose increment failed
}

var (
	_ ports.UserDirectory = (*UserCache)(nil)
	_ ports.UserRegistry  = (*UserCache)(nil)
	_ ports.ErasureStore  = (*UserCache)(nil)
	_ ports.GuardianStore = (*UserCache)(nil)

	_ ports.AccountHoldsReader = (*UserCache)(nil)
)

// generationTTLFactor sets how long a counter outlives the entries tagged
// with it: an entry lives TTL, a counter generationTTLFactor × TTL after its
// last increment, and a fill later than TTL after its read is dropped.
const generationTTLFactor = 10

// NewUserCache returns a UserCache over inner. It fails on a nil inner store
// or client, a negative duration, a TTL under Redis' 1 ms resolution, or a
// bad prefix.
func NewUserCache(inner UserStore, client rueidis.Client, o UserCacheOptions) (*UserCache, error) {
	if inner == nil {
		return nil, errors.New("redis: nil inner UserStore")
	}
	h, prefix, err := newKeyed(client, "user cache", o.Prefix, "ba:user:", o.Timeout, o.Logger, o.Clock, o.LogInterval)
	if err != nil {
		return nil, err
	}
	if o.TTL < 0 || (o.TTL > 0 && o.TTL < time.Millisecond) {
		return nil, errors.New("redis: user cache TTL must be at least 1 ms (or 0 for the default)")
	}
	ttl := orDefault(o.TTL, time.Minute)
	return &UserCache{inner: inner, health: h, prefix: prefix, ttl: ttl, fillWindow: ttl}, nil
}

// The keys of one user share their hash tag, so that the scripts can touch
// both on a cluster: whatever braces the prefix holds, the first tag of
// either key is the same.
func (c *UserCache) generationKey(id string) string { return c.prefix + "{" + id + "}g" }
func (c *UserCache) entryKey(id string) string      { return c.prefix + "{" + id + "}u" }

// A cached user is its generation, a '|' and the user as JSON (every field of
// ports.User under its Go name, so a field added to the struct is cached with
// it). A missing counter is generation 0.

// fillScript caches a user read from the store if the generation the reader
// saw before that read is still current. KEYS[1] the counter, KEYS[2] the
// entry; ARGV[1] the generation read, ARGV[2] the value, ARGV[3] the TTL in ms.
const fillScript = `
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
`

// UserByID returns the user from the cache when its entry is current, else
// from the store (then caching it). A missing user is never cached.
func (c *UserCache) UserByID(ctx context.Context, id string) (ports.User, error) {
	if c.pending.any() && !c.health.bypass() {
		c.changed(ctx)
	}
	read := time.Now()
	generation, u, hit, reachable := c.cached(ctx, id)
	if hit {
		return u, nil
	}
	u, err := c.inner.UserByID(ctx, id)
	if err != nil || !reachable || time.Since(read) >= c.fillWindow {
		return u, err
	}
	body, err := json.Marshal(u)
	if err != nil {
		return u, nil
	}
	c.health.pipeline(ctx, c.health.client.B().Eval().Script(fillScript).Numkeys(2).
		Key(c.generationKey(id), c.entryKey(id)).
		Arg(generation, generation+"|"+string(body), strconv.FormatInt(c.ttl.Milliseconds(), 10)).Build())
	return u, nil
}

// cached reads the user's counter and entry in one round trip. hit is true
// for an entry of the current generation; generation is the current one
// ("0" when there is no counter); reachable is false when Redis failed or is
// being skipped.
func (c *UserCache) cached(ctx context.Context, id string) (generation string, u ports.User, hit, reachable bool) {
	if c.health.bypass() {
		return "", ports.User{}, false, false
	}
	cctx, cancel := c.health.callCtx(ctx)
	defer cancel()
	vals, err := c.health.client.Do(cctx, c.health.client.B().Mget().Key(c.generationKey(id), c.entryKey(id)).Build()).ToArray()
	if err == nil && len(vals) != 2 {
		err = errors.New("redis: MGET answered the wrong number of values")
	}
	if err != nil {
		c.health.failed(ctx, err)
		return "", ports.User{}, false, false
	}
	c.health.ok()
	generation = "0"
	if g, err := vals[0].ToString(); err == nil {
		generation = g
	}
	entry, err := vals[1].ToString()
	if err != nil {
		return generation, ports.User{}, false, true
	}
	tag, body, ok := strings.Cut(entry, "|")
	if !ok || tag != generation || json.Unmarshal([]byte(body), &u) != nil || u.ID != id {
		return generation, ports.User{}, false, true
	}
	return generation, u, true, true
}

// changed increments the generation of each user and drops their entries, so
// that no copy read before the change is served or stored after it. It never
// bypasses; users whose increment failed are kept and incremented with the
// next change, or by the next read that reaches Redis, before it reads.
func (c *UserCache) changed(ctx context.Context, ids ...string) {
	if c.pending.any() {
		ids = append(ids, c.pending.take()...)
	}
	if len(ids) == 0 {
		return
	}
	genTTL := generationTTLFactor * c.ttl.Milliseconds()
	cmds := make([]rueidis.Completed, 0, 3*len(ids))
	for _, id := range ids {
		cmds = append(cmds,
			c.health.client.B().Incr().Key(c.generationKey(id)).Build(),
			c.health.client.B().Pexpire().Key(c.generationKey(id)).Milliseconds(genTTL).Build(),
			c.health.client.B().Del().Key(c.entryKey(id)).Build())
	}
	if !c.health.pipeline(ctx, cmds...) {
		c.pending.add(ids)
	}
}

// UserByEmail reads the store: a lookup by email or username is not cached
// (its key would change with the user).
func (c *UserCache) UserByEmail(ctx context.Context, email string) (ports.User, error) {
	return c.inner.UserByEmail(ctx, email)
}

// UserByUsername reads the store, as UserByEmail.
func (c *UserCache) UserByUsername(ctx context.Context, username string) (ports.User, error) {
	return c.inner.UserByUsername(ctx, username)
}

// UserByPhone reads the store, as UserByEmail.
func (c *UserCache) UserByPhone(ctx context.Context, phone string) (ports.User, error) {
	return c.inner.UserByPhone(ctx, phone)
}

// CreateUser creates the user in the store; a new user has no entry, and no
// generation is needed (its ID was never read).
func (c *UserCache) CreateUser(ctx context.Context, u ports.NewUser) (ports.User, error) {
	return c.inner.CreateUser(ctx, u)
}

// MarkEmailVerified changes the user in the store, then in the cache.
func (c *UserCache) MarkEmailVerified(ctx context.Context, userID string, at time.Time) error {
	defer c.changed(ctx, userID)
	return c.inner.MarkEmailVerified(ctx, userID, at)
}

// SetSuspended changes the user in the store, then in the cache.
func (c *UserCache) SetSuspended(ctx context.Context, userID string, suspended bool) error {
	defer c.changed(ctx, userID)
	return c.inner.SetSuspended(ctx, userID, suspended)
}

// UpdateProfile changes the user in the store, then in the cache.
func (c *UserCache) UpdateProfile(ctx context.Context, userID string, p ports.Profile) (ports.User, error) {
	defer c.changed(ctx, userID)
	return c.inner.UpdateProfile(ctx, userID, p)
}

// ChangeEmail changes the user in the store, then in the cache.
func (c *UserCache) ChangeEmail(ctx context.Context, userID, email string, at time.Time) (ports.User, error) {
	defer c.changed(ctx, userID)
	return c.inner.ChangeEmail(ctx, userID, email, at)
}

// MarkPhoneVerified changes the user in the store, then in the cache.
func (c *UserCache) MarkPhoneVerified(ctx context.Context, userID string, at time.Time) error {
	defer c.changed(ctx, userID)
	return c.inner.MarkPhoneVerified(ctx, userID, at)
}

// ChangePhone changes the user in the store, then in the cache.
func (c *UserCache) ChangePhone(ctx context.Context, userID, phone string, at time.Time) (ports.User, error) {
	defer c.changed(ctx, userID)
	return c.inner.ChangePhone(ctx, userID, phone, at)
}

// ReleaseUnprovenPhone changes the user in the store, then drops it from
// the cache.
func (c *UserCache) ReleaseUnprovenPhone(ctx context.Context, phone string) (string, error) {
	id, err := c.inner.ReleaseUnprovenPhone(ctx, phone)
	if err == nil {
		c.changed(ctx, id)
	}
	return id, err
}

// ReleaseUnprovenEmail changes the user in the store, then drops it from
// the cache.
func (c *UserCache) ReleaseUnprovenEmail(ctx context.Context, email string) (string, error) {
	id, err := c.inner.ReleaseUnprovenEmail(ctx, email)
	if err == nil {
		c.changed(ctx, id)
	}
	return id, err
}

// ClearProfile changes the user in the store, then in the cache.
func (c *UserCache) ClearProfile(ctx context.Context, userID string) error {
	defer c.changed(ctx, userID)
	return c.inner.ClearProfile(ctx, userID)
}

// EraseUser erases the user in the store, then drops them from the cache.
func (c *UserCache) EraseUser(ctx context.Context, e ports.UserErasure) (ports.ErasureRecord, error) {
	defer c.changed(ctx, e.UserID)
	return c.inner.EraseUser(ctx, e)
}

// DeletePendingChildren deletes the children in the store, then drops them
// from the cache.
func (c *UserCache) DeletePendingChildren(ctx context.Context, requestedBefore time.Time) ([]string, error) {
	erased, err := c.inner.DeletePendingChildren(ctx, requestedBefore)
	c.changed(ctx, erased...)
	return erased, err
}

// The other calls of ErasureStore and GuardianStore change no user: they go
// to the store as they are.

func (c *UserCache) CreateErasureRequest(ctx context.Context, r ports.ErasureRecord) error {
	return c.inner.CreateErasureRequest(ctx, r)
}

func (c *UserCache) ErasureRequest(ctx context.Context, id string) (ports.ErasureRecord, error) {
	return c.inner.ErasureRequest(ctx, id)
}

func (c *UserCache) ErasureRequestByStatusHash(ctx context.Context, hash string) (ports.ErasureRecord, error) {
	return c.inner.ErasureRequestByStatusHash(ctx, hash)
}

func (c *UserCache) ErasureRequests(ctx context.Context, userID string) ([]ports.ErasureRecord, error) {
	return c.inner.ErasureRequests(ctx, userID)
}

func (c *UserCache) DueErasureRequests(ctx context.Context, now time.Time, limit int) ([]ports.ErasureRecord, error) {
	return c.inner.DueErasureRequests(ctx, now, limit)
}

func (c *UserCache) CancelErasureRequest(ctx context.Context, id string, at time.Time) (ports.ErasureRecord, error) {
	return c.inner.CancelErasureRequest(ctx, id, at)
}

func (c *UserCache) Guardianship(ctx context.Context, childID string) (ports.Guardianship, error) {
	return c.inner.Guardianship(ctx, childID)
}

func (c *UserCache) ConfirmGuardianship(ctx context.Context, childID string, g ports.GuardianConfirmation) (ports.Guardianship, error) {
	return c.inner.ConfirmGuardianship(ctx, childID, g)
}

func (c *UserCache) GuardianChildren(ctx context.Context, guardianID string) ([]ports.Guardianship, error) {
	return c.inner.GuardianChildren(ctx, guardianID)
}

func (c *UserCache) DiscardGuardianship(ctx context.Context, childID string) error {
	return c.inner.DiscardGuardianship(ctx, childID)
}

func (c *UserCache) AccountHolds(ctx context.Context, userID string) (ports.AccountHolds, error) {
	return c.inner.AccountHolds(ctx, userID)
}
