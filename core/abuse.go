package core

import (
	"context"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// failOpenLogEvery is how often a failing rate limiter is logged: once per
// interval, not once per request.
const failOpenLogEvery = 30 * time.Second

// ruledIP returns the key IP rules count for the client, and false when no IP
// rule applies: allow-listed addresses, and unknown ones. An unknown IP is a
// wiring mistake (core.Client.IP unset, or a transport that cannot read the
// peer address), so it is logged, once per interval.
func (a *Auth) ruledIP(ctx context.Context, c Client) (string, bool) {
	ip := ipKey(c.IP)
	if ip == "" {
		a.noClientIP.warn(ctx, "bharatauth: a request came without a client IP; IP blocks and per-IP rate limits are off for it. Set core.Client.IP")
		return "", false
	}
	return ip, !a.allowListed(c.IP)
}

// checkIPBlock refuses a client whose IP is blocked. Allow-listed and unknown
// IPs are never blocked.
func (a *Auth) checkIPBlock(ctx context.Context, op string, c Client) error {
	ip, ruled := a.ruledIP(ctx, c)
	if !ruled {
		return nil
	}
	until, err := a.deps.Abuse.IPBlockedUntil(ctx, ip, a.now())
	if err != nil {
		return storeError(op, err)
	}
	return a.ipBlockedError(op, until)
}

func (a *Auth) ipBlockedError(op string, until time.Time) error {
	now := a.now()
	if !until.After(now) {
		return nil
	}
	return &Error{Op: op, Kind: KindIPBlocked, Message: "too many failed attempts from this network; try again later",
		RetryAfter: until.Sub(now)}
}

// recordIPFailure counts a failed login or OTP verify of identifier from the
// client's IP. It returns an IP-blocked error when this failure starts (or
// meets) a block: the attempt that crosses the threshold already answers 429.
func (a *Auth) recordIPFailure(ctx context.Context, op, identifier string, c Client, userID string) error {
	ip, ruled := a.ruledIP(ctx, c)
	if !ruled {
		return nil
	}
	until, err := a.deps.Abuse.RecordIPFailure(ctx, ip, identifier, a.now(), a.cfg.IPBlock.IPPolicy)
	if err != nil {
		return storeError(op, err)
	}
	if blocked := a.ipBlockedError(op, until); blocked != nil {
		a.signal(ctx, ports.Signal{Kind: ports.SignalIPBlock, Flow: op})
		a.event(ctx, userID, ports.EventIPBlocked, c, "")
		return blocked
	}
	return nil
}

// limitIP applies a per-IP Layer-1 rule; allow-listed IPs are exempt.
func (a *Auth) limitIP(ctx context.Context, op, name string, rule ports.RateRule, c Client) error {
	ip, ruled := a.ruledIP(ctx, c)
	if !ruled {
		return nil
	}
	return a.limit(ctx, op, name+":ip:"+ip, rule)
}

// Mail budgets: the per-identifier rule applies to each kind of email in a
// budget of its own, so that a stranger spending one kind cannot refuse the
// owner another. Login codes are one budget; recovery links (password reset,
// PIN reset, unlock) another, so a stranger asking for login codes never
// stands between a locked-out owner and an unlock link, and a stranger asking
// for recovery links only sends the owner links the owner can use.
const (
	budgetLoginCode = "login_code"
	budgetRecovery  = "recovery"
	budgetVerify    = "verify"
	budgetGuardian  = "guardian" // consent links to a guardian's address, named by registrants
	budgetExport    = "export"   // receipts of the user's own data exports
)

// limitIdentifier applies the per-identifier rule to a request that emails
// someone, in the budget's bucket: no mail-bombing one inbox. It runs before
// the lookup, so unknown identifiers are limited alike and a 429 says nothing
// about who exists.
func (a *Auth) limitIdentifier(ctx context.Context, op, budget, identifier string) error {
	return a.limit(ctx, op, "mail:"+budget+":id:"+identifier, a.cfg.RateLimits.RequestPerIdentifier)
}

// limitInbox applies the same rule per account once the account is known, so
// an email address and a username of one account share one inbox's budget.
func (a *Auth) limitInbox(ctx context.Context, op, budget, userID string) error {
	return a.limit(ctx, op, "mail:"+budget+":user:"+userID, a.cfg.RateLimits.RequestPerIdentifier)
}

// limitStepUpMail applies the rule to step-up codes, in a bucket of their own:
// anonymous requests spending the inbox budget must not lock the signed-in
// user out of stepping up.
func (a *Auth) limitStepUpMail(ctx context.Context, op, userID string) error {
	return a.limit(ctx, op, "mail:step_up:"+userID, a.cfg.RateLimits.RequestPerIdentifier)
}

// limit asks the optional RateLimiter. Layer 1 fails open: an error or a slow
// limiter allows the request, because Layer 2 (lockouts in the store) keeps
// authentication correct without it.
func (a *Auth) limit(ctx context.Context, op, key string, rule ports.RateRule) error {
	if a.deps.Limiter == nil || rule.Limit <= 0 {
		return nil
	}
	d, err := a.deps.Limiter.Allow(ctx, key, rule, a.now())
	if err != nil {
		a.failOpen.warn(ctx, "bharatauth: rate limiter failed; allowing requests (fail open)", "error", err)
		return nil
	}
	if d.Allowed {
		return nil
	}
	a.signal(ctx, ports.Signal{Kind: ports.SignalRateLimited, Flow: op, Detail: rateRuleName(key)})
	retry := d.RetryAfter
	if retry <= 0 {
		retry = time.Second
	}
	return &Error{Op: op, Kind: KindRateLimited, Message: "too many requests; try again later", RetryAfter: retry}
}
