package core

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/core/internal/accesstoken"
	"github.com/bharatauth/bharatauth-go/core/internal/secret"
	"github.com/bharatauth/bharatauth-go/core/smstext"
	"github.com/bharatauth/bharatauth-go/ports"
)

// Deps are the adapters core runs on. Storage takes one backend that provides
// every storage port (memory.Store, postgres.Store); a port field set beside it
// wins, so an external-mode app sets Storage and Users (its own directory),
// and the registry is then off. Registry, Events, Limiter, Clock and Erasure
// are optional; Mailer and every storage port (through Storage or its own
// field) are required.
type Deps struct {
	// Storage fills every storage field left nil; Registry too when Users is
	// taken from it and it keeps users (ports.UserRegistry).
	Storage ports.Storage

	Users       ports.UserDirectory
	Registry    ports.UserRegistry // managed mode only: Register, and marking emails verified
	Credentials ports.CredentialStore
	Lockouts    ports.LockoutStore
	Sessions    ports.SessionRepo
	Devices     ports.DeviceTrust
	Tokens      ports.OneTimeTokenRepo
	Consents    ports.ConsentLedger
	Abuse       ports.AbuseGuard
	Mailer      ports.Mailer
	Events      ports.EventLog       // optional: without it security events are not kept
	Limiter     ports.RateLimiter    // optional: Layer-1 rate limits, failing open
	Clock       ports.Clock          // optional: ports.SystemClock
	Erasure     ports.ErasureHandler // optional: the app's part of erasure (RequestErasure)
	Erasures    ports.ErasureStore   // tracks erasure requests and erases a user's data
	Grievances  ports.GrievanceStore // grievances and their answers (DPDP §13)
	Nominees    ports.NomineeStore   // nominations (DPDP §14)
	// Activity keeps each user's last activity, for Config.InactivityErasure.
	// Optional: without it inactive accounts are never found.
	Activity ports.ActivityStore
	// Pseudonymiser empties IP address and user agent of events and chain
	// version 2 consent rows older than Config.Retention.MaxLogRetention
	// (Maintain). Optional: without it
	// events stay as recorded.
	Pseudonymiser ports.EventPseudonymiser
	// ConsentListener, optional, is told of every consent decision (at least
	// once, in order per user) through ConsentOutbox, which Storage provides
	// when it implements it (memory.Store and postgres.Store do).
	ConsentListener ports.ConsentListener
	ConsentOutbox   ports.ConsentOutbox
	// Guardians keeps children's guardianships (DPDP §9), from Storage when it
	// implements it; without it children cannot register. GuardianVerifier,
	// optional, is the app's document or DigiLocker-style check of a
	// guardian (VerifyGuardian).
	Guardians        ports.GuardianStore
	GuardianVerifier ports.GuardianVerifier
	// MailQueue (optional; taken from Storage when it has one, as
	// memory.Store and postgres.Store do) is the outbox that makes a failed
	// email be retried: see Config.MailInline and Auth.Close. Without one,
	// each email is sent once.
	MailQueue ports.MailQueue
	// SMSSender sends SMS: sign-in and verification codes, PIN reset codes
	// and new-device notices to phone numbers (Config.Phone). Required when
	// Config.Phone.Enabled, unused otherwise.
	SMSSender ports.SMSSender
	// SMSBudget counts every SMS before it is sent (Config.Phone.Budgets).
	// Required when Config.Phone.Enabled; taken from Storage when it is one
	// (memory.Store and postgres.Store are), or set beside it (the Redis
	// adapter's). Core fails closed on its errors: nothing is sent.
	SMSBudget ports.SMSBudget
	// Observer (optional) is told of every flow, port call, hash wait and
	// security signal, for metrics and traces (the otel adapter). Without
	// one nothing is measured and nothing is wrapped.
	Observer ports.Observer
}

// withStorage fills the storage fields left nil from d.Storage.
func (d Deps) withStorage() Deps {
	s := d.Storage
	if s == nil {
		return d
	}
	if d.Users == nil {
		d.Users = s
		if reg, ok := s.(ports.UserRegistry); ok && d.Registry == nil {
			d.Registry = reg
			// Guardianships are created with the child's account, so they
			// come only with the registry that creates it.
			if g, ok := s.(ports.GuardianStore); ok && d.Guardians == nil {
				d.Guardians = g
			}
		}
	}
	fill(&d.Credentials, s)
	fill(&d.Lockouts, s)
	fill(&d.Sessions, s)
	fill(&d.Devices, s)
	fill(&d.Tokens, s)
	fill(&d.Consents, s)
	fill(&d.Abuse, s)
	fill(&d.Events, s)
	fill(&d.Erasures, s)
	fill(&d.Grievances, s)
	fill(&d.Nominees, s)
	fill(&d.Activity, s)
	fill(&d.Pseudonymiser, s)
	if o, ok := s.(ports.ConsentOutbox); ok && d.ConsentOutbox == nil {
		d.ConsentOutbox = o
	}
	if q, ok := s.(ports.MailQueue); ok && d.MailQueue == nil {
		d.MailQueue = q
	}
	if b, ok := s.(ports.SMSBudget); ok && d.SMSBudget == nil {
		d.SMSBudget = b
	}
	return d
}

// sameValue reports whether two ports are one value (one backend); values
// of a type that cannot be compared never are.
func sameValue(x, y any) bool {
	if x == nil || y == nil || !reflect.TypeOf(x).Comparable() || reflect.TypeOf(x) != reflect.TypeOf(y) {
		return false
	}
	return x == y
}

// fill sets *port to s when it is unset.
func fill[P comparable](port *P, s ports.Storage) {
	var zero P
	if *port == zero {
		*port = s.(P)
	}
}

func (d Deps) validate() error {
	var missing []error
	for name, set := range map[string]bool{
		"Users": d.Users != nil, "Credentials": d.Credentials != nil, "Lockouts": d.Lockouts != nil,
		"Sessions": d.Sessions != nil, "Devices": d.Devices != nil, "Tokens": d.Tokens != nil,
		"Consents": d.Consents != nil, "Abuse": d.Abuse != nil, "Mailer": d.Mailer != nil,
		"Erasures": d.Erasures != nil, "Grievances": d.Grievances != nil, "Nominees": d.Nominees != nil,
	} {
		if !set {
			missing = append(missing, fmt.Errorf("Deps.%s is required", name))
		}
	}
	if d.ConsentListener != nil && d.ConsentOutbox == nil {
		missing = append(missing, errors.New("Deps.ConsentListener needs a ConsentOutbox (from Storage or set beside it)"))
	}
	return errors.Join(missing...)
}

// Auth runs every flow. It is safe for concurrent use; build one per process
// with New.
type Auth struct {
	cfg    Config
	deps   Deps // the ports core calls: wrapped for the observer, if any
	pinged Deps // the ports as given, whose optional capabilities (Pinger) Ping asks for
	obs    ports.Observer
	// joined reads a session with its user in one call: set when the session
	// store offers it (ports.SessionUsers) and Users came from the same
	// Storage, so its users are the ones Users reads.
	joined ports.SessionUsers
	// signIns reads what a sign-in reads first (its user, device check and
	// IP block) in one call: set when Users, Devices and Abuse are one
	// backend that offers it (ports.SignInUsers). signInHolds: the account's
	// holds too, since that backend is also the one holds reads.
	signIns     ports.SignInUsers
	signInHolds bool
	// signInOpens writes what a sign-in writes last (the end of its
	// attempts, its session and its events) in one call: set when Lockouts,
	// Sessions and Events are one backend that offers it
	// (ports.SignInSessions).
	signInOpens ports.SignInSessions
	// holds reads a user's guardianship and newest erasure request in one
	// call: set when the guardian and the erasure store are one backend
	// that offers it (ports.AccountHoldsReader).
	holds ports.AccountHoldsReader
	// tx groups a flow's storage calls into one transaction when Storage
	// offers them and keeps the lockout counters (so that a rolled-back
	// transaction keeps no admission); nil runs each call on its own.
	tx      ports.Transactor
	clock   ports.Clock
	hasher  *secret.Hasher
	signer  *accesstoken.Signer
	codeKey []byte // HMAC key of OTP codes, derived from SecretKey

	identifierHMACKey []byte // HMAC key of identifiers in counters and limits
	deviceHMACKey     []byte // HMAC key of device fingerprints at rest
	refreshKey        []byte // derives a rotated refresh token from its parent
	mail              *emails.Renderer
	sms               *smstext.Renderer    // nil unless Config.Phone.Enabled
	phones            ports.PhoneDirectory // Users' lookup by number, when it has one
	phoneRegistry     ports.PhoneRegistry  // Registry's phone changes, when it has them
	log               *slog.Logger
	categories        map[string]Category
	notices           noticeRegistry
	consentKey        []byte // keys the checkpoint of each consent chain head
	clientDigestKey   []byte // keys the digests of IP addresses and user agents in consent rows
	failOpen          *throttledLog
	noClientIP        *throttledLog
	mailPollFailed    *throttledLog
	mailSeal          cipher.AEAD  // seals queued emails (delivery.go)
	worker            *mailWorker  // nil when no worker runs
	mailerDownUntil   atomic.Int64 // unix nanoseconds: until then new emails wait for the worker (delivery.go)
	activity          activityMemo // when this process last wrote each user's activity (inactivity.go)

	jobSlots    chan struct{} // jobs after answers running (afterAnswer)
	jobsPending atomic.Int64  // jobs after answers queued or running
}

// New validates cfg and deps and returns a ready Auth. Every problem is listed in
// the returned error.
func New(cfg Config, deps Deps) (*Auth, error) {
	usersFromStorage := deps.Users == nil && deps.Storage != nil
	lockoutsFromStorage := deps.Lockouts == nil && deps.Storage != nil
	deps = deps.withStorage()
	phones, phoneRegistry := phonePorts(deps)
	if err := errors.Join(cfg.validate(), deps.validate(), phoneDeps(cfg.Phone, deps, phones, phoneRegistry)); err != nil {
		return nil, fmt.Errorf("bharatauth: invalid configuration: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	a := &Auth{
		cfg:     cfg,
		deps:    deps,
		pinged:  deps,
		clock:   deps.Clock,
		hasher:  secret.NewHasher(secret.DefaultParams, cfg.HashConcurrency),
		codeKey: deriveKey(cfg.SecretKey, "bharatauth/otp-hmac/v1"),

		identifierHMACKey: deriveKey(cfg.SecretKey, "bharatauth/identifier-hmac/v1"),
		deviceHMACKey:     deriveKey(cfg.SecretKey, "bharatauth/device-hmac/v1"),
		refreshKey:        deriveKey(cfg.SecretKey, "bharatauth/refresh-child/v1"),
		consentKey:        deriveKey(cfg.SecretKey, "bharatauth/consent-checkpoint/v1"),
		clientDigestKey:   deriveKey(cfg.SecretKey, "bharatauth/consent-client-digest/v1"),
		log:               cfg.Logger,
		categories:        map[string]Category{},
		jobSlots:          make(chan struct{}, afterAnswerWorkers),
		mailSeal:          newMailSeal(cfg.SecretKey),
	}
	if a.clock == nil {
		a.clock = ports.SystemClock{}
	}
	if joined, ok := deps.Sessions.(ports.SessionUsers); ok && usersFromStorage {
		a.joined = joined
	}
	if h, ok := deps.Guardians.(ports.AccountHoldsReader); ok && sameValue(deps.Guardians, deps.Erasures) {
		a.holds = h
	}
	if j, ok := deps.Users.(ports.SignInUsers); ok && sameValue(deps.Users, deps.Devices) && sameValue(deps.Users, deps.Abuse) {
		a.signIns = j
		a.signInHolds = a.holds != nil && sameValue(deps.Users, deps.Guardians)
	}
	if o, ok := deps.Lockouts.(ports.SignInSessions); ok && sameValue(deps.Lockouts, deps.Sessions) && sameValue(deps.Lockouts, deps.Events) {
		a.signInOpens = o
	}
	if tx, ok := deps.Storage.(ports.Transactor); ok && lockoutsFromStorage {
		a.tx = tx
	}
	var err error
	if a.signer, err = newSigner(cfg, a.now()); err != nil {
		return nil, fmt.Errorf("bharatauth: signing keys: %w", err)
	}
	if a.mail, err = emails.NewRenderer(cfg.EmailLanguage, cfg.EmailTemplates); err != nil {
		return nil, fmt.Errorf("bharatauth: email templates: %w", err)
	}
	a.phones, a.phoneRegistry = phones, phoneRegistry
	if cfg.Phone.Enabled {
		if a.sms, err = smstext.NewRenderer(cfg.Phone.Language, cfg.Phone.Templates); err != nil {
			return nil, fmt.Errorf("bharatauth: SMS templates: %w", err)
		}
	}
	if cfg.UnsafeFastHashingForTests {
		a.hasher = secret.NewTestHasher(testHashParams, cfg.HashConcurrency)
		a.log.Warn("bharatauth: UnsafeFastHashingForTests is on; passwords are hashed weakly. Never use it in production")
	}
	if deps.Observer != nil {
		a.obs = deps.Observer
		a.deps = observedPorts(deps, deps.Observer)
		a.phones, a.phoneRegistry = observedPhonePorts(a.phones, a.phoneRegistry, deps.Observer)
		if a.joined != nil {
			a.joined = observedSessionUsers{a.joined, deps.Observer}
		}
		if a.holds != nil {
			a.holds = observedAccountHolds{a.holds, deps.Observer}
		}
		if a.signIns != nil {
			a.signIns = observedSignInUsers{a.signIns, deps.Observer}
		}
		if a.signInOpens != nil {
			a.signInOpens = observedSignInSessions{a.signInOpens, deps.Observer}
		}
		a.hasher.ObserveWaits(deps.Observer.StartHashWait)
	}
	if cfg.PrivacyContact.Email == "" {
		a.log.Warn("bharatauth: Config.PrivacyContact is not set; the DPDP Rules (Rule 9) want a contact in every answer about a right")
	}
	a.failOpen = &throttledLog{log: a.log, clock: a.clock, every: failOpenLogEvery}
	a.noClientIP = &throttledLog{log: a.log, clock: a.clock, every: failOpenLogEvery}
	a.mailPollFailed = &throttledLog{log: a.log, clock: a.clock, every: failOpenLogEvery}
	for _, c := range cfg.Categories {
		a.categories[c.Name] = c
	}
	a.notices, _ = newNoticeRegistry(cfg.Notices, cfg.Categories) // validate checked it
	if deps.MailQueue != nil && !cfg.MailInline {
		a.startMailWorker(mailPollEvery) // last: nothing after it may fail and leave it running
	}
	return a, nil
}

// testHashParams are the argon2id parameters of UnsafeFastHashingForTests.
var testHashParams = secret.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// accessTokenKeyLabel derives the HS256 key of access tokens from SecretKey
// when no SigningKeys are set.
const accessTokenKeyLabel = "bharatauth/access-token-hs256/v1"

// newSigner builds the access-token signer of an Auth built at built.
// SigningKeys are used as given: the operator chose them. Without them,
// tokens are signed with a key derived from SecretKey; SecretKey itself, which
// signed tokens before the key was derived, still verifies the tokens it
// signed before built, for one AccessTokenTTL after built, so that an upgrade
// logs nobody out.
func newSigner(cfg Config, built time.Time) (*accesstoken.Signer, error) {
	if len(cfg.SigningKeys) == 0 {
		key := accesstoken.Key{Algorithm: accesstoken.HS256, Secret: deriveKey(cfg.SecretKey, accessTokenKeyLabel)}
		legacy := accesstoken.LegacyKey{Secret: cfg.SecretKey, IssuedBefore: built, Until: built.Add(cfg.AccessTokenTTL)}
		return accesstoken.NewSigner(cfg.Issuer, cfg.Audience, cfg.AccessTokenTTL,
			[]accesstoken.Key{key}, accesstoken.Options{ClientID: cfg.ClientID, Legacy: legacy})
	}
	keys := make([]accesstoken.Key, len(cfg.SigningKeys))
	for i, k := range cfg.SigningKeys {
		keys[i] = accesstoken.Key{ID: k.ID, Algorithm: k.Algorithm, Secret: k.Secret, Private: k.Private}
	}
	return accesstoken.NewSigner(cfg.Issuer, cfg.Audience, cfg.AccessTokenTTL, keys, accesstoken.Options{ClientID: cfg.ClientID})
}

// deriveKey gives each use of SecretKey its own key, so a leak of one (say, an
// OTP hash table) says nothing about another.
func deriveKey(secretKey []byte, label string) []byte {
	m := hmac.New(sha256.New, secretKey)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// JWKS returns the JSON Web Key Set of the asymmetric signing keys, and false
// when tokens are signed with HS256 only.
func (a *Auth) JWKS() ([]byte, bool) { return a.signer.JWKS() }

// Stats are counters for an app's metrics.
type Stats struct {
	// HashVerifications counts password and PIN hash verifications run,
	// dummy ones included: a login burst that locks an account shows here as at
	// most SoftLockAfter verifications.
	HashVerifications int64
}

// Stats returns the counters since New.
func (a *Auth) Stats() Stats { return Stats{HashVerifications: a.hasher.Verifications()} }

// Config returns a copy of the configuration in force.
func (a *Auth) Config() Config { return a.cfg }

func (a *Auth) now() time.Time { return a.clock.Now().UTC().Truncate(time.Microsecond) }
