package core

import (
	"context"

	"github.com/bharatauth/bharatauth-go/ports"
)

// signIn is one password or OTP sign-in attempt between its checks and its
// verdict. Both flows share every rule but the secret check itself.
type signIn struct {
	op         string
	identifier string
	device     string      // the keyed hash of the client's fingerprint, or ""
	account    *ports.User // nil when no account has the identifier
	// verifiedDevice: the client is a verified device of the account, so the
	// attempt counts on that device's own counter.
	verifiedDevice bool
	attempt        attempt
	client         Client
}

// user is the account signing in, or the zero user for an unknown identifier
// (whose ID, "", matches no stored code or credential).
func (s *signIn) user() ports.User {
	if s.account == nil {
		return ports.User{}
	}
	return *s.account
}

// beginSignIn does what every sign-in does before its secret is checked, in
// this order: input checks, the IP block, the per-IP rate limit, the user
// lookup, the device lookup, and admitting the attempt on its lockout counter
// (a locked counter answers ErrLocked here, even for the right secret).
// Unknown identifiers make the same store calls as known ones.
func (a *Auth) beginSignIn(ctx context.Context, op, identifier, fingerprint, limitName string, rule ports.RateRule, c Client) (*signIn, error) {
	identifier, err := cleanIdentifier(op, "identifier", identifier)
	if err != nil {
		return nil, err
	}
	s := &signIn{op: op, identifier: identifier, client: c}
	if s.device, err = a.cleanDevice(op, fingerprint); err != nil {
		return nil, err
	}
	if err := a.checkIPBlock(ctx, op, c); err != nil {
		return nil, err
	}
	if err := a.limitIP(ctx, op, limitName, rule, c); err != nil {
		return nil, err
	}
	u, found, err := a.findUser(ctx, op, identifier)
	if err != nil {
		return nil, err
	}
	if found {
		s.account = &u
	}
	if s.verifiedDevice, err = a.isVerifiedDevice(ctx, op, s.user().ID, s.device); err != nil {
		return nil, err
	}
	s.verifiedDevice = s.verifiedDevice && found
	key := a.identifierLockKey(identifier)
	if s.verifiedDevice {
		key = a.deviceLockKey(u.ID, s.device)
	}
	if s.attempt, err = a.beginAttempt(ctx, op, key, a.signInPolicy()); err != nil {
		return nil, err
	}
	return s, nil
}

// isVerifiedDevice reports whether device is a verified device of userID. An
// unknown user ("") is looked up too, so both take the same store call.
func (a *Auth) isVerifiedDevice(ctx context.Context, op, userID, device string) (bool, error) {
	if device == "" {
		return false, nil
	}
	if userID == "" {
		userID = unknownSubject
	}
	known, err := a.deps.Devices.KnownDevice(ctx, userID, device, a.now())
	if err != nil {
		return false, storeError(op, err)
	}
	return known, nil
}

// unknownSubject stands for "nobody" where an unknown identifier must make
// the same store call as a known one; no stored record has it.
const unknownSubject = "unknown"

// failSignIn answers a wrong secret: the lockout decides between wrong and
// locked (and a hard lock emails the unlock link), and the failure counts
// toward the IP block; the attempt that starts a block answers 429.
func (a *Auth) failSignIn(ctx context.Context, s *signIn, wrong error) error {
	answer := a.attemptFailed(ctx, s.op, s.attempt, s.account, s.client, wrong)
	if err := a.recordIPFailure(ctx, s.op, a.identifierKey(s.identifier), s.client, s.user().ID); err != nil {
		return err
	}
	return answer
}

// succeedSignIn clears the counter the attempt used; a suspended account is
// refused only now, so its answer never helps someone without the secret.
func (a *Auth) succeedSignIn(ctx context.Context, s *signIn) error {
	if _, err := a.finish(ctx, s.op, s.attempt, ports.Succeeded); err != nil {
		return err
	}
	if s.user().Suspended {
		return newError(s.op, KindSuspended, "", "this account is suspended")
	}
	return nil
}
