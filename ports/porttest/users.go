package porttest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// createUser creates u, which must succeed.
func createUser(t *testing.T, r ports.UserRegistry, u ports.NewUser) ports.User {
	t.Helper()
	if u.PasswordHash == "" {
		u.PasswordHash = "$argon2id$stub"
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = baseTime()
	}
	created, err := r.CreateUser(t.Context(), u)
	require.NoError(t, err)
	return created
}

// assertNoUser checks that no user has the email or the username; an empty
// one is not looked up.
func assertNoUser(t *testing.T, users ports.UserDirectory, email, username string) {
	t.Helper()
	if email != "" {
		_, err := users.UserByEmail(t.Context(), email)
		assert.ErrorIs(t, err, ports.ErrNotFound, "no user has email %q", email)
	}
	if username != "" {
		_, err := users.UserByUsername(t.Context(), username)
		assert.ErrorIs(t, err, ports.ErrNotFound, "no user has username %q", username)
	}
}

func testRegistryCancelled(t *testing.T, s ManagedStorage) {
	_, err := s.CreateUser(cancelled(t), ports.NewUser{Email: "ctx@example.com", PasswordHash: "h", CreatedAt: baseTime()})
	assertCancelled(t, err)
}

func testCreateReturnsUser(t *testing.T, s ManagedStorage) {
	at := baseTime()
	u := createUser(t, s, ports.NewUser{
		Email: "A@Example.com", Username: "asha", DisplayName: "Asha", Language: "hi", CreatedAt: at,
	})
	require.NotEmpty(t, u.ID)
	assert.True(t, strings.EqualFold(u.Email, "a@example.com"))
	assert.Equal(t, "asha", u.Username)
	assert.Equal(t, "Asha", u.DisplayName)
	assert.Equal(t, "hi", u.Language)
	assert.True(t, at.Equal(u.CreatedAt), "CreatedAt %v, want %v", u.CreatedAt, at)
	assert.False(t, u.EmailVerified)
	assert.False(t, u.Suspended)
	got, err := s.UserByID(t.Context(), u.ID)
	require.NoError(t, err)
	assert.Equal(t, u.ID, got.ID)
}

func testUsernameTakenInAnyCase(t *testing.T, s ManagedStorage) {
	u := createUser(t, s, ports.NewUser{Email: "asha@example.com", Username: "Asha"})
	for _, name := range []string{"Asha", "asha", "ASHA"} {
		got, err := s.UserByUsername(t.Context(), name)
		require.NoError(t, err, name)
		assert.Equal(t, u.ID, got.ID, name)
		assert.True(t, strings.EqualFold("asha", got.Username), "%s: username %q", name, got.Username)
	}
	_, err := s.CreateUser(t.Context(), ports.NewUser{Email: "other@example.com", Username: "asha", PasswordHash: "h2", CreatedAt: baseTime()})
	require.ErrorIs(t, err, ports.ErrConflict, `"asha" is taken by "Asha"`)
	assertNoUser(t, s, "other@example.com", "")
}

func testUsersWithoutUsernameDoNotCollide(t *testing.T, s ManagedStorage) {
	a := createUser(t, s, ports.NewUser{Email: "one@example.com"})
	b := createUser(t, s, ports.NewUser{Email: "two@example.com"})
	assert.NotEqual(t, a.ID, b.ID)
	_, err := s.UserByUsername(t.Context(), "")
	assert.ErrorIs(t, err, ports.ErrNotFound, "the empty username matches no one")
}

func testTakenIdentityConflicts(t *testing.T, s ManagedStorage) {
	otherEmail := func() string { return newID("someone") + "@example.com" }
	cases := []struct {
		name   string
		second func(email, username string) ports.NewUser
	}{
		{"same email", func(email, _ string) ports.NewUser {
			return ports.NewUser{Email: email, Username: newID("other")}
		}},
		{"email differing only in case", func(email, _ string) ports.NewUser {
			return ports.NewUser{Email: strings.ToUpper(email), Username: newID("other")}
		}},
		{"taken username", func(_, username string) ports.NewUser {
			return ports.NewUser{Email: otherEmail(), Username: username}
		}},
		{"username differing only in case", func(_, username string) ports.NewUser {
			return ports.NewUser{Email: otherEmail(), Username: strings.ToUpper(username)}
		}},
	}
	// Each case takes names of its own, so all share one backend.
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			username := newID("ravi")
			email := username + "@example.com"
			createUser(t, s, ports.NewUser{Email: email, Username: username})
			second := c.second(email, username)
			second.PasswordHash, second.CreatedAt = "h2", baseTime()
			_, err := s.CreateUser(t.Context(), second)
			require.ErrorIs(t, err, ports.ErrConflict)
			refused := second // what is not the first user's must not exist
			if strings.EqualFold(refused.Email, email) {
				refused.Email = ""
			}
			if strings.EqualFold(refused.Username, username) {
				refused.Username = ""
			}
			assertNoUser(t, s, refused.Email, refused.Username)
		})
	}
}

func testRegistryUnknownUser(t *testing.T, s ManagedStorage) {
	createUser(t, s, ports.NewUser{Email: "known@example.com", Username: "known"})
	assert.ErrorIs(t, s.MarkEmailVerified(t.Context(), newID("usr_"), baseTime()), ports.ErrNotFound)
	assert.ErrorIs(t, s.SetSuspended(t.Context(), newID("usr_"), true), ports.ErrNotFound)
	assert.ErrorIs(t, s.ClearProfile(t.Context(), newID("usr_")), ports.ErrNotFound)
}

func testClearProfile(t *testing.T, s ManagedStorage) {
	ctx := t.Context()
	name := newID("chosen_")
	u := createUser(t, s, ports.NewUser{Email: name + "@example.com", Username: name, DisplayName: "Pay at evil.example", Language: "hi"})
	require.NoError(t, s.ClearProfile(ctx, u.ID))
	got, err := s.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.Empty(t, got.DisplayName)
	assert.Empty(t, got.Username)
	assert.Empty(t, got.Language)
	assert.Equal(t, u.Email, got.Email, "the email stays")
	_, err = s.UserByUsername(ctx, name)
	assert.ErrorIs(t, err, ports.ErrNotFound, "the username no longer finds the user")
	other := createUser(t, s, ports.NewUser{Email: newID("next_") + "@example.com", Username: name})
	assert.Equal(t, name, other.Username, "the username is free for others")
	require.NoError(t, s.ClearProfile(ctx, u.ID), "clearing twice is fine")
}

func testCreateStartsConsentChain(t *testing.T, s ManagedStorage) {
	ctx, at := t.Context(), baseTime()
	rows := []ports.ConsentRecord{
		{Category: "identity", Granted: true, NoticeVersion: "1.0.0", NoticeLanguage: "hi", IPAddress: "203.0.113.7", UserAgent: "ua", RecordedAt: at},
		{Category: "analytics", Granted: false, NoticeVersion: "1.0.0", NoticeLanguage: "hi", IPAddress: "203.0.113.7", UserAgent: "ua", RecordedAt: at},
	}
	key := []byte("checkpoint-key")
	u := createUser(t, s, ports.NewUser{Email: "consent@example.com", CreatedAt: at,
		Consents: ports.ConsentAppend{Rows: rows, CheckpointKey: key}})
	history := consentHistory(t, s, u.ID)
	require.Len(t, history, 2)
	verifyChain(t, history)
	for i, r := range history {
		assert.Equal(t, u.ID, r.UserID)
		assert.Equal(t, rows[i].Category, r.Category)
		assert.Equal(t, rows[i].Granted, r.Granted)
	}
	assertCheckpoint(t, s, key, history[1])
	prev := history[1].Hash
	more, err := s.AppendConsents(ctx, u.ID, ports.ConsentAppend{Rows: []ports.ConsentRecord{
		{Category: "analytics", Granted: true, NoticeVersion: "1.0.0", RecordedAt: at}}})
	require.NoError(t, err)
	assert.Equal(t, int64(3), more[0].Seq, "later appends continue the chain")
	assert.Equal(t, prev, more[0].PrevHash)

	_, err = s.CreateUser(ctx, ports.NewUser{Email: "CONSENT@example.com", PasswordHash: "h", CreatedAt: at,
		Consents: ports.ConsentAppend{Rows: rows, CheckpointKey: key, Notify: true}})
	require.ErrorIs(t, err, ports.ErrConflict)
	assert.Len(t, consentHistory(t, s, u.ID), 3, "a refused create appends nothing")
	if outbox, ok := s.(ports.ConsentOutbox); ok {
		claimed, err := outbox.ClaimConsentChanges(ctx, at.Add(time.Hour), time.Minute, 10)
		require.NoError(t, err)
		assert.Empty(t, claimed, "a refused create queues no change")
	}
}

func testCreateStoresPasswordHash(t *testing.T, s ManagedStorage) {
	u := createUser(t, s, ports.NewUser{Email: "hash@example.com", PasswordHash: "$argon2id$stub-hash"})
	c := readCredentials(t, s, u.ID)
	assert.Equal(t, u.ID, c.UserID)
	assert.Equal(t, "$argon2id$stub-hash", c.PasswordHash)
	assert.Empty(t, c.PINHash)
}

func testVerifiedAndSuspendedShow(t *testing.T, s ManagedStorage) {
	ctx := t.Context()
	u := createUser(t, s, ports.NewUser{Email: "state@example.com"})
	require.NoError(t, s.MarkEmailVerified(ctx, u.ID, baseTime()))
	require.NoError(t, s.MarkEmailVerified(ctx, u.ID, baseTime()), "idempotent")
	got, err := s.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.True(t, got.EmailVerified)
	assert.False(t, got.Suspended)

	require.NoError(t, s.SetSuspended(ctx, u.ID, true))
	got, err = s.UserByEmail(ctx, "STATE@example.com")
	require.NoError(t, err)
	assert.True(t, got.Suspended)
	assert.True(t, got.EmailVerified)

	require.NoError(t, s.SetSuspended(ctx, u.ID, false))
	got, err = s.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.False(t, got.Suspended)
}

// createInParallel runs parallelCalls creates of users that collide, and
// returns the ID of the one that succeeded; every other must be a conflict.
func createInParallel(t *testing.T, r ports.UserRegistry, user func(i int) ports.NewUser) string {
	t.Helper()
	ids := make([]string, parallelCalls)
	winner := oneWinner(t, func(i int) error {
		u, err := r.CreateUser(t.Context(), user(i))
		ids[i] = u.ID
		return err
	}, ports.ErrConflict)
	return ids[winner]
}

func testCreateEmailHasOneWinner(t *testing.T, s ManagedStorage) {
	winner := createInParallel(t, s, func(i int) ports.NewUser {
		email := "race@example.com"
		if i%2 == 1 {
			email = "RACE@Example.com"
		}
		return ports.NewUser{Email: email, Username: fmt.Sprintf("racer%d", i), PasswordHash: "h", CreatedAt: baseTime()}
	})
	got, err := s.UserByEmail(t.Context(), "race@example.com")
	require.NoError(t, err)
	assert.Equal(t, winner, got.ID)
}

func testCreateUsernameHasOneWinner(t *testing.T, s ManagedStorage) {
	winner := createInParallel(t, s, func(i int) ports.NewUser {
		username := "racer"
		if i%2 == 1 {
			username = "RACER"
		}
		return ports.NewUser{Email: fmt.Sprintf("racer%d@example.com", i), Username: username, PasswordHash: "h", CreatedAt: baseTime()}
	})
	got, err := s.UserByUsername(t.Context(), "Racer")
	require.NoError(t, err)
	assert.Equal(t, winner, got.ID)
}

func testUpdateProfile(t *testing.T, s ManagedStorage) {
	ctx := t.Context()
	u := createUser(t, s, ports.NewUser{Email: "asha@example.com", Username: "asha", DisplayName: "Asha", Language: "en"})
	createUser(t, s, ports.NewUser{Email: "ravi@example.com", Username: "Ravi"})

	_, err := s.UpdateProfile(ctx, u.ID, ports.Profile{Username: "ravi", DisplayName: "x"})
	require.ErrorIs(t, err, ports.ErrConflict, "another user's username, in another case")
	got, err := s.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, "Asha", got.DisplayName, "a refused update changes nothing")

	got, err = s.UpdateProfile(ctx, u.ID, ports.Profile{Username: "AshaR", DisplayName: "आशा", Language: "hi"})
	require.NoError(t, err)
	assert.Equal(t, ports.Profile{Username: "AshaR", DisplayName: "आशा", Language: "hi"},
		ports.Profile{Username: got.Username, DisplayName: got.DisplayName, Language: got.Language})
	found, err := s.UserByUsername(ctx, "asHAr")
	require.NoError(t, err)
	assert.Equal(t, u.ID, found.ID)
	_, err = s.UserByUsername(ctx, "asha")
	require.ErrorIs(t, err, ports.ErrNotFound, "the old username is free")
	createUser(t, s, ports.NewUser{Email: "other@example.com", Username: "asha"})

	_, err = s.UpdateProfile(ctx, u.ID, ports.Profile{Username: "AshaR", DisplayName: "Asha R"})
	require.NoError(t, err, "keeping one's own username is no conflict")
	got, err = s.UpdateProfile(ctx, u.ID, ports.Profile{})
	require.NoError(t, err)
	assert.Empty(t, got.Username, "an empty username removes it")
	_, err = s.UpdateProfile(ctx, newID("usr_"), ports.Profile{})
	require.ErrorIs(t, err, ports.ErrNotFound)
}

func testChangeEmail(t *testing.T, s ManagedStorage) {
	ctx := t.Context()
	u := createUser(t, s, ports.NewUser{Email: "asha@example.com"})
	createUser(t, s, ports.NewUser{Email: "ravi@example.com"})

	_, err := s.ChangeEmail(ctx, u.ID, "RAVI@example.com", baseTime())
	require.ErrorIs(t, err, ports.ErrConflict)
	got, err := s.ChangeEmail(ctx, u.ID, "asha.new@example.com", baseTime())
	require.NoError(t, err)
	assert.Equal(t, "asha.new@example.com", got.Email)
	assert.True(t, got.EmailVerified, "the new inbox was proved")
	found, err := s.UserByEmail(ctx, "Asha.New@example.com")
	require.NoError(t, err)
	assert.Equal(t, u.ID, found.ID)
	_, err = s.UserByEmail(ctx, "asha@example.com")
	require.ErrorIs(t, err, ports.ErrNotFound, "the old address finds no one")
	createUser(t, s, ports.NewUser{Email: "asha@example.com"}) // and is free
	_, err = s.ChangeEmail(ctx, newID("usr_"), "x@example.com", baseTime())
	require.ErrorIs(t, err, ports.ErrNotFound)
}
