package core

import (
	"context"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// observedPorts wraps every port set in d so each call is reported to o
// (Observer.StartStoreCall as "Port.Method"). Unset ports stay unset. Core
// only calls this with an observer: without one, ports are called directly.
func observedPorts(d Deps, o ports.Observer) Deps {
	if d.Users != nil {
		d.Users = observedUsers{d.Users, o}
	}
	if d.Registry != nil {
		d.Registry = observedRegistry{d.Registry, o}
	}
	if d.Credentials != nil {
		d.Credentials = observedCredentials{d.Credentials, o}
	}
	if d.Lockouts != nil {
		d.Lockouts = observedLockouts{d.Lockouts, o}
	}
	if d.Sessions != nil {
		d.Sessions = observedSessions{d.Sessions, o}
	}
	if d.Devices != nil {
		d.Devices = observedDevices{d.Devices, o}
	}
	if d.Tokens != nil {
		d.Tokens = observedTokens{d.Tokens, o}
	}
	if d.Consents != nil {
		d.Consents = observedConsents{d.Consents, o}
	}
	if d.Abuse != nil {
		d.Abuse = observedAbuse{d.Abuse, o}
	}
	if d.Events != nil {
		d.Events = observedEvents{d.Events, o}
	}
	if d.Limiter != nil {
		d.Limiter = observedLimiter{d.Limiter, o}
	}
	if d.Mailer != nil {
		d.Mailer = observedMailer{d.Mailer, o}
	}
	if d.Erasure != nil {
		d.Erasure = observedErasure{d.Erasure, o}
	}
	if d.SMSSender != nil {
		d.SMSSender = observedSMSSender{d.SMSSender, o}
	}
	if d.SMSBudget != nil {
		d.SMSBudget = observedSMSBudget{d.SMSBudget, o}
	}
	if d.MailQueue != nil {
		d.MailQueue = observedMailQueue{d.MailQueue, o}
	}
	if d.ConsentOutbox != nil {
		d.ConsentOutbox = observedConsentOutbox{d.ConsentOutbox, o}
	}
	if d.ConsentListener != nil {
		d.ConsentListener = observedConsentListener{d.ConsentListener, o}
	}
	if d.Guardians != nil {
		d.Guardians = observedGuardians{d.Guardians, o}
	}
	if d.GuardianVerifier != nil {
		d.GuardianVerifier = observedGuardianVerifier{d.GuardianVerifier, o}
	}
	if d.Erasures != nil {
		d.Erasures = observedErasures{d.Erasures, o}
	}
	if d.Grievances != nil {
		d.Grievances = observedGrievances{d.Grievances, o}
	}
	if d.Nominees != nil {
		d.Nominees = observedNominees{d.Nominees, o}
	}
	if d.Activity != nil {
		d.Activity = observedActivity{d.Activity, o}
	}
	if d.Pseudonymiser != nil {
		d.Pseudonymiser = observedPseudonymiser{d.Pseudonymiser, o}
	}
	return d
}

// Compile-time proof that each wrapper is its port.
var (
	_ ports.UserDirectory    = observedUsers{}
	_ ports.UserRegistry     = observedRegistry{}
	_ ports.CredentialStore  = observedCredentials{}
	_ ports.LockoutStore     = observedLockouts{}
	_ ports.SessionRepo      = observedSessions{}
	_ ports.DeviceTrust      = observedDevices{}
	_ ports.OneTimeTokenRepo = observedTokens{}
	_ ports.ConsentLedger    = observedConsents{}
	_ ports.AbuseGuard       = observedAbuse{}
	_ ports.EventLog         = observedEvents{}
	_ ports.RateLimiter      = observedLimiter{}
	_ ports.Mailer           = observedMailer{}
	_ ports.ErasureHandler   = observedErasure{}
	_ ports.MailQueue        = observedMailQueue{}
	_ ports.ConsentOutbox    = observedConsentOutbox{}
	_ ports.ConsentListener  = observedConsentListener{}
	_ ports.GuardianStore    = observedGuardians{}
	_ ports.GuardianVerifier = observedGuardianVerifier{}

	// The data-protection rights: erasure, grievances, nominees,
	// inactivity, retention.
	_ ports.ErasureStore       = observedErasures{}
	_ ports.GrievanceStore     = observedGrievances{}
	_ ports.NomineeStore       = observedNominees{}
	_ ports.ActivityStore      = observedActivity{}
	_ ports.EventPseudonymiser = observedPseudonymiser{}
)

// portWrapper is the wrapper of one port p: each method reports its call to o
// (Observer.StartStoreCall as "Port.Method") and passes everything through
// unchanged.
type portWrapper[P any] struct {
	p P
	o ports.Observer
}

// One wrapper type per port; observedSessionUsers, observedAccountHolds and
// observedSignInUsers report the joined reads of a session with its user, of
// an account's holds, and of a sign-in's user with its device;
// observedSignInSessions the joined writes that end a sign-in.
type (
	observedUsers            portWrapper[ports.UserDirectory]
	observedRegistry         portWrapper[ports.UserRegistry]
	observedCredentials      portWrapper[ports.CredentialStore]
	observedLockouts         portWrapper[ports.LockoutStore]
	observedSessions         portWrapper[ports.SessionRepo]
	observedDevices          portWrapper[ports.DeviceTrust]
	observedTokens           portWrapper[ports.OneTimeTokenRepo]
	observedConsents         portWrapper[ports.ConsentLedger]
	observedAbuse            portWrapper[ports.AbuseGuard]
	observedEvents           portWrapper[ports.EventLog]
	observedLimiter          portWrapper[ports.RateLimiter]
	observedMailer           portWrapper[ports.Mailer]
	observedErasure          portWrapper[ports.ErasureHandler]
	observedMailQueue        portWrapper[ports.MailQueue]
	observedConsentOutbox    portWrapper[ports.ConsentOutbox]
	observedConsentListener  portWrapper[ports.ConsentListener]
	observedGuardians        portWrapper[ports.GuardianStore]
	observedGuardianVerifier portWrapper[ports.GuardianVerifier]
	observedErasures         portWrapper[ports.ErasureStore]
	observedGrievances       portWrapper[ports.GrievanceStore]
	observedNominees         portWrapper[ports.NomineeStore]
	observedActivity         portWrapper[ports.ActivityStore]
	observedPseudonymiser    portWrapper[ports.EventPseudonymiser]
	observedSessionUsers     portWrapper[ports.SessionUsers]
	observedAccountHolds     portWrapper[ports.AccountHoldsReader]
	observedSignInUsers      portWrapper[ports.SignInUsers]
	observedSignInSessions   portWrapper[ports.SignInSessions]
)

func (w observedUsers) UserByEmail(ctx context.Context, email string) (ports.User, error) {
	return timed(ctx, w.o, "UserDirectory.UserByEmail", func() (ports.User, error) { return w.p.UserByEmail(ctx, email) })
}

func (w observedUsers) UserByUsername(ctx context.Context, username string) (ports.User, error) {
	return timed(ctx, w.o, "UserDirectory.UserByUsername", func() (ports.User, error) { return w.p.UserByUsername(ctx, username) })
}

func (w observedUsers) UserByID(ctx context.Context, id string) (ports.User, error) {
	return timed(ctx, w.o, "UserDirectory.UserByID", func() (ports.User, error) { return w.p.UserByID(ctx, id) })
}

func (w observedRegistry) CreateUser(ctx context.Context, u ports.NewUser) (ports.User, error) {
	return timed(ctx, w.o, "UserRegistry.CreateUser", func() (ports.User, error) { return w.p.CreateUser(ctx, u) })
}

func (w observedRegistry) MarkEmailVerified(ctx context.Context, userID string, at time.Time) error {
	return timedErr(ctx, w.o, "UserRegistry.MarkEmailVerified", func() error { return w.p.MarkEmailVerified(ctx, userID, at) })
}

func (w observedRegistry) SetSuspended(ctx context.Context, userID string, suspended bool) error {
	return timedErr(ctx, w.o, "UserRegistry.SetSuspended", func() error { return w.p.SetSuspended(ctx, userID, suspended) })
}

func (w observedRegistry) ClearProfile(ctx context.Context, userID string) error {
	return timedErr(ctx, w.o, "UserRegistry.ClearProfile", func() error { return w.p.ClearProfile(ctx, userID) })
}

func (w observedRegistry) UpdateProfile(ctx context.Context, userID string, p ports.Profile) (ports.User, error) {
	return timed(ctx, w.o, "UserRegistry.UpdateProfile", func() (ports.User, error) { return w.p.UpdateProfile(ctx, userID, p) })
}

func (w observedRegistry) ChangeEmail(ctx context.Context, userID, email string, at time.Time) (ports.User, error) {
	return timed(ctx, w.o, "UserRegistry.ChangeEmail", func() (ports.User, error) { return w.p.ChangeEmail(ctx, userID, email, at) })
}

func (w observedCredentials) Credentials(ctx context.Context, userID string) (ports.Credentials, error) {
	return timed(ctx, w.o, "CredentialStore.Credentials", func() (ports.Credentials, error) { return w.p.Credentials(ctx, userID) })
}

func (w observedCredentials) SetPasswordHash(ctx context.Context, userID, hash string, at time.Time) error {
	return timedErr(ctx, w.o, "CredentialStore.SetPasswordHash", func() error { return w.p.SetPasswordHash(ctx, userID, hash, at) })
}

func (w observedCredentials) SetPINHash(ctx context.Context, userID, hash string, at time.Time) error {
	return timedErr(ctx, w.o, "CredentialStore.SetPINHash", func() error { return w.p.SetPINHash(ctx, userID, hash, at) })
}

func (w observedLockouts) BeginAttempt(ctx context.Context, key string, now time.Time, policy ports.LockPolicy) (ports.LockState, ports.Admission, error) {
	end := w.o.StartStoreCall(ctx, "LockoutStore.BeginAttempt")
	v, w2, err := w.p.BeginAttempt(ctx, key, now, policy)
	end(err)
	return v, w2, err
}

func (w observedLockouts) FinishAttempt(ctx context.Context, key string, now time.Time, policy ports.LockPolicy, outcome ports.Outcome) (ports.LockState, error) {
	return timed(ctx, w.o, "LockoutStore.FinishAttempt", func() (ports.LockState, error) { return w.p.FinishAttempt(ctx, key, now, policy, outcome) })
}

func (w observedLockouts) ClearFailures(ctx context.Context, key string) error {
	return timedErr(ctx, w.o, "LockoutStore.ClearFailures", func() error { return w.p.ClearFailures(ctx, key) })
}

func (w observedLockouts) LockState(ctx context.Context, key string) (ports.LockState, error) {
	return timed(ctx, w.o, "LockoutStore.LockState", func() (ports.LockState, error) { return w.p.LockState(ctx, key) })
}

func (w observedSessions) CreateSession(ctx context.Context, s ports.Session) error {
	return timedErr(ctx, w.o, "SessionRepo.CreateSession", func() error { return w.p.CreateSession(ctx, s) })
}

func (w observedSessions) Session(ctx context.Context, id string) (ports.Session, error) {
	return timed(ctx, w.o, "SessionRepo.Session", func() (ports.Session, error) { return w.p.Session(ctx, id) })
}

func (w observedSessions) Sessions(ctx context.Context, userID string) ([]ports.Session, error) {
	return timed(ctx, w.o, "SessionRepo.Sessions", func() ([]ports.Session, error) { return w.p.Sessions(ctx, userID) })
}

func (w observedSessions) RotateRefresh(ctx context.Context, oldHash, newHash string, now time.Time, grace time.Duration) (ports.Session, error) {
	return timed(ctx, w.o, "SessionRepo.RotateRefresh", func() (ports.Session, error) { return w.p.RotateRefresh(ctx, oldHash, newHash, now, grace) })
}

func (w observedSessions) SessionByRefresh(ctx context.Context, hash string, now time.Time) (ports.Session, error) {
	return timed(ctx, w.o, "SessionRepo.SessionByRefresh", func() (ports.Session, error) { return w.p.SessionByRefresh(ctx, hash, now) })
}

func (w observedSessions) RevokeSessions(ctx context.Context, r ports.Revocation, now time.Time) ([]string, error) {
	return timed(ctx, w.o, "SessionRepo.RevokeSessions", func() ([]string, error) { return w.p.RevokeSessions(ctx, r, now) })
}

func (w observedDevices) KnownDevice(ctx context.Context, userID, fingerprint string, now time.Time) (bool, error) {
	return timed(ctx, w.o, "DeviceTrust.KnownDevice", func() (bool, error) { return w.p.KnownDevice(ctx, userID, fingerprint, now) })
}

func (w observedDevices) MarkStepUp(ctx context.Context, sessionID string, at time.Time, verifyDevice bool) error {
	return timedErr(ctx, w.o, "DeviceTrust.MarkStepUp", func() error { return w.p.MarkStepUp(ctx, sessionID, at, verifyDevice) })
}

func (w observedDevices) ConsumeStepUp(ctx context.Context, sessionID string, notBefore time.Time) (bool, error) {
	return timed(ctx, w.o, "DeviceTrust.ConsumeStepUp", func() (bool, error) { return w.p.ConsumeStepUp(ctx, sessionID, notBefore) })
}

func (w observedTokens) IssueToken(ctx context.Context, t ports.OneTimeToken) error {
	return timedErr(ctx, w.o, "OneTimeTokenRepo.IssueToken", func() error { return w.p.IssueToken(ctx, t) })
}

func (w observedTokens) ConsumeLink(ctx context.Context, purpose, hash string, now time.Time) (ports.OneTimeToken, error) {
	return timed(ctx, w.o, "OneTimeTokenRepo.ConsumeLink", func() (ports.OneTimeToken, error) { return w.p.ConsumeLink(ctx, purpose, hash, now) })
}

func (w observedTokens) ConsumeCode(ctx context.Context, subject, purpose, hash string, now time.Time) (ports.OneTimeToken, error) {
	return timed(ctx, w.o, "OneTimeTokenRepo.ConsumeCode", func() (ports.OneTimeToken, error) { return w.p.ConsumeCode(ctx, subject, purpose, hash, now) })
}

func (w observedTokens) Tokens(ctx context.Context, subject string) ([]ports.OneTimeToken, error) {
	return timed(ctx, w.o, "OneTimeTokenRepo.Tokens", func() ([]ports.OneTimeToken, error) { return w.p.Tokens(ctx, subject) })
}

func (w observedConsents) AppendConsents(ctx context.Context, userID string, in ports.ConsentAppend) ([]ports.ConsentRecord, error) {
	return timed(ctx, w.o, "ConsentLedger.AppendConsents", func() ([]ports.ConsentRecord, error) { return w.p.AppendConsents(ctx, userID, in) })
}

func (w observedConsents) ConsentCheckpoint(ctx context.Context, userID string) (ports.ConsentCheckpoint, error) {
	return timed(ctx, w.o, "ConsentLedger.ConsentCheckpoint", func() (ports.ConsentCheckpoint, error) { return w.p.ConsentCheckpoint(ctx, userID) })
}

func (w observedConsents) ConsentHistory(ctx context.Context, userID string) ([]ports.ConsentRecord, error) {
	return timed(ctx, w.o, "ConsentLedger.ConsentHistory", func() ([]ports.ConsentRecord, error) { return w.p.ConsentHistory(ctx, userID) })
}

func (w observedAbuse) RecordIPFailure(ctx context.Context, ip, identifier string, now time.Time, policy ports.IPPolicy) (time.Time, error) {
	return timed(ctx, w.o, "AbuseGuard.RecordIPFailure", func() (time.Time, error) { return w.p.RecordIPFailure(ctx, ip, identifier, now, policy) })
}

func (w observedAbuse) IPBlockedUntil(ctx context.Context, ip string, now time.Time) (time.Time, error) {
	return timed(ctx, w.o, "AbuseGuard.IPBlockedUntil", func() (time.Time, error) { return w.p.IPBlockedUntil(ctx, ip, now) })
}

func (w observedEvents) RecordEvent(ctx context.Context, e ports.SecurityEvent) error {
	return timedErr(ctx, w.o, "EventLog.RecordEvent", func() error { return w.p.RecordEvent(ctx, e) })
}

func (w observedEvents) Events(ctx context.Context, userID string) ([]ports.SecurityEvent, error) {
	return timed(ctx, w.o, "EventLog.Events", func() ([]ports.SecurityEvent, error) { return w.p.Events(ctx, userID) })
}

func (w observedLimiter) Allow(ctx context.Context, key string, rule ports.RateRule, now time.Time) (ports.RateDecision, error) {
	return timed(ctx, w.o, "RateLimiter.Allow", func() (ports.RateDecision, error) { return w.p.Allow(ctx, key, rule, now) })
}

func (w observedMailer) Send(ctx context.Context, m ports.Message) error {
	return timedErr(ctx, w.o, "Mailer.Send", func() error { return w.p.Send(ctx, m) })
}

func (w observedErasure) ErasureRequested(ctx context.Context, r ports.ErasureRequest) error {
	return timedErr(ctx, w.o, "ErasureHandler.ErasureRequested", func() error { return w.p.ErasureRequested(ctx, r) })
}

func (w observedMailQueue) EnqueueMail(ctx context.Context, m ports.QueuedMail) error {
	return timedErr(ctx, w.o, "MailQueue.EnqueueMail", func() error { return w.p.EnqueueMail(ctx, m) })
}

func (w observedMailQueue) ClaimMail(ctx context.Context, lease string, now time.Time, leaseFor time.Duration, limit int) ([]ports.QueuedMail, error) {
	return timed(ctx, w.o, "MailQueue.ClaimMail", func() ([]ports.QueuedMail, error) { return w.p.ClaimMail(ctx, lease, now, leaseFor, limit) })
}

func (w observedMailQueue) RetryMail(ctx context.Context, id, lease string, dueAt time.Time) error {
	return timedErr(ctx, w.o, "MailQueue.RetryMail", func() error { return w.p.RetryMail(ctx, id, lease, dueAt) })
}

func (w observedMailQueue) RemoveMail(ctx context.Context, id string) error {
	return timedErr(ctx, w.o, "MailQueue.RemoveMail", func() error { return w.p.RemoveMail(ctx, id) })
}

func (w observedConsentOutbox) ClaimConsentChanges(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]ports.ConsentChange, error) {
	return timed(ctx, w.o, "ConsentOutbox.ClaimConsentChanges", func() ([]ports.ConsentChange, error) {
		return w.p.ClaimConsentChanges(ctx, now, lease, limit)
	})
}

func (w observedConsentOutbox) AckConsentChange(ctx context.Context, id int64) error {
	return timedErr(ctx, w.o, "ConsentOutbox.AckConsentChange", func() error { return w.p.AckConsentChange(ctx, id) })
}

func (w observedConsentOutbox) RetryConsentChange(ctx context.Context, id int64, at time.Time) error {
	return timedErr(ctx, w.o, "ConsentOutbox.RetryConsentChange", func() error { return w.p.RetryConsentChange(ctx, id, at) })
}

func (w observedConsentListener) ConsentChanged(ctx context.Context, c ports.ConsentChange) error {
	return timedErr(ctx, w.o, "ConsentListener.ConsentChanged", func() error { return w.p.ConsentChanged(ctx, c) })
}

func (w observedGuardians) Guardianship(ctx context.Context, childID string) (ports.Guardianship, error) {
	return timed(ctx, w.o, "GuardianStore.Guardianship", func() (ports.Guardianship, error) { return w.p.Guardianship(ctx, childID) })
}

func (w observedGuardians) ConfirmGuardianship(ctx context.Context, childID string, c ports.GuardianConfirmation) (ports.Guardianship, error) {
	return timed(ctx, w.o, "GuardianStore.ConfirmGuardianship", func() (ports.Guardianship, error) {
		return w.p.ConfirmGuardianship(ctx, childID, c)
	})
}

func (w observedGuardians) GuardianChildren(ctx context.Context, guardianID string) ([]ports.Guardianship, error) {
	return timed(ctx, w.o, "GuardianStore.GuardianChildren", func() ([]ports.Guardianship, error) { return w.p.GuardianChildren(ctx, guardianID) })
}

func (w observedGuardians) DeletePendingChildren(ctx context.Context, requestedBefore time.Time) ([]string, error) {
	return timed(ctx, w.o, "GuardianStore.DeletePendingChildren", func() ([]string, error) {
		return w.p.DeletePendingChildren(ctx, requestedBefore)
	})
}

func (w observedGuardians) DiscardGuardianship(ctx context.Context, childID string) error {
	return timedErr(ctx, w.o, "GuardianStore.DiscardGuardianship", func() error { return w.p.DiscardGuardianship(ctx, childID) })
}

func (w observedGuardianVerifier) VerifyGuardian(ctx context.Context, c ports.GuardianCheck) (ports.GuardianVerdict, error) {
	return timed(ctx, w.o, "GuardianVerifier.VerifyGuardian", func() (ports.GuardianVerdict, error) { return w.p.VerifyGuardian(ctx, c) })
}

func (w observedErasures) CreateErasureRequest(ctx context.Context, r ports.ErasureRecord) error {
	return timedErr(ctx, w.o, "ErasureStore.CreateErasureRequest", func() error { return w.p.CreateErasureRequest(ctx, r) })
}

func (w observedErasures) ErasureRequest(ctx context.Context, id string) (ports.ErasureRecord, error) {
	return timed(ctx, w.o, "ErasureStore.ErasureRequest", func() (ports.ErasureRecord, error) { return w.p.ErasureRequest(ctx, id) })
}

func (w observedErasures) ErasureRequestByStatusHash(ctx context.Context, hash string) (ports.ErasureRecord, error) {
	return timed(ctx, w.o, "ErasureStore.ErasureRequestByStatusHash", func() (ports.ErasureRecord, error) {
		return w.p.ErasureRequestByStatusHash(ctx, hash)
	})
}

func (w observedErasures) ErasureRequests(ctx context.Context, userID string) ([]ports.ErasureRecord, error) {
	return timed(ctx, w.o, "ErasureStore.ErasureRequests", func() ([]ports.ErasureRecord, error) { return w.p.ErasureRequests(ctx, userID) })
}

func (w observedErasures) DueErasureRequests(ctx context.Context, now time.Time, limit int) ([]ports.ErasureRecord, error) {
	return timed(ctx, w.o, "ErasureStore.DueErasureRequests", func() ([]ports.ErasureRecord, error) {
		return w.p.DueErasureRequests(ctx, now, limit)
	})
}

func (w observedErasures) CancelErasureRequest(ctx context.Context, id string, at time.Time) (ports.ErasureRecord, error) {
	return timed(ctx, w.o, "ErasureStore.CancelErasureRequest", func() (ports.ErasureRecord, error) {
		return w.p.CancelErasureRequest(ctx, id, at)
	})
}

func (w observedErasures) EraseUser(ctx context.Context, e ports.UserErasure) (ports.ErasureRecord, error) {
	return timed(ctx, w.o, "ErasureStore.EraseUser", func() (ports.ErasureRecord, error) { return w.p.EraseUser(ctx, e) })
}

func (w observedGrievances) CreateGrievance(ctx context.Context, g ports.Grievance) error {
	return timedErr(ctx, w.o, "GrievanceStore.CreateGrievance", func() error { return w.p.CreateGrievance(ctx, g) })
}

func (w observedGrievances) Grievance(ctx context.Context, id string) (ports.Grievance, error) {
	return timed(ctx, w.o, "GrievanceStore.Grievance", func() (ports.Grievance, error) { return w.p.Grievance(ctx, id) })
}

func (w observedGrievances) Grievances(ctx context.Context, userID string) ([]ports.Grievance, error) {
	return timed(ctx, w.o, "GrievanceStore.Grievances", func() ([]ports.Grievance, error) { return w.p.Grievances(ctx, userID) })
}

func (w observedGrievances) AnswerGrievance(ctx context.Context, id, response string, at time.Time) (ports.Grievance, error) {
	return timed(ctx, w.o, "GrievanceStore.AnswerGrievance", func() (ports.Grievance, error) {
		return w.p.AnswerGrievance(ctx, id, response, at)
	})
}

func (w observedNominees) AddNominee(ctx context.Context, n ports.Nominee) error {
	return timedErr(ctx, w.o, "NomineeStore.AddNominee", func() error { return w.p.AddNominee(ctx, n) })
}

func (w observedNominees) RemoveNominee(ctx context.Context, userID, id string, at time.Time) (ports.Nominee, error) {
	return timed(ctx, w.o, "NomineeStore.RemoveNominee", func() (ports.Nominee, error) { return w.p.RemoveNominee(ctx, userID, id, at) })
}

func (w observedNominees) Nominees(ctx context.Context, userID string) ([]ports.Nominee, error) {
	return timed(ctx, w.o, "NomineeStore.Nominees", func() ([]ports.Nominee, error) { return w.p.Nominees(ctx, userID) })
}

func (w observedActivity) TouchActivity(ctx context.Context, userID string, at time.Time, every time.Duration) (bool, error) {
	return timed(ctx, w.o, "ActivityStore.TouchActivity", func() (bool, error) { return w.p.TouchActivity(ctx, userID, at, every) })
}

func (w observedActivity) InactiveUnwarned(ctx context.Context, before time.Time, limit int) ([]ports.Activity, error) {
	return timed(ctx, w.o, "ActivityStore.InactiveUnwarned", func() ([]ports.Activity, error) {
		return w.p.InactiveUnwarned(ctx, before, limit)
	})
}

func (w observedActivity) WarnedInactive(ctx context.Context, warnedBefore time.Time, limit int) ([]ports.Activity, error) {
	return timed(ctx, w.o, "ActivityStore.WarnedInactive", func() ([]ports.Activity, error) {
		return w.p.WarnedInactive(ctx, warnedBefore, limit)
	})
}

func (w observedActivity) MarkWarned(ctx context.Context, userID string, at, before time.Time) (bool, error) {
	return timed(ctx, w.o, "ActivityStore.MarkWarned", func() (bool, error) { return w.p.MarkWarned(ctx, userID, at, before) })
}

func (w observedPseudonymiser) PseudonymiseEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	return timed(ctx, w.o, "EventPseudonymiser.PseudonymiseEvents", func() (int, error) {
		return w.p.PseudonymiseEvents(ctx, before, limit)
	})
}

func (w observedPseudonymiser) PseudonymiseConsents(ctx context.Context, before time.Time, limit int) (int, error) {
	return timed(ctx, w.o, "EventPseudonymiser.PseudonymiseConsents", func() (int, error) {
		return w.p.PseudonymiseConsents(ctx, before, limit)
	})
}

func (w observedSessionUsers) SessionUser(ctx context.Context, id string) (ports.Session, ports.User, error) {
	end := w.o.StartStoreCall(ctx, "SessionUsers.SessionUser")
	s, u, err := w.p.SessionUser(ctx, id)
	end(err)
	return s, u, err
}

func (w observedSessionUsers) RotateRefreshUser(ctx context.Context, oldHash, newHash string, now time.Time, grace time.Duration) (ports.Session, ports.User, error) {
	end := w.o.StartStoreCall(ctx, "SessionUsers.RotateRefreshUser")
	s, u, err := w.p.RotateRefreshUser(ctx, oldHash, newHash, now, grace)
	end(err)
	return s, u, err
}

func (w observedAccountHolds) AccountHolds(ctx context.Context, userID string) (ports.AccountHolds, error) {
	return timed(ctx, w.o, "AccountHoldsReader.AccountHolds", func() (ports.AccountHolds, error) { return w.p.AccountHolds(ctx, userID) })
}

func (w observedSignInUsers) SignInUser(ctx context.Context, l ports.SignInLookup) (ports.SignInRecord, error) {
	return timed(ctx, w.o, "SignInUsers.SignInUser", func() (ports.SignInRecord, error) { return w.p.SignInUser(ctx, l) })
}

func (w observedSignInSessions) OpenSignInSession(ctx context.Context, o ports.SignInOpening) error {
	return timedErr(ctx, w.o, "SignInSessions.OpenSignInSession", func() error { return w.p.OpenSignInSession(ctx, o) })
}

// timed reports one port call that returns a value and an error.
func timed[T any](ctx context.Context, o ports.Observer, call string, f func() (T, error)) (T, error) {
	end := o.StartStoreCall(ctx, call)
	v, err := f()
	end(err)
	return v, err
}

// timedErr reports one port call that returns only an error.
func timedErr(ctx context.Context, o ports.Observer, call string, f func() error) error {
	end := o.StartStoreCall(ctx, call)
	err := f()
	end(err)
	return err
}
