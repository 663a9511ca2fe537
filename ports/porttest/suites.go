package porttest

import (
	"testing"

	"github.com/bharatauth/bharatauth-go/ports"
)

// Each suite below lists its rules, one named case each; the cases and their
// fixtures live in the file of their port (sessions.go, lockout.go, …).

// CredentialStore checks password and PIN hash storage keyed by an opaque user
// ID that no UserRegistry created (external mode), on fresh stores from
// newStore.
func CredentialStore(t *testing.T, newStore func(t *testing.T) ports.CredentialStore) {
	runCases(t, newStore, []testCase[ports.CredentialStore]{
		{"a cancelled context is passed through", testCredentialsCancelled},
		{"nothing stored is not found", testCredentialsUnknownNotFound},
		{"password hash is an upsert", testPasswordHashUpserts},
		{"PIN and password are independent", testPINAndPasswordIndependent},
		{"users are independent", testCredentialsPerUser},
	})
}

// SessionRepo checks sessions, refresh rotation with reuse detection and
// revocation on fresh repos from newRepo.
func SessionRepo(t *testing.T, newRepo func(t *testing.T) ports.SessionRepo) {
	runCases(t, newRepo, []testCase[ports.SessionRepo]{
		{"a cancelled context is passed through", testSessionCancelled},
		{"create and read back", testSessionReadsBack},
		{"duplicate ID or refresh hash is a conflict", testSessionDuplicateConflicts},
		{"unknown session or hash is not found", testSessionUnknownNotFound},
		{"Sessions lists all of one user's sessions newest first", testSessionsListNewestFirst},
		{"rotation replaces the hash, keeps expiry, sets LastUsedAt", testRotateReplacesHash},
		{"reuse of a rotated hash revokes the family", testReusedHashRevokesFamily},
		{"expired session does not rotate", testExpiredSessionDoesNotRotate},
		{"revoked session does not rotate", testRevokedSessionDoesNotRotate},
		{"parallel rotation of one hash: exactly one wins", testRotateHasOneWinner},
		{"SessionByRefresh finds an active session by its current hash only", testSessionByRefresh},
		{"RevokeSessions revokes the active sessions a selector names", testRevokeSessionsSelects},
	})
}

// PhoneRegistry checks the phone numbers of a managed backend on fresh
// backends from newStorage: lookups by number, their uniqueness (also under
// parallel registrations), verification and change. Run runs it when the
// storage implements ports.PhoneDirectory and ports.PhoneRegistry.
func PhoneRegistry(t *testing.T, newStorage func(t *testing.T) PhoneStorage) {
	runCases(t, newStorage, []testCase[PhoneStorage]{
		{"a cancelled context is passed through", testPhoneCancelled},
		{"a user created with a number is found by it, unverified", testPhoneLookup},
		{"the empty number and unknown numbers find no one", testPhoneUnknownNotFound},
		{"phone-only users do not collide over their empty email", testPhoneOnlyUsersDoNotCollide},
		{"a taken number is a conflict and creates nothing", testPhoneTakenConflicts},
		{"marking a number verified shows in every lookup and is idempotent", testPhoneMarkVerified},
		{"a phone change verifies the new number and frees the old one", testChangePhone},
		{"parallel creates of one number: exactly one wins", testCreatePhoneHasOneWinner},
		{"erasing a user removes its number, which is free again", testErasureFreesThePhone},
		{"an unproven number beside a verified email is released, then free", testReleaseUnprovenPhone},
		{"an unproven email beside a verified number is released, then free", testReleaseUnprovenEmail},
		{"a proven identifier, or one beside nothing proven, is never released", testReleaseNeedsTheOtherProven},
		{"parallel releases of one number: one succeeds; then parallel creates: one owner", testReleaseHasOneWinner},
		{"a release racing the number's verification: released unverified or kept verified", testReleaseRacesVerification},
	})
}

// SessionUsers checks reads of a session with its user, on fresh managed
// backends from newBackend: the pair as the storage holds it, every change of
// the user seen at once, and RotateRefreshUser keeping every rule of
// RotateRefresh (SessionRepo's cases run again through it).
func SessionUsers(t *testing.T, newBackend func(t *testing.T) SessionUsersBackend) {
	runCases(t, newBackend, []testCase[SessionUsersBackend]{
		{"a cancelled context is passed through", testSessionUserCancelled},
		{"a session comes with its user as the directory holds it", testSessionUserReadsBoth},
		{"every change of the user shows at once", testSessionUserSeesUserChanges},
		{"an unknown session is not found", testSessionUserUnknownNotFound},
		{"a session whose user does not exist comes with the zero user", testSessionUserWithoutUser},
		{"a rotation and its retry return the user as it is now", testRotateRefreshUserReturnsUser},
	})
	t.Run("RotateRefreshUser keeps RotateRefresh's rules", func(t *testing.T) {
		SessionRepo(t, func(t *testing.T) ports.SessionRepo {
			b := newBackend(t)
			return rotateWithUser{SessionRepo: b.Storage, joined: b.Joined}
		})
	})
}

// Transactor checks that a backend's transactions keep all of their writes
// or none, and keep the ports' atomic rules, on fresh backends from
// newBackend.
func Transactor(t *testing.T, newBackend func(t *testing.T) TransactionalStorage) {
	runCases(t, newBackend, []testCase[TransactionalStorage]{
		{"a cancelled context is passed through", testTransactionCancelled},
		{"the calls inside commit together and see each other", testTransactionCommitsTogether},
		{"an error from fn keeps no write and is returned", testTransactionErrorRollsBack},
		{"a panic in fn keeps no write", testTransactionPanicRollsBack},
		{"a nested transaction joins the outer one", testTransactionNestedJoinsOuter},
		{"a context kept after the transaction runs its calls on their own", testTransactionContextOutlivesIt},
		{"parallel transactions keep BeginAttempt's admission rule", testTransactionsKeepTheAdmissionRule},
	})
}

// DeviceTrust checks known devices and step-up marks on fresh backends from
// newBackend; it creates the sessions it works on through Sessions.
func DeviceTrust(t *testing.T, newBackend func(t *testing.T) SessionDevices) {
	runCases(t, newBackend, []testCase[SessionDevices]{
		{"a cancelled context is passed through", testDeviceCancelled},
		{"a device is known by a verified session of its fingerprint, even an ended one", testKnownDevice},
		{"a step-up mark is consumed once", testStepUpConsumedOnce},
		{"notBefore bounds the mark", testStepUpNotBefore},
		{"MarkStepUp on an unknown or revoked session is not found", testMarkStepUpNeedsActiveSession},
		{"revoking with ForgetDevices un-verifies the device everywhere; a plain revoke does not", testForgetDevicesUnverifiesDevice},
		{"ForgetDevices for a user forgets ended sessions' devices but keeps the caller's", testForgetDevicesKeepsCallersDevice},
		{"reuse of a rotated refresh token forgets the device", testReuseForgetsDevice},
		{"a verifying step-up makes the device known", testVerifyingStepUpKnowsDevice},
		{"parallel ConsumeStepUp: exactly one uses the mark", testConsumeStepUpHasOneWinner},
	})
}

// OneTimeTokenRepo checks OTP codes and link tokens: single use, attempts,
// purpose binding, expiry and replacement by a newer token, on fresh repos
// from newRepo.
func OneTimeTokenRepo(t *testing.T, newRepo func(t *testing.T) ports.OneTimeTokenRepo) {
	runCases(t, newRepo, []testCase[ports.OneTimeTokenRepo]{
		{"a cancelled context is passed through", testTokenCancelled},
		{"a code is consumed once with the right hash", testCodeConsumedOnce},
		{"wrong codes count attempts until the code is dead", testWrongCodesExhaustCode},
		{"a code is bound to its purpose and subject", testCodeBoundToPurpose},
		{"expiry is at exactly ExpiresAt", testTokenExpiresAtExpiresAt},
		{"a link is consumed once for its purpose", testLinkConsumedOnce},
		{"a new token replaces the unused one of the same subject and purpose", testNewTokenReplacesUnused},
		{"duplicate ID or link hash is a conflict", testTokenDuplicateConflicts},
		{"Tokens lists a subject's tokens newest first", testTokensListNewestFirst},
		{"parallel ConsumeCode with the right hash: exactly one wins", testConsumeCodeHasOneWinner},
		{"parallel ConsumeLink with one hash: exactly one wins", testConsumeLinkHasOneWinner},
		{"parallel wrong codes: attempts are counted exactly", testParallelWrongCodesCountExactly},
	})
}

// ConsentLedger checks the append-only, hash-chained consent log on fresh
// ledgers from newLedger.
func ConsentLedger(t *testing.T, newLedger func(t *testing.T) ports.ConsentLedger) {
	runCases(t, newLedger, []testCase[ports.ConsentLedger]{
		{"a cancelled context is passed through and appends nothing", testConsentCancelled},
		{"appends are sequenced, chained and read back unchanged", testConsentAppendsChain},
		{"a user without rows has an empty history", testConsentEmptyHistory},
		{"histories of two users are independent", testConsentHistoriesIndependent},
		{"parallel appends for one user form one unbroken chain", testConsentParallelAppendsChain},
		{"version-2 rows keep every field and chain onto version-1 rows", testConsentV2ReadsBack},
		{"the keyed checkpoint follows the chain head", testCheckpointFollowsHead},
	})
}

// ConsentOutbox checks the consent outbox filled by appends: written with the
// rows, delivered at least once (a crashed claimer's change comes back), one
// change of a user at a time in order, on fresh backends from newBackend.
func ConsentOutbox(t *testing.T, newBackend func(t *testing.T) LedgerOutbox) {
	runCases(t, newBackend, []testCase[LedgerOutbox]{
		{"a cancelled context is passed through", testOutboxCancelled},
		{"Notify queues one change per row; without it nothing", testOutboxQueuesWithRows},
		{"a claimed change that is not acknowledged comes back after its lease", testOutboxRedeliversAfterCrash},
		{"a user's changes are claimed one at a time, in order", testOutboxOrderedPerUser},
		{"a retried change is due at its retry time", testOutboxRetryReschedules},
		{"parallel claims: each change goes to one claimer", testOutboxClaimHasOneWinner},
	})
}

// AbuseGuard checks per-IP distinct-identifier failure tracking and IP blocks
// on fresh guards from newGuard.
func AbuseGuard(t *testing.T, newGuard func(t *testing.T) ports.AbuseGuard) {
	runCases(t, newGuard, []testCase[ports.AbuseGuard]{
		{"a cancelled context is passed through", testAbuseCancelled},
		{"failures for distinct identifiers within the window block the IP", testDistinctIdentifiersBlock},
		{"IPs are independent and an unknown IP is not blocked", testIPsIndependent},
		{"parallel failures for distinct identifiers from one IP block it once", testParallelFailuresBlockOnce},
	})
}

// EventLog checks that security events are kept per user, oldest first, on
// fresh logs from newLog.
func EventLog(t *testing.T, newLog func(t *testing.T) ports.EventLog) {
	runCases(t, newLog, []testCase[ports.EventLog]{
		{"a cancelled context is passed through", testEventCancelled},
		{"events are listed per user, oldest first", testEventsPerUserOldestFirst},
	})
}

// EventPseudonymiser checks that old events lose their IP address and user
// agent, and only old ones, on fresh logs from newLog.
func EventPseudonymiser(t *testing.T, newLog func(t *testing.T) RetainedEventLog) {
	runCases(t, newLog, []testCase[RetainedEventLog]{
		{"a cancelled context is passed through", testPseudonymiseCancelled},
		{"only events before the cutoff are pseudonymised, oldest first, within the limit", testPseudonymiseOnlyBeforeTheCutoff},
		{"only version 2 consent rows before the cutoff are pseudonymised, and their chain still verifies", testPseudonymiseConsentsOnlyV2BeforeTheCutoff},
	})
}

// UserRegistry checks a managed-mode user store on fresh backends from
// newStorage: UserRegistry together with the credentials and consent rows it
// creates. How the users it creates are found is UserDirectory's contract,
// which Run checks on the same backends.
func UserRegistry(t *testing.T, newStorage func(t *testing.T) ManagedStorage) {
	runCases(t, newStorage, []testCase[ManagedStorage]{
		{"a cancelled context is passed through", testRegistryCancelled},
		{"create assigns an ID and returns the user unverified and active", testCreateReturnsUser},
		{"usernames compare case-insensitively", testUsernameTakenInAnyCase},
		{"users without a username do not collide", testUsersWithoutUsernameDoNotCollide},
		{"taken email or username is a conflict and creates nothing", testTakenIdentityConflicts},
		{"verifying or suspending an unknown user is not found", testRegistryUnknownUser},
		{"create appends the initial consent rows as the start of the chain", testCreateStartsConsentChain},
		{"create stores the password hash", testCreateStoresPasswordHash},
		{"verified and suspended show in lookups", testVerifiedAndSuspendedShow},
		{"clearing a profile empties its chosen fields and frees the username", testClearProfile},
		{"a profile update replaces the chosen fields; a taken username is a conflict", testUpdateProfile},
		{"an email change verifies the new address and frees the old one", testChangeEmail},
		{"parallel creates of one email: exactly one wins", testCreateEmailHasOneWinner},
		{"parallel creates of one username in two cases: exactly one wins", testCreateUsernameHasOneWinner},
	})
}

// UserDirectory checks the lookups of a directory: by email and by username,
// each case-insensitively, and by ID, with ErrNotFound for no match.
func UserDirectory(t *testing.T, h DirectoryHarness) {
	cases := []testCase[seededDirectory]{
		{"a cancelled context is passed through", testDirectoryCancelled},
		{"every lookup finds the user as stored", testDirectoryFindsUserAsStored},
		{"emails compare case-insensitively, domains in ASCII form", testDirectoryEmailIgnoresCase},
		{"unknown users are not found", testDirectoryUnknownNotFound},
		{"parallel lookups all find the user", testDirectoryParallelLookups},
	}
	if h.NoUsernames {
		cases = append(cases, testCase[seededDirectory]{"without usernames no one is found by one", testDirectoryWithoutUsernames})
	} else {
		cases = append(cases, testCase[seededDirectory]{"usernames compare case-insensitively", testDirectoryUsernameIgnoresCase})
	}
	runCases(t, func(t *testing.T) seededDirectory {
		dir, seed := h.NewDirectory(t)
		return seededDirectory{UserDirectory: dir, seed: seed}
	}, cases)
}

// RateLimiter checks a ports.RateLimiter on fresh limiters from newLimiter:
// the limit, refusals that use no capacity, the window sliding past, no
// double burst across a window edge, key independence and atomic counting.
// All time comes from the now argument. Every case holds for both a sliding
// window log and GCRA (burst = Limit, one request per Window/Limit), so a
// backend may choose either.
func RateLimiter(t *testing.T, newLimiter func(t *testing.T) ports.RateLimiter) {
	runCases(t, newLimiter, []testCase[ports.RateLimiter]{
		{"a cancelled context is passed through", testLimiterCancelled},
		{"the limit is allowed, the next request refused", testLimitThenRefuse},
		{"refused requests use no capacity", testRefusalsUseNoCapacity},
		{"after the window requests are allowed again", testWindowPasses},
		{"a burst cannot straddle a window edge", testNoBurstAcrossWindowEdge},
		{"keys are independent", testLimiterKeysIndependent},
		{"parallel requests on one key allow exactly the limit", testParallelRequestsAllowLimit},
	})
}

// Mailer checks a ports.Mailer: what arrives is what was sent, in any script;
// a cancelled context passes through; only a failure worth retrying wraps
// ErrUnavailable; no error carries the message body, which holds codes and
// links.
func Mailer(t *testing.T, h MailerHarness) {
	cases := []testCase[MailerHarness]{
		{"a message arrives as sent, Hindi included", testMailerDeliversMessage},
		{"a text-only message without a recipient name arrives as sent", testMailerDeliversTextOnly},
		{"a cancelled context is passed through and sends nothing", testMailerCancelled},
		{"parallel sends each arrive once", testMailerParallelSends},
	}
	if h.NewRefusingMailer != nil {
		cases = append(cases, testCase[MailerHarness]{"a refused message is a permanent error without the body", testMailerRefusalIsPermanent})
	}
	if h.NewDeferringMailer != nil {
		cases = append(cases, testCase[MailerHarness]{"a deferred message is ErrUnavailable without the body", testMailerDeferralIsUnavailable})
	}
	if h.ChecksMessages {
		cases = append(cases, testCase[MailerHarness]{"a malformed message is refused before sending", testMailerRefusesMalformed})
	}
	runCases(t, func(*testing.T) MailerHarness { return h }, cases)
}

// ActivityStore checks last-activity records and inactivity warnings on
// fresh stores from newStore.
func ActivityStore(t *testing.T, newStore func(t *testing.T) ports.ActivityStore) {
	runCases(t, newStore, []testCase[ports.ActivityStore]{
		{"a cancelled context is passed through", testActivityCancelled},
		{"activity is written at most once per interval", testActivityOncePerInterval},
		{"inactive users are warned once, and activity cancels the warning", testActivityWarning},
	})
}

// ErasureStore checks erasure requests and the erasure of a user's data on
// fresh backends from newStorage: erasing touches every storage port.
func ErasureStore(t *testing.T, newStorage func(t *testing.T) ports.Storage) {
	runCases(t, newStorage, []testCase[ports.Storage]{
		{"a cancelled context is passed through", testErasureCancelled},
		{"a request reads back by ID and by status hash", testErasureReadsBack},
		{"a user has one open request; IDs and status hashes are unique", testErasureOneOpenPerUser},
		{"requests are listed per user, newest first", testErasureRequestsNewestFirst},
		{"only open requests whose due date has come are due, soonest first", testErasureDue},
		{"a cancelled request is closed once and keeps no address", testErasureCancelClosesOnce},
		{"erasing leaves no credential, session, token, counter or email behind", testEraseUserLeavesNothing},
		{"erasing keeps the user's events without IP or user agent, and other users' data", testEraseUserKeepsPseudonymisedEvents},
		{"erasing needs the user's open request", testEraseUserNeedsOpenRequest},
		{"a racing cancellation and erasure: exactly one closes the request", testEraseOrCancelHasOneWinner},
	})
}

// GrievanceStore checks grievances and their single answer on fresh stores
// from newStore.
func GrievanceStore(t *testing.T, newStore func(t *testing.T) ports.GrievanceStore) {
	runCases(t, newStore, []testCase[ports.GrievanceStore]{
		{"a cancelled context is passed through", testGrievanceCancelled},
		{"a grievance reads back open; IDs are unique", testGrievanceReadsBack},
		{"grievances are listed per user, newest first", testGrievancesNewestFirst},
		{"an answer closes the grievance once", testGrievanceAnsweredOnce},
		{"parallel answers: exactly one wins", testGrievanceAnswerHasOneWinner},
	})
}

// MailQueue checks the outbox of emails on fresh queues from newQueue: a
// message stays until removed, one holder at a time, and comes back after its
// holder vanished (at least once).
func MailQueue(t *testing.T, newQueue func(t *testing.T) ports.MailQueue) {
	runCases(t, newQueue, []testCase[ports.MailQueue]{
		{"a cancelled context is passed through", testMailCancelled},
		{"a queued message reads back unchanged when claimed", testMailReadsBack},
		{"duplicate ID is a conflict", testMailDuplicateConflicts},
		{"a message is not claimed before it is due, oldest due first, up to the limit", testMailClaimsDueOldestFirst},
		{"the enqueuer's lease keeps others off until it lapses", testMailEnqueuerHoldsLease},
		{"a claimed message that is never finished is claimed again after its lease (at least once)", testMailCrashedWorkerLeaseLapses},
		{"RetryMail by the holder makes it due again; by a stale lease it is not found", testMailRetryNeedsLease},
		{"a removed message is never claimed again; removing twice is fine", testMailRemoved},
		{"expired messages are claimed too, for their holder to record", testMailExpiredClaimed},
		{"parallel claims of one message: exactly one claimer gets it", testMailClaimHasOneWinner},
	})
}

// NomineeStore checks append-only nominations on fresh stores from newStore.
func NomineeStore(t *testing.T, newStore func(t *testing.T) ports.NomineeStore) {
	runCases(t, newStore, []testCase[ports.NomineeStore]{
		{"a cancelled context is passed through", testNomineeCancelled},
		{"nominations are listed oldest first, removed ones kept", testNomineesKeepHistory},
		{"only the user's standing nominee can be removed, once", testNomineeRemovedOnce},
	})
}

// GuardianStore checks children's guardianships: created with the child's
// account, confirmed once with the child's consents, listed per guardian,
// and pending ones erased after their wait, on fresh backends.
func GuardianStore(t *testing.T, newBackend func(t *testing.T) GuardianBackend) {
	runCases(t, newBackend, []testCase[GuardianBackend]{
		{"a cancelled context is passed through", testGuardianCancelled},
		{"a child is created with a pending guardianship; an adult has none", testGuardianshipCreatedWithChild},
		{"confirming records the guardian and the child's consents, once", testConfirmGuardianshipOnce},
		{"a guardian's confirmed children are listed", testGuardianChildrenListed},
		{"pending children past their wait are erased, the rest kept", testDeletePendingChildren},
		{"parallel confirmations: exactly one wins", testConfirmGuardianshipHasOneWinner},
		{"a discarded guardianship is gone, pending or confirmed; the account stays", testDiscardGuardianship},
		{"account holds read the guardianship and the newest erasure request at once", testAccountHolds},
	})
}

// LockoutStore checks the two-step attempt state machine (BeginAttempt,
// FinishAttempt), ClearFailures and the atomicity of both steps, on fresh
// stores from newStore.
func LockoutStore(t *testing.T, newStore func(t *testing.T) ports.LockoutStore) {
	t.Helper()
	runCases(t, newStore, []testCase[ports.LockoutStore]{
		{"cancelled context is passed through", testLockoutCancelled},
		{"unknown key reads as the zero state", testLockoutUnknownKey},
		{"soft lock at exactly SoftLockAfter, hard lock at HardLockAfter", testLockoutThresholds},
		{"a failure more than ResetAfter later restarts the count", testLockoutResetAfter},
		{"a zero ResetAfter never restarts the count", testLockoutNoReset},
		{"a zero HardLockAfter never hard-locks and admits nothing on an old count", testLockoutNoHardLock},
		{"success clears the count and keeps the history", testLockoutSuccessClears},
		{"abandoned attempts count nothing", testLockoutAbandoned},
		{"pending attempts refuse as busy, never as locked", testLockoutPendingIsBusy},
		{"a pending attempt older than PendingFor holds no place", testLockoutPendingExpires},
		{"clear keeps the history and a second soft lock counts it", testLockoutClearKeepsHistory},
		{"keys are independent", testLockoutKeysIndependent},
		{"parallel begins admit exactly SoftLockAfter", testLockoutParallelBegins},
		{"parallel correct attempts never lock", testLockoutParallelSuccesses},
		{"parallel wrong attempts lock exactly once", testLockoutParallelFailures},
	})
}

// SignInUsers checks a managed backend's joined read of what a sign-in reads
// first (ports.SignInUsers) against UserByEmail, UserByUsername, KnownDevice,
// IPBlockedUntil and AccountHolds asked one by one, on fresh backends.
func SignInUsers(t *testing.T, newBackend func(t *testing.T) ManagedStorage) {
	runCases(t, newBackend, []testCase[ManagedStorage]{
		{"a cancelled context is passed through", testSignInUserCancelled},
		{"the user by email or username, as the directory finds it", testSignInUserFindsTheUser},
		{"the device is known exactly when KnownDevice says so", testSignInUserKnowsTheDevice},
		{"the IP's block as IPBlockedUntil answers, with a user or without", testSignInUserReadsTheIPBlock},
		{"the holds as AccountHolds reads them, when asked", testSignInUserReadsTheHolds},
	})
}

// SignInSessions checks a backend's one-call opening of a sign-in's session
// (ports.SignInSessions) against FinishAttempt, CreateSession and RecordEvent,
// on fresh backends: all of it is written, or nothing.
func SignInSessions(t *testing.T, newBackend func(t *testing.T) ports.Storage) {
	runCases(t, newBackend, []testCase[ports.Storage]{
		{"a cancelled context is passed through and writes nothing", testOpenSignInSessionCancelled},
		{"the attempts end as succeeded, the session and the events are stored", testOpenSignInSessionWritesAll},
		{"without attempts or events it creates the session", testOpenSignInSessionAloneCreatesTheSession},
		{"a key without a record ends as nothing and the session opens", testOpenSignInSessionWithoutTheKeysRecord},
		{"a taken session ID or refresh hash is ErrConflict and writes nothing", testOpenSignInSessionTakenChangesNothing},
		{"ends lock their keys in order beside admissions in transactions", testOpenSignInSessionBesideAdmissions},
	})
}

// SMSSender checks a ports.SMSSender, the twin of Mailer: what arrives is
// what was sent, Hindi included; a cancelled context passes through; only a
// failure worth retrying wraps ErrUnavailable; no error carries the text,
// which holds a code, or the number.
func SMSSender(t *testing.T, h SMSSenderHarness) {
	cases := []testCase[SMSSenderHarness]{
		{"an SMS arrives as sent, Hindi and template id included", testSMSDeliversMessage},
		{"an SMS without a template id arrives as sent", testSMSWithoutTemplate},
		{"a cancelled context is passed through and sends nothing", testSMSCancelled},
		{"parallel sends each arrive once", testSMSParallelSends},
	}
	if h.NewRefusingSender != nil {
		cases = append(cases, testCase[SMSSenderHarness]{"a refused SMS is a permanent error without the text or number", testSMSRefusalIsPermanent})
	}
	if h.NewDeferringSender != nil {
		cases = append(cases, testCase[SMSSenderHarness]{"a deferred SMS is ErrUnavailable without the text or number", testSMSDeferralIsUnavailable})
	}
	if h.ChecksMessages {
		cases = append(cases, testCase[SMSSenderHarness]{"a malformed SMS is refused before sending", testSMSRefusesMalformed})
	}
	runCases(t, func(*testing.T) SMSSenderHarness { return h }, cases)
}

// SMSBudget checks a ports.SMSBudget on fresh budgets from newBudget: each
// key's sliding limit exactly, all or nothing across keys, which limit a
// refusal names and when it allows again, ClearSMS, invalid limits, and the
// limits kept by 50 parallel takes. All time comes from the now argument.
func SMSBudget(t *testing.T, newBudget func(t *testing.T) ports.SMSBudget) {
	runCases(t, newBudget, []testCase[ports.SMSBudget]{
		{"a cancelled context is passed through and counts nothing", testSMSBudgetCancelled},
		{"a key allows its limit, refuses the next, and allows again a window after its oldest send", testSMSBudgetLimitExactly},
		{"refused sends count nothing", testSMSBudgetRefusalsCountNothing},
		{"a window slides: no burst across an edge", testSMSBudgetWindowSlides},
		{"a refusal by one key counts against none", testSMSBudgetAllOrNothing},
		{"an allowed send counts against every key", testSMSBudgetCountsEveryKey},
		{"RefusedBy and RetryAfter name the spent limit that allows last", testSMSBudgetRefusedByLatest},
		{"ClearSMS forgets one key's sends", testSMSBudgetClear},
		{"invalid limits are an error and count nothing", testSMSBudgetRefusesBadLimits},
		{"50 parallel takes on one key allow exactly its limit", testSMSBudgetParallelOneKey},
		{"50 parallel takes on mixed keys keep every limit and count no refusal", testSMSBudgetParallelMixedKeys},
	})
}
