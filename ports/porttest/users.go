package porttest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/consentchain"
)

// UserRegistry checks a managed-mode user store: UserRegistry together with
// the UserDirectory and CredentialStore views of the same backend.
func UserRegistry(t *testing.T, newStores NewStores) {
	t.Helper()
	uses := []string{"Users", "Registry", "Credentials"}

	t.Run("a cancelled context is passed through", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		_, err := s.Registry.CreateUser(cancelled(t), ports.NewUser{Email: "ctx@example.com", PasswordHash: "h", CreatedAt: baseTime()})
		assertCancelled(t, err)
	})

	t.Run("create assigns an ID and every lookup finds the user", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		ctx := t.Context()
		at := baseTime()
		u, err := s.Registry.CreateUser(ctx, ports.NewUser{
			Email: "A@Example.com", Username: "asha", DisplayName: "Asha",
			Language: "hi", PasswordHash: "$argon2id$stub-a", CreatedAt: at,
		})
		require.NoError(t, err)
		require.NotEmpty(t, u.ID)
		assert.True(t, strings.EqualFold(u.Email, "a@example.com"))
		assert.False(t, u.EmailVerified)
		assert.False(t, u.Suspended)

		lookups := []struct {
			name string
			find func() (ports.User, error)
		}{
			{"by lower-case email", func() (ports.User, error) { return s.Users.UserByEmail(ctx, "a@example.com") }},
			{"by upper-case email", func() (ports.User, error) { return s.Users.UserByEmail(ctx, "A@EXAMPLE.COM") }},
			{"by username", func() (ports.User, error) { return s.Users.UserByUsername(ctx, "asha") }},
			{"by ID", func() (ports.User, error) { return s.Users.UserByID(ctx, u.ID) }},
		}
		for _, l := range lookups {
			got, err := l.find()
			require.NoError(t, err, l.name)
			assert.Equal(t, u.ID, got.ID, l.name)
			assert.True(t, strings.EqualFold("a@example.com", got.Email), l.name)
			assert.Equal(t, "asha", got.Username, l.name)
			assert.Equal(t, "Asha", got.DisplayName, l.name)
			assert.Equal(t, "hi", got.Language, l.name)
			assert.True(t, at.Equal(got.CreatedAt), "%s: CreatedAt %v, want %v", l.name, got.CreatedAt, at)
		}
	})

	t.Run("usernames compare case-insensitively", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		ctx := t.Context()
		u, err := s.Registry.CreateUser(ctx, ports.NewUser{Email: "asha@example.com", Username: "Asha", PasswordHash: "h", CreatedAt: baseTime()})
		require.NoError(t, err)
		for _, name := range []string{"Asha", "asha", "ASHA"} {
			got, err := s.Users.UserByUsername(ctx, name)
			require.NoError(t, err, name)
			assert.Equal(t, u.ID, got.ID, name)
			assert.True(t, strings.EqualFold("asha", got.Username), "%s: username %q", name, got.Username)
		}

		_, err = s.Registry.CreateUser(ctx, ports.NewUser{Email: "other@example.com", Username: "asha", PasswordHash: "h2", CreatedAt: baseTime()})
		require.ErrorIs(t, err, ports.ErrConflict, `"asha" is taken by "Asha"`)
		_, err = s.Users.UserByEmail(ctx, "other@example.com")
		assert.ErrorIs(t, err, ports.ErrNotFound, "a refused user must not exist")
	})

	t.Run("users without a username do not collide", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		ctx := t.Context()
		a, err := s.Registry.CreateUser(ctx, ports.NewUser{Email: "one@example.com", PasswordHash: "h1", CreatedAt: baseTime()})
		require.NoError(t, err)
		b, err := s.Registry.CreateUser(ctx, ports.NewUser{Email: "two@example.com", PasswordHash: "h2", CreatedAt: baseTime()})
		require.NoError(t, err)
		assert.NotEqual(t, a.ID, b.ID)
		_, err = s.Users.UserByUsername(ctx, "")
		assert.ErrorIs(t, err, ports.ErrNotFound, "the empty username matches no one")
	})

	t.Run("taken email or username is a conflict and creates nothing", func(t *testing.T) {
		t.Parallel()
		cases := []struct {
			name   string
			second ports.NewUser
		}{
			{"same email", ports.NewUser{Email: "ravi@example.com", Username: "other1"}},
			{"email differing only in case", ports.NewUser{Email: "RAVI@Example.COM", Username: "other2"}},
			{"taken username", ports.NewUser{Email: "someone.else@example.com", Username: "ravi"}},
			{"username differing only in case", ports.NewUser{Email: "someone.else@example.com", Username: "Ravi"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				s := fresh(t, newStores, uses...)
				ctx := t.Context()
				_, err := s.Registry.CreateUser(ctx, ports.NewUser{Email: "ravi@example.com", Username: "ravi", PasswordHash: "h", CreatedAt: baseTime()})
				require.NoError(t, err)
				c.second.PasswordHash, c.second.CreatedAt = "h2", baseTime()
				_, err = s.Registry.CreateUser(ctx, c.second)
				require.ErrorIs(t, err, ports.ErrConflict)
				if !strings.EqualFold(c.second.Username, "ravi") {
					_, err = s.Users.UserByUsername(ctx, c.second.Username)
					assert.ErrorIs(t, err, ports.ErrNotFound, "a refused user must not exist")
				}
				if !strings.EqualFold(c.second.Email, "ravi@example.com") {
					_, err = s.Users.UserByEmail(ctx, c.second.Email)
					assert.ErrorIs(t, err, ports.ErrNotFound, "a refused user must not exist")
				}
			})
		}
	})

	t.Run("unknown users are not found", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		ctx := t.Context()
		_, err := s.Registry.CreateUser(ctx, ports.NewUser{Email: "known@example.com", Username: "known", PasswordHash: "h", CreatedAt: baseTime()})
		require.NoError(t, err)
		_, err = s.Users.UserByEmail(ctx, "unknown@example.com")
		assert.ErrorIs(t, err, ports.ErrNotFound)
		_, err = s.Users.UserByUsername(ctx, "unknown")
		assert.ErrorIs(t, err, ports.ErrNotFound)
		_, err = s.Users.UserByID(ctx, newID("usr_"))
		assert.ErrorIs(t, err, ports.ErrNotFound)
		assert.ErrorIs(t, s.Registry.MarkEmailVerified(ctx, newID("usr_"), baseTime()), ports.ErrNotFound)
		assert.ErrorIs(t, s.Registry.SetSuspended(ctx, newID("usr_"), true), ports.ErrNotFound)
	})

	t.Run("create appends the initial consent rows as the start of the chain", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, append(uses, "Consents")...)
		ctx := t.Context()
		at := baseTime()
		rows := []ports.ConsentRecord{
			{Category: "identity", Granted: true, NoticeVersion: "1.0.0", NoticeLanguage: "hi", IPAddress: "203.0.113.7", UserAgent: "ua", RecordedAt: at},
			{Category: "analytics", Granted: false, NoticeVersion: "1.0.0", NoticeLanguage: "hi", IPAddress: "203.0.113.7", UserAgent: "ua", RecordedAt: at},
		}
		u, err := s.Registry.CreateUser(ctx, ports.NewUser{Email: "consent@example.com", PasswordHash: "h", CreatedAt: at, Consents: rows})
		require.NoError(t, err)
		history, err := s.Consents.ConsentHistory(ctx, u.ID)
		require.NoError(t, err)
		require.Len(t, history, 2)
		prev := ""
		for i, r := range history {
			assert.Equal(t, u.ID, r.UserID)
			assert.Equal(t, int64(i+1), r.Seq)
			assert.Equal(t, rows[i].Category, r.Category)
			assert.Equal(t, rows[i].Granted, r.Granted)
			assert.Equal(t, prev, r.PrevHash)
			assert.Equal(t, consentchain.Hash(prev, r), r.Hash)
			prev = r.Hash
		}
		more, err := s.Consents.AppendConsents(ctx, u.ID, []ports.ConsentRecord{{Category: "analytics", Granted: true, NoticeVersion: "1.0.0", RecordedAt: at}})
		require.NoError(t, err)
		assert.Equal(t, int64(3), more[0].Seq, "later appends continue the chain")
		assert.Equal(t, prev, more[0].PrevHash)

		_, err = s.Registry.CreateUser(ctx, ports.NewUser{Email: "CONSENT@example.com", PasswordHash: "h", CreatedAt: at, Consents: rows})
		require.ErrorIs(t, err, ports.ErrConflict)
		again, err := s.Consents.ConsentHistory(ctx, u.ID)
		require.NoError(t, err)
		assert.Len(t, again, 3, "a refused create appends nothing")
	})

	t.Run("create stores the password hash", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		ctx := t.Context()
		u, err := s.Registry.CreateUser(ctx, ports.NewUser{Email: "hash@example.com", PasswordHash: "$argon2id$stub-hash", CreatedAt: baseTime()})
		require.NoError(t, err)
		c, err := s.Credentials.Credentials(ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, u.ID, c.UserID)
		assert.Equal(t, "$argon2id$stub-hash", c.PasswordHash)
		assert.Empty(t, c.PINHash)
	})

	t.Run("verified and suspended show in lookups", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		ctx := t.Context()
		u, err := s.Registry.CreateUser(ctx, ports.NewUser{Email: "state@example.com", PasswordHash: "h", CreatedAt: baseTime()})
		require.NoError(t, err)
		require.NoError(t, s.Registry.MarkEmailVerified(ctx, u.ID, baseTime()))
		require.NoError(t, s.Registry.MarkEmailVerified(ctx, u.ID, baseTime()), "idempotent")
		got, err := s.Users.UserByID(ctx, u.ID)
		require.NoError(t, err)
		assert.True(t, got.EmailVerified)
		assert.False(t, got.Suspended)

		require.NoError(t, s.Registry.SetSuspended(ctx, u.ID, true))
		got, err = s.Users.UserByEmail(ctx, "STATE@example.com")
		require.NoError(t, err)
		assert.True(t, got.Suspended)
		assert.True(t, got.EmailVerified)

		require.NoError(t, s.Registry.SetSuspended(ctx, u.ID, false))
		got, err = s.Users.UserByID(ctx, u.ID)
		require.NoError(t, err)
		assert.False(t, got.Suspended)
	})

	t.Run("parallel creates of one email: exactly one wins", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		ctx := t.Context()
		winner := createInParallel(t, s.Registry, func(i int) ports.NewUser {
			email := "race@example.com"
			if i%2 == 1 {
				email = "RACE@Example.com"
			}
			return ports.NewUser{Email: email, Username: fmt.Sprintf("racer%d", i), PasswordHash: "h", CreatedAt: baseTime()}
		})
		got, err := s.Users.UserByEmail(ctx, "race@example.com")
		require.NoError(t, err)
		assert.Equal(t, winner, got.ID)
	})

	t.Run("parallel creates of one username in two cases: exactly one wins", func(t *testing.T) {
		t.Parallel()
		s := fresh(t, newStores, uses...)
		ctx := t.Context()
		winner := createInParallel(t, s.Registry, func(i int) ports.NewUser {
			username := "racer"
			if i%2 == 1 {
				username = "RACER"
			}
			return ports.NewUser{Email: fmt.Sprintf("racer%d@example.com", i), Username: username, PasswordHash: "h", CreatedAt: baseTime()}
		})
		got, err := s.Users.UserByUsername(ctx, "Racer")
		require.NoError(t, err)
		assert.Equal(t, winner, got.ID)
	})
}

// createInParallel runs parallelCalls creates of users that collide, and
// returns the ID of the one that succeeded; every other must be a conflict.
func createInParallel(t *testing.T, r ports.UserRegistry, user func(i int) ports.NewUser) string {
	t.Helper()
	ids := make([]string, parallelCalls)
	errs := make([]error, parallelCalls)
	together(parallelCalls, func(i int) {
		u, err := r.CreateUser(t.Context(), user(i))
		ids[i], errs[i] = u.ID, err
	})
	winner := ""
	for i, err := range errs {
		if err == nil {
			require.Empty(t, winner, "two colliding creates succeeded")
			winner = ids[i]
			continue
		}
		assert.Truef(t, errors.Is(err, ports.ErrConflict), "call %d: %v, want ErrConflict", i, err)
	}
	require.NotEmpty(t, winner, "no create succeeded")
	return winner
}
