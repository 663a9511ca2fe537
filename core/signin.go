package core

import (
	"context"
	"strings"

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
	// accountAttempt is the same attempt on the account's own counter (see
	// accountLockKey), admitted beside the identifier's; its key is "" on a
	// verified device or when accountLocked.
	accountAttempt attempt
	// accountLocked: the account's counter is locked (by failures named by
	// any of its identifiers): the secret is not checked (see checked).
	accountLocked bool
	// holds are the account's, read with it where the store can
	// (readSignInAtOnce), for the session to open with; nil: read them then.
	holds  *ports.AccountHolds
	client Client
	// grouped: the attempt's store calls run as transactions (atomically).
	grouped bool
	// opened: the session was opened with the sign-in's events in one store
	// call (see openSession); ended: the attempts were ended in that call, or
	// may have been (a call whose outcome is unknown), and are not ended again.
	opened, ended bool
}

// user is the account signing in, or the zero user for an unknown identifier
// (whose ID, "", matches no stored code or credential).
func (s *signIn) user() ports.User {
	if s.account == nil {
		return ports.User{}
	}
	return *s.account
}

// checked is the account whose secret the attempt checks: nil for an unknown
// identifier, and nil too while the account's counter is locked, so that the
// check runs on nobody's secret (a dummy hash, a code of nobody's) and fails
// as a wrong secret does, taking as long.
func (s *signIn) checked() *ports.User {
	if s.accountLocked {
		return nil
	}
	return s.account
}

// beginSignIn does what every sign-in does before its secret is checked, in
// this order: input checks, the IP block, the per-IP rate limit, the user
// lookup, the device lookup, and admitting the attempt on its lockout counter
// (a locked counter answers ErrLocked here, even for the right secret); then,
// when set, admitted(ctx, s) reads what the secret check needs. Unknown
// identifiers make the same store calls as known ones.
//
// With admitted set, the store calls run as one transaction where the store
// has them (ports.Transactor): the reads commit with the admission, once, and
// an error keeps no admission, so nothing is left to finish; succeedSignIn
// then groups its calls too. That is for a sign-in whose secret check is a
// slow hash (a password): two transactions cost four commits less, and their
// BEGIN and COMMIT round trips are nothing beside the hash. A sign-in checked
// by one statement (a code) runs its calls on their own: there the round
// trips are the request's cost.
func (a *Auth) beginSignIn(ctx context.Context, op, identifier, fingerprint, limitName string, rule ports.RateRule, c Client,
	admitted func(ctx context.Context, s *signIn) error) (*signIn, error) {
	identifier, err := a.identifierOf(op, identifier, "")
	if err != nil {
		return nil, err
	}
	s := &signIn{op: op, identifier: identifier, client: c, grouped: admitted != nil}
	if s.device, err = a.cleanDevice(op, fingerprint); err != nil {
		return nil, err
	}
	err = a.atomically(ctx, s, func(ctx context.Context) error {
		if err := a.admitSignIn(ctx, s, limitName, rule); err != nil {
			return err
		}
		if admitted == nil {
			return nil
		}
		return admitted(ctx, s)
	})
	if err != nil && s.attempt.key != "" && !a.rollsBack(s) {
		return nil, a.abandonSignIn(ctx, s, err) // admitted and kept: nothing else will end it
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// rollsBack reports whether s's grouped calls run in transactions, so that a
// failed group keeps none of its writes.
func (a *Auth) rollsBack(s *signIn) bool { return a.tx != nil && s.grouped }

// admitSignIn runs beginSignIn's checks and admits s's attempt.
func (a *Auth) admitSignIn(ctx context.Context, s *signIn, limitName string, rule ports.RateRule) error {
	op, c := s.op, s.client
	joined := a.readsSignInAtOnce(s.identifier)
	if !joined { // else the block is read with the user, after the rate limit
		if err := a.checkIPBlock(ctx, op, c); err != nil {
			return err
		}
	}
	if err := a.limitIP(ctx, op, limitName, rule, c); err != nil {
		return err
	}
	read := a.readSignInOneByOne
	if joined {
		read = a.readSignInAtOnce
	}
	if err := read(ctx, s); err != nil {
		return err
	}
	key := a.identifierLockKey(s.identifier)
	if s.verifiedDevice {
		key = a.deviceLockKey(s.account.ID, s.device)
	}
	var err error
	if s.attempt, err = a.beginAttempt(ctx, op, key, a.signInPolicy()); err != nil || s.verifiedDevice {
		return err
	}
	return a.admitOnAccount(ctx, s)
}

// admitOnAccount admits s's attempt on the account's own counter too, so that
// failures named by any of the account's identifiers add up (DESIGN §4: the
// sign-in counter is per account). A locked account counter refuses nothing
// here: it sets s.accountLocked, and the flow then fails the attempt as a
// wrong secret without checking it. Answering 423 instead would tell whoever
// locked the account through its email that a number they never tried is
// the same account's; answered as wrong, each identifier's answers depend on
// its own counter alone, exactly as for an identifier of nobody's.
func (a *Auth) admitOnAccount(ctx context.Context, s *signIn) error {
	key, policy := a.accountLockKey(s), a.signInPolicy()
	now := a.now()
	_, verdict, err := a.deps.Lockouts.BeginAttempt(context.WithoutCancel(ctx), key, now, policy)
	switch {
	case err != nil:
		return storeError(s.op, err)
	case verdict == ports.RefusedLocked:
		s.accountLocked = true
	case verdict == ports.RefusedBusy:
		return busyError(s.op)
	default:
		s.accountAttempt = attempt{key: key, policy: policy, admittedAt: now}
	}
	return nil
}

// abandonSignIn abandons s's admitted attempts, unjudged, and returns cause.
func (a *Auth) abandonSignIn(ctx context.Context, s *signIn, cause error) error {
	if s.accountAttempt.key != "" {
		_ = a.abandon(ctx, s.op, s.accountAttempt, cause)
	}
	return a.abandon(ctx, s.op, s.attempt, cause)
}

// atomically runs fn, when s is grouped, as one transaction of the storage if it
// offers them (ports.Transactor), else as it is, each call committing on its
// own. The transaction is not cancelled with the request: one cut off at its
// commit could leave writes stored that the flow never learns of (an
// admission that nothing finishes); each call is still bounded by the store.
// No change of a user may run inside: a cache in front of the users (the
// Redis user cache) drops its copy when the change's call returns, which
// must be after the change committed (examples/integration checks it).
// Jobs that fn asks to run after the answer (afterAnswer) are held until the
// transaction has ended, and run only if it committed (see heldJobs).
func (a *Auth) atomically(ctx context.Context, s *signIn, fn func(ctx context.Context) error) error {
	if !a.rollsBack(s) {
		return fn(ctx)
	}
	held := &heldJobs{}
	inTx := context.WithValue(context.WithoutCancel(ctx), heldJobsKey{}, held)
	// fn's errors come back as they are; a failed BEGIN or COMMIT is the
	// store's, and answers as any store failure does.
	err := storeError(s.op, a.tx.InTransaction(inTx, fn))
	if err == nil {
		for _, j := range *held {
			a.afterAnswer(ctx, j.what, j.job)
		}
	}
	return err
}

// heldJobs are the jobs a transaction's calls asked to run after the answer.
// They wait for the transaction to end: run at once, a job would carry the
// transaction in its context and, on a goroutine of its own, share its
// connection while it is still open; and an email about a change that the
// transaction then rolled back (an erasure request a sign-in cancels) would
// tell of something that did not happen, so those are dropped. A flow asks
// for them from the goroutine that runs the transaction, one at a time.
type heldJobs []heldJob

type heldJob struct {
	what string
	job  func(ctx context.Context)
}

type heldJobsKey struct{}

// readsSignInAtOnce reports whether a sign-in by identifier reads its user,
// device and IP block in one store call (ports.SignInUsers): where users,
// devices and abuse records are one backend that offers it, for an email or
// username (SignInLookup names no number).
func (a *Auth) readsSignInAtOnce(identifier string) bool {
	return a.signIns != nil && !(isPhone(identifier) && a.cfg.Phone.Enabled)
}

// readSignInAtOnce reads s's account, whether its device is a verified one,
// the IP's block and, where the backend keeps them, the account's holds, in
// one store call; then refuses a blocked IP.
func (a *Auth) readSignInAtOnce(ctx context.Context, s *signIn) error {
	ip, ruled := a.ruledIP(ctx, s.client)
	if !ruled {
		ip = ""
	}
	l := ports.SignInLookup{DeviceFingerprint: s.device, Now: a.now(), IP: ip, Holds: a.signInHolds}
	if strings.Contains(s.identifier, "@") {
		l.Email = s.identifier
	} else {
		l.Username = s.identifier
	}
	r, err := a.signIns.SignInUser(ctx, l)
	if err != nil {
		return storeError(s.op, err)
	}
	if err := a.ipBlockedError(s.op, r.IPBlockedUntil); err != nil {
		return err
	}
	if r.Found {
		s.account, s.verifiedDevice = &r.User, r.KnownDevice
		if l.Holds {
			s.holds = &r.Holds
		}
	}
	return nil
}

// readSignInOneByOne finds s's account, then asks whether its device is a
// verified one (for an unknown identifier too, so that both take the same
// store calls).
func (a *Auth) readSignInOneByOne(ctx context.Context, s *signIn) error {
	u, found, err := a.findUser(ctx, s.op, s.identifier)
	if err != nil {
		return err
	}
	known, err := a.isVerifiedDevice(ctx, s.op, u.ID, s.device)
	if err != nil {
		return err
	}
	if found {
		s.account, s.verifiedDevice = &u, known
	}
	return nil
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
	answer := a.signInFailed(ctx, s, wrong)
	if err := a.recordIPFailure(ctx, s.op, a.identifierKey(s.identifier), s.client, s.user().ID); err != nil {
		return err
	}
	return answer
}

// succeedSignIn clears the counters the attempt used, then runs start (which
// opens the session); a suspended account is refused only now, so its answer
// never helps someone without the secret. The clearing and start's store
// calls are one transaction where the store has them (s.grouped); a refusal
// (an error of start's with a Kind other than KindUnavailable or
// KindInternal) still clears the counters: the secret was right. Where the
// store ends a sign-in in one call (ports.SignInSessions), the counters are
// cleared with the session instead (openSession), or after start when they
// were not (settleAttempts).
func (a *Auth) succeedSignIn(ctx context.Context, s *signIn, start func(ctx context.Context) (LoginResult, error)) (LoginResult, error) {
	var (
		res     LoginResult
		refusal error
	)
	withSession := a.signInOpens != nil
	err := a.atomically(ctx, s, func(ctx context.Context) error {
		if !withSession {
			if err := a.settleAttempts(ctx, s); err != nil {
				return err
			}
		}
		var err error
		if s.user().Suspended {
			refusal = newError(s.op, KindSuspended, "", "this account is suspended")
		} else {
			res, err = start(ctx)
		}
		if k := KindOf(err); err != nil && k != KindUnavailable && k != KindInternal {
			refusal, err = err, nil
		}
		if withSession && !s.ended {
			a.settleAfterOpening(ctx, s, &err)
		}
		return err
	})
	if err != nil {
		if a.rollsBack(s) { // rolled back: the attempt is still pending
			return LoginResult{}, a.abandonSignIn(ctx, s, err)
		}
		return LoginResult{}, err
	}
	return res, refusal
}

// endAttempts ends s's admitted attempts as succeeded.
func (a *Auth) endAttempts(ctx context.Context, s *signIn) error {
	if _, err := a.finish(ctx, s.op, s.attempt, ports.Succeeded); err != nil {
		return err
	}
	if s.accountAttempt.key != "" {
		if _, err := a.finish(ctx, s.op, s.accountAttempt, ports.Succeeded); err != nil {
			return err
		}
	}
	return nil
}

// settleAfterOpening settles s's attempts after its session's opening, which
// did not end them, and sets *err to a failure to do so, unless the session
// opened: then the secret was right and the tokens are issued, and a counter
// left uncleared is not worth failing the sign-in for (it is logged).
func (a *Auth) settleAfterOpening(ctx context.Context, s *signIn, err *error) {
	settleErr := a.settleAttempts(ctx, s)
	switch {
	case settleErr == nil:
	case s.opened:
		a.log.WarnContext(ctx, "bharatauth: settling a signed-in attempt failed", "error", settleErr)
	case *err == nil:
		*err = settleErr
	}
}

// settleAttempts ends s's attempts as succeeded once the session has opened
// without them (or not at all). Past judgeWithin their places may have
// lapsed and gone to other attempts, which ending them would free; then only
// their failures are cleared (the secret was right), and the places lapse by
// themselves (PendingFor).
func (a *Auth) settleAttempts(ctx context.Context, s *signIn) error {
	if !a.overdue(s.attempt) {
		return a.endAttempts(ctx, s)
	}
	for _, key := range s.attemptKeys() {
		if err := a.deps.Lockouts.ClearFailures(context.WithoutCancel(ctx), key); err != nil {
			return storeError(s.op, err)
		}
	}
	return nil
}

// attemptKeys are the lockout keys of s's admitted attempts.
func (s *signIn) attemptKeys() []string {
	if s.accountAttempt.key == "" {
		return []string{s.attempt.key}
	}
	return []string{s.attempt.key, s.accountAttempt.key}
}

// signInEvents are the events of a sign-in by method that opened a session
// of trust: its success and, unless the device was a verified one of the
// account before this sign-in, a new device (one that a code verified as it
// signed in is news too: it was not the account's before).
func (a *Auth) signInEvents(userID, method string, trust Trust, verifiedBefore bool, c Client) []ports.SecurityEvent {
	events := []ports.SecurityEvent{a.securityEvent(userID, ports.EventLoginSucceeded, c, method)}
	if trust != TrustKnown || !verifiedBefore {
		events = append(events, a.securityEvent(userID, ports.EventNewDevice, c, string(trust)))
	}
	return events
}

// signedIn does what a successful sign-in s by method does once its
// transactions have ended: records its events, unless its session's opening
// recorded them, and touches the account's activity.
func (a *Auth) signedIn(ctx context.Context, s *signIn, res LoginResult, method string) {
	if !s.opened {
		a.recordEvents(ctx, a.signInEvents(res.User.ID, method, res.Trust, s.verifiedDevice, s.client)...)
	}
	a.touchActivity(ctx, res.User.ID)
}
