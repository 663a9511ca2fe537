package porttest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// DirectoryHarness makes the user directories UserDirectory checks: a managed
// backend's, or an external-mode app's own over its user table.
type DirectoryHarness struct {
	// NewDirectory returns a fresh, empty directory, isolated from every other
	// call and cleaned up with t.Cleanup, and seed, which adds u the way the
	// app's own sign-up does and returns the user as the directory reports it
	// then: with the ID the app assigned (u.ID arrives empty) and without the
	// fields the app does not keep. Emails arrive trimmed, with the domain in
	// ASCII form, as core passes them to lookups.
	NewDirectory func(t *testing.T) (dir ports.UserDirectory, seed func(u ports.User) ports.User)
	// NoUsernames says that the app's users have no usernames, so
	// UserByUsername finds no one.
	NoUsernames bool
}

// seededDirectory is one directory under test with the seed that fills it.
type seededDirectory struct {
	ports.UserDirectory
	seed func(u ports.User) ports.User
}

// registryDirectory is the DirectoryHarness of a managed backend: it seeds
// users through the registry, as core's registration does.
func registryDirectory(newStorage func(*testing.T) ManagedStorage) DirectoryHarness {
	return DirectoryHarness{NewDirectory: func(t *testing.T) (ports.UserDirectory, func(ports.User) ports.User) {
		s := newStorage(t)
		return s, func(u ports.User) ports.User {
			created := createUser(t, s, ports.NewUser{
				Email: u.Email, Username: u.Username, DisplayName: u.DisplayName, Language: u.Language, CreatedAt: u.CreatedAt,
			})
			if u.EmailVerified {
				require.NoError(t, s.MarkEmailVerified(t.Context(), created.ID, u.CreatedAt))
				created.EmailVerified = true
			}
			if u.Suspended {
				require.NoError(t, s.SetSuspended(t.Context(), created.ID, true))
				created.Suspended = true
			}
			return created
		}
	}}
}

// person returns a verified, active user to seed, with every field set.
func person(email, username string) ports.User {
	return ports.User{
		Email: email, Username: username, DisplayName: "आशा राव", Language: "hi",
		EmailVerified: true, CreatedAt: baseTime(),
	}
}

// assertSameUser compares every field, CreatedAt with Equal.
func assertSameUser(t *testing.T, want, got ports.User) {
	t.Helper()
	assert.Truef(t, want.CreatedAt.Equal(got.CreatedAt), "CreatedAt: got %v, want %v", got.CreatedAt, want.CreatedAt)
	want.CreatedAt = got.CreatedAt
	assert.Equal(t, want, got)
}

// lookup is one way to find a user.
type lookup struct {
	name string
	find func(ctx context.Context, d ports.UserDirectory) (ports.User, error)
}

func byEmail(email string) lookup {
	return lookup{"email " + email, func(ctx context.Context, d ports.UserDirectory) (ports.User, error) {
		return d.UserByEmail(ctx, email)
	}}
}

func byUsername(username string) lookup {
	return lookup{"username " + username, func(ctx context.Context, d ports.UserDirectory) (ports.User, error) {
		return d.UserByUsername(ctx, username)
	}}
}

func byID(id string) lookup {
	return lookup{"ID " + id, func(ctx context.Context, d ports.UserDirectory) (ports.User, error) {
		return d.UserByID(ctx, id)
	}}
}

// assertFinds checks that every lookup finds want.
func assertFinds(t *testing.T, d ports.UserDirectory, want ports.User, lookups ...lookup) {
	t.Helper()
	for _, l := range lookups {
		got, err := l.find(t.Context(), d)
		if assert.NoError(t, err, l.name) {
			assertSameUser(t, want, got)
		}
	}
}

// assertNotFound checks that every lookup answers ErrNotFound.
func assertNotFound(t *testing.T, d ports.UserDirectory, lookups ...lookup) {
	t.Helper()
	for _, l := range lookups {
		_, err := l.find(t.Context(), d)
		assert.ErrorIs(t, err, ports.ErrNotFound, l.name)
	}
}

func testDirectoryCancelled(t *testing.T, d seededDirectory) {
	u := d.seed(person("ctx@example.com", ""))
	ctx := cancelled(t)
	_, err := d.UserByEmail(ctx, u.Email)
	assertCancelled(t, err)
	_, err = d.UserByID(ctx, u.ID)
	assertCancelled(t, err)
}

func testDirectoryFindsUserAsStored(t *testing.T, d seededDirectory) {
	verified := d.seed(person("asha@example.in", "asha"))
	unverified := person("ravi@example.in", "ravi")
	unverified.EmailVerified, unverified.DisplayName, unverified.Language = false, "", ""
	unverified = d.seed(unverified)
	suspended := person("meera@example.in", "meera")
	suspended.Suspended = true
	suspended = d.seed(suspended)
	for _, u := range []ports.User{verified, unverified, suspended} {
		require.NotEmpty(t, u.ID, "seed returns the user with its ID")
		found := []lookup{byEmail(u.Email), byID(u.ID)}
		if u.Username != "" {
			found = append(found, byUsername(u.Username))
		}
		assertFinds(t, d, u, found...)
	}
}

func testDirectoryEmailIgnoresCase(t *testing.T, d seededDirectory) {
	mixed := d.seed(person("Asha.Rao@Example.in", ""))
	idn := d.seed(person("ravi@xn--bcher-kva.example", "")) // bücher.example
	assertFinds(t, d, mixed, byEmail("asha.rao@example.in"), byEmail("ASHA.RAO@example.in"), byEmail("Asha.Rao@example.in"))
	assertFinds(t, d, idn, byEmail("ravi@xn--bcher-kva.example"), byEmail("RAVI@xn--bcher-kva.example"))
}

func testDirectoryUsernameIgnoresCase(t *testing.T, d seededDirectory) {
	u := d.seed(person("asha@example.in", "Asha_R"))
	assertFinds(t, d, u, byUsername("Asha_R"), byUsername("asha_r"), byUsername("ASHA_R"))
}

func testDirectoryWithoutUsernames(t *testing.T, d seededDirectory) {
	d.seed(person("asha@example.in", "asha"))
	assertNotFound(t, d, byUsername("asha"), byUsername(""))
}

func testDirectoryUnknownNotFound(t *testing.T, d seededDirectory) {
	u := d.seed(person("known@example.in", "known"))
	assertNotFound(t, d,
		byEmail("unknown@example.in"), byEmail("known@example.com"), byEmail(""),
		byUsername("unknown"), byUsername(""),
		byID(newID("usr_")), byID(u.ID+"0"), byID(""))
}

func testDirectoryParallelLookups(t *testing.T, d seededDirectory) {
	u := d.seed(person("asha@example.in", ""))
	lookups := []lookup{byEmail("ASHA@example.in"), byID(u.ID)}
	ctx := t.Context()
	found := make([]ports.User, parallelCalls)
	errs := make([]error, parallelCalls)
	Together(parallelCalls, func(i int) {
		found[i], errs[i] = lookups[i%len(lookups)].find(ctx, d)
	})
	for i := range parallelCalls {
		require.NoError(t, errs[i], "lookup %d", i)
		assertSameUser(t, u, found[i])
	}
}
