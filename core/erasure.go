package core

import (
	"context"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// RequestErasure takes the caller's request to erase their personal data
// (DPDP §12(3)). It is irreversible: it needs a fresh step-up (StepUpWindow)
// even on a known device, where only an emailed code gives one. The
// request goes to Deps.Erasure, the app's handler, which decides what the law
// lets it erase and does it (the consent log, for one, is kept); then every
// session of the user ends (devices forgotten), the request is recorded as a
// security event and a receipt is emailed.
//
// Errors: ErrStepUpRequired, ErrForbidden (no Deps.Erasure), ErrUnauthorized
// (ended session), ErrUnavailable (the handler or a store failed; nothing
// was taken).
func (a *Auth) RequestErasure(ctx context.Context, p Principal, c Client) (err error) {
	const op = "RequestErasure"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	if a.deps.Erasure == nil {
		return newError(op, KindForbidden, "", "this service takes erasure requests another way; contact its support")
	}
	s, err := a.activeSession(ctx, op, &p)
	if err != nil {
		return err
	}
	// Irreversible: a fresh step-up even on a known device, as for a PIN change.
	if err := a.requireFreshStepUp(ctx, op, s); err != nil {
		return err
	}
	u, err := a.userByID(ctx, op, p.UserID)
	if err != nil {
		return err
	}
	now := a.now()
	// Sessions end first: if the handler then fails, the user signs in again
	// and retries; the receipt never claims a sign-out that did not happen.
	if _, err := a.deps.Sessions.RevokeSessions(ctx, ports.Revocation{UserID: u.ID, ForgetDevices: true}, now); err != nil {
		return storeError(op, err)
	}
	err = a.deps.Erasure.ErasureRequested(ctx, ports.ErasureRequest{UserID: u.ID, Email: u.Email, RequestedAt: now,
		IPAddress: storedIP(c.IP), UserAgent: c.userAgent()})
	if err != nil {
		return &Error{Op: op, Kind: KindUnavailable, Message: "the request could not be taken; sign in and try again", Err: err}
	}
	a.event(ctx, u.ID, ports.EventErasureRequested, c, "")
	a.send(ctx, u, emails.ErasureRequested, emails.Data{At: now}, c)
	return nil
}
