package core

import (
	"context"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// RequestErasure takes the caller's request to erase their personal data
// (DPDP §12(3)). It is sensitive: it needs a step-up (RequireStepUp). The
// request goes to Deps.Erasure, the app's handler, which decides what the law
// lets it erase and does it (the consent log, for one, is kept); then every
// session of the user ends (devices forgotten), the request is recorded as a
// security event and a receipt is emailed.
//
// Errors: ErrStepUpRequired, ErrForbidden (no Deps.Erasure), ErrUnauthorized
// (ended session), ErrUnavailable (the handler or a store failed; nothing
// was taken).
func (a *Auth) RequestErasure(ctx context.Context, p Principal, c Client) error {
	const op = "RequestErasure"
	if a.deps.Erasure == nil {
		return newError(op, KindForbidden, "", "this service takes erasure requests another way; contact its support")
	}
	if err := a.RequireStepUp(ctx, p); err != nil {
		return err
	}
	u, err := a.userByID(ctx, op, p.UserID)
	if err != nil {
		return err
	}
	now := a.now()
	err = a.deps.Erasure.ErasureRequested(ctx, ports.ErasureRequest{UserID: u.ID, Email: u.Email, RequestedAt: now,
		IPAddress: storedIP(c.IP), UserAgent: c.userAgent()})
	if err != nil {
		return &Error{Op: op, Kind: KindUnavailable, Message: "the request could not be taken; try again", Err: err}
	}
	a.event(ctx, u.ID, ports.EventErasureRequested, c, "")
	if _, err := a.deps.Sessions.RevokeSessions(ctx, ports.Revocation{UserID: u.ID, ForgetDevices: true}, now); err != nil {
		a.log.WarnContext(ctx, "bharatauth: ending sessions after an erasure request failed", "user_id", u.ID, "error", err)
	}
	a.send(ctx, u, emails.ErasureRequested, emails.Data{At: now}, c)
	return nil
}
