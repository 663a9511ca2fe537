package core

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// maxSecretInputBytes bounds a password or PIN accepted as input, so nobody can
// make the server hash megabytes. Longer than any valid password (128 code
// points × 4 bytes).
const maxSecretInputBytes = 1024

// LoginInput is a password login. Identifier is an email or a username (or,
// with Config.Phone, a number starting with "+"); Phone, instead of it, is a
// mobile number as typed ("98765 43210" in the first of Phone.Regions).
type LoginInput struct {
	Identifier        string
	Phone             string
	Password          string
	DeviceFingerprint string // optional: 64 hex characters (a SHA-256 the client computes)
	IsPublicDevice    bool
	Client            Client
}

// Login signs a user in with a password. Order matters: the IP block and rate
// limit first; then the attempt is counted before the password is checked (a
// locked account answers ErrLocked even for the right password); an unknown
// identifier runs one dummy hash and fails like a wrong password.
//
// Errors: ErrValidation, ErrIPBlocked, ErrRateLimited, ErrLocked,
// ErrUnauthorized (code "invalid_credentials"), ErrSuspended,
// ErrEmailNotVerified, ErrUnavailable.
func (a *Auth) Login(ctx context.Context, in LoginInput) (_ LoginResult, err error) {
	const op = "Login"
	ctx, flow := a.observeSignIn(ctx, op, "password")
	defer flow.done(ctx, &err)
	if err := checkSecretInput(op, "password", in.Password); err != nil {
		return LoginResult{}, err
	}
	// The stored hash is read with the checks and the admission (one
	// transaction where the store has them), not after.
	identifier, err := a.identifierOf(op, in.Identifier, in.Phone)
	if err != nil {
		return LoginResult{}, err
	}
	var creds ports.Credentials
	s, err := a.beginSignIn(ctx, op, identifier, in.DeviceFingerprint, "login", a.cfg.RateLimits.LoginPerIP, in.Client,
		func(ctx context.Context, s *signIn) (err error) {
			creds, err = a.credentials(ctx, op, s.checked())
			return err
		})
	if err != nil {
		return LoginResult{}, err
	}
	ok, err := a.judge(ctx, op, s.attempt, func(ctx context.Context) (bool, error) {
		return a.verifyPassword(ctx, op, s.checked(), creds, in.Password)
	})
	if err != nil { // judge abandoned the identifier's attempt; the account's goes too
		if s.accountAttempt.key != "" {
			_ = a.abandon(ctx, op, s.accountAttempt, err)
		}
		return LoginResult{}, err
	}
	if !ok {
		return LoginResult{}, a.failSignIn(ctx, s, newError(op, KindUnauthorized, codeInvalidCredentials, "wrong email, username or password"))
	}
	u := *s.account
	res, err := a.succeedSignIn(ctx, s, func(ctx context.Context) (LoginResult, error) {
		if a.cfg.RequireVerifiedEmail && !verifiedFor(u, s.identifier) {
			if bySMS(u, s.identifier) {
				return LoginResult{}, newError(op, KindEmailNotVerified, codePhoneNotVerified, "confirm your phone number first; we have sent a code by SMS")
			}
			return LoginResult{}, newError(op, KindEmailNotVerified, "", "verify your email address first; we have sent the link again")
		}
		return a.startSession(ctx, op, sessionRequest{user: u, device: s.device, verifiedDevice: s.verifiedDevice,
			public: in.IsPublicDevice, method: "pwd", client: in.Client, holds: s.holds, signIn: s})
	})
	if err != nil && KindOf(err) == KindEmailNotVerified {
		a.resendVerification(ctx, u, bySMS(u, s.identifier), in.Client)
	}
	if err != nil {
		return LoginResult{}, err
	}
	a.signedIn(ctx, s, res, "pwd")
	if res.Trust != TrustKnown {
		a.notifyNewDevice(ctx, u, in.Client)
	}
	return res, nil
}

// checkPassword verifies the password of u, or runs one dummy verification
// when there is no user (u nil) or no password, so every path takes as long.
// A hash with weaker parameters (or legacy bcrypt) is replaced after a
// success. It errs only when the check could not be judged (a store outage, a
// cancelled request); a malformed stored hash is logged and judged wrong.
func (a *Auth) checkPassword(ctx context.Context, op string, u *ports.User, password string) (bool, error) {
	creds, err := a.credentials(ctx, op, u)
	if err != nil {
		return false, err
	}
	return a.verifyPassword(ctx, op, u, creds, password)
}

// credentials reads the secrets of u. Unknown identifiers (u nil) read
// credentials too (of nobody), so both paths make the same store calls and
// take as long; none stored reads as none.
func (a *Auth) credentials(ctx context.Context, op string, u *ports.User) (ports.Credentials, error) {
	userID := unknownSubject
	if u != nil {
		userID = u.ID
	}
	creds, err := a.deps.Credentials.Credentials(ctx, userID)
	if err != nil && !isNotFound(err) {
		return ports.Credentials{}, storeError(op, err)
	}
	return creds, nil
}

// verifyPassword is checkPassword with the credentials read already.
func (a *Auth) verifyPassword(ctx context.Context, op string, u *ports.User, creds ports.Credentials, password string) (bool, error) {
	if u == nil || creds.PasswordHash == "" {
		a.hasher.VerifyDummy(ctx, password)
		return false, nil
	}
	ok, rehash, err := a.hasher.Verify(ctx, creds.PasswordHash, password)
	switch {
	case ctx.Err() != nil:
		return false, storeError(op, ctx.Err())
	case err != nil:
		a.log.ErrorContext(ctx, "bharatauth: stored password hash is malformed", "user_id", u.ID)
		return false, nil
	}
	if ok && rehash {
		a.upgradeHash(ctx, u.ID, password, a.deps.Credentials.SetPasswordHash)
	}
	return ok, nil
}

// upgradeHash rehashes a secret with current parameters after a successful
// verification. A failure only means the old hash stays one more time.
func (a *Auth) upgradeHash(ctx context.Context, userID, secret string, set func(context.Context, string, string, time.Time) error) {
	hash, err := a.hasher.Hash(ctx, secret)
	if err == nil {
		err = set(ctx, userID, hash, a.now())
	}
	if err != nil {
		a.log.WarnContext(ctx, "bharatauth: upgrading a hash failed", "user_id", userID, "error", err)
	}
}

func checkSecretInput(op, field, s string) error {
	switch {
	case s == "":
		return invalidField(op, field, "is required")
	case len(s) > maxSecretInputBytes:
		return invalidField(op, field, "is too long")
	}
	return nil
}

// fingerprintLen is the length of a device fingerprint: a hex SHA-256.
const fingerprintLen = 64

// cleanDevice accepts an empty fingerprint or 64 hex characters, and returns
// the device's keyed hash: stores never hold a fingerprint, which together
// with a password decides whether a device is known.
func (a *Auth) cleanDevice(op, fp string) (string, error) {
	fp = strings.TrimSpace(fp)
	if fp == "" {
		return "", nil
	}
	if len(fp) != fingerprintLen {
		return "", invalidField(op, "device_fingerprint", "must be 64 hex characters (a SHA-256)")
	}
	if _, err := hex.DecodeString(fp); err != nil {
		return "", invalidField(op, "device_fingerprint", "must be 64 hex characters (a SHA-256)")
	}
	m := hmac.New(sha256.New, a.deviceHMACKey)
	m.Write([]byte(strings.ToLower(fp)))
	return hex.EncodeToString(m.Sum(nil)), nil
}
