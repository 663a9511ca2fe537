package redis

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/rueidis"

	"github.com/bharatauth/bharatauth-go/ports"
)

// SessionUserCache is a SessionCache that also keeps each session's user, for
// a store that reads both at once (ports.SessionUsers): a "who am I" request
// on a cached session then needs no store call, and a refresh reads the user
// with its rotation. Use it as Deps.Sessions, and its Registry as
// Deps.Registry: every change of a user through that registry (verification,
// suspension, a cleared profile) replaces the cached copy with a marker, in
// every instance at once, and a reader that missed cannot fill over the
// marker until it expires (changeMarkerTTL). A change made around the registry (an
// admin tool writing the row) shows once the entry's TTL has passed.
type SessionUserCache struct {
	*SessionCache
	inner ports.SessionUsers
}

var _ ports.SessionUsers = (*SessionUserCache)(nil)

// NewSessionUserCache returns sessions keeping users too, read from inner (the
// store sessions wraps). It fails when either is nil.
func NewSessionUserCache(sessions *SessionCache, inner ports.SessionUsers) (*SessionUserCache, error) {
	if sessions == nil || inner == nil {
		return nil, errors.New("redis: nil SessionCache or inner SessionUsers")
	}
	return &SessionUserCache{SessionCache: sessions, inner: inner}, nil
}

// A cached user is "U" and the user as JSON; "X" marks a user that changed
// within the TTL (readers ask the store, and fills are refused).
const (
	userEntry   = 'U'
	changedUser = "X"
)

// cachedUserRow is the cached form of ports.User; CreatedAt in Unix
// nanoseconds, so it comes back exactly (in UTC).
type cachedUserRow struct {
	ID            string `json:"id"`
	Email         string `json:"e"`
	Username      string `json:"un,omitempty"`
	DisplayName   string `json:"dn,omitempty"`
	Language      string `json:"l,omitempty"`
	EmailVerified bool   `json:"ev,omitempty"`
	Suspended     bool   `json:"s,omitempty"`
	CreatedAt     int64  `json:"c"`
}

// SessionUser returns the session and its user from the cache, or both from
// the inner store in one call (then caching both) when either is missing or
// Redis fails.
func (c *SessionUserCache) SessionUser(ctx context.Context, id string) (ports.Session, ports.User, error) {
	if c.pendingN.Load() > 0 && !c.health.bypass() {
		c.retryTombstones(ctx)
	}
	s, found, reachable := c.cached(ctx, id)
	if found {
		if u, ok := c.cachedUser(ctx, s.UserID); ok {
			return s, u, nil
		}
	}
	s, u, err := c.inner.SessionUser(ctx, id)
	if err != nil || !reachable {
		return s, u, err
	}
	c.do(ctx, c.userFillCmd(c.fillCmd(nil, s), u)...)
	return s, u, nil
}

// RotateRefreshUser rotates in the inner store, reading the user with the
// rotation, and updates the cache as RotateRefresh does.
func (c *SessionUserCache) RotateRefreshUser(ctx context.Context, oldHash, newHash string, now time.Time, grace time.Duration) (ports.Session, ports.User, error) {
	s, u, err := c.inner.RotateRefreshUser(ctx, oldHash, newHash, now, grace)
	c.rotated(ctx, oldHash, s, err)
	return s, u, err
}

// Registry wraps reg so that every change of a user marks its cached copy
// changed; hand it to core as Deps.Registry.
func (c *SessionUserCache) Registry(reg ports.UserRegistry) ports.UserRegistry {
	return userRegistry{UserRegistry: reg, cache: c}
}

// cachedUser reads the user through the client-side cache; ok is false on a
// miss, a change marker or a Redis failure.
func (c *SessionUserCache) cachedUser(ctx context.Context, userID string) (ports.User, bool) {
	if c.health.bypass() {
		return ports.User{}, false
	}
	cctx, cancel := c.health.callCtx(ctx)
	defer cancel()
	v, err := c.health.client.DoCache(cctx, c.health.client.B().Get().Key(c.userKey(userID)).Cache(), c.ttl).ToString()
	if err != nil {
		if !rueidis.IsRedisNil(err) {
			c.health.failed(ctx, err)
		}
		return ports.User{}, false
	}
	c.health.ok()
	var row cachedUserRow
	if len(v) < 2 || v[0] != userEntry || json.Unmarshal([]byte(v[1:]), &row) != nil || row.ID != userID {
		return ports.User{}, false
	}
	return ports.User{ID: row.ID, Email: row.Email, Username: row.Username, DisplayName: row.DisplayName,
		Language: row.Language, EmailVerified: row.EmailVerified, Suspended: row.Suspended,
		CreatedAt: fromNanos(row.CreatedAt)}, true
}

// userFillCmd appends the SET NX that caches u after a miss, so that a change
// marker written meanwhile wins; nothing for the zero User.
func (c *SessionUserCache) userFillCmd(cmds []rueidis.Completed, u ports.User) []rueidis.Completed {
	if u.ID == "" {
		return cmds
	}
	body, err := json.Marshal(cachedUserRow{ID: u.ID, Email: u.Email, Username: u.Username,
		DisplayName: u.DisplayName, Language: u.Language, EmailVerified: u.EmailVerified,
		Suspended: u.Suspended, CreatedAt: nanos(u.CreatedAt)})
	if err != nil {
		return cmds
	}
	value := string(userEntry) + string(body)
	return append(cmds, c.health.client.B().Set().Key(c.userKey(u.ID)).Value(value).Nx().Px(c.ttl).Build())
}

// changeMarkerTTL is how long a change marker refuses fills: longer than a
// reader can take between reading a user from the store and filling the
// cache (the store's and Redis's call bounds, 5 s and 200 ms by default), so
// a copy read before the change cannot land after the marker expires. The
// entry's TTL, when shorter, bounds it too.
const changeMarkerTTL = 10 * time.Second

// userChanged marks the cached copy of the user changed, with a plain SET
// over whatever the entry held. A failure is only counted by the health
// check: the entry then ages out with its TTL.
func (c *SessionUserCache) userChanged(ctx context.Context, userID string) {
	c.do(ctx, c.health.client.B().Set().Key(c.userKey(userID)).Value(changedUser).Px(min(c.ttl, changeMarkerTTL)).Build())
}

func (c *SessionUserCache) userKey(userID string) string { return c.prefix + "u:" + userID }

// userRegistry is a UserRegistry whose changes mark the cached user changed.
// The marker is written whether or not the change succeeded: a failed call
// may still have changed the row.
type userRegistry struct {
	ports.UserRegistry
	cache *SessionUserCache
}

func (r userRegistry) MarkEmailVerified(ctx context.Context, userID string, at time.Time) error {
	err := r.UserRegistry.MarkEmailVerified(ctx, userID, at)
	r.cache.userChanged(ctx, userID)
	return err
}

func (r userRegistry) SetSuspended(ctx context.Context, userID string, suspended bool) error {
	err := r.UserRegistry.SetSuspended(ctx, userID, suspended)
	r.cache.userChanged(ctx, userID)
	return err
}

func (r userRegistry) ClearProfile(ctx context.Context, userID string) error {
	err := r.UserRegistry.ClearProfile(ctx, userID)
	r.cache.userChanged(ctx, userID)
	return err
}
