package core

import (
	"context"
	"strings"

	"github.com/bharatauth/bharatauth-go/core/smstext"
	"github.com/bharatauth/bharatauth-go/ports"
)

// smsBudgetKeys prefix the SMSBudget keys core counts; after the prefix
// comes a keyed hash, never a number in the clear.
const (
	smsKeyNumber     = "sms:number:"
	smsKeyIP         = "sms:ip:"
	smsKeyPrefix     = "sms:prefix:"
	smsKeyGlobal     = "sms:global"
	smsKeyUnverified = "sms:unverified:"
)

// smsLimits are the budgets one SMS of kind to number, caused by c, takes.
// The cool-down (Unverified) counts only numbers not proven: a verified
// number is its owner's, and a stranger's sends must not keep the owner's
// codes from it (the per-number limit still bounds them). Recovery codes
// count per number apart from the rest, as recovery emails do
// (budgetRecovery): a stranger asking for sign-in codes, which a lock makes
// useless, must not stand between a locked-out owner and an unlock code.
func (a *Auth) smsLimits(number string, verified bool, kind smstext.Kind, c Client) []ports.SMSLimit {
	b := a.cfg.Phone.Budgets
	limit := func(key string, r ports.RateRule) ports.SMSLimit {
		return ports.SMSLimit{Key: key, Limit: r.Limit, Window: r.Window}
	}
	perNumber := smsKeyNumber
	switch kind {
	case smstext.Unlock, smstext.PasswordReset, smstext.PINReset:
		perNumber += "recovery:"
	}
	limits := []ports.SMSLimit{
		limit(perNumber+a.identifierKey(number), b.PerNumber),
		limit(smsKeyPrefix+a.identifierKey(phonePrefix(number)), b.PerPrefix),
		limit(smsKeyGlobal, b.Global),
	}
	if !verified {
		limits = append(limits, limit(a.unverifiedKey(number), b.Unverified))
	}
	// An unknown client IP is a wiring mistake; its sends share one budget
	// rather than none. Allow-listed addresses (carrier CGNAT) are exempt.
	if ip := ipKey(c.IP); ip == "" {
		limits = append(limits, limit(smsKeyIP+"unknown", b.PerIP))
	} else if !a.allowListed(c.IP) {
		limits = append(limits, limit(smsKeyIP+ip, b.PerIP))
	}
	return limits
}

// unverifiedKey counts sends to number that no used code followed.
func (a *Auth) unverifiedKey(number string) string {
	return smsKeyUnverified + a.identifierKey(number)
}

// smsBudgetName names the budget of a key, for events and signals.
func smsBudgetName(key string) string {
	for _, p := range []struct{ prefix, name string }{
		{smsKeyNumber, "number"}, {smsKeyIP, "ip"}, {smsKeyPrefix, "prefix"},
		{smsKeyGlobal, "global"}, {smsKeyUnverified, "unverified"},
	} {
		if strings.HasPrefix(key, p.prefix) {
			return p.name
		}
	}
	return "unknown"
}

// sendSMS sends u a message of kind to u.Phone, after taking every SMS
// budget (takeSMS). It runs after the answer. code is "" for a notice.
func (a *Auth) sendSMS(ctx context.Context, u ports.User, kind smstext.Kind, code string, c Client) {
	if a.takeSMS(ctx, u, kind, c) {
		a.deliverSMS(ctx, u, kind, code, c)
	}
}

// smsCode takes the SMS budgets, then issues a code of purpose for u and
// texts it (kind). It runs after the answer. A refused send issues no code,
// so the code the owner holds stays valid; a code that could not be stored
// is not sent.
func (a *Auth) smsCode(ctx context.Context, u ports.User, purpose string, kind smstext.Kind, device string, c Client) {
	a.smsCodeFor(ctx, u, u.ID, purpose, kind, device, c)
}

// smsCodeFor is smsCode for a code whose subject is not the user (a step-up
// code belongs to its session).
func (a *Auth) smsCodeFor(ctx context.Context, u ports.User, subject, purpose string, kind smstext.Kind, device string, c Client) {
	if !a.takeSMS(ctx, u, kind, c) {
		return
	}
	code, err := a.issueCode(ctx, subject, purpose, device)
	if err != nil {
		a.log.WarnContext(ctx, "bharatauth: issuing an SMS code failed", "user_id", u.ID, "purpose", purpose, "error", err)
		return
	}
	a.deliverSMS(ctx, u, kind, code, c)
}

// takeSMS counts one SMS to u.Phone against every budget, all or nothing,
// and reports whether it may be sent. It runs after the answer, so a refused
// send answers like a sent one: nobody learns from it whether the number has
// an account or a budget is spent. A refusal records an EventSMSRefused
// naming the budget; a budget error fails closed (nothing is sent) and is
// logged and recorded as "budget_error".
func (a *Auth) takeSMS(ctx context.Context, u ports.User, kind smstext.Kind, c Client) bool {
	if u.Phone == "" || a.deps.SMSSender == nil || a.deps.SMSBudget == nil {
		return false
	}
	d, err := a.deps.SMSBudget.TakeSMS(ctx, a.smsLimits(u.Phone, u.PhoneVerified, kind, c), a.now())
	switch {
	case err != nil:
		a.log.ErrorContext(ctx, "bharatauth: the SMS budget could not be asked; not sending (fail closed)", "user_id", u.ID, "kind", kind, "error", err)
		a.event(ctx, u.ID, ports.EventSMSRefused, c, "budget_error")
		return false
	case !d.Allowed:
		name := smsBudgetName(d.RefusedBy)
		a.log.InfoContext(ctx, "bharatauth: an SMS budget is spent; not sending", "user_id", u.ID, "kind", kind, "budget", name)
		a.signal(ctx, ports.Signal{Kind: ports.SignalRateLimited, Flow: "sms", Detail: "sms_" + name})
		a.event(ctx, u.ID, ports.EventSMSRefused, c, name)
		return false
	}
	return true
}

// deliverSMS renders and sends a message whose budget was taken. A failure
// is logged and recorded as EventSMSFailed; it is never retried (an SMS
// costs money and the user can ask again).
func (a *Auth) deliverSMS(ctx context.Context, u ports.User, kind smstext.Kind, code string, c Client) {
	lang := u.Language
	if lang == "" {
		lang = a.cfg.Phone.Language
	}
	m, err := a.sms.Render(kind, lang, smstext.Data{Code: code, App: a.cfg.Phone.appName(a.cfg.AppName),
		Domain: a.cfg.Phone.domain(a.cfg.Issuer), AppHash: a.cfg.Phone.AndroidAppHash})
	if err == nil {
		err = a.deps.SMSSender.SendSMS(ctx, ports.SMS{To: u.Phone, Text: m.Text, TemplateID: m.TemplateID, Kind: string(kind)})
	}
	if err != nil {
		a.log.WarnContext(ctx, "bharatauth: sending an SMS failed", "user_id", u.ID, "kind", kind, "error", err)
		a.event(ctx, u.ID, ports.EventSMSFailed, c, string(kind))
	}
}

// smsCodeUsed clears the number's cool-down count once a code sent to it was
// used: the number is someone's, reading their texts. A failure only leaves
// the count to expire by itself.
func (a *Auth) smsCodeUsed(ctx context.Context, number string) {
	if number == "" || a.deps.SMSBudget == nil {
		return
	}
	if err := a.deps.SMSBudget.ClearSMS(ctx, a.unverifiedKey(number)); err != nil {
		a.log.WarnContext(ctx, "bharatauth: clearing an SMS cool-down failed", "error", err)
	}
}
