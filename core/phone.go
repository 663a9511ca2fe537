package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/core/smstext"
	"github.com/bharatauth/bharatauth-go/ports"
)

// PhoneConfig turns on phone numbers as identifiers (issue 16): registration
// with a number, sign-in by password or by a code sent by SMS, and the SMS
// budgets that keep strangers from making the app pay for texts.
type PhoneConfig struct {
	// Enabled turns phone numbers on. Off by default. When on, New needs
	// Deps.SMSSender, an SMSBudget (Deps.SMSBudget, or Storage when it is
	// one) and a user directory that is a ports.PhoneDirectory.
	Enabled bool
	// Regions are the ISO 3166 regions whose numbers are accepted (["IN"]);
	// the first is the default region, so a number typed without "+" and a
	// country code ("98765 43210", "098765 43210") is read as one of it. A
	// number of another region is refused (code phone_region_not_allowed).
	Regions []string
	// Domain is the host of the WebOTP line "@<domain> #<code>" that ends
	// every SMS with a code, so that a browser on that site fills the code
	// in: the site's host, at most 20 characters ("" → the host of Issuer
	// when Issuer is a URL; New refuses to start without one).
	Domain string
	// AndroidAppHash, when set, is the 11-character hash of the Android app
	// (SMS Retriever API), appended to the last line of every SMS with a code.
	AndroidAppHash string
	// AppName is the {app} of SMS templates, at most 20 characters
	// ("" → Config.AppName, which must then fit).
	AppName string
	// Language is the SMS language for users with none set ("en"; "hi").
	Language string
	// Templates override built-in texts: language → kind → template, with
	// the DLT template id. A text that could grow past one SMS part is
	// refused by New.
	Templates map[string]map[smstext.Kind]smstext.Template
	// Budgets count every SMS before it is sent (ports.SMSBudget).
	Budgets SMSBudgets
}

// SMSBudgets are the limits taken, all or nothing, before every SMS. Each is
// a number of sends within a sliding window; every one must be > 0.
type SMSBudgets struct {
	// PerNumber counts sends to one number; recovery codes (unlock, password
	// and PIN reset) in a count of their own, so that sign-in codes asked by
	// a stranger never keep a locked-out owner from an unlock code.
	PerNumber ports.RateRule // 5 per hour to one number
	PerIP     ports.RateRule // 10 per hour caused by one client IP (IPv6 per /64; IPBlock.AllowList exempt)
	// PerPrefix counts sends to numbers sharing the country code and the
	// first 7 digits of the national number (a block of 1,000 Indian mobile
	// numbers): SMS pumping walks number ranges an attacker earns from.
	PerPrefix ports.RateRule // 20 per hour
	Global    ports.RateRule // 100 per minute across the whole service
	// Unverified cools a number no account has proven down: sends to it
	// that no used code followed. A code sent to the number and used clears
	// the count. A verified number is never cooled down (PerNumber still
	// bounds it): a stranger's requests must not keep its owner out.
	Unverified ports.RateRule // 10 per 24 hours
}

// defaultPhoneConfig is PhoneConfig's defaults (off).
func defaultPhoneConfig() PhoneConfig {
	return PhoneConfig{
		Regions:  []string{"IN"},
		Language: "en",
		Budgets: SMSBudgets{
			PerNumber:  ports.RateRule{Limit: 5, Window: time.Hour},
			PerIP:      ports.RateRule{Limit: 10, Window: time.Hour},
			PerPrefix:  ports.RateRule{Limit: 20, Window: time.Hour},
			Global:     ports.RateRule{Limit: 100, Window: time.Minute},
			Unverified: ports.RateRule{Limit: 10, Window: 24 * time.Hour},
		},
	}
}

// prefixDigits is how many national digits make a number's prefix for
// SMSBudgets.PerPrefix.
const prefixDigits = 7

// maxPhoneInputLen bounds a phone number as typed, before any parsing.
const maxPhoneInputLen = 32

// Codes of refused phone numbers (KindValidation).
const (
	codePhoneInvalid       = "phone_invalid"
	codePhoneNotMobile     = "phone_not_mobile"
	codePhoneRegionRefused = "phone_region_not_allowed"
	codePhoneTaken         = "phone_taken"
	codePhoneOff           = "phone_not_enabled"
	codePhoneNotVerified   = "phone_not_verified"
	codeUsernameLikePhone  = "username_like_phone"
)

func (p PhoneConfig) validate(appName, issuer string) []error {
	if !p.Enabled {
		return nil
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(p.Regions) == 0 {
		bad("Phone.Regions must name at least one region, such as IN")
	}
	for _, r := range p.Regions {
		if phonenumbers.GetCountryCodeForRegion(r) == 0 {
			bad("Phone.Regions: %q is not a region phonenumbers knows (ISO 3166 alpha-2, upper case)", r)
		}
	}
	if d := p.domain(issuer); d == "" || len(d) > smstext.MaxDomainLen || strings.ContainsAny(d, " \t\r\n#@/") {
		bad("Phone.Domain must be the site's host, 1 to %d characters (got %q); Issuer is not a URL to take it from", smstext.MaxDomainLen, d)
	}
	if h := p.AndroidAppHash; h != "" && (len(h) != smstext.AppHashLen || strings.ContainsAny(h, " \t\r\n")) {
		bad("Phone.AndroidAppHash must be %d characters (got %d)", smstext.AppHashLen, len(h))
	}
	if n := len([]rune(p.appName(appName))); n > smstext.MaxAppNameLen {
		bad("Phone.AppName must be at most %d characters (got %d); set a short one for SMS", smstext.MaxAppNameLen, n)
	}
	for name, r := range map[string]ports.RateRule{
		"PerNumber": p.Budgets.PerNumber, "PerIP": p.Budgets.PerIP, "PerPrefix": p.Budgets.PerPrefix,
		"Global": p.Budgets.Global, "Unverified": p.Budgets.Unverified,
	} {
		if r.Limit <= 0 || r.Window <= 0 {
			bad("Phone.Budgets.%s needs Limit > 0 and Window > 0 (got %d per %s)", name, r.Limit, r.Window)
		}
	}
	if _, err := smstext.NewRenderer(p.Language, p.Templates); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// domain is the WebOTP domain: Domain, else Issuer's host.
func (p PhoneConfig) domain(issuer string) string {
	if p.Domain != "" {
		return p.Domain
	}
	if webURL(issuer) {
		host, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(issuer, "https://"), "http://"), "/")
		host, _, _ = strings.Cut(host, ":")
		return host
	}
	return ""
}

func (p PhoneConfig) appName(app string) string {
	if p.AppName != "" {
		return p.AppName
	}
	return app
}

// cleanPhone parses a number as typed into E.164, in the default region
// when it has no country code, and refuses what is not a mobile number of an
// allowed region. field names the input in the error.
func (a *Auth) cleanPhone(op, field, s string) (string, error) {
	if !a.cfg.Phone.Enabled {
		return "", &Error{Op: op, Kind: KindValidation, Code: codePhoneOff, Field: field, Message: "sign-in by phone number is not enabled"}
	}
	s = strings.TrimSpace(s)
	refuse := func(code, msg string) error {
		return &Error{Op: op, Kind: KindValidation, Code: code, Field: field, Message: msg}
	}
	switch {
	case s == "":
		return "", invalidField(op, field, "is required")
	case len(s) > maxPhoneInputLen || !plainText(s) || strings.IndexFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9' || strings.ContainsRune("+ -().", r))
	}) >= 0:
		return "", refuse(codePhoneInvalid, "is not a phone number: use digits, with +country code if not from "+a.cfg.Phone.Regions[0])
	}
	num, err := phonenumbers.Parse(s, a.cfg.Phone.Regions[0])
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", refuse(codePhoneInvalid, "is not a valid phone number")
	}
	if !slices.Contains(a.cfg.Phone.Regions, phonenumbers.GetRegionCodeForNumber(num)) {
		return "", refuse(codePhoneRegionRefused, "numbers of this country are not accepted here")
	}
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
	default:
		return "", refuse(codePhoneNotMobile, "must be a mobile number that can receive SMS")
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// isPhone reports whether a cleaned identifier is a phone number: E.164
// starts with "+", which no username may; an email may ("+news@example.com"),
// but has an "@", which no number has.
func isPhone(identifier string) bool {
	return strings.HasPrefix(identifier, "+") && !strings.Contains(identifier, "@")
}

// identifierOf cleans what a sign-in or request names the account by: an
// identifier (email or username; a phone number too when it starts with
// "+" and has no "@") or a phone number, exactly one of them.
func (a *Auth) identifierOf(op, identifier, phone string) (string, error) {
	switch {
	case phone != "" && strings.TrimSpace(identifier) != "":
		return "", invalidField(op, "phone", "give an identifier or a phone number, not both")
	case phone != "":
		return a.cleanPhone(op, "phone", phone)
	case a.cfg.Phone.Enabled && isPhone(strings.TrimSpace(identifier)):
		return a.cleanPhone(op, "identifier", identifier)
	}
	return cleanIdentifier(op, "identifier", identifier)
}

// phonePrefix is the number's budget prefix: the country code and the first
// prefixDigits national digits.
func phonePrefix(e164 string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return e164
	}
	national := phonenumbers.GetNationalSignificantNumber(num)
	national = national[:min(len(national), prefixDigits)]
	return fmt.Sprintf("+%d-%s", num.GetCountryCode(), national)
}

// verifiedFor reports whether u's way in named by identifier is proven: the
// number for a phone (or for an account with no email), else the email.
func verifiedFor(u ports.User, identifier string) bool {
	if isPhone(identifier) || u.Email == "" {
		return u.PhoneVerified
	}
	return u.EmailVerified
}

// bySMS reports whether codes for u, named by identifier, go by SMS: when
// named by number, or when the account has no email.
func bySMS(u ports.User, identifier string) bool {
	return u.Phone != "" && (isPhone(identifier) || u.Email == "")
}

// provePhone records that u's number was proven by a code sent to it, and
// returns the user as it now is. The pre-hijacking defence of proveEmail
// applies alike: when the number was unverified and the proof is anything
// but the registration's own verification code, every earlier session ends,
// the password set before and the registrant's profile and guardianship are
// discarded, before the number is marked verified.
func (a *Auth) provePhone(ctx context.Context, op string, u ports.User, proof emailProof, c Client) (ports.User, error) {
	if u.PhoneVerified || a.phoneRegistry == nil {
		return u, nil
	}
	if proof != proofByVerifyLink {
		var err error
		if u, err = a.discardUnproven(ctx, op, u, c); err != nil {
			return u, err
		}
		if err := a.voidOtherProof(ctx, op, u, false); err != nil {
			return u, err
		}
	}
	if err := a.phoneRegistry.MarkPhoneVerified(ctx, u.ID, a.now()); err != nil {
		return u, storeError(op, err)
	}
	u.PhoneVerified = true
	a.event(ctx, u.ID, ports.EventPhoneVerified, c, "")
	if proof != proofByVerifyLink {
		return a.releaseRegistrantsOther(ctx, op, u, true, c)
	}
	return u, nil
}

// notifyNewDevice tells u of a sign-in from a new device: by email, or by
// SMS when the account has no email.
func (a *Auth) notifyNewDevice(ctx context.Context, u ports.User, c Client) {
	if u.Email == "" {
		a.afterAnswer(ctx, "new device SMS", func(ctx context.Context) { a.sendSMS(ctx, u, smstext.NewDevice, "", c) })
		return
	}
	a.mailNewDevice(ctx, u, c)
}

// notifyCodeSignIn tells the verified email of u of a sign-in from a new
// device by a code texted to its number: a recycled number's new holder
// cannot take the account silently. An unverified address is told nothing (it
// may be a stranger's); nor is the number that just proved itself, and an
// emailed-code sign-in texts nothing (an SMS costs, and the address, which is
// not recycled like a number, is the account's own proof).
func (a *Auth) notifyCodeSignIn(ctx context.Context, u ports.User, c Client) {
	if u.Email == "" || !u.EmailVerified {
		return
	}
	a.mailNewDevice(ctx, u, c)
}

// mailNewDevice emails u the new-device notice describing the sign-in by c.
func (a *Auth) mailNewDevice(ctx context.Context, u ports.User, c Client) {
	a.send(ctx, u, emails.NewDevice, emails.Data{Device: c.userAgent(), IPAddress: storedIP(c.IP), At: a.now()}, c)
}

// VerifyPhoneInput proves a number with the code texted to it at
// registration (or after a password login refused for the unverified number).
type VerifyPhoneInput struct {
	Phone  string
	Code   string
	Client Client
}

// VerifyPhone marks the account's number verified with the code texted to it
// by Register (Purpose phone_verify): the registrant's own proof, as the
// email verification link is, so nothing of the account is discarded. A
// child's first proof emails its guardian the consent link. A
// sign-in code (VerifyOTP) proves a number too, with the pre-hijacking
// defence. Unknown numbers make the same store calls and fail alike.
//
// Errors: ErrValidation (phone, code), ErrIPBlocked, ErrRateLimited
// (OTPVerifyPerIP), ErrUnauthorized (code "invalid_otp": a wrong, used,
// expired or dead code, or an unknown number), ErrUnavailable.
func (a *Auth) VerifyPhone(ctx context.Context, in VerifyPhoneInput) (err error) {
	const op = "VerifyPhone"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	u, err := a.consumeSMSCode(ctx, op, in.Phone, in.Code, ports.PurposePhoneVerify, in.Client)
	if err != nil {
		return err
	}
	proven := u.PhoneVerified
	if u, err = a.provePhone(ctx, op, u, proofByVerifyLink, in.Client); err != nil || proven {
		return err
	}
	a.mailGuardian(ctx, op, u, in.Client) // a child's first proof asks its guardian, as VerifyEmail's does
	return nil
}

// consumeSMSCode uses up a code of purpose texted to phone and returns the
// account. Before the code: input checks, the IP block and the per-IP
// verify limit; an unknown number makes the same store calls and fails
// alike. Guessing is bounded per code (it dies after OTPMaxAttempts wrong
// tries), per number by its own counter (smsCodePolicy: a new code costs
// only an SMS of the number's budget, so the code's bound alone would let a
// guesser go on for ever), and per address by the IP block, which every
// wrong code counts toward as a wrong sign-in code does. A used code clears
// the number's cool-down and its count of wrong codes; a code proves the
// number, so a flow other than VerifyPhone proves it with proofByCode.
func (a *Auth) consumeSMSCode(ctx context.Context, op, phone, code, purpose string, c Client) (ports.User, error) {
	phone, err := a.cleanPhone(op, "phone", phone)
	if err != nil {
		return ports.User{}, err
	}
	if err := checkCode(op, "code", code); err != nil {
		return ports.User{}, err
	}
	if err := a.checkIPBlock(ctx, op, c); err != nil {
		return ports.User{}, err
	}
	if err := a.limitIP(ctx, op, "otp_verify", a.cfg.RateLimits.OTPVerifyPerIP, c); err != nil {
		return ports.User{}, err
	}
	at, err := a.beginCodeAttempt(ctx, op, smsCodeLockKey(a.identifierKey(phone)))
	if err != nil {
		return ports.User{}, err
	}
	u, found, err := a.findUser(ctx, op, phone)
	if err != nil {
		return ports.User{}, a.abandon(ctx, op, at, err)
	}
	subject := unknownSubject
	if found {
		subject = u.ID
	}
	_, err = a.deps.Tokens.ConsumeCode(ctx, subject, purpose, a.codeHash(purpose, subject, code), a.now())
	switch {
	case err != nil && isCodeRejection(err):
		// As a wrong sign-in code, it counts toward the IP block too, whose
		// first blocked attempt answers 429.
		answer := a.codeFailed(ctx, op, at, wrongSMSCode(op))
		if err := a.recordIPFailure(ctx, op, a.identifierKey(phone), c, u.ID); err != nil {
			return ports.User{}, err
		}
		return ports.User{}, answer
	case err != nil:
		return ports.User{}, a.abandon(ctx, op, at, storeError(op, err))
	}
	a.codeSucceeded(ctx, op, at, u.ID)
	a.smsCodeUsed(ctx, phone)
	if purpose != ports.PurposePhoneVerify {
		return a.provePhone(ctx, op, u, proofByCode, c)
	}
	return u, nil
}

// beginCodeAttempt admits one texted code on its counter of wrong codes
// (smsCodePolicy): a number's, or an account's for phone change codes. A
// counter that is locked answers 429 until the lock ends, whether or not an
// account has the number.
func (a *Auth) beginCodeAttempt(ctx context.Context, op, key string) (attempt, error) {
	at, err := a.beginAttempt(ctx, op, key, smsCodePolicy(a.signInPolicy()))
	var locked *Error
	if errors.As(err, &locked) && locked.Kind == KindLocked {
		return at, smsCodesLocked(op, locked.LockedUntil, a.now())
	}
	return at, err
}

// codeFailed records a wrong texted code on the counter of at and answers
// wrong, or 429 when this failure locked the counter.
func (a *Auth) codeFailed(ctx context.Context, op string, at attempt, wrong error) error {
	state, err := a.finish(ctx, op, at, ports.Failed)
	if err != nil {
		return err
	}
	if now := a.now(); state.Locked(now) {
		return smsCodesLocked(op, state.LockedUntil, now)
	}
	return wrong
}

// codeSucceeded ends at's run of wrong codes. The code is used, and what it
// proves stands: a count left by a failure to record this only errs toward
// refusing a guesser, so it is logged.
func (a *Auth) codeSucceeded(ctx context.Context, op string, at attempt, userID string) {
	if _, err := a.finish(ctx, op, at, ports.Succeeded); err != nil {
		a.log.WarnContext(ctx, "bharatauth: clearing a count of wrong codes failed", "user_id", userID, "error", err)
	}
}

func wrongSMSCode(op string) error {
	return newError(op, KindUnauthorized, codeInvalidOTP, "the code is wrong or has expired; request a new one")
}

func smsCodesLocked(op string, until, now time.Time) *Error {
	return &Error{Op: op, Kind: KindRateLimited, Code: codeTooManyAttempts, RetryAfter: until.Sub(now),
		Message: "too many wrong codes; try again later"}
}
