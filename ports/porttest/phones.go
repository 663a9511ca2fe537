package porttest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// PhoneStorage is a managed backend that keeps phone numbers.
type PhoneStorage interface {
	ManagedStorage
	ports.PhoneDirectory
	ports.PhoneRegistry
}

const (
	phoneAsha = "+919876543210"
	phoneRavi = "+919812345678"
)

func testPhoneCancelled(t *testing.T, s PhoneStorage) {
	_, err := s.UserByPhone(cancelled(t), phoneAsha)
	assertCancelled(t, err)
}

func testPhoneLookup(t *testing.T, s PhoneStorage) {
	ctx := t.Context()
	u := createUser(t, s, ports.NewUser{Email: "asha@example.com", Phone: phoneAsha, Username: "asha"})
	assert.Equal(t, phoneAsha, u.Phone)
	assert.False(t, u.PhoneVerified)
	for name, find := range map[string]func() (ports.User, error){
		"phone":    func() (ports.User, error) { return s.UserByPhone(ctx, phoneAsha) },
		"email":    func() (ports.User, error) { return s.UserByEmail(ctx, "asha@example.com") },
		"username": func() (ports.User, error) { return s.UserByUsername(ctx, "asha") },
		"id":       func() (ports.User, error) { return s.UserByID(ctx, u.ID) },
	} {
		got, err := find()
		require.NoError(t, err, name)
		assert.Equal(t, u.ID, got.ID, name)
		assert.Equal(t, phoneAsha, got.Phone, name)
		assert.False(t, got.PhoneVerified, name)
	}
}

func testPhoneUnknownNotFound(t *testing.T, s PhoneStorage) {
	ctx := t.Context()
	createUser(t, s, ports.NewUser{Email: "asha@example.com"}) // no number: "" stays no one's
	for _, phone := range []string{"", phoneAsha, "9876543210", "+91 98765 43210", "' OR '1'='1"} {
		_, err := s.UserByPhone(ctx, phone)
		assert.ErrorIs(t, err, ports.ErrNotFound, "%q", phone)
	}
}

func testPhoneOnlyUsersDoNotCollide(t *testing.T, s PhoneStorage) {
	ctx := t.Context()
	a := createUser(t, s, ports.NewUser{Phone: phoneAsha})
	b := createUser(t, s, ports.NewUser{Phone: phoneRavi})
	assert.NotEqual(t, a.ID, b.ID)
	assert.Empty(t, a.Email)
	_, err := s.UserByEmail(ctx, "")
	assert.ErrorIs(t, err, ports.ErrNotFound, "the empty email names no one")
	got, err := s.UserByPhone(ctx, phoneRavi)
	require.NoError(t, err)
	assert.Equal(t, b.ID, got.ID)
	assert.Empty(t, got.Email)
}

func testPhoneTakenConflicts(t *testing.T, s PhoneStorage) {
	ctx := t.Context()
	createUser(t, s, ports.NewUser{Email: "asha@example.com", Phone: phoneAsha})
	_, err := s.CreateUser(ctx, ports.NewUser{Email: "ravi@example.com", Username: "ravi", Phone: phoneAsha, PasswordHash: "h", CreatedAt: baseTime()})
	require.ErrorIs(t, err, ports.ErrConflict)
	assertNoUser(t, s, "ravi@example.com", "ravi")
	_, err = s.CreateUser(ctx, ports.NewUser{Phone: phoneAsha, CreatedAt: baseTime()})
	require.ErrorIs(t, err, ports.ErrConflict, "phone-only, too")
}

func testPhoneMarkVerified(t *testing.T, s PhoneStorage) {
	ctx := t.Context()
	u := createUser(t, s, ports.NewUser{Phone: phoneAsha})
	require.NoError(t, s.MarkPhoneVerified(ctx, u.ID, baseTime()))
	require.NoError(t, s.MarkPhoneVerified(ctx, u.ID, baseTime().Add(1)), "idempotent")
	got, err := s.UserByPhone(ctx, phoneAsha)
	require.NoError(t, err)
	assert.True(t, got.PhoneVerified)
	assert.False(t, got.EmailVerified, "the number, not an email")
	got, err = s.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.True(t, got.PhoneVerified)
	require.ErrorIs(t, s.MarkPhoneVerified(ctx, newID("usr_"), baseTime()), ports.ErrNotFound)
}

func testChangePhone(t *testing.T, s PhoneStorage) {
	ctx := t.Context()
	u := createUser(t, s, ports.NewUser{Email: "asha@example.com", Phone: phoneAsha})
	createUser(t, s, ports.NewUser{Phone: phoneRavi})

	_, err := s.ChangePhone(ctx, u.ID, phoneRavi, baseTime())
	require.ErrorIs(t, err, ports.ErrConflict)
	got, err := s.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, phoneAsha, got.Phone, "a refused change changes nothing")

	const newPhone = "+919900011122"
	got, err = s.ChangePhone(ctx, u.ID, newPhone, baseTime())
	require.NoError(t, err)
	assert.Equal(t, newPhone, got.Phone)
	assert.True(t, got.PhoneVerified, "the new number was proved")
	found, err := s.UserByPhone(ctx, newPhone)
	require.NoError(t, err)
	assert.Equal(t, u.ID, found.ID)
	_, err = s.UserByPhone(ctx, phoneAsha)
	require.ErrorIs(t, err, ports.ErrNotFound, "the old number finds no one")
	createUser(t, s, ports.NewUser{Phone: phoneAsha}) // and is free
	_, err = s.ChangePhone(ctx, newID("usr_"), "+919900011133", baseTime())
	require.ErrorIs(t, err, ports.ErrNotFound)

	email := createUser(t, s, ports.NewUser{Email: "ravi@example.com"})
	got, err = s.ChangePhone(ctx, email.ID, "+919900011144", baseTime())
	require.NoError(t, err, "an email-only account gains a number")
	assert.Equal(t, "ravi@example.com", got.Email)
}

func testCreatePhoneHasOneWinner(t *testing.T, s PhoneStorage) {
	winner := createInParallel(t, s, func(i int) ports.NewUser {
		nu := ports.NewUser{Phone: phoneAsha, PasswordHash: "h", CreatedAt: baseTime()}
		if i%2 == 1 {
			nu.Email = fmt.Sprintf("racer%d@example.com", i)
		}
		return nu
	})
	got, err := s.UserByPhone(t.Context(), phoneAsha)
	require.NoError(t, err)
	assert.Equal(t, winner, got.ID)
}

func testErasureFreesThePhone(t *testing.T, s PhoneStorage) {
	ctx := t.Context()
	u := createUser(t, s, ports.NewUser{Phone: phoneAsha})
	r := createErasure(t, s, newErasure(u.ID, baseTime()))
	_, err := s.EraseUser(ctx, ports.UserErasure{RequestID: r.ID, UserID: u.ID, At: baseTime().Add(time.Hour)})
	require.NoError(t, err)
	_, err = s.UserByPhone(ctx, phoneAsha)
	require.ErrorIs(t, err, ports.ErrNotFound, "the number")
	_, err = s.UserByID(ctx, u.ID)
	require.ErrorIs(t, err, ports.ErrNotFound)
	createUser(t, s, ports.NewUser{Phone: phoneAsha})
}

// squatter creates an account holding email and number, the one named by
// proven verified.
func squatter(t *testing.T, s PhoneStorage, email, phone string, proven string) ports.User {
	t.Helper()
	u := createUser(t, s, ports.NewUser{Email: email, Phone: phone})
	switch proven {
	case "email":
		require.NoError(t, s.MarkEmailVerified(t.Context(), u.ID, baseTime()))
	case "phone":
		require.NoError(t, s.MarkPhoneVerified(t.Context(), u.ID, baseTime()))
	}
	return u
}

func testReleaseUnprovenPhone(t *testing.T, s PhoneStorage) {
	ctx := t.Context()
	u := squatter(t, s, "mallory@example.com", phoneAsha, "email")
	id, err := s.ReleaseUnprovenPhone(ctx, phoneAsha)
	require.NoError(t, err)
	assert.Equal(t, u.ID, id)
	_, err = s.UserByPhone(ctx, phoneAsha)
	require.ErrorIs(t, err, ports.ErrNotFound)
	got, err := s.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.Empty(t, got.Phone)
	assert.False(t, got.PhoneVerified)
	assert.Equal(t, "mallory@example.com", got.Email)
	assert.True(t, got.EmailVerified)
	_, err = s.ReleaseUnprovenPhone(ctx, phoneAsha)
	require.ErrorIs(t, err, ports.ErrNotFound, "released once")
	owner := createUser(t, s, ports.NewUser{Phone: phoneAsha})
	got, err = s.UserByPhone(ctx, phoneAsha)
	require.NoError(t, err)
	assert.Equal(t, owner.ID, got.ID)
}

func testReleaseUnprovenEmail(t *testing.T, s PhoneStorage) {
	ctx := t.Context()
	u := squatter(t, s, "asha@example.com", phoneRavi, "phone")
	id, err := s.ReleaseUnprovenEmail(ctx, "Asha@Example.com")
	require.NoError(t, err, "compared case-insensitively")
	assert.Equal(t, u.ID, id)
	_, err = s.UserByEmail(ctx, "asha@example.com")
	require.ErrorIs(t, err, ports.ErrNotFound)
	got, err := s.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.Empty(t, got.Email)
	assert.False(t, got.EmailVerified)
	assert.Equal(t, phoneRavi, got.Phone)
	assert.True(t, got.PhoneVerified)
	_, err = s.ReleaseUnprovenEmail(ctx, "asha@example.com")
	require.ErrorIs(t, err, ports.ErrNotFound, "released once")
	createUser(t, s, ports.NewUser{Email: "asha@example.com"})
	createUser(t, s, ports.NewUser{Phone: phoneAsha}) // phone-only: its empty email is still no one's
}

func testReleaseNeedsTheOtherProven(t *testing.T, s PhoneStorage) {
	ctx := t.Context()
	nothing := squatter(t, s, "asha@example.com", phoneAsha, "")
	proven := squatter(t, s, "ravi@example.com", phoneRavi, "phone")
	require.NoError(t, s.MarkEmailVerified(ctx, proven.ID, baseTime()))
	onlyPhone := createUser(t, s, ports.NewUser{Phone: "+919800000001"})
	require.NoError(t, s.MarkPhoneVerified(ctx, onlyPhone.ID, baseTime()))
	onlyEmail := createUser(t, s, ports.NewUser{Email: "only@example.com"})
	require.NoError(t, s.MarkEmailVerified(ctx, onlyEmail.ID, baseTime()))
	for _, phone := range []string{"", phoneAsha, phoneRavi, "+919800000001", "+919899999999"} {
		_, err := s.ReleaseUnprovenPhone(ctx, phone)
		assert.ErrorIs(t, err, ports.ErrNotFound, "%q", phone)
	}
	for _, email := range []string{"", "asha@example.com", "ravi@example.com", "only@example.com", "nobody@example.com"} {
		_, err := s.ReleaseUnprovenEmail(ctx, email)
		assert.ErrorIs(t, err, ports.ErrNotFound, "%q", email)
	}
	for _, u := range []ports.User{nothing, proven, onlyPhone, onlyEmail} {
		got, err := s.UserByID(ctx, u.ID)
		require.NoError(t, err)
		assert.Equal(t, u.Phone, got.Phone, "nothing changed")
		assert.Equal(t, u.Email, got.Email, "nothing changed")
	}
}

func testReleaseHasOneWinner(t *testing.T, s PhoneStorage) {
	u := squatter(t, s, "mallory@example.com", phoneAsha, "email")
	oneWinner(t, func(int) error {
		id, err := s.ReleaseUnprovenPhone(t.Context(), phoneAsha)
		if err == nil {
			assert.Equal(t, u.ID, id)
		}
		return err
	}, ports.ErrNotFound)
	winner := createInParallel(t, s, func(i int) ports.NewUser {
		return ports.NewUser{Phone: phoneAsha, Email: fmt.Sprintf("owner%d@example.com", i), PasswordHash: "h", CreatedAt: baseTime()}
	})
	got, err := s.UserByPhone(t.Context(), phoneAsha)
	require.NoError(t, err)
	assert.Equal(t, winner, got.ID)
}

func testReleaseRacesVerification(t *testing.T, s PhoneStorage) {
	ctx := t.Context()
	u := squatter(t, s, "mallory@example.com", phoneAsha, "email")
	var releaseErr error
	Together(2, func(i int) {
		if i == 0 {
			_, releaseErr = s.ReleaseUnprovenPhone(ctx, phoneAsha)
			return
		}
		assert.NoError(t, s.MarkPhoneVerified(ctx, u.ID, baseTime()))
	})
	got, err := s.UserByID(ctx, u.ID)
	require.NoError(t, err)
	if releaseErr == nil {
		assert.Empty(t, got.Phone, "released: the number is no one's")
		_, err = s.UserByPhone(ctx, phoneAsha)
		assert.ErrorIs(t, err, ports.ErrNotFound)
		return
	}
	require.ErrorIs(t, releaseErr, ports.ErrNotFound)
	assert.Equal(t, phoneAsha, got.Phone, "verified first: kept")
	assert.True(t, got.PhoneVerified)
}
