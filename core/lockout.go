package core

import (
	"context"
	"time"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// Failure counters are kept per account ("user:<id>") and, where an identifier
// matches no account, per normalised identifier ("id:<identifier>"), so an
// unknown identifier locks exactly like a real one and a 423 tells an attacker
// nothing about who exists.
func accountKey(userID string) string { return "user:" + userID }

func (a *Auth) lockKey(u ports.User, found bool, identifier string) string {
	if found {
		return accountKey(u.ID)
	}
	return "id:" + a.identifierKey(identifier)
}

func (a *Auth) lockPolicy() ports.LockPolicy {
	p := a.cfg.Lockout
	return ports.LockPolicy{SoftLockAfter: p.SoftLockAfter, SoftLockFor: p.SoftLockFor,
		HardLockAfter: p.HardLockAfter, ResetAfter: p.ResetAfter}
}

// admitAttempt counts an attempt BEFORE its secret is checked, atomically in the
// store, so N parallel guesses cost at most SoftLockAfter hash verifications.
// A locked key refuses the attempt (without counting it) with a locked error.
func (a *Auth) admitAttempt(ctx context.Context, op, key string) (ports.LockState, error) {
	state, admitted, err := a.deps.Lockouts.CountAttempt(ctx, key, a.now(), a.lockPolicy())
	if err != nil {
		return state, storeError(op, err)
	}
	if !admitted {
		return state, lockedError(op, state)
	}
	return state, nil
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

// attemptFailed answers an admitted attempt whose secret was wrong. The attempt
// that crosses a threshold already answers with the new state (the 5th wrong
// password answers 423); below it, wrong answers wrong. A hard lock emails the
// account's owner an unlock link.
func (a *Auth) attemptFailed(ctx context.Context, op string, state ports.LockState, u ports.User, found bool, c Client, wrong error) error {
	now := a.now()
	if !state.Locked(now) {
		if found {
			a.event(ctx, u.ID, ports.EventLoginFailed, c, op)
		}
		return wrong
	}
	if found {
		if state.HardLocked {
			a.event(ctx, u.ID, ports.EventAccountHardLocked, c, op)
			a.sendUnlockLink(ctx, u, c)
		} else {
			a.event(ctx, u.ID, ports.EventAccountLocked, c, op)
		}
	}
	return lockedError(op, state)
}

// attemptSucceeded clears the failure count (the lock history is kept).
func (a *Auth) attemptSucceeded(ctx context.Context, op, key string) error {
	return storeError(op, a.deps.Lockouts.ClearFailures(ctx, key))
}

// sendUnlockLink issues an unlock token and emails it.
func (a *Auth) sendUnlockLink(ctx context.Context, u ports.User, c Client) {
	token, err := a.issueLink(ctx, u.ID, ports.PurposeUnlock, a.cfg.ResetTTL)
	if err != nil {
		a.log.WarnContext(ctx, "bharatauth: issuing an unlock link failed", "user_id", u.ID, "error", err)
		return
	}
	a.send(ctx, u, emails.Unlock, emails.Data{Link: link(a.cfg.Links.Unlock, token), ExpiresIn: a.cfg.ResetTTL}, c)
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
