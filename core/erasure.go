package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// ErasureReceipt answers an erasure request.
type ErasureReceipt struct {
	RequestID string
	// StatusToken is the capability of the request's status URL: whoever
	// holds it reads the status (ErasureStatus) without signing in, which the
	// user no longer can once their data is gone. Only its hash is stored.
	StatusToken string
	Status      string // ports.ErasureReceived
	ReceivedAt  time.Time
	DueAt       time.Time
}

// ErasureStatus is what a status URL shows about one request.
type ErasureStatus struct {
	RequestID  string
	Status     string // ports.ErasureReceived, ErasureCompleted or ErasureCancelled
	ReceivedAt time.Time
	DueAt      time.Time
	ClosedAt   time.Time // zero while open
	Kept       string    // on completion: what was kept, and why
}

// keptAfterErasure is what an erasure keeps, and why; the status URL and the
// completion email say it.
const keptAfterErasure = "Kept as evidence: the security events of the account, without IP address or user agent " +
	"(DPDP Rules 2025, Rule 6(1)(e): logs are kept for at least one year); " +
	"the record of consent decisions, without IP address or user agent where its integrity allows " +
	"(DPDP Act 2023, §6(10): a data fiduciary must be able to prove consent); " +
	"grievances and their answers (evidence of redressal under §13, for the Data Protection Board)."

// codeErasurePending is the error code of a second request while one is open.
const codeErasurePending = "erasure_pending"

// RequestErasure takes the caller's request to erase their personal data
// (DPDP §12(3)). It is irreversible: it needs a fresh step-up (StepUpWindow)
// even on a known device, where only an emailed code gives one. The request
// is tracked (ErasureStatus reads it with the receipt's StatusToken); every
// session of the user ends (devices forgotten), the request is recorded as a
// security event and a receipt is emailed.
//
// With Deps.Erasure the request goes to the app, which erases its own records
// and then calls CompleteErasure. Without one, core erases BharatAuth's data
// itself once Config.ErasureGrace has passed (Maintain does it); signing in
// before then cancels the request.
//
// Errors: ErrStepUpRequired, ErrConflict (a request is already open),
// ErrUnauthorized (ended session), ErrUnavailable (the handler or a store
// failed; the request was not taken).
func (a *Auth) RequestErasure(ctx context.Context, p Principal, c Client) (_ ErasureReceipt, err error) {
	const op = "RequestErasure"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	s, err := a.activeSession(ctx, op, &p)
	if err != nil {
		return ErasureReceipt{}, err
	}
	// Irreversible: a fresh step-up even on a known device, as for a PIN change.
	if err := a.requireFreshStepUp(ctx, op, s); err != nil {
		return ErasureReceipt{}, err
	}
	u, err := a.userByID(ctx, op, p.UserID)
	if err != nil {
		return ErasureReceipt{}, err
	}
	now := a.now()
	token := newToken()
	rec := ports.ErasureRecord{ID: newID("era_"), UserID: u.ID, Email: u.Email, Language: u.Language,
		StatusHash: tokenHash(token), Status: ports.ErasureReceived, ReceivedAt: now, DueAt: now.Add(a.cfg.ErasureGrace)}
	if err := a.deps.Erasures.CreateErasureRequest(ctx, rec); err != nil {
		if errors.Is(err, ports.ErrConflict) {
			return ErasureReceipt{}, newError(op, KindConflict, codeErasurePending, "an erasure request of this account is already open")
		}
		return ErasureReceipt{}, storeError(op, err)
	}
	// Sessions end first: if the handler then fails, the user signs in again
	// and retries; the receipt never claims a sign-out that did not happen.
	if _, err := a.deps.Sessions.RevokeSessions(ctx, ports.Revocation{UserID: u.ID, ForgetDevices: true}, now); err != nil {
		return ErasureReceipt{}, a.untake(ctx, op, rec, err)
	}
	if a.deps.Erasure != nil {
		err = a.deps.Erasure.ErasureRequested(ctx, ports.ErasureRequest{ID: rec.ID, UserID: u.ID, Email: u.Email,
			RequestedAt: now, DueAt: rec.DueAt, IPAddress: storedIP(c.IP), UserAgent: c.userAgent()})
		if err != nil {
			return ErasureReceipt{}, a.untake(ctx, op, rec, err)
		}
	}
	a.event(ctx, u.ID, ports.EventErasureRequested, c, rec.ID)
	d := emails.Data{At: now, DueAt: rec.DueAt}
	if a.deps.Erasure == nil {
		d.ExpiresIn = a.cfg.ErasureGrace // the email says a sign-in within it cancels
	}
	a.send(ctx, u, emails.ErasureRequested, d, c)
	return ErasureReceipt{RequestID: rec.ID, StatusToken: token, Status: rec.Status, ReceivedAt: now, DueAt: rec.DueAt}, nil
}

// untake closes a request that could not be handed on, so that the user can
// ask again, and says the request was not taken.
func (a *Auth) untake(ctx context.Context, op string, rec ports.ErasureRecord, cause error) error {
	if _, err := a.deps.Erasures.CancelErasureRequest(ctx, rec.ID, a.now()); err != nil {
		a.log.WarnContext(ctx, "bharatauth: closing an erasure request that was not taken failed", "request_id", rec.ID, "error", err)
	}
	return &Error{Op: op, Kind: KindUnavailable, Message: "the request could not be taken; sign in and try again", Err: cause}
}

// ErasureStatus reads the status of the request whose receipt carried token.
// It needs no session: the token is the capability. ErrNotFound for an
// unknown or malformed token.
func (a *Auth) ErasureStatus(ctx context.Context, token string) (ErasureStatus, error) {
	const op = "ErasureStatus"
	notFound := newError(op, KindNotFound, "", "no erasure request has this status link")
	if !validToken(token) {
		return ErasureStatus{}, notFound
	}
	rec, err := a.deps.Erasures.ErasureRequestByStatusHash(ctx, tokenHash(token))
	if isNotFound(err) {
		return ErasureStatus{}, notFound
	}
	if err != nil {
		return ErasureStatus{}, storeError(op, err)
	}
	return erasureStatus(rec), nil
}

func erasureStatus(r ports.ErasureRecord) ErasureStatus {
	return ErasureStatus{RequestID: r.ID, Status: r.Status, ReceivedAt: r.ReceivedAt, DueAt: r.DueAt,
		ClosedAt: r.ClosedAt, Kept: r.Kept}
}

// CompleteErasure erases BharatAuth's data of the request's user, once the
// app (its ErasureHandler) has erased its own: credentials, sessions and
// known devices, one-time tokens, failure counters and, in managed mode, the
// account itself. Security events and consent records are kept as evidence,
// the events without IP address or user agent. The request is marked
// completed with what was kept, and the user is emailed at the address the
// request was made from. Completing a completed request does nothing.
//
// Errors: ErrNotFound (no such request), ErrConflict (the request was
// cancelled), ErrUnavailable.
func (a *Auth) CompleteErasure(ctx context.Context, requestID string) error {
	const op = "CompleteErasure"
	rec, err := a.deps.Erasures.ErasureRequest(ctx, requestID)
	if isNotFound(err) {
		return newError(op, KindNotFound, "", "no erasure request has this ID")
	}
	if err != nil {
		return storeError(op, err)
	}
	switch rec.Status {
	case ports.ErasureCompleted:
		return nil
	case ports.ErasureCancelled:
		return newError(op, KindConflict, "erasure_cancelled", "this erasure request was cancelled")
	}
	return a.erase(ctx, op, rec)
}

// erase erases the data of rec's user and tells them.
func (a *Auth) erase(ctx context.Context, op string, rec ports.ErasureRecord) error {
	keys, err := a.userLockKeys(ctx, op, rec)
	if err != nil {
		return err
	}
	done, err := a.deps.Erasures.EraseUser(ctx, ports.UserErasure{RequestID: rec.ID, UserID: rec.UserID,
		LockKeys: keys, Kept: keptAfterErasure, At: a.now()})
	if isNotFound(err) {
		// Cancelled or completed meanwhile (a sign-in, another instance).
		return newError(op, KindConflict, "erasure_closed", "this erasure request was closed meanwhile")
	}
	if err != nil {
		return storeError(op, err)
	}
	a.event(ctx, rec.UserID, ports.EventErasureCompleted, Client{}, rec.ID)
	to := ports.User{ID: rec.UserID, Email: rec.Email, Language: rec.Language}
	a.send(ctx, to, emails.ErasureCompleted, emails.Data{At: done.ClosedAt}, Client{})
	return nil
}

// userLockKeys names every failure counter of the user: the email's, the
// username's and the phone number's (its wrong texted codes too), the PIN's,
// and those of its verified devices.
func (a *Auth) userLockKeys(ctx context.Context, op string, rec ports.ErasureRecord) ([]string, error) {
	keys := []string{a.identifierLockKey(rec.Email), pinLockKey(rec.UserID), smsCodeLockKey("acct:" + rec.UserID)}
	u, err := a.deps.Users.UserByID(ctx, rec.UserID)
	switch {
	case err == nil:
		keys = append(keys, a.identifierLockKeys(u)...)
		if u.Phone != "" {
			keys = append(keys, smsCodeLockKey(a.identifierKey(u.Phone)))
		}
	case !isNotFound(err): // an app that erased its own row first is fine
		return nil, storeError(op, err)
	}
	devices, err := a.verifiedDevices(ctx, op, rec.UserID)
	if err != nil {
		return nil, err
	}
	for _, d := range devices {
		keys = append(keys, a.deviceLockKey(rec.UserID, d), pinDeviceLockKey(rec.UserID, d))
	}
	return keys, nil
}

// cancelErasureOnSignIn cancels the user's open erasure request when core
// runs erasure itself (no Deps.Erasure): signing in within the grace period
// says the user wants the account after all. The user is emailed. newest is
// the user's newest request, as accountHolds read it (nil: none).
func (a *Auth) cancelErasureOnSignIn(ctx context.Context, op string, u ports.User, newest *ports.ErasureRecord, c Client) error {
	if a.deps.Erasure != nil || newest == nil || newest.Status != ports.ErasureReceived {
		return nil
	}
	rec, err := a.deps.Erasures.CancelErasureRequest(ctx, newest.ID, a.now())
	if isNotFound(err) {
		return nil // closed meanwhile
	}
	if err != nil {
		return storeError(op, err)
	}
	a.event(ctx, u.ID, ports.EventErasureCancelled, c, rec.ID)
	a.send(ctx, u, emails.ErasureCancelled, emails.Data{At: rec.ClosedAt}, c)
	return nil
}

// completeDueErasures erases the users whose erasure grace has ended, when
// core runs erasure itself (no Deps.Erasure).
func (a *Auth) completeDueErasures(ctx context.Context, report *MaintenanceReport) error {
	const op = "Maintain"
	if a.deps.Erasure != nil {
		return nil
	}
	var errs []error
	failed := map[string]bool{}
	for {
		limit := maintainBatch + len(failed)
		due, err := a.deps.Erasures.DueErasureRequests(ctx, a.now(), limit)
		if err != nil {
			return errors.Join(append(errs, storeError(op, err))...)
		}
		for _, rec := range due {
			if failed[rec.ID] {
				continue
			}
			switch err := a.erase(ctx, op, rec); {
			case err == nil:
				report.ErasuresCompleted++
			case KindOf(err) == KindConflict: // closed meanwhile: nothing left to do
			default:
				failed[rec.ID] = true
				errs = append(errs, fmt.Errorf("erasure request %s: %w", rec.ID, err))
			}
		}
		if len(due) < limit {
			return errors.Join(errs...)
		}
	}
}
