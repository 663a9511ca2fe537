package memory

import (
	"context"
	"errors"

	"github.com/bharatauth/bharatauth-go/ports"
)

var _ ports.SignInUsers = (*Store)(nil)

// SignInUser makes the reads the lookup asks for, one by one.
func (s *Store) SignInUser(ctx context.Context, l ports.SignInLookup) (ports.SignInRecord, error) {
	var (
		r   ports.SignInRecord
		err error
	)
	if l.IP != "" {
		if r.IPBlockedUntil, err = s.IPBlockedUntil(ctx, l.IP, l.Now); err != nil {
			return ports.SignInRecord{}, err
		}
	}
	switch {
	case l.Email != "":
		r.User, err = s.UserByEmail(ctx, l.Email)
	case l.Username != "":
		r.User, err = s.UserByUsername(ctx, l.Username)
	default:
		err = ports.ErrNotFound
	}
	if errors.Is(err, ports.ErrNotFound) {
		return ports.SignInRecord{IPBlockedUntil: r.IPBlockedUntil}, nil
	}
	if err != nil {
		return ports.SignInRecord{}, err
	}
	r.Found = true
	if r.KnownDevice, err = s.KnownDevice(ctx, r.User.ID, l.DeviceFingerprint, l.Now); err != nil {
		return ports.SignInRecord{}, err
	}
	if l.Holds {
		if r.Holds, err = s.AccountHolds(ctx, r.User.ID); err != nil {
			return ports.SignInRecord{}, err
		}
	}
	return r, nil
}
