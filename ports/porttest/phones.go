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

// PhoneRegistry checks the phone numbers of a managed backend on fresh
// backends from newStorage: lookups by number, their uniqueness (also under
// parallel registrations), verification and change. Run runs it when the
// storage implements ports.PhoneDirectory and ports.PhoneRegistry.
func PhoneRegistry(t *testing.T, newStorage func(t *testing.T) PhoneStorage) {
	runCases(t, newStorage, []testCase[PhoneStorage]{
		{"a cancelled context is passed through", testPhoneCancelled},
		{"a user created with a number is found by it, unverified", testPhoneLookup},
		{"the empty number and unknown numbers find no one", testPhoneUnknownNotFound},
		{"phone-only users do not collide over their empty email", testPhoneOnlyUsersDoNotCollide},
		{"a taken number is a conflict and creates nothing", testPhoneTakenConflicts},
		{"marking a number verified shows in every lookup and is idempotent", testPhoneMarkVerified},
		{"a phone change verifies the new number and frees the old one", testChangePhone},
		{"parallel creates of one number: exactly one wins", testCreatePhoneHasOneWinner},
		{"erasing a user removes its number, which is free again", testErasureFreesThePhone},
	})
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
