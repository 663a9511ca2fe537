package core

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bharatauth/bharatauth-go/core/internal/policy"
	"github.com/bharatauth/bharatauth-go/core/smstext"
	"github.com/bharatauth/bharatauth-go/ports"
)

// RegisterInput creates an account in managed mode. It needs an Email, a
// Phone (with Config.Phone) or both. Password is optional: an account
// without one signs in by code only.
type RegisterInput struct {
	Email       string
	Phone       string // a mobile number as typed; stored in E.164 form
	Password    string
	Username    string // optional: 3–32 of A–Z a–z 0–9 . _ -
	DisplayName string // optional
	Language    string // optional: the email language ("en", "hi")
	// Consents must carry a decision for every configured category, and grant
	// every required one (ValidateRegistrationConsent).
	Consents []ConsentDecision
	// NoticeVersion and NoticeLanguage name the privacy notice shown: the
	// version must be the current one (empty: current) and the language one
	// it is published in (empty: Language's, else Config.NoticeLanguage).
	NoticeVersion  string
	NoticeLanguage string
	// DateOfBirth, optional, makes a registrant under Config.AdultAge a child
	// (DPDP §9): GuardianEmail is then required, no Tracking category may be
	// granted, and the account cannot sign in until the guardian consents.
	DateOfBirth   time.Time
	GuardianEmail string
	Client        Client
}

// Input limits of registration (emails: maxEmailLen).
const (
	minUsernameLen    = 3
	maxUsernameLen    = 32
	maxDisplayNameLen = 100 // code points
	maxLanguageLen    = 35  // BCP 47 tags in practice
	// numberLikeDigits is how many digits, with no letter beside them, make
	// a new username read as a phone number typed without "+" (checkNewUsername).
	numberLikeDigits = 7
)

// Register creates a user (managed mode), records every consent decision,
// emails a verification link (EmailVerifyTTL) to the email, if any, and
// texts a verification code (OTPTTL) to the phone number, if any (within the
// SMS budgets). Nothing is written unless every input is valid.
//
// Errors: ErrValidation (with Field; codes "phone_invalid",
// "phone_not_mobile", "phone_region_not_allowed", "phone_not_enabled" for the
// phone; "username_like_phone" for a username of digits with phone numbers
// on), ErrConsentRequired, ErrConflict (code "email_taken" or
// "phone_taken"; an email or a number that its account never proved, while
// it proved the other, is no conflict: it is taken off that account),
// ErrForbidden (no UserRegistry: external mode),
// ErrIPBlocked, ErrRateLimited (RegisterPerIP), ErrUnavailable.
func (a *Auth) Register(ctx context.Context, in RegisterInput) (_ ports.User, err error) {
	const op = "Register"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	if a.deps.Registry == nil {
		return ports.User{}, newError(op, KindForbidden, "", "registration is handled by the app (external mode)")
	}
	nu, err := a.cleanNewUser(op, in)
	if err != nil {
		return ports.User{}, err
	}
	if err := a.ValidateRegistrationConsent(in.Consents); err != nil {
		return ports.User{}, err
	}
	notice, err := a.noticeShown(op, in.NoticeVersion, in.NoticeLanguage, in.Language, false)
	if err != nil {
		return ports.User{}, err
	}
	if err := a.checkIPBlock(ctx, op, in.Client); err != nil {
		return ports.User{}, err
	}
	if err := a.limitIP(ctx, op, "register", a.cfg.RateLimits.RegisterPerIP, in.Client); err != nil {
		return ports.User{}, err
	}
	held, err := a.identityFree(ctx, op, nu)
	if err != nil {
		return ports.User{}, err
	}
	if in.Password != "" {
		if nu.PasswordHash, err = a.hasher.Hash(ctx, in.Password); err != nil {
			return ports.User{}, storeError(op, err)
		}
	}
	nu.CreatedAt = a.now()
	rows, err := a.consentRows(op, in.Consents, rowContext{notice: notice, source: ports.SourceSelf, client: in.Client})
	if err != nil {
		return ports.User{}, err
	}
	if nu.Guardian, err = a.childRegistration(op, in, nu.Email, rows); err != nil {
		return ports.User{}, err
	}
	if nu.Guardian == nil {
		nu.Consents = a.consentAppend(rows)
	}
	if err := a.releaseHeld(ctx, op, nu, held, in.Client); err != nil {
		return ports.User{}, err
	}
	// One atomic write: the user, the password hash and every consent decision.
	u, err := a.deps.Registry.CreateUser(ctx, nu)
	if errors.Is(err, ports.ErrConflict) {
		return ports.User{}, newError(op, KindConflict, conflictCode(nu), "an account with this email, phone number or username exists")
	}
	if err != nil {
		return ports.User{}, storeError(op, err)
	}
	// A child's decisions wait for the guardian's consent; the guardian is
	// emailed once the child proved its address (VerifyEmail).
	if nu.Guardian == nil {
		a.consentsRecorded(ctx, u.ID, rows, in.Client)
	}
	// The account exists now; a failed verification link is not a failed
	// registration (an OTP login or a password reset also verifies the email).
	if u.Email != "" {
		a.mailLinkAfterAnswer(ctx, u, a.verifyLinkMail(), in.Client)
	}
	if u.Phone != "" {
		a.afterAnswer(ctx, "verify phone code", func(ctx context.Context) {
			a.smsCode(ctx, u, ports.PurposePhoneVerify, smstext.VerifyPhone, "", in.Client)
		})
	}
	return u, nil
}

func (a *Auth) cleanNewUser(op string, in RegisterInput) (ports.NewUser, error) {
	var email, phone string
	var err error
	if strings.TrimSpace(in.Phone) != "" {
		if phone, err = a.cleanPhone(op, "phone", in.Phone); err != nil {
			return ports.NewUser{}, err
		}
	}
	if phone == "" || strings.TrimSpace(in.Email) != "" {
		if email, err = a.cleanEmail(op, in.Email); err != nil {
			return ports.NewUser{}, err
		}
	}
	prof, err := cleanProfile(op, ports.Profile{Username: in.Username, DisplayName: in.DisplayName, Language: in.Language})
	if err != nil {
		return ports.NewUser{}, err
	}
	if err := a.checkNewUsername(op, prof.Username); err != nil {
		return ports.NewUser{}, err
	}
	if in.Password != "" {
		if err := policy.CheckPassword(in.Password, email, prof.Username); err != nil {
			return ports.NewUser{}, policyError(op, "password", err)
		}
	}
	return ports.NewUser{Email: email, Phone: phone, Username: prof.Username, DisplayName: prof.DisplayName, Language: prof.Language}, nil
}

// identityFree answers before the costly hash when the email or the number
// is taken; the 409 says no more than CreateUser's would. An identifier held
// unverified by an account that proved its other one does not count as
// taken (claimable): it is returned, to be released from that account once
// nothing else can refuse the registration (releaseHeld), and the registrant
// proves it as any registrant does. The answer is then the one a free
// identifier gets.
func (a *Auth) identityFree(ctx context.Context, op string, nu ports.NewUser) (held []string, err error) {
	for _, identifier := range []string{nu.Email, nu.Phone} {
		if identifier == "" {
			continue
		}
		releasable, err := a.claimable(ctx, op, identifier, identifier == nu.Phone)
		if err != nil {
			return nil, err
		}
		if releasable {
			held = append(held, identifier)
		}
	}
	return held, nil
}

// releaseHeld takes the identifiers identityFree found held unproven off
// their accounts, right before nu is created. A taken username would refuse
// the registration after the release (CreateUser's 409): it is refused
// first, so that a registration that creates nothing releases nothing.
func (a *Auth) releaseHeld(ctx context.Context, op string, nu ports.NewUser, held []string, c Client) error {
	if len(held) == 0 {
		return nil
	}
	if nu.Username != "" {
		_, taken, err := a.findUser(ctx, op, nu.Username)
		switch {
		case err != nil:
			return err
		case taken:
			return newError(op, KindConflict, conflictCode(nu), "an account with this email, phone number or username exists")
		}
	}
	for _, identifier := range held {
		if err := a.releaseUnproven(ctx, op, identifier == nu.Phone, identifier, c); err != nil {
			return err
		}
	}
	return nil
}

// claimable answers ErrConflict when an account holds identifier (phone: a
// number), unless that account holds it unverified while it proved its other
// identifier (unprovenBesideProven): then whoever proves it may take it off
// that account (releaseUnproven), and releasable is true.
func (a *Auth) claimable(ctx context.Context, op, identifier string, phone bool) (releasable bool, err error) {
	u, taken, err := a.findUser(ctx, op, identifier)
	switch {
	case err != nil || !taken:
		return false, err
	case a.unprovenBesideProven(u, phone):
		return true, nil
	}
	code := codeEmailTaken
	if phone {
		code = codePhoneTaken
	}
	return false, newError(op, KindConflict, code, "an account with this email, phone number or username exists")
}

// unprovenBesideProven reports whether u holds its number (phone) or its
// email unverified while its other identifier is verified: a registrant
// naming that identifier is not kept out by u (pre-hijacking defence). An
// account with nothing proven keeps both: its owner signs in by a code to
// either and so proves it.
func (a *Auth) unprovenBesideProven(u ports.User, phone bool) bool {
	if a.phoneRegistry == nil {
		return false
	}
	if phone {
		return !u.PhoneVerified && u.Email != "" && u.EmailVerified
	}
	return !u.EmailVerified && u.Phone != "" && u.PhoneVerified
}

// releaseUnproven takes the unproven identifier off the account holding it
// and records that on the account. When it was proven meanwhile the store
// releases nothing and the identifier is taken after all (409).
func (a *Auth) releaseUnproven(ctx context.Context, op string, phone bool, identifier string, c Client) error {
	release, detail, code := a.phoneRegistry.ReleaseUnprovenEmail, "email", codeEmailTaken
	if phone {
		release, detail, code = a.phoneRegistry.ReleaseUnprovenPhone, "phone", codePhoneTaken
	}
	id, err := release(ctx, identifier)
	if isNotFound(err) {
		return newError(op, KindConflict, code, "an account with this email, phone number or username exists")
	}
	if err != nil {
		return storeError(op, err)
	}
	a.event(ctx, id, ports.EventUnprovenIdentifierReleased, c, detail)
	return nil
}

// claimProven takes identifier off an account that holds it unproven beside
// a proven one (claimable), now that the caller proved it by a change's code
// or link, as a registrant's proof would; an account that proved it keeps it
// (ErrConflict).
func (a *Auth) claimProven(ctx context.Context, op, identifier string, phone bool, c Client) error {
	releasable, err := a.claimable(ctx, op, identifier, phone)
	if err != nil || !releasable {
		return err
	}
	return a.releaseUnproven(ctx, op, phone, identifier, c)
}

// conflictCode names what CreateUser found taken, as near as core can tell.
func conflictCode(nu ports.NewUser) string {
	if nu.Email == "" {
		return codePhoneTaken
	}
	return codeEmailTaken
}

// cleanProfile trims what a user chose about themselves and checks it, as
// registration and a later correction (UpdateProfile) both do.
func cleanProfile(op string, p ports.Profile) (ports.Profile, error) {
	p.Username = strings.TrimSpace(p.Username)
	if err := checkUsername(op, p.Username); err != nil {
		return ports.Profile{}, err
	}
	p.DisplayName = strings.TrimSpace(p.DisplayName)
	if !plainText(p.DisplayName) || utf8.RuneCountInString(p.DisplayName) > maxDisplayNameLen {
		return ports.Profile{}, invalidField(op, "display_name", "must be at most 100 characters of plain text")
	}
	p.Language = strings.TrimSpace(p.Language)
	if len(p.Language) > maxLanguageLen || strings.IndexFunc(p.Language, func(r rune) bool { return !(r == '-' || r < 128 && unicode.IsLetter(r)) }) >= 0 {
		return ports.Profile{}, invalidField(op, "language", "must be a language tag such as en or hi")
	}
	return p, nil
}

// cleanEmail trims an address to register and puts it in the canonical form
// that is stored and that every later lookup uses (canonicalEmail).
func (a *Auth) cleanEmail(op, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalidField(op, "email", "is required")
	}
	email, err := canonicalEmail(s, a.cfg.AllowUnicodeLocalPart)
	if err != nil {
		return "", invalidField(op, "email", err.Error())
	}
	return email, nil
}

func checkUsername(op, u string) error {
	if u == "" {
		return nil
	}
	if len(u) < minUsernameLen || len(u) > maxUsernameLen {
		return invalidField(op, "username", "must be 3 to 32 characters")
	}
	for _, r := range u {
		if !(r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '.' || r == '_' || r == '-') {
			return invalidField(op, "username", "may use only letters A–Z, digits, '.', '_' and '-'")
		}
	}
	return nil
}

// checkNewUsername refuses, with phone numbers on, a username being chosen
// that has no letter and numberLikeDigits or more digits ("9876543210",
// "98765-43210"): a number typed without "+" is looked up as a username, so
// such a username would receive the codes the number's owner asks for. The
// rule is the digits, not the phone parser: it holds for every region, also
// one allowed later. Usernames taken before are kept; only a new choice is
// checked.
func (a *Auth) checkNewUsername(op, username string) error {
	if !a.cfg.Phone.Enabled {
		return nil
	}
	digits := 0
	for _, r := range username {
		switch {
		case unicode.IsLetter(r):
			return nil
		case unicode.IsDigit(r):
			digits++
		}
	}
	if digits < numberLikeDigits {
		return nil
	}
	return &Error{Op: op, Kind: KindValidation, Code: codeUsernameLikePhone, Field: "username",
		Message: "must have a letter: a username of digits reads as a phone number"}
}

// plainText reports whether s is valid UTF-8 without control characters.
func plainText(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

// VerifyEmail confirms an email address with the emailed link. A child's
// first proof emails its guardian the consent link.
func (a *Auth) VerifyEmail(ctx context.Context, in LinkInput) (err error) {
	const op = "VerifyEmail"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	token, c := in.Token, in.Client
	u, err := a.consumeLink(ctx, op, ports.PurposeEmailVerify, token)
	if err != nil {
		return err
	}
	if u.Email == "" { // released from the account since (releaseUnproven)
		return newError(op, KindUnauthorized, codeInvalidToken, "the link is not valid or was already used")
	}
	proven := u.EmailVerified
	if u, err = a.proveEmail(ctx, op, u, proofByVerifyLink, c); err != nil || proven {
		return err
	}
	a.mailGuardian(ctx, op, u, c)
	return nil
}
