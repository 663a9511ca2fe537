package redis

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/redis/rueidis"
)

// SessionCacheOptions tunes a SessionCache. The zero value works.
type SessionCacheOptions struct {
	// Prefix starts every key; default "ba:sess:".
	Prefix string
	// TTL is how long an entry lives in Redis and, at most, in an instance's
	// client-side cache; default 1 minute. It bounds how stale an entry can be
	// when a tombstone could not be written because Redis was failing; in
	// normal operation changes reach every instance at once.
	TTL time.Duration
	// ReuseIndexTTL is how long a refresh-token hash can still be traced to its
	// session when the inner repo's RotateRefresh reports ErrReused without
	// returning the session; default 24 h; negative turns the index off. It
	// costs one small key per session creation or rotation.
	ReuseIndexTTL time.Duration
	// Timeout bounds each Redis call; default 200 ms.
	Timeout time.Duration
	// Logger receives the throttled failure lines; default slog.Default().
	Logger *slog.Logger
	// LogInterval is the least time between two failure lines; default 30 s.
	LogInterval time.Duration
	// Clock times the log throttle only; default ports.SystemClock.
	Clock ports.Clock
}

// SessionCache is a ports.SessionRepo in front of the store's repo, which stays
// the source of truth. Session(id) is served from rueidis client-side caching:
// a hot session is read without a network round trip. Every call that changes
// a session rewrites its Redis entry after the inner repo succeeded, and Redis
// then invalidates the copy in every app instance (server-assisted
// invalidation):
//
//   - a revocation (RevokeSessions, RotateRefresh with ErrReused) writes a
//     tombstone with a plain SET; a revoked session never becomes active again,
//     so a tombstone is final;
//   - a reader that missed fills with SET NX, and an update (rotation, step-up
//     marks) uses a script that never replaces a tombstone or a newer version,
//     so an instance that read "active" just before a revocation cannot
//     overwrite its tombstone.
//
// When Redis fails, every method answers from the inner repo.
type SessionCache struct {
	inner    ports.SessionRepo
	health   *health
	prefix   string
	ttl      time.Duration
	reuseTTL time.Duration

	// Tombstones that could not be written because Redis was failing; they
	// are written again once Redis answers, so a revocation made during an
	// outage does not wait for the entry's TTL.
	pending pendingIDs

	memo *decodedMemo
}

var _ ports.SessionRepo = (*SessionCache)(nil)

// NewSessionCache returns a SessionCache over inner. It fails on a nil inner
// repo or client, a negative duration (ReuseIndexTTL excepted) or a bad prefix.
func NewSessionCache(inner ports.SessionRepo, client rueidis.Client, o SessionCacheOptions) (*SessionCache, error) {
	if inner == nil {
		return nil, errors.New("redis: nil inner SessionRepo")
	}
	h, prefix, err := newKeyed(client, "session cache", o.Prefix, "ba:sess:", o.Timeout, o.Logger, o.Clock, o.LogInterval)
	if err != nil {
		return nil, err
	}
	if o.TTL < 0 {
		return nil, errors.New("redis: negative session cache TTL")
	}
	reuseTTL := o.ReuseIndexTTL
	if reuseTTL == 0 {
		reuseTTL = 24 * time.Hour
	}
	return &SessionCache{
		inner:    inner,
		health:   h,
		prefix:   prefix,
		ttl:      orDefault(o.TTL, time.Minute),
		reuseTTL: reuseTTL,
		memo:     &decodedMemo{},
	}, nil
}

// CreateSession stores s in the inner repo and indexes its refresh hash. It
// does not cache s: the store may normalise it (PostgreSQL keeps microseconds),
// so the first Session read caches what the store holds.
func (c *SessionCache) CreateSession(ctx context.Context, s ports.Session) error {
	if err := c.inner.CreateSession(ctx, s); err != nil {
		return err
	}
	if c.health.bypass() {
		return nil
	}
	c.do(ctx, c.indexCmd(nil, s)...)
	return nil
}

// Session returns the session from the cache, or from the inner repo (then
// caching it) on a miss or a Redis failure.
func (c *SessionCache) Session(ctx context.Context, id string) (ports.Session, error) {
	if c.pending.any() && !c.health.bypass() {
		c.retryTombstones(ctx)
	}
	s, found, reachable := c.cached(ctx, id)
	if found {
		return s, nil
	}
	s, err := c.inner.Session(ctx, id)
	if err != nil || !reachable {
		return s, err
	}
	c.do(ctx, c.fillCmd(nil, s)...)
	return s, nil
}

// Sessions lists the user's sessions from the inner repo: the list is not on a
// hot path and must include sessions this instance never saw.
func (c *SessionCache) Sessions(ctx context.Context, userID string) ([]ports.Session, error) {
	return c.inner.Sessions(ctx, userID)
}

// SessionByRefresh reads the inner repo: it precedes a rotation, which goes
// there anyway, and a cached entry may hold a hash already rotated away.
func (c *SessionCache) SessionByRefresh(ctx context.Context, hash string, now time.Time) (ports.Session, error) {
	return c.inner.SessionByRefresh(ctx, hash, now)
}

// RotateRefresh rotates in the inner repo and then updates the cached entry; on
// ErrReused it tombstones the revoked session.
func (c *SessionCache) RotateRefresh(ctx context.Context, oldHash, newHash string, now time.Time, grace time.Duration) (ports.Session, error) {
	s, err := c.inner.RotateRefresh(ctx, oldHash, newHash, now, grace)
	switch {
	case err == nil:
		if !c.health.bypass() {
			c.do(ctx, c.indexCmd(c.updateCmd(nil, s), s)...)
		}
		return s, nil
	case errors.Is(err, ports.ErrReused):
		id := s.ID
		if id == "" {
			id = c.sessionOfHash(ctx, oldHash)
		}
		if id != "" {
			c.tombstone(ctx, []string{id})
		}
		c.refreshUser(ctx, s.UserID) // reuse forgot the device on the user's other sessions too
		return s, err
	default:
		return s, err
	}
}

// RevokeSessions revokes in the inner repo and then tombstones every revoked
// session, so that no instance serves it as active any more.
func (c *SessionCache) RevokeSessions(ctx context.Context, r ports.Revocation, now time.Time) ([]string, error) {
	ids, err := c.inner.RevokeSessions(ctx, r, now)
	if err != nil {
		return ids, err
	}
	c.tombstone(ctx, ids)
	if r.ForgetDevices {
		userID := r.UserID
		if userID == "" && len(ids) > 0 {
			if s, err := c.inner.Session(ctx, ids[0]); err == nil {
				userID = s.UserID
			}
		}
		c.refreshUser(ctx, userID)
	}
	return ids, nil
}

// refreshUser rewrites the cached entry of every session of userID from the
// inner repo: forgetting a device un-verifies sessions that were not revoked,
// and a cached copy must not keep calling them known.
func (c *SessionCache) refreshUser(ctx context.Context, userID string) {
	if userID == "" || c.health.bypass() {
		return
	}
	all, err := c.inner.Sessions(ctx, userID)
	if err != nil {
		return
	}
	var cmds []rueidis.Completed
	for _, s := range all {
		cmds = c.updateCmd(cmds, s)
	}
	if len(cmds) > 0 {
		c.do(ctx, cmds...)
	}
}

// refresh re-reads a session the inner repo just changed and stores it with the
// update rule (or as a tombstone when it is revoked by now).
func (c *SessionCache) refresh(ctx context.Context, id string) {
	if c.health.bypass() {
		return
	}
	s, err := c.inner.Session(ctx, id)
	if err != nil {
		return
	}
	c.do(ctx, c.updateCmd(nil, s)...)
}

// cached reads the entry through the client-side cache. found is true for an
// entry with data; reachable is false when Redis failed or is being skipped.
func (c *SessionCache) cached(ctx context.Context, id string) (s ports.Session, found, reachable bool) {
	if c.health.bypass() {
		return ports.Session{}, false, false
	}
	cctx, cancel := c.health.callCtx(ctx)
	defer cancel()
	v, err := c.health.client.DoCache(cctx, c.health.client.B().Get().Key(c.key(id)).Cache(), c.ttl).ToString()
	if rueidis.IsRedisNil(err) {
		c.health.ok()
		return ports.Session{}, false, true
	}
	if err != nil {
		c.health.failed(ctx, err)
		return ports.Session{}, false, false
	}
	c.health.ok()
	s, err = c.memo.decode(id, v)
	if err != nil {
		// A bare tombstone or a foreign value: ask the store, and do not fill
		// over it (a fill would be refused anyway).
		return ports.Session{}, false, false
	}
	return s, true, true
}

// tombstone marks the sessions revoked in Redis with plain SETs, whatever the
// entries held. It never bypasses: a missed tombstone leaves an instance
// serving a revoked session until the entry's TTL ends.
func (c *SessionCache) tombstone(ctx context.Context, ids []string) {
	if len(ids) == 0 {
		return
	}
	cmds := make([]rueidis.Completed, 0, 2*len(ids))
	for _, id := range ids {
		value := bareTombstone
		if s, err := c.inner.Session(ctx, id); err == nil && !s.RevokedAt.IsZero() {
			if enc, err := encodeSession(s); err == nil {
				value = enc
			}
		}
		cmds = c.written(cmds, c.health.client.B().Set().Key(c.key(id)).Value(value).Px(c.ttl).Build(), c.key(id))
	}
	if !c.do(ctx, cmds...) {
		c.pending.add(ids)
	}
}

// retryTombstones writes the tombstones an outage held back.
func (c *SessionCache) retryTombstones(ctx context.Context) {
	c.tombstone(ctx, c.pending.take())
}

// do runs cmds in one pipeline: one round trip (one per node of a cluster,
// where rueidis sends each node its commands in order).
func (c *SessionCache) do(ctx context.Context, cmds ...rueidis.Completed) bool {
	return c.health.pipeline(ctx, cmds...)
}

// written appends, after a write of the session entry key, a read of the same
// key, so this instance reads its own writes: since Redis 7 the invalidation
// of a key this connection cached is sent right after the reply of the write
// that changed it (redis/redis#9422, see redis/rueidis#534), so it arrives
// before the next reply on that connection, and rueidis has dropped the local
// copy by the time DoMulti returns. The read goes to the key's own node (a
// PING would go to any node of a cluster, and rueidis refuses to mix it with
// keyed commands). This holds when reads and writes share one connection per
// node, as with NewClient's options (PipelineMultiplex -1); with several
// connections the local copy may lag the write by the time the push takes to
// arrive. Other instances get their invalidation pushed at the same moment as
// this instance gets the reply: they lag by that network latency.
func (c *SessionCache) written(cmds []rueidis.Completed, write rueidis.Completed, key string) []rueidis.Completed {
	return append(cmds, write, c.health.client.B().Exists().Key(key).Build())
}

// fillCmd appends the command that caches s after a miss: SET NX for an
// active session, so that a tombstone written meanwhile wins; a plain SET for a
// revoked one.
func (c *SessionCache) fillCmd(cmds []rueidis.Completed, s ports.Session) []rueidis.Completed {
	value, err := encodeSession(s)
	if err != nil {
		return cmds
	}
	b := c.health.client.B().Set().Key(c.key(s.ID)).Value(value)
	if s.RevokedAt.IsZero() {
		return c.written(cmds, b.Nx().Px(c.ttl).Build(), c.key(s.ID))
	}
	return c.written(cmds, b.Px(c.ttl).Build(), c.key(s.ID))
}

// updateCmd appends the command that stores a changed session: the update
// script for an active one (never over a tombstone or a newer version), a
// plain SET for a revoked one. The script goes as EVAL so that it can share the
// pipeline; Redis keeps its compiled form.
func (c *SessionCache) updateCmd(cmds []rueidis.Completed, s ports.Session) []rueidis.Completed {
	value, err := encodeSession(s)
	if err != nil {
		return cmds
	}
	if !s.RevokedAt.IsZero() {
		return c.written(cmds, c.health.client.B().Set().Key(c.key(s.ID)).Value(value).Px(c.ttl).Build(), c.key(s.ID))
	}
	return c.written(cmds, c.health.client.B().Eval().Script(updateScript).Numkeys(1).Key(c.key(s.ID)).
		Arg(value, strconv.FormatInt(c.ttl.Milliseconds(), 10)).Build(), c.key(s.ID))
}

// indexCmd maps the session's current refresh hash to its ID, for ErrReused
// from an inner repo that does not return the revoked session.
func (c *SessionCache) indexCmd(cmds []rueidis.Completed, s ports.Session) []rueidis.Completed {
	if c.reuseTTL < 0 || s.RefreshHash == "" {
		return cmds
	}
	return append(cmds, c.health.client.B().Set().Key(c.hashKey(s.RefreshHash)).Value(s.ID).Px(c.reuseTTL).Build())
}

func (c *SessionCache) sessionOfHash(ctx context.Context, hash string) string {
	if c.reuseTTL < 0 {
		return ""
	}
	cctx, cancel := c.health.callCtx(ctx)
	defer cancel()
	id, err := c.health.client.Do(cctx, c.health.client.B().Get().Key(c.hashKey(hash)).Build()).ToString()
	if err != nil && !rueidis.IsRedisNil(err) {
		c.health.failed(ctx, err)
	}
	return id
}

func (c *SessionCache) key(id string) string       { return c.prefix + "s:" + id }
func (c *SessionCache) hashKey(hash string) string { return c.prefix + "h:" + hash }
