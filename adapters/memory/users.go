package memory

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// accountTable holds users and their credentials under one lock, so that
// CreateUser can create both atomically.
type accountTable struct {
	tableLock
	users      map[string]ports.User         // by ID
	byEmail    map[string]string             // lower-cased email → ID
	byUsername map[string]string             // lower-cased username → ID
	byPhone    map[string]string             // E.164 number → ID
	creds      map[string]ports.Credentials  // by user ID, external IDs included
	guardians  map[string]ports.Guardianship // by child ID
}

func newAccountTable() accountTable {
	return accountTable{
		users:      map[string]ports.User{},
		byEmail:    map[string]string{},
		byUsername: map[string]string{},
		byPhone:    map[string]string{},
		creds:      map[string]ports.Credentials{},
		guardians:  map[string]ports.Guardianship{},
	}
}

// emailKey and usernameKey are the case-insensitive forms under which emails
// and usernames are unique, as in PostgreSQL's lower() indexes: "Asha" and
// "asha" are one user.
func emailKey(email string) string { return strings.ToLower(email) }

func usernameKey(username string) string { return strings.ToLower(username) }

// unindexLocked removes u's email, username and phone from the lookups, so
// that they find no one and are free for others. a.mu must be held.
func (a *accountTable) unindexLocked(u ports.User) {
	if u.Email != "" {
		delete(a.byEmail, emailKey(u.Email))
	}
	if u.Username != "" {
		delete(a.byUsername, usernameKey(u.Username))
	}
	if u.Phone != "" {
		delete(a.byPhone, u.Phone)
	}
}

// UserByEmail finds a user by email, case-insensitively. ErrNotFound when none.
func (s *Store) UserByEmail(ctx context.Context, email string) (ports.User, error) {
	return s.findUser(ctx, func(a *accountTable) (string, bool) {
		id, ok := a.byEmail[emailKey(email)]
		return id, ok
	})
}

// UserByUsername finds a user by username, case-insensitively. ErrNotFound
// when none; the empty username matches no one.
func (s *Store) UserByUsername(ctx context.Context, username string) (ports.User, error) {
	return s.findUser(ctx, func(a *accountTable) (string, bool) {
		if username == "" {
			return "", false
		}
		id, ok := a.byUsername[usernameKey(username)]
		return id, ok
	})
}

// UserByID finds a user by ID. ErrNotFound when none.
func (s *Store) UserByID(ctx context.Context, id string) (ports.User, error) {
	return s.findUser(ctx, func(*accountTable) (string, bool) { return id, true })
}

func (s *Store) findUser(ctx context.Context, lookup func(*accountTable) (string, bool)) (ports.User, error) {
	if err := ctx.Err(); err != nil {
		return ports.User{}, err
	}
	a := &s.accounts
	a.mu.RLock()
	defer a.mu.RUnlock()
	if id, ok := lookup(a); ok {
		if u, ok := a.users[id]; ok {
			return u, nil
		}
	}
	return ports.User{}, fmt.Errorf("memory: find user: %w", ports.ErrNotFound)
}

// CreateUser creates the user and its password hash together and assigns a
// random ID ("usr_" + 32 hex characters). ErrConflict when the email or the
// username (each case-insensitively) or the phone number is taken; users
// without an email never collide over it.
func (s *Store) CreateUser(ctx context.Context, nu ports.NewUser) (ports.User, error) {
	if err := ctx.Err(); err != nil {
		return ports.User{}, err
	}
	id, err := randomID("usr_")
	if err != nil {
		return ports.User{}, fmt.Errorf("memory: create user: %w", err)
	}
	a := &s.accounts
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, taken := a.byEmail[emailKey(nu.Email)]; taken && nu.Email != "" {
		return ports.User{}, fmt.Errorf("memory: create user: email taken: %w", ports.ErrConflict)
	}
	if _, taken := a.byUsername[usernameKey(nu.Username)]; taken && nu.Username != "" {
		return ports.User{}, fmt.Errorf("memory: create user: username taken: %w", ports.ErrConflict)
	}
	if _, taken := a.byPhone[nu.Phone]; taken && nu.Phone != "" {
		return ports.User{}, fmt.Errorf("memory: create user: phone taken: %w", ports.ErrConflict)
	}
	u := ports.User{
		ID:          id,
		Email:       nu.Email,
		Phone:       nu.Phone,
		Username:    nu.Username,
		DisplayName: nu.DisplayName,
		Language:    nu.Language,
		CreatedAt:   stamp(nu.CreatedAt),
	}
	a.users[id] = u
	if nu.Email != "" {
		a.byEmail[emailKey(nu.Email)] = id
	}
	if nu.Phone != "" {
		a.byPhone[nu.Phone] = id
	}
	if nu.Username != "" {
		a.byUsername[usernameKey(nu.Username)] = id
	}
	a.creds[id] = ports.Credentials{UserID: id, PasswordHash: nu.PasswordHash, PasswordChangedAt: u.CreatedAt}
	if nu.Guardian != nil {
		g := cloneGuardianship(*nu.Guardian)
		g.ChildID, g.RequestedAt, g.DateOfBirth = id, stamp(g.RequestedAt), stamp(g.DateOfBirth)
		a.guardians[id] = g
	}
	if len(nu.Consents.Rows) > 0 {
		// Lock order: accounts, then consents (AppendConsents takes only the latter).
		s.consents.mu.Lock()
		s.consents.appendLocked(id, nu.Consents)
		s.consents.mu.Unlock()
	}
	return u, nil
}

// MarkEmailVerified records the verified email; idempotent. ErrNotFound for an
// unknown user.
func (s *Store) MarkEmailVerified(ctx context.Context, userID string, _ time.Time) error {
	return s.updateUser(ctx, userID, func(u *ports.User) { u.EmailVerified = true })
}

// SetSuspended suspends or reinstates a user. ErrNotFound for an unknown user.
func (s *Store) SetSuspended(ctx context.Context, userID string, suspended bool) error {
	return s.updateUser(ctx, userID, func(u *ports.User) { u.Suspended = suspended })
}

// ClearProfile empties the display name, username and language of a user.
// ErrNotFound for an unknown user.
func (s *Store) ClearProfile(ctx context.Context, userID string) error {
	return s.updateUser(ctx, userID, func(u *ports.User) {
		delete(s.accounts.byUsername, usernameKey(u.Username))
		u.DisplayName, u.Username, u.Language = "", "", ""
	})
}

func (s *Store) updateUser(ctx context.Context, userID string, change func(*ports.User)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a := &s.accounts
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[userID]
	if !ok {
		return fmt.Errorf("memory: update user: %w", ports.ErrNotFound)
	}
	change(&u)
	a.users[userID] = u
	return nil
}

// UpdateProfile replaces the display name, username and language.
// ErrConflict when another user has the username, ErrNotFound for an
// unknown user.
func (s *Store) UpdateProfile(ctx context.Context, userID string, p ports.Profile) (ports.User, error) {
	return s.changeIdentity(ctx, userID, func(a *accountTable, u *ports.User) error {
		if owner, taken := a.byUsername[usernameKey(p.Username)]; taken && p.Username != "" && owner != userID {
			return fmt.Errorf("memory: update profile: username taken: %w", ports.ErrConflict)
		}
		if u.Username != "" {
			delete(a.byUsername, usernameKey(u.Username))
		}
		if p.Username != "" {
			a.byUsername[usernameKey(p.Username)] = userID
		}
		u.Username, u.DisplayName, u.Language = p.Username, p.DisplayName, p.Language
		return nil
	})
}

// ChangeEmail replaces the user's email with a verified one. ErrConflict
// when another user has it, ErrNotFound for an unknown user.
func (s *Store) ChangeEmail(ctx context.Context, userID, email string, _ time.Time) (ports.User, error) {
	return s.changeIdentity(ctx, userID, func(a *accountTable, u *ports.User) error {
		if owner, taken := a.byEmail[emailKey(email)]; taken && owner != userID {
			return fmt.Errorf("memory: change email: %w", ports.ErrConflict)
		}
		delete(a.byEmail, emailKey(u.Email))
		a.byEmail[emailKey(email)] = userID
		u.Email, u.EmailVerified = email, true
		return nil
	})
}

// changeIdentity applies change to the user under the accounts lock; an
// error from change leaves everything as it was.
func (s *Store) changeIdentity(ctx context.Context, userID string, change func(*accountTable, *ports.User) error) (ports.User, error) {
	if err := ctx.Err(); err != nil {
		return ports.User{}, err
	}
	a := &s.accounts
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[userID]
	if !ok {
		return ports.User{}, fmt.Errorf("memory: change user: %w", ports.ErrNotFound)
	}
	if err := change(a, &u); err != nil {
		return ports.User{}, err
	}
	a.users[userID] = u
	return u, nil
}
