package core

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// Config is everything core needs besides its ports. Start from DefaultConfig,
// which holds every default, and set SecretKey.
type Config struct {
	// AppName appears in emails.
	AppName string
	// SecretKey is the root of the server's keys. At least 32 bytes. It never
	// keys anything itself: the HMAC of OTP codes, the HMAC of identifiers and,
	// unless SigningKeys is set, the HS256 key of access tokens are each
	// derived from it with HMAC-SHA256 under their own label.
	//
	// Cut-over: releases before the access-token key was derived signed access
	// tokens with SecretKey itself. After an upgrade, such a token still
	// verifies if it was issued before New ran, and only until one
	// AccessTokenTTL after New ran, by the Deps.Clock; from then on SecretKey
	// verifies nothing, and every token New's Auth signs uses the derived key.
	// Nobody is logged out by the upgrade; clients refresh as their tokens
	// expire, as they always do. In a rolling upgrade, a token that an
	// instance still on the old release signs after this one started is
	// refused here as invalid, and its client has to refresh early.
	SecretKey []byte
	// SigningKeys, when set, sign access tokens instead of SecretKey: the first
	// signs, the rest only verify (key rotation). They are used as given, HS256
	// secrets included; no legacy SecretKey window applies. EdDSA and ES256
	// keys are published by JWKS.
	SigningKeys []SigningKey
	Issuer      string // the "iss" claim, required; an https URL for OAuth discovery (RFC 8414)
	Audience    string // the "aud" claim, required
	// ClientID is the "client_id" claim (RFC 9068 §2.2): the client the
	// tokens are issued to. "" → Audience.
	ClientID string
	// Claims, when set, adds the app's own claims to every access token
	// (roles, a tenant…), asked at each sign-in and refresh. A name that
	// BharatAuth or the JWT access-token standards use (sub, aud, client_id,
	// scope, acr, sid, trust, … in any letter case) is refused, and so is a
	// name that is not printable ASCII or holds ", \, <, > or &: that sign-in
	// or refresh fails with an internal error that names it, in the log.
	// An error from Claims fails it the same way; a refresh asks Claims
	// before it uses the refresh token up, so the client may retry with the
	// same token, however late, without it counting as reuse. Keep the
	// claims small: a token over 8 KiB is refused too.
	Claims func(ctx context.Context, in ClaimsInput) (map[string]any, error)

	// AccessTokenTTL is how long an access token lives: 15 minutes. A token
	// whose exp lies more than AccessTokenTTL + 30 s after its iat is refused
	// whoever signed it, so shortening the TTL also refuses, at once, tokens
	// issued under the longer one.
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration // 30 days: a session on a known own device
	NewDeviceTTL    time.Duration // 7 days: a session on a new, unrecognised device
	PublicDeviceTTL time.Duration // 2 hours: a session on a public or borrowed device
	OTPTTL          time.Duration // 10 minutes
	OTPMaxAttempts  int           // 5 wrong tries per code, then it is dead
	EmailVerifyTTL  time.Duration // 24 hours
	ResetTTL        time.Duration // 30 minutes: password reset, PIN reset and unlock links
	StepUpWindow    time.Duration // 5 minutes: how long a public-device step-up stays usable
	// RefreshReuseGrace (10 s) is how long after a rotation the rotated-away
	// refresh token may be presented again as a retry: it gets the same new
	// refresh token (the child is derived from the parent under a server key,
	// so no token is stored in the clear) and the session lives on. A client
	// on a flaky mobile network that retries a refresh whose answer it lost,
	// or two tabs refreshing at once, are not logged out. The trade: a copy of
	// a refresh token used within the grace of the owner's rotation is not
	// caught as theft. 0 is strict RFC 9700: any second use ends the session.
	RefreshReuseGrace time.Duration

	// RequireVerifiedEmail makes password login refuse an unverified email
	// (ErrEmailNotVerified, with the verification link sent again within the
	// inbox's budget). On in DefaultConfig: otherwise whoever registers an
	// address they do not own could sign in before its owner. In external
	// mode your UserDirectory's EmailVerified decides; turn it off only if
	// your directory cannot tell.
	RequireVerifiedEmail bool
	// AllowUnicodeLocalPart lets registration accept an email address whose
	// local part (before the @) is not ASCII, such as "आशा@example.in". Off by
	// default: delivering to such an address needs SMTPUTF8 (RFC 6531) from
	// the Mailer, the mail provider and every server on the way, and a
	// registration whose verification link can never arrive helps nobody.
	// Unicode domains need no setting: they are stored in ASCII (IDNA) form.
	AllowUnicodeLocalPart bool

	// DPDP: the privacy notices (every version in every language it is
	// published in), the consent categories, and NoticeLanguage, the language
	// of the notice for a user who has set none ("en").
	Notices        []Notice
	NoticeLanguage string
	Categories     []Category
	// ReconsentGrace (0) is how long after a category's notice changes a
	// grant made under the earlier notice still counts for HasConsent and
	// RequireConsent. Consent covers the purposes of the notice it was given
	// on (DPDP §6(1), Rule 3), so by default a new notice stops the processing
	// it covers until the user decides again; a grace lets the app ask at the
	// next sign-in first. Publishing the notice ahead (Notice.PublishedAt)
	// does not help: a decision is taken on the current notice only.
	ReconsentGrace time.Duration
	// ConsentManagers are the consent managers (DPDP §6(7)–(9), Rule 4,
	// registered with the Data Protection Board) whose relayed decisions
	// RecordManagedConsent accepts. None by default.
	ConsentManagers []ConsentManager
	// AdultAge (18) is the age from which a registrant is an adult (DPDP
	// §2(f)). A registrant who gives a date of birth under it is a child: the
	// account waits for a guardian's consent (§9), and is erased by
	// PurgePendingChildren when none comes within GuardianWait (7 days).
	AdultAge     int
	GuardianWait time.Duration
	// GuardianAccountAge (30 days) is how long before a child registered the
	// guardian's own account must have existed for ConfirmGuardian to accept
	// it: an account opened for the occasion is no "reliable detail of
	// identity and age already available" (DPDP Rule 10(1)(a)) — it may be
	// the child's own second account. 0 keeps only "opened before the child
	// registered". A parent without such an account is verified by the app's
	// GuardianVerifier instead (VerifyGuardian).
	GuardianAccountAge time.Duration

	// PrivacyContact is whom users ask about their personal data: the Data
	// Protection Officer or the person the app names (DPDP Rules 2025, Rule
	// 9). It is shown by GET /privacy/rights and in every email that answers
	// a right (consent receipts, erasure, grievances). Optional, but New logs
	// a warning without an Email: the Rules want it published.
	PrivacyContact PrivacyContact
	// GrievancePeriod (30 days) is the time the app promises to answer a
	// grievance in (DPDP §13, Rule 14(3)); New refuses more than 90 days.
	GrievancePeriod time.Duration

	// Retention is how long logs are kept before purge pseudonymises them.
	Retention Retention

	// Recipients are the processors and others the service shares personal
	// data with (the mail provider, a cache host, the app itself); the
	// right-of-access export lists them (DPDP §11(1)(b)). Optional.
	Recipients []Recipient

	// InactivityErasure, when set (at least 30 days; off by default), erases
	// an account nobody signed in to or refreshed for that long (DPDP Rules
	// 2025, Rule 8(1)–(2): e.g. 3 years for the Third Schedule's classes).
	// Auth.Maintain emails a warning at least 48 hours before, with the date;
	// a sign-in or refresh before then cancels it. Accounts active before
	// this release have no activity record until their next sign-in.
	InactivityErasure time.Duration

	// ErasureGrace (7 days) is how long an erasure request waits before core
	// erases the user's data by itself, when there is no Deps.Erasure: a
	// sign-in within it cancels the request (someone who took over the
	// account and asked for erasure cannot destroy it at once). With a
	// Deps.Erasure it only sets the due date the user is told.
	ErasureGrace time.Duration

	// Links are the URLs put in emails; "{token}" is replaced by the token.
	Links LinkTemplates

	// Lockout is Layer 2 of brute-force protection, applied by the store.
	// Sign-in failures (password, login code, step-up code, current password)
	// count per identifier and, from a verified device of the account, per
	// device; the PIN has a counter of its own per account with the same
	// numbers and no restart after ResetAfter. Defaults: 5 failures → 7-minute
	// soft lock, 10 → hard lock, count restarts after 24 h, an unfinished
	// attempt holds its place for 1 minute.
	Lockout    ports.LockPolicy
	IPBlock    IPBlockPolicy
	RateLimits RateLimits

	// HashConcurrency caps concurrent password/PIN hash computations
	// (0 → GOMAXPROCS: one argon2id lane keeps one core busy, so more slots add
	// 19 MiB each and no throughput). Callers over the cap wait, bounded by
	// their context.
	HashConcurrency int
	// UnsafeFastHashingForTests hashes passwords and PINs with argon2id at
	// 64 KiB and one pass instead of 19 MiB and two, so that test suites under
	// the race detector (where one production hash takes about a second) stay
	// fast. Never set it in production: New logs a warning when it is on.
	UnsafeFastHashingForTests bool

	// MailInline runs the work done after an answer inside the request that
	// causes it: every email, and what the enumeration-safe requests (OTP,
	// password and PIN reset, unlock) do only for a real account (the inbox
	// budget, the token, the email). By default that work runs in the
	// background on a few workers (Auth.Drain waits for it), because doing it
	// inline makes a request about a real account slower than one about an
	// unknown identifier: a timing oracle of who has an account. Tests set it
	// to read their outbox at once; never set it in production.
	//
	// Retries: with a Deps.MailQueue, an email is queued before its first
	// attempt, and a failure worth retrying (see ports.Mailer) leaves it
	// queued for another attempt. Without MailInline, New starts a worker
	// that sends what is due every 5 seconds (Auth.Close stops it); with
	// MailInline no worker runs, and retries go out only when
	// Auth.DeliverDueMail is called.
	MailInline bool

	// EmailLanguage is the language of emails for users with none set ("en", "hi").
	EmailLanguage string
	// EmailTemplates override built-in templates: language → kind → template.
	EmailTemplates map[string]map[emails.Kind]emails.Template

	// Phone turns on phone numbers as identifiers and codes by SMS (off by
	// default; see PhoneConfig).
	Phone PhoneConfig

	// Logger receives operational logs (never secrets). Nil → slog.Default().
	Logger *slog.Logger
}

// PrivacyContact is the contact for questions and grievances about personal
// data. Email is the one field a published contact needs.
type PrivacyContact struct {
	Name  string // e.g. "Grievance Officer, Acme Pvt Ltd"
	Email string
	Phone string // optional
	URL   string // optional: a page about privacy or grievances (http or https)
}

// Recipient is one party personal data is shared with, and why.
type Recipient struct {
	Name    string // e.g. "Amazon SES (ap-south-1)"
	Purpose string // e.g. "sending sign-in codes and receipts"
	Data    string // what it receives, e.g. "email address, email contents"
}

// Retention is how long the security-event log (sign-ins, failures, locks,
// changes, each with IP address and user agent) stays identifying. The DPDP
// Rules 2025 want logs kept at least a year (Rule 6(1)(e)) and personal data
// not kept longer than needed (Rule 8(3)): so Auth.Maintain pseudonymises
// (empties IP address and user agent of) events and consent rows of chain
// version 2 older than MaxLogRetention, and never touches a younger one. The
// rows themselves are kept as evidence; a consent row of chain version 1
// hashes its raw IP and user agent, so it stays as recorded.
type Retention struct {
	MinLogRetention time.Duration // 1 year; New refuses less
	MaxLogRetention time.Duration // 1 year + 30 days; New refuses less than MinLogRetention
}

// minLogRetention is the floor of Retention.MinLogRetention: one year.
const minLogRetention = 365 * 24 * time.Hour

// maxGrievancePeriod is the longest GrievancePeriod New accepts: the Rules
// let a fiduciary take up to 90 days to answer a grievance.
const maxGrievancePeriod = 90 * 24 * time.Hour

// ClaimsInput is what Config.Claims is told about the token being signed.
type ClaimsInput struct {
	UserID     string
	SessionID  string
	Trust      Trust
	AuthMethod string // "pwd", "otp": how the session signed in
}

// SigningKey is an access-token signing key. Algorithm is "HS256" (Secret, at
// least 32 bytes), "EdDSA" (Private is an ed25519.PrivateKey) or "ES256"
// (Private is a P-256 *ecdsa.PrivateKey). Asymmetric keys need an ID (the kid).
type SigningKey struct {
	ID        string
	Algorithm string
	Secret    []byte
	Private   crypto.Signer
}

// Category is a DPDP consent category. Required categories must be granted at
// registration; optional ones need an explicit decision either way.
type Category struct {
	Name     string
	Required bool
	// Tracking marks behavioural monitoring or tracking: never granted for a
	// child (DPDP §9(3)). DefaultCategories marks analytics.
	Tracking bool
}

// ConsentManager is a consent manager registered with the Data Protection
// Board of India that the app works with.
type ConsentManager struct {
	RegistrationID string // the Board's registration number, recorded on every relayed row
	Name           string
}

// LinkTemplates are the URLs of emailed links, each containing "{token}",
// e.g. "https://app.example/reset-pin?token={token}".
type LinkTemplates struct {
	VerifyEmail   string
	ResetPassword string
	ResetPIN      string
	Unlock        string
	ChangeEmail   string // confirms a new address (POST /email/change/confirm)
	// GuardianConsent is the link emailed to a child's guardian; its page
	// has the guardian sign in and POST the token to /guardian/confirm.
	GuardianConsent string
}

// IPBlockPolicy blocks an IP that fails logins for many distinct identifiers:
// the rule the store applies (3 distinct identifiers failing within 24 h
// block the IP for 24 h), and the addresses it never applies to.
type IPBlockPolicy struct {
	ports.IPPolicy
	// AllowList exempts addresses from IP blocks and per-IP rate limits: Indian
	// mobile carriers put many users behind one CGNAT address.
	AllowList []netip.Prefix
}

// RateLimits are the Layer-1 limits, applied when Deps.Limiter is set. A rule
// with Limit 0 is off.
//
// Every route that emails the owner of an identifier (OTP, password reset,
// PIN reset, unlock request) has a per-IP rule of its own, checked after the
// IP block and before RequestPerIdentifier. They default to OTPRequestPerIP's
// 5 per 5 minutes: a person asks again once or twice when a mail is slow,
// while a script that mails many inboxes, or fills the token table, from one
// address is cut off at 60 requests an hour per route. Users behind one
// carrier CGNAT address share it; IPBlock.AllowList exempts such ranges.
type RateLimits struct {
	LoginPerIP                ports.RateRule // 20 per 15 minutes
	OTPRequestPerIP           ports.RateRule // 5 per 5 minutes
	PasswordResetRequestPerIP ports.RateRule // 5 per 5 minutes
	PINResetRequestPerIP      ports.RateRule // 5 per 5 minutes
	UnlockRequestPerIP        ports.RateRule // 5 per 5 minutes
	OTPVerifyPerIP            ports.RateRule // 20 per 15 minutes
	PINVerifyPerIP            ports.RateRule // 15 per 10 minutes
	RequestPerIdentifier      ports.RateRule // 5 per hour: OTP and reset emails to one inbox; phone and email change requests of one account
	RegisterPerIP             ports.RateRule // 20 per hour: sign-ups, each an argon2id hash and an email
}

// DefaultCategories are the six DPDP categories; identity, contact and security
// are required, the rest optional (DPDP §6(1): no bundled consent).
func DefaultCategories() []Category {
	return []Category{
		{Name: "identity", Required: true},
		{Name: "contact", Required: true},
		{Name: "location"},
		{Name: "security", Required: true},
		{Name: "communications"},
		{Name: "analytics", Tracking: true},
	}
}

// DefaultConfig returns the documented defaults. Set SecretKey before use.
func DefaultConfig() Config {
	return Config{
		AppName:         "BharatAuth",
		Issuer:          "bharatauth",
		Audience:        "bharatauth-client",
		AccessTokenTTL:  15 * time.Minute,
		RefreshTokenTTL: 30 * 24 * time.Hour,
		NewDeviceTTL:    7 * 24 * time.Hour,
		PublicDeviceTTL: 2 * time.Hour,
		OTPTTL:          10 * time.Minute,
		OTPMaxAttempts:  5,
		EmailVerifyTTL:  24 * time.Hour,
		ResetTTL:        30 * time.Minute,
		StepUpWindow:    5 * time.Minute,
		ErasureGrace:    7 * 24 * time.Hour,
		GrievancePeriod: 30 * 24 * time.Hour,
		Retention:       Retention{MinLogRetention: minLogRetention, MaxLogRetention: minLogRetention + 30*24*time.Hour},

		RefreshReuseGrace: 10 * time.Second,

		RequireVerifiedEmail: true,
		Notices:              DefaultNotices(),
		NoticeLanguage:       "en",
		Categories:           DefaultCategories(),
		Links: LinkTemplates{
			VerifyEmail:   "http://127.0.0.1:8080/verify-email?token={token}",
			ResetPassword: "http://127.0.0.1:8080/reset-password?token={token}",
			ResetPIN:      "http://127.0.0.1:8080/reset-pin?token={token}",
			Unlock:        "http://127.0.0.1:8080/unlock?token={token}",
			ChangeEmail:   "http://127.0.0.1:8080/change-email?token={token}",

			GuardianConsent: "http://127.0.0.1:8080/guardian/confirm?token={token}",
		},
		AdultAge:           18,
		GuardianWait:       7 * 24 * time.Hour,
		GuardianAccountAge: 30 * 24 * time.Hour,
		Lockout: ports.LockPolicy{SoftLockAfter: 5, SoftLockFor: 7 * time.Minute, HardLockAfter: 10,
			ResetAfter: 24 * time.Hour, PendingFor: time.Minute},
		IPBlock: IPBlockPolicy{IPPolicy: ports.IPPolicy{DistinctIdentifiers: 3, Window: 24 * time.Hour, BlockFor: 24 * time.Hour}},
		RateLimits: RateLimits{
			LoginPerIP:                ports.RateRule{Limit: 20, Window: 15 * time.Minute},
			OTPRequestPerIP:           ports.RateRule{Limit: 5, Window: 5 * time.Minute},
			PasswordResetRequestPerIP: ports.RateRule{Limit: 5, Window: 5 * time.Minute},
			PINResetRequestPerIP:      ports.RateRule{Limit: 5, Window: 5 * time.Minute},
			UnlockRequestPerIP:        ports.RateRule{Limit: 5, Window: 5 * time.Minute},
			OTPVerifyPerIP:            ports.RateRule{Limit: 20, Window: 15 * time.Minute},
			PINVerifyPerIP:            ports.RateRule{Limit: 15, Window: 10 * time.Minute},
			RequestPerIdentifier:      ports.RateRule{Limit: 5, Window: time.Hour},
			RegisterPerIP:             ports.RateRule{Limit: 20, Window: time.Hour},
		},
		EmailLanguage: "en",
		Phone:         defaultPhoneConfig(),
	}
}

// minSecretKeyLen is the HS256 key floor: 32 bytes (256 bits, RFC 7518 §3.2).
const minSecretKeyLen = 32

func (c Config) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(c.SecretKey) < minSecretKeyLen {
		bad("SecretKey must be at least %d bytes (got %d); generate one with `openssl rand -base64 48`", minSecretKeyLen, len(c.SecretKey))
	}
	if strings.TrimSpace(c.Issuer) == "" || strings.TrimSpace(c.Audience) == "" {
		bad("Issuer and Audience must be set")
	}
	durations := []struct {
		name string
		d    time.Duration
	}{
		{"AccessTokenTTL", c.AccessTokenTTL}, {"RefreshTokenTTL", c.RefreshTokenTTL},
		{"NewDeviceTTL", c.NewDeviceTTL}, {"PublicDeviceTTL", c.PublicDeviceTTL},
		{"OTPTTL", c.OTPTTL}, {"EmailVerifyTTL", c.EmailVerifyTTL}, {"ResetTTL", c.ResetTTL},
		{"StepUpWindow", c.StepUpWindow}, {"ErasureGrace", c.ErasureGrace}, {"GrievancePeriod", c.GrievancePeriod}, {"GuardianWait", c.GuardianWait},
		{"Lockout.SoftLockFor", c.Lockout.SoftLockFor}, {"Lockout.ResetAfter", c.Lockout.ResetAfter},
		{"Lockout.PendingFor", c.Lockout.PendingFor},
		{"IPBlock.Window", c.IPBlock.Window}, {"IPBlock.BlockFor", c.IPBlock.BlockFor},
	}
	for _, d := range durations {
		if d.d <= 0 {
			bad("%s must be > 0 (got %s); start from core.DefaultConfig()", d.name, d.d)
		}
	}
	if c.RefreshReuseGrace < 0 {
		bad("RefreshReuseGrace must be >= 0 (got %s)", c.RefreshReuseGrace)
	}
	if c.ReconsentGrace < 0 {
		bad("ReconsentGrace must be >= 0 (got %s)", c.ReconsentGrace)
	}
	if c.GuardianAccountAge < 0 {
		bad("GuardianAccountAge must be >= 0 (got %s)", c.GuardianAccountAge)
	}
	if c.AdultAge <= 0 {
		bad("AdultAge must be > 0 (got %d); the DPDP Act's is 18", c.AdultAge)
	}
	if c.OTPMaxAttempts <= 0 {
		bad("OTPMaxAttempts must be > 0")
	}
	if c.Lockout.SoftLockAfter <= 0 || c.Lockout.HardLockAfter <= c.Lockout.SoftLockAfter {
		bad("Lockout needs 0 < SoftLockAfter < HardLockAfter (got %d, %d)", c.Lockout.SoftLockAfter, c.Lockout.HardLockAfter)
	}
	if c.IPBlock.DistinctIdentifiers <= 0 {
		bad("IPBlock.DistinctIdentifiers must be > 0")
	}
	if c.InactivityErasure != 0 && c.InactivityErasure < minInactivity {
		bad("InactivityErasure must be 0 (off) or at least 30 days; got %s", c.InactivityErasure)
	}
	if c.GrievancePeriod > maxGrievancePeriod {
		bad("GrievancePeriod must be at most 90 days (DPDP Rules 2025, Rule 14(3)); got %s", c.GrievancePeriod)
	}
	if c.Retention.MinLogRetention < minLogRetention {
		bad("Retention.MinLogRetention must be at least one year (DPDP Rules 2025, Rule 6(1)(e)); got %s", c.Retention.MinLogRetention)
	}
	if c.Retention.MaxLogRetention < c.Retention.MinLogRetention {
		bad("Retention.MaxLogRetention (%s) must be at least MinLogRetention (%s)", c.Retention.MaxLogRetention, c.Retention.MinLogRetention)
	}
	for i, r := range c.Recipients {
		if strings.TrimSpace(r.Name) == "" || strings.TrimSpace(r.Purpose) == "" {
			bad("Recipients[%d] needs a Name and a Purpose", i)
		}
	}
	errs = append(errs, c.Phone.validate(c.AppName, c.Issuer)...)
	errs = append(errs, validateContact(c.PrivacyContact)...)
	errs = append(errs, validateCategories(c.Categories)...)
	errs = append(errs, validateConsentManagers(c.ConsentManagers)...)
	_, noticeErrs := newNoticeRegistry(c.Notices, c.Categories)
	errs = append(errs, noticeErrs...)
	if !slices.Contains(NoticeLanguages(), c.NoticeLanguage) {
		bad("NoticeLanguage must be one of %s (got %q)", strings.Join(NoticeLanguages(), ", "), c.NoticeLanguage)
	}
	for name, link := range map[string]string{
		"Links.VerifyEmail": c.Links.VerifyEmail, "Links.ResetPassword": c.Links.ResetPassword,
		"Links.ResetPIN": c.Links.ResetPIN, "Links.Unlock": c.Links.Unlock, "Links.ChangeEmail": c.Links.ChangeEmail,
		"Links.GuardianConsent": c.Links.GuardianConsent,
	} {
		if !strings.Contains(link, "{token}") {
			bad("%s must contain {token} (got %q)", name, link)
			continue
		}
		if !webURL(strings.ReplaceAll(link, "{token}", "t")) {
			bad("%s must be an absolute http(s) URL (got %q)", name, link)
		}
	}
	return errors.Join(errs...)
}

func validateCategories(cats []Category) []error {
	if len(cats) == 0 {
		return []error{errors.New("Categories must not be empty; use core.DefaultCategories()")}
	}
	var errs []error
	seen := map[string]bool{}
	for _, c := range cats {
		switch {
		case strings.TrimSpace(c.Name) == "" || c.Name != strings.TrimSpace(c.Name):
			errs = append(errs, fmt.Errorf("category name %q must be non-empty and trimmed", c.Name))
		case seen[c.Name]:
			errs = append(errs, fmt.Errorf("category %q is listed twice", c.Name))
		}
		seen[c.Name] = true
	}
	return errs
}

func validateConsentManagers(ms []ConsentManager) []error {
	var errs []error
	seen := map[string]bool{}
	for _, m := range ms {
		switch {
		case m.RegistrationID == "" || m.RegistrationID != strings.TrimSpace(m.RegistrationID) || !plainText(m.RegistrationID) || len(m.RegistrationID) > maxManagerFieldLen:
			errs = append(errs, fmt.Errorf("consent manager %q: RegistrationID must be 1 to %d characters of trimmed plain text", truncate(m.RegistrationID, maxManagerFieldLen), maxManagerFieldLen))
		case seen[m.RegistrationID]:
			errs = append(errs, fmt.Errorf("consent manager %q is listed twice", m.RegistrationID))
		}
		seen[m.RegistrationID] = true
	}
	return errs
}

func validateContact(c PrivacyContact) []error {
	var errs []error
	if c.Email != "" && (strings.Count(c.Email, "@") != 1 || strings.ContainsAny(c.Email, " \t\r\n<>") ||
		strings.HasPrefix(c.Email, "@") || strings.HasSuffix(c.Email, "@")) {
		errs = append(errs, fmt.Errorf("PrivacyContact.Email must be an email address (got %q)", c.Email))
	}
	if c.Email == "" && (c.Name != "" || c.Phone != "" || c.URL != "") {
		errs = append(errs, errors.New("PrivacyContact needs an Email when any of its fields is set"))
	}
	for _, f := range []string{c.Name, c.Phone, c.URL} {
		if strings.ContainsAny(f, "\r\n") {
			errs = append(errs, errors.New("PrivacyContact fields must be one line"))
		}
	}
	if c.URL != "" && !webURL(c.URL) {
		errs = append(errs, fmt.Errorf("PrivacyContact.URL must be an absolute http(s) URL (got %q)", c.URL))
	}
	return errs
}

// webURL reports whether s is an absolute http(s) URL: emails link to it,
// html/template neuters other schemes, and many mail apps do not open them.
func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
