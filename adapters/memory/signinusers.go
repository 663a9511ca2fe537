package memory

import (
	"context"

	"github.com/bharatauth/bharatauth-go/ports"
)

var _ ports.SignInUsers = (*Store)(nil)

// SignInUser finds the user and asks whether the device is known.
func (s *Store) SignInUser(ctx context.Context, l ports.SignInLookup) (ports.User, bool, error) {
	var (
		u   ports.User
		err error
	)
	if l.Email != "" {
		u, err = s.UserByEmail(ctx, l.Email)
	} else {
		u, err = s.UserByUsername(ctx, l.Username)
	}
	if err != nil {
		return ports.User{}, false, err
	}
	known, err := s.KnownDevice(ctx, u.ID, l.DeviceFingerprint, l.Now)
	if err != nil {
		return ports.User{}, false, err
	}
	return u, known, nil
}
