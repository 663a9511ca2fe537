package core

import (
	"context"

	"github.com/bharatauth/bharatauth-go/ports"
)

// signIn is one password or OTP sign-in attempt between its checks and its
// verdict. Both flows share every rule but the secret check itself.
type signIn struct {
	op          string
	identifier  string
	fingerprint string
	user        ports.User
	found       bool
	key         string // the lockout key: the account, or the unknown identifier
	state       ports.LockState
	client      Client
}

// beginSignIn does what every sign-in does before its secret is checked, in
// this order: input checks, the IP block, the per-IP rate limit, the user
// lookup, and counting the attempt in the lockout store (a locked key answers
// ErrLocked here, even for the right secret).
func (a *Auth) beginSignIn(ctx context.Context, op, identifier, fingerprint, limitName string, rule ports.RateRule, c Client) (*signIn, error) {
	identifier, err := cleanIdentifier(op, "identifier", identifier)
	if err != nil {
		return nil, err
	}
	s := &signIn{op: op, identifier: identifier, client: c}
	if s.fingerprint, err = cleanFingerprint(op, fingerprint); err != nil {
		return nil, err
	}
	if err := a.checkIPBlock(ctx, op, c); err != nil {
		return nil, err
	}
	if err := a.limitIP(ctx, op, limitName, rule, c); err != nil {
		return nil, err
	}
	if s.user, s.found, err = a.findUser(ctx, op, identifier); err != nil {
		return nil, err
	}
	s.key = a.lockKey(s.user, s.found, identifier)
	if s.state, err = a.admitAttempt(ctx, op, s.key); err != nil {
		return nil, err
	}
	return s, nil
}

// failSignIn answers a wrong secret: the lockout decides between wrong and
// locked (and a hard lock emails the unlock link), and the failure counts
// toward the IP block; the attempt that starts a block answers 429.
func (a *Auth) failSignIn(ctx context.Context, s *signIn, wrong error) error {
	answer := a.attemptFailed(ctx, s.op, s.state, s.user, s.found, s.client, wrong)
	if err := a.recordIPFailure(ctx, s.op, a.identifierKey(s.identifier), s.client, s.user.ID); err != nil {
		return err
	}
	return answer
}

// succeedSignIn clears the failure count; a suspended account is refused only
// now, so its answer never helps someone without the secret.
func (a *Auth) succeedSignIn(ctx context.Context, s *signIn) error {
	if err := a.attemptSucceeded(ctx, s.op, s.key); err != nil {
		return err
	}
	if s.user.Suspended {
		return newError(s.op, KindSuspended, "", "this account is suspended")
	}
	return nil
}
