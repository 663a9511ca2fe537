package redis_test

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	bredis "github.com/bharatauth/bharatauth-go/adapters/redis"
	"github.com/bharatauth/bharatauth-go/ports"
)

// countingUsers is the memory store with a count of UserByID reads, to tell
// cache hits from store reads, and an optional hook run after each read
// (before the cache may fill), to interleave a reader with a writer.
type countingUsers struct {
	*memory.Store
	reads     atomic.Int64
	afterRead func(ports.User)
}

func (c *countingUsers) UserByID(ctx context.Context, id string) (ports.User, error) {
	c.reads.Add(1)
	u, err := c.Store.UserByID(ctx, id)
	if c.afterRead != nil {
		c.afterRead(u)
	}
	return u, err
}

func newUserCache(t *testing.T, c rueidis.Client, inner bredis.UserStore, p string) *bredis.UserCache {
	t.Helper()
	uc, err := bredis.NewUserCache(inner, c, bredis.UserCacheOptions{Prefix: p, TTL: time.Hour,
		Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	return uc
}

func createTestUser(t *testing.T, s ports.UserRegistry, email string, guardian *ports.Guardianship) ports.User {
	t.Helper()
	u, err := s.CreateUser(t.Context(), ports.NewUser{Email: email, DisplayName: "Asha", Language: "hi",
		Phone: "+9198765" + strconv.Itoa(10000+rand.IntN(90000)), PasswordHash: "h", CreatedAt: time.Now().UTC(), Guardian: guardian})
	require.NoError(t, err)
	return u
}

func TestNewUserCacheValidates(t *testing.T) {
	t.Parallel()
	c := shared(t)
	_, err := bredis.NewUserCache(nil, c, bredis.UserCacheOptions{})
	require.Error(t, err)
	_, err = bredis.NewUserCache(memory.New(), nil, bredis.UserCacheOptions{})
	require.Error(t, err)
	_, err = bredis.NewUserCache(memory.New(), c, bredis.UserCacheOptions{TTL: -time.Second})
	require.Error(t, err)
	_, err = bredis.NewUserCache(memory.New(), c, bredis.UserCacheOptions{TTL: time.Millisecond - 1})
	require.Error(t, err, "under Redis' resolution")
	_, err = bredis.NewUserCache(memory.New(), c, bredis.UserCacheOptions{TTL: time.Millisecond})
	require.NoError(t, err)
	_, err = bredis.NewUserCache(memory.New(), c, bredis.UserCacheOptions{Prefix: "a b"})
	require.Error(t, err)
}

// TestUserCacheServesUsersWithoutTheStore: after one read, UserByID is
// answered from Redis, exactly as the store answered it.
func TestUserCacheServesUsersWithoutTheStore(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	inner := &countingUsers{Store: memory.New()}
	uc := newUserCache(t, c, inner, prefix(t, c))
	u := createTestUser(t, inner, "asha@example.in", nil)
	for range 3 {
		got, err := uc.UserByID(t.Context(), u.ID)
		require.NoError(t, err)
		assert.Equal(t, u, got)
	}
	assert.Equal(t, int64(1), inner.reads.Load(), "store reads")

	_, err := uc.UserByID(t.Context(), "usr_nobody")
	require.ErrorIs(t, err, ports.ErrNotFound)
	_, err = uc.UserByID(t.Context(), "usr_nobody")
	require.ErrorIs(t, err, ports.ErrNotFound)
	assert.Equal(t, int64(3), inner.reads.Load(), "a missing user is never cached")
}

// TestUserCacheKeepsEveryFieldOfUser: every field of ports.User survives the
// cache, so a field added to the struct is cached with it.
func TestUserCacheKeepsEveryFieldOfUser(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	var u ports.User
	v := reflect.ValueOf(&u).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("v" + v.Type().Field(i).Name)
		case reflect.Bool:
			f.SetBool(true)
		default:
			if f.Type() == reflect.TypeOf(time.Time{}) {
				f.Set(reflect.ValueOf(time.Date(2026, 12, 1, 10, 11, 12, 13000, time.UTC)))
				continue
			}
			t.Fatalf("ports.User.%s: a field of kind %s that this test cannot fill", v.Type().Field(i).Name, f.Kind())
		}
	}
	uc := newUserCache(t, c, fixedUser{Store: memory.New(), u: u}, prefix(t, c))
	_, err := uc.UserByID(t.Context(), u.ID) // fills
	require.NoError(t, err)
	got, err := uc.UserByID(t.Context(), u.ID)
	require.NoError(t, err)
	assert.Equal(t, u, got)
}

// fixedUser answers every UserByID with u; the first call is a miss, later
// ones must come from the cache to equal u after reads.
type fixedUser struct {
	*memory.Store
	u ports.User
}

func (f fixedUser) UserByID(context.Context, string) (ports.User, error) { return f.u, nil }

// TestUserCacheShowsEveryChangeAtOnce: each write that changes a user,
// through one instance, shows in that instance and in another one as soon as
// it returns; both had the old user cached.
func TestUserCacheShowsEveryChangeAtOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, tc := range []struct {
		name  string
		child bool
		prove string // "email" or "phone": verified in the store before the user is cached
		write func(t *testing.T, uc *bredis.UserCache, s *memory.Store, u ports.User)
		want  func(u ports.User) ports.User // zero: the user is gone
	}{
		{name: "email verified", write: func(t *testing.T, uc *bredis.UserCache, _ *memory.Store, u ports.User) {
			require.NoError(t, uc.MarkEmailVerified(ctx, u.ID, time.Now()))
		}, want: func(u ports.User) ports.User { u.EmailVerified = true; return u }},
		{name: "suspended", write: func(t *testing.T, uc *bredis.UserCache, _ *memory.Store, u ports.User) {
			require.NoError(t, uc.SetSuspended(ctx, u.ID, true))
		}, want: func(u ports.User) ports.User { u.Suspended = true; return u }},
		{name: "profile updated", write: func(t *testing.T, uc *bredis.UserCache, _ *memory.Store, u ports.User) {
			_, err := uc.UpdateProfile(ctx, u.ID, ports.Profile{Username: "asha", DisplayName: "Asha R", Language: "ta"})
			require.NoError(t, err)
		}, want: func(u ports.User) ports.User {
			u.Username, u.DisplayName, u.Language = "asha", "Asha R", "ta"
			return u
		}},
		{name: "email changed", write: func(t *testing.T, uc *bredis.UserCache, _ *memory.Store, u ports.User) {
			_, err := uc.ChangeEmail(ctx, u.ID, "new-"+u.Email, time.Now())
			require.NoError(t, err)
		}, want: func(u ports.User) ports.User { u.Email, u.EmailVerified = "new-"+u.Email, true; return u }},
		{name: "phone verified", write: func(t *testing.T, uc *bredis.UserCache, _ *memory.Store, u ports.User) {
			require.NoError(t, uc.MarkPhoneVerified(ctx, u.ID, time.Now()))
		}, want: func(u ports.User) ports.User { u.PhoneVerified = true; return u }},
		{name: "phone changed", write: func(t *testing.T, uc *bredis.UserCache, _ *memory.Store, u ports.User) {
			_, err := uc.ChangePhone(ctx, u.ID, "+919876500001", time.Now())
			require.NoError(t, err)
		}, want: func(u ports.User) ports.User { u.Phone, u.PhoneVerified = "+919876500001", true; return u }},
		{name: "unproven phone released", prove: "email", write: func(t *testing.T, uc *bredis.UserCache, _ *memory.Store, u ports.User) {
			mustRelease(t, uc.ReleaseUnprovenPhone, u.Phone, u.ID)
		}, want: func(u ports.User) ports.User { u.Phone = ""; return u }},
		{name: "unproven email released", prove: "phone", write: func(t *testing.T, uc *bredis.UserCache, _ *memory.Store, u ports.User) {
			mustRelease(t, uc.ReleaseUnprovenEmail, u.Email, u.ID)
		}, want: func(u ports.User) ports.User { u.Email = ""; return u }},
		{name: "profile cleared", write: func(t *testing.T, uc *bredis.UserCache, _ *memory.Store, u ports.User) {
			require.NoError(t, uc.ClearProfile(ctx, u.ID))
		}, want: func(u ports.User) ports.User { u.Username, u.DisplayName, u.Language = "", "", ""; return u }},
		{name: "erased", write: func(t *testing.T, uc *bredis.UserCache, _ *memory.Store, u ports.User) {
			now := time.Now().UTC()
			r := ports.ErasureRecord{ID: randomID("era_"), UserID: u.ID, Email: u.Email, StatusHash: newHash(),
				Status: ports.ErasureReceived, ReceivedAt: now, DueAt: now.Add(time.Hour)}
			require.NoError(t, uc.CreateErasureRequest(ctx, r))
			_, err := uc.EraseUser(ctx, ports.UserErasure{RequestID: r.ID, UserID: u.ID, At: now})
			require.NoError(t, err)
		}},
		{name: "pending child deleted", child: true, write: func(t *testing.T, uc *bredis.UserCache, _ *memory.Store, u ports.User) {
			erased, err := uc.DeletePendingChildren(ctx, time.Now().Add(time.Hour))
			require.NoError(t, err)
			require.Equal(t, []string{u.ID}, erased)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := memory.New()
			c1, c2 := newClient(t), newClient(t)
			p := prefix(t, c1)
			a, b := newUserCache(t, c1, store, p), newUserCache(t, c2, store, p)
			var guardian *ports.Guardianship
			if tc.child {
				guardian = &ports.Guardianship{GuardianEmail: "parent@example.in", RequestedAt: time.Now().UTC(),
					DateOfBirth: time.Date(2014, 5, 17, 0, 0, 0, 0, time.UTC)}
			}
			u := createTestUser(t, store, randomID("u")+"@example.in", guardian)
			switch tc.prove {
			case "email":
				require.NoError(t, store.MarkEmailVerified(ctx, u.ID, time.Now()))
				u.EmailVerified = true
			case "phone":
				require.NoError(t, store.MarkPhoneVerified(ctx, u.ID, time.Now()))
				u.PhoneVerified = true
			}
			for _, uc := range []*bredis.UserCache{a, b} {
				for range 2 { // the second read is a hit
					got, err := uc.UserByID(ctx, u.ID)
					require.NoError(t, err)
					require.Equal(t, u, got)
				}
			}
			tc.write(t, a, store, u)
			for name, uc := range map[string]*bredis.UserCache{"writer": a, "other instance": b} {
				got, err := uc.UserByID(ctx, u.ID)
				if tc.want == nil {
					require.ErrorIs(t, err, ports.ErrNotFound, "%s served the deleted user", name)
					continue
				}
				require.NoError(t, err)
				assert.Equal(t, tc.want(u), got, "%s", name)
			}
		})
	}
}

// mustRelease releases identifier by release, which must find userID.
func mustRelease(t *testing.T, release func(context.Context, string) (string, error), identifier, userID string) {
	t.Helper()
	id, err := release(t.Context(), identifier)
	require.NoError(t, err)
	require.Equal(t, userID, id)
}

// TestUserCacheNeverStoresWhatAWriteReplaced is the race of a reader and a
// writer: the reader reads the old user from the store, the writer changes
// it and returns, and only then does the reader try to cache what it read.
// That fill must not land: after the write, every read sees the change.
func TestUserCacheNeverStoresWhatAWriteReplaced(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := memory.New()
	u := createTestUser(t, store, "race@example.in", nil)
	c1, c2 := newClient(t), newClient(t)
	p := prefix(t, c1)
	readDone, writeDone := make(chan struct{}), make(chan struct{})
	slow := &countingUsers{Store: store}
	var once sync.Once
	slow.afterRead = func(got ports.User) {
		once.Do(func() {
			assert.False(t, got.Suspended, "the reader read the old user")
			close(readDone)
			<-writeDone
		})
	}
	reader, writer := newUserCache(t, c1, slow, p), newUserCache(t, c2, store, p)

	stale := make(chan ports.User, 1)
	go func() {
		got, err := reader.UserByID(ctx, u.ID)
		assert.NoError(t, err)
		stale <- got
	}()
	waitFor(t, readDone)
	require.NoError(t, writer.SetSuspended(ctx, u.ID, true))
	close(writeDone)
	old := receive(t, stale)
	assert.False(t, old.Suspended, "the read that began before the write answers what it read")
	for name, uc := range map[string]*bredis.UserCache{"reader": reader, "writer": writer} {
		got, err := uc.UserByID(ctx, u.ID)
		require.NoError(t, err)
		assert.True(t, got.Suspended, "%s served the user from before the write", name)
	}
}

// TestUserCacheReadersAndWritersAgree: readers in two instances read while a
// writer renames the user many times (name n is the n-th write); every read
// that begins after the n-th write returned sees write n or a later one.
func TestUserCacheReadersAndWritersAgree(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := memory.New()
	u := createTestUser(t, store, "flip@example.in", nil)
	_, err := store.UpdateProfile(ctx, u.ID, ports.Profile{DisplayName: "0"})
	require.NoError(t, err)
	c1, c2 := newClient(t), newClient(t)
	p := prefix(t, c1)
	caches := []*bredis.UserCache{newUserCache(t, c1, store, p), newUserCache(t, c2, store, p)}
	var written atomic.Int64 // the writes that returned
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			uc := caches[i%2]
			for {
				select {
				case <-stop:
					return
				default:
				}
				before := written.Load()
				got, err := uc.UserByID(ctx, u.ID)
				if !assert.NoError(t, err) {
					return
				}
				seen, err := strconv.ParseInt(got.DisplayName, 10, 64)
				if !assert.NoError(t, err) || !assert.GreaterOrEqual(t, seen, before, "a read after write %d saw write %d", before, seen) {
					return
				}
			}
		}()
	}
	for i := 1; i <= 300; i++ {
		_, err := caches[i%2].UpdateProfile(ctx, u.ID, ports.Profile{DisplayName: strconv.Itoa(i)})
		require.NoError(t, err)
		written.Store(int64(i))
	}
	close(stop)
	wg.Wait()
}

// TestUserCacheFallsBackWhenRedisFails: with Redis down, reads and writes go
// to the store; a change made during the outage is not hidden by the copy
// Redis held from before it, once Redis is back.
func TestUserCacheFallsBackWhenRedisFails(t *testing.T) {
	t.Parallel()
	srv := startPrivateRedis(t)
	c, err := bredis.NewClient(srv.addr(), bredis.ClientOptions{})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	ctx := t.Context()
	inner := &countingUsers{Store: memory.New()}
	uc := newUserCache(t, c, inner, "")
	u := createTestUser(t, inner, "down@example.in", nil)
	_, err = uc.UserByID(ctx, u.ID) // Redis now holds the user
	require.NoError(t, err)
	require.NoError(t, c.Do(ctx, c.B().Save().Build()).Error())

	srv.stop()
	require.NoError(t, uc.SetSuspended(ctx, u.ID, true), "the store changed; the cache write failed quietly")
	got, err := uc.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.True(t, got.Suspended, "the store's answer while Redis is down")
	srv.start() // with the entry from before the change

	for start := time.Now(); time.Since(start) < 2*probeWait; time.Sleep(10 * time.Millisecond) {
		got, err := uc.UserByID(ctx, u.ID)
		require.NoError(t, err)
		require.True(t, got.Suspended, "served the pre-outage entry after %v", time.Since(start))
	}
	reads := inner.reads.Load()
	got, err = uc.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.True(t, got.Suspended)
	assert.Equal(t, reads, inner.reads.Load(), "served from Redis again")
}

// TestUserCacheOnACluster: a user's counter and entry share a hash tag, so the
// fill script that touches both runs on a cluster, whatever braces the prefix
// holds (an unclosed "{" in it would otherwise split them).
func TestUserCacheOnACluster(t *testing.T) {
	t.Parallel()
	c := sharedCluster(t)
	ctx := t.Context()
	for _, suffix := range []string{"", "{open:", "{tag}:"} {
		store := &countingUsers{Store: memory.New()}
		uc := newUserCache(t, c, store, prefix(t, c)+suffix)
		u := createTestUser(t, store, randomID("u")+"@example.in", nil)
		for range 2 {
			got, err := uc.UserByID(ctx, u.ID)
			require.NoError(t, err)
			require.Equal(t, u, got)
		}
		require.Equal(t, int64(1), store.reads.Load(), "prefix %q: the second read is a hit", suffix)
		require.NoError(t, uc.SetSuspended(ctx, u.ID, true))
		got, err := uc.UserByID(ctx, u.ID)
		require.NoError(t, err)
		assert.True(t, got.Suspended, "prefix %q", suffix)
	}
}
