package core

import (
	"context"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// RequestUnlock emails an unlock link (ResetTTL) to the owner of identifier. It
// answers the same for every identifier (see RequestOTP); besides the
// per-identifier limit it is limited per IP (RateLimits.UnlockRequestPerIP). A
// hard lock sends one by itself.
func (a *Auth) RequestUnlock(ctx context.Context, in IdentifierInput) error {
	identifier, c := in.Identifier, in.Client
	return a.requestLink(ctx, identifier, c, linkRequest{op: "RequestUnlock",
		limit: "unlock_request", perIP: a.cfg.RateLimits.UnlockRequestPerIP,
		purpose: ports.PurposeUnlock, ttl: a.cfg.ResetTTL, template: a.cfg.Links.Unlock, email: emails.Unlock})
}

// ConfirmUnlock lifts every sign-in lock of the account (its email's, its
// username's and its verified devices') with an emailed unlock link. The lock
// history is kept; the PIN counter is not a sign-in lock (a PIN reset clears
// it).
func (a *Auth) ConfirmUnlock(ctx context.Context, in LinkInput) error {
	const op = "ConfirmUnlock"
	token, c := in.Token, in.Client
	u, err := a.consumeLink(ctx, op, ports.PurposeUnlock, token)
	if err != nil {
		return err
	}
	if err := a.clearAccountLocks(ctx, op, u); err != nil {
		return err
	}
	a.event(ctx, u.ID, ports.EventAccountUnlocked, c, "")
	return nil
}
