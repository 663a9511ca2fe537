package core

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/bharatauth/bharatauth-go/core/smstext"
	"github.com/bharatauth/bharatauth-go/ports"
)

// Lockout counters and their keys. Sign-in failures (password, login OTP,
// step-up OTP, current password) count:
//   - per account ("acct:"), for sign-ins not from a verified device of it:
//     failures named by its email, username and number add up, so naming
//     the account three ways gives a guesser no more tries (see
//     admitOnAccount; an unknown identifier counts on one of its own, as an
//     account with that one identifier would);
//   - per identifier ("id:"): the email or username the attempt named,
//     whether or not an account has it, so a failure sequence answers the
//     same for a real email/username pair as for an unknown one;
//   - per verified device of the account ("dev:"), for attempts made from
//     one: a lock caused by others never blocks the owner's own phone
//     (OWASP's device-cookie idea, with our verified devices as the cookie).
//
// PIN failures count on counters of their own ("pin:") that no sign-in
// clears: one per verified device of the account, and one for the account's
// other sessions (see pinCounter).
func (a *Auth) identifierLockKey(identifier string) string {
	return "id:" + a.identifierKey(identifier)
}

// accountLockKey is the account counter of the sign-in s: its account's, or,
// for an identifier of nobody's, one keyed by the identifier, so that both
// make the same store calls and lock alike.
func (a *Auth) accountLockKey(s *signIn) string {
	if s.account == nil {
		return "acct:" + a.identifierKey(s.identifier)
	}
	return "acct:" + s.account.ID
}

func (a *Auth) deviceLockKey(userID, device string) string {
	m := hmac.New(sha256.New, a.identifierHMACKey)
	m.Write([]byte("device\x00" + userID + "\x00" + device))
	return "dev:" + hex.EncodeToString(m.Sum(nil)[:20])
}

func pinLockKey(userID string) string { return "pin:" + userID }

func pinDeviceLockKey(userID, device string) string { return "pin:" + userID + ":" + device }

// sessionLockKey is the counter of attempts made from a signed-in session:
// its verified device's, else its account's (accountIdentifier).
func (a *Auth) sessionLockKey(u ports.User, s ports.Session) string {
	if s.IsVerifiedDevice && s.DeviceFingerprint != "" {
		return a.deviceLockKey(u.ID, s.DeviceFingerprint)
	}
	return a.identifierLockKey(accountIdentifier(u))
}

// identifierLockKeys are the counters of every identifier of u: its email,
// username and number, those it has, and the account's own.
func (a *Auth) identifierLockKeys(u ports.User) []string {
	keys := []string{"acct:" + u.ID}
	for _, id := range []string{u.Email, u.Username, u.Phone} {
		if id != "" {
			keys = append(keys, a.identifierLockKey(id))
		}
	}
	return keys
}

// accountIdentifier is the identifier whose counter is the account's own: its
// email, or its number when it has no email.
func accountIdentifier(u ports.User) string {
	if u.Email == "" {
		return u.Phone
	}
	return u.Email
}

// busyRetryAfter is what an attempt refused only because others are pending is
// told to wait: the time a few hash verifications take.
const busyRetryAfter = time.Second

const codeTooManyAttempts = "too_many_attempts"

func (a *Auth) signInPolicy() ports.LockPolicy { return a.cfg.Lockout }

// pinPolicy is the sign-in rule without its 24-hour restart: only a correct
// PIN or a new one (by reset link) clears the count, so guessing a PIN a few
// tries a day never gets anywhere.
func (a *Auth) pinPolicy() ports.LockPolicy {
	p := a.signInPolicy()
	p.ResetAfter = 0
	return p
}

// smsCodeLockKey is the counter of wrong codes texted to one number (by its
// keyed hash), known or not; or, as "acct:" and the account's ID, of an
// account's phone change codes (a keyed hash never holds a colon).
func smsCodeLockKey(numberKey string) string { return "code:" + numberKey }

// smsCodePolicy counts wrong texted codes: recovery codes and VerifyPhone's
// per number, phone change codes per account (sign-in codes count on the
// sign-in counters). A code
// dies after OTPMaxAttempts wrong tries, but a new one costs only an SMS,
// and a recovery code must work while sign-in is locked, so without this a
// guesser would have 25 tries an hour at one account for ever (one chance
// in about 1,700 a day at a 6-digit code, from any number of addresses).
// The 10th wrong code within a run locks the number's codes for 24 hours; a
// wrong code more than 24 hours after the one before starts the run again:
// at most 10 guesses a day (NIST SP 800-63B §5.2.2 asks for at most 100
// consecutive failures per account). There is no hard lock, which no code
// could lift; past the 10th, nothing is admitted until the run restarts, so
// a lock never ends on an old count. The cost: a stranger with ten wrong
// codes keeps texted recovery from the owner for a day, as spending the
// number's SMS budget already could; emailed links and sign-in codes are
// not affected.
func smsCodePolicy(signIn ports.LockPolicy) ports.LockPolicy {
	return ports.LockPolicy{SoftLockAfter: smsCodeFailures, SoftLockFor: smsCodeLockFor,
		ResetAfter: smsCodeLockFor, PendingFor: signIn.PendingFor}
}

const (
	smsCodeFailures = 10
	smsCodeLockFor  = 24 * time.Hour
)

// attempt is one admitted secret check on a lockout counter.
type attempt struct {
	key        string
	policy     ports.LockPolicy
	admittedAt time.Time
}

// beginAttempt admits an attempt on key BEFORE its secret is checked,
// atomically in the store, so N parallel guesses cost at most SoftLockAfter
// hash verifications. A locked key answers a locked error (without counting);
// a key whose pending attempts could lock it answers a rate-limited error
// (code "too_many_attempts"): in-flight attempts never become a lock.
func (a *Auth) beginAttempt(ctx context.Context, op, key string, policy ports.LockPolicy) (attempt, error) {
	// Not cancelled with the request: a statement cut off after the store
	// admitted the attempt would leave a place held that nothing finishes.
	now := a.now()
	state, verdict, err := a.deps.Lockouts.BeginAttempt(context.WithoutCancel(ctx), key, now, policy)
	switch {
	case err != nil:
		return attempt{}, storeError(op, err)
	case verdict == ports.RefusedLocked:
		return attempt{}, lockedError(op, state)
	case verdict == ports.RefusedBusy:
		return attempt{}, busyError(op)
	}
	return attempt{key: key, policy: policy, admittedAt: now}, nil
}

func busyError(op string) *Error {
	return &Error{Op: op, Kind: KindRateLimited, Code: codeTooManyAttempts,
		Message: "other attempts on this account are in progress; try again in a moment", RetryAfter: busyRetryAfter}
}

// judge runs the secret check of an admitted attempt within half of
// PendingFor (by the context's deadline while it waits for a hash slot, and by
// the Clock before and after), and abandons the attempt unjudged when it runs
// late: a pending place lapses after PendingFor, and a verdict reached after
// that would let N guesses cost more than SoftLockAfter checks however long
// the hashing queue grows. A check that could not be judged (a store outage,
// a cancelled request) is abandoned too. The error is then the answer.
func (a *Auth) judge(ctx context.Context, op string, at attempt, check func(context.Context) (bool, error)) (bool, error) {
	if a.overdue(at) {
		return false, a.abandon(ctx, op, at, tooLate(op))
	}
	checkCtx, cancel := context.WithTimeout(ctx, judgeWithin(at.policy))
	ok, err := check(checkCtx)
	cut := checkCtx.Err()
	cancel()
	switch {
	case err != nil:
	case cut != nil:
		err = storeError(op, cut)
	case a.overdue(at):
		err = tooLate(op)
	}
	if err != nil {
		return false, a.abandon(ctx, op, at, err)
	}
	return ok, nil
}

// overdue reports whether at has run past the time it may be judged in.
func (a *Auth) overdue(at attempt) bool {
	return a.now().Sub(at.admittedAt) > judgeWithin(at.policy)
}

// judgeWithin is how long after its admission an attempt may be judged: half
// of PendingFor (which Config.validate keeps above zero), so the verdict
// always comes while the attempt still holds its place.
func judgeWithin(p ports.LockPolicy) time.Duration { return p.PendingFor / 2 }

func tooLate(op string) error {
	return &Error{Op: op, Kind: KindUnavailable, Message: "the check took too long; try again"}
}

// finish records how an admitted attempt ended and returns the counter's new
// state. It outlives a cancelled request: an attempt must not stay pending
// because its client went away.
func (a *Auth) finish(ctx context.Context, op string, at attempt, outcome ports.Outcome) (ports.LockState, error) {
	state, err := a.deps.Lockouts.FinishAttempt(context.WithoutCancel(ctx), at.key, a.now(), at.policy, outcome)
	if err != nil {
		return state, storeError(op, err)
	}
	if outcome == ports.Failed {
		a.signalLock(ctx, op, at, state)
	}
	return state, nil
}

// abandon ends an attempt whose secret was never judged (a store outage, a
// cancelled request) without counting it, and returns cause. A failure to
// record that is only logged: the pending place lapses by itself.
func (a *Auth) abandon(ctx context.Context, op string, at attempt, cause error) error {
	if _, err := a.finish(ctx, op, at, ports.Abandoned); err != nil {
		a.log.WarnContext(ctx, "bharatauth: ending an abandoned attempt failed", "error", err)
	}
	return cause
}

func lockedError(op string, s ports.LockState) *Error {
	e := &Error{Op: op, Kind: KindLocked, Message: "too many failed attempts; the account is locked"}
	if s.HardLocked {
		e.RequiresEmailVerify = true
		e.Message = "too many failed attempts; use the unlock link sent by email, or reset the password"
	} else {
		e.LockedUntil = s.LockedUntil
	}
	return e
}

// signInFailed is attemptFailed for a sign-in: the failure counts on the
// account's counter too (when admitted there). The answer follows the
// counter the attempt named (its identifier's, or its device's), so it never
// tells that two identifiers are one account's; the account's events and its
// hard-lock unlock link follow the account's counter when it counted.
func (a *Auth) signInFailed(ctx context.Context, s *signIn, wrong error) error {
	var (
		account ports.LockState
		err     error
	)
	switch {
	case s.accountLocked:
		// Not counted (the lock refused it), only read: as many store calls
		// as a failure the account's counter counts, so the time taken does
		// not tell that another identifier locked the account either.
		_, err = a.deps.Lockouts.LockState(ctx, a.accountLockKey(s))
		err = storeError(s.op, err)
	case s.accountAttempt.key == "": // a verified device's counter
		return a.attemptFailed(ctx, s.op, s.attempt, s.account, s.client, wrong)
	default:
		account, err = a.finish(ctx, s.op, s.accountAttempt, ports.Failed)
	}
	if err != nil {
		_ = a.abandon(ctx, s.op, s.attempt, err)
		return err
	}
	// The identifier's counter signals no lock: the account's does, once.
	state, err := a.deps.Lockouts.FinishAttempt(context.WithoutCancel(ctx), s.attempt.key, a.now(), s.attempt.policy, ports.Failed)
	if err != nil {
		return storeError(s.op, err)
	}
	if s.accountLocked { // the account's lock was recorded (and announced) when it came
		account = state
	}
	if s.account != nil {
		u, c := *s.account, s.client
		a.afterAnswer(ctx, "sign-in failure", func(ctx context.Context) { a.recordFailure(ctx, s.op, u, account, c) })
	}
	if !state.Locked(a.now()) {
		return wrong
	}
	return lockedError(s.op, state)
}

// attemptFailed records a wrong secret and answers it. The attempt that
// crosses a threshold already answers with the new state (the 5th wrong
// password answers 423); below it, wrong answers wrong. u is nil when no
// account has the identifier; for a real account the events (and, at a hard
// lock, the unlock link emailed to its owner) are written after the answer,
// so a failure for a real account takes as long as one for nobody.
func (a *Auth) attemptFailed(ctx context.Context, op string, at attempt, u *ports.User, c Client, wrong error) error {
	state, err := a.finish(ctx, op, at, ports.Failed)
	if err != nil {
		return err
	}
	if u != nil {
		account := *u
		a.afterAnswer(ctx, "sign-in failure", func(ctx context.Context) { a.recordFailure(ctx, op, account, state, c) })
	}
	if !state.Locked(a.now()) {
		return wrong
	}
	return lockedError(op, state)
}

// recordFailure records a failed attempt on u's account: a failure, a lock,
// or a hard lock, which also emails the owner an unlock link (texts an unlock
// code to an account without a verified email).
func (a *Auth) recordFailure(ctx context.Context, op string, u ports.User, state ports.LockState, c Client) {
	switch {
	case !state.Locked(a.now()):
		a.event(ctx, u.ID, ports.EventLoginFailed, c, op)
	case state.HardLocked:
		a.event(ctx, u.ID, ports.EventAccountHardLocked, c, op)
		a.recover(ctx, u, "", linkRequest{link: a.unlockLinkMail(), smsPurpose: ports.PurposeUnlockSMS, smsKind: smstext.Unlock}, c)
	default:
		a.event(ctx, u.ID, ports.EventAccountLocked, c, op)
	}
}

// clearAccountLocks lifts every sign-in lock of the account: its email's,
// username's and phone number's counters and those of its verified devices. Recovery (the
// unlock link, a password reset) does this: a lock never outlives it. The PIN
// counter is not a sign-in lock and is left alone.
func (a *Auth) clearAccountLocks(ctx context.Context, op string, u ports.User) error {
	keys := a.identifierLockKeys(u)
	devices, err := a.verifiedDevices(ctx, op, u.ID)
	if err != nil {
		return err
	}
	for _, d := range devices {
		keys = append(keys, a.deviceLockKey(u.ID, d))
	}
	return a.clearLocks(ctx, op, keys)
}

// verifiedDevices lists the devices the user's sessions, ended ones included,
// verified.
func (a *Auth) verifiedDevices(ctx context.Context, op, userID string) ([]string, error) {
	sessions, err := a.deps.Sessions.Sessions(ctx, userID)
	if err != nil {
		return nil, storeError(op, err)
	}
	var devices []string
	seen := map[string]bool{}
	for _, s := range sessions {
		if s.DeviceFingerprint != "" && s.IsVerifiedDevice && !seen[s.DeviceFingerprint] {
			seen[s.DeviceFingerprint] = true
			devices = append(devices, s.DeviceFingerprint)
		}
	}
	return devices, nil
}

func (a *Auth) clearLocks(ctx context.Context, op string, keys []string) error {
	for _, key := range keys {
		if err := a.deps.Lockouts.ClearFailures(ctx, key); err != nil {
			return storeError(op, err)
		}
	}
	return nil
}

// issueLink stores a new single-use link token for subject and returns it.
func (a *Auth) issueLink(ctx context.Context, subject, purpose string, ttl time.Duration) (string, error) {
	token := newToken()
	now := a.now()
	err := a.deps.Tokens.IssueToken(ctx, ports.OneTimeToken{
		ID: newID("ott_"), Purpose: purpose, Subject: subject, Hash: tokenHash(token),
		CreatedAt: now, ExpiresAt: now.Add(ttl),
	})
	return token, err
}
