package porttest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

// newErasure returns an open request of userID received at received and due
// a week later.
func newErasure(userID string, received time.Time) ports.ErasureRecord {
	return ports.ErasureRecord{ID: newID("era_"), UserID: userID, Email: "asha@example.com", Language: "hi",
		StatusHash: newHash(), Status: ports.ErasureReceived, ReceivedAt: received, DueAt: received.Add(7 * 24 * time.Hour)}
}

func createErasure(t *testing.T, s ports.ErasureStore, r ports.ErasureRecord) ports.ErasureRecord {
	t.Helper()
	require.NoError(t, s.CreateErasureRequest(t.Context(), r))
	return r
}

// sameErasure compares two records, times by instant.
func sameErasure(t *testing.T, want, got ports.ErasureRecord, msg string) {
	t.Helper()
	sameByInstant(t, want, got, msg, func(r *ports.ErasureRecord) []*time.Time {
		return []*time.Time{&r.ReceivedAt, &r.DueAt, &r.ClosedAt}
	})
}

func testErasureCancelled(t *testing.T, s ports.Storage) {
	r := newErasure(newID("usr_"), baseTime())
	assertCancelled(t, s.CreateErasureRequest(cancelled(t), r))
	_, err := s.ErasureRequest(t.Context(), r.ID)
	require.ErrorIs(t, err, ports.ErrNotFound, "a cancelled create stores nothing")
	createErasure(t, s, r)
	_, err = s.EraseUser(cancelled(t), ports.UserErasure{RequestID: r.ID, UserID: r.UserID, At: baseTime()})
	assertCancelled(t, err)
	_, err = s.DueErasureRequests(cancelled(t), baseTime(), 10)
	assertCancelled(t, err)
}

func testErasureReadsBack(t *testing.T, s ports.Storage) {
	r := createErasure(t, s, newErasure(newID("usr_"), baseTime()))
	got, err := s.ErasureRequest(t.Context(), r.ID)
	require.NoError(t, err)
	sameErasure(t, r, got, "by ID")
	got, err = s.ErasureRequestByStatusHash(t.Context(), r.StatusHash)
	require.NoError(t, err)
	sameErasure(t, r, got, "by status hash")
	_, err = s.ErasureRequest(t.Context(), newID("era_"))
	require.ErrorIs(t, err, ports.ErrNotFound)
	_, err = s.ErasureRequestByStatusHash(t.Context(), newHash())
	require.ErrorIs(t, err, ports.ErrNotFound)
}

func testErasureOneOpenPerUser(t *testing.T, s ports.Storage) {
	r := createErasure(t, s, newErasure(newID("usr_"), baseTime()))
	second := newErasure(r.UserID, baseTime())
	require.ErrorIs(t, s.CreateErasureRequest(t.Context(), second), ports.ErrConflict, "a second open request")
	sameID := newErasure(newID("usr_"), baseTime())
	sameID.ID = r.ID
	require.ErrorIs(t, s.CreateErasureRequest(t.Context(), sameID), ports.ErrConflict, "the same ID")
	sameHash := newErasure(newID("usr_"), baseTime())
	sameHash.StatusHash = r.StatusHash
	require.ErrorIs(t, s.CreateErasureRequest(t.Context(), sameHash), ports.ErrConflict, "the same status hash")

	_, err := s.CancelErasureRequest(t.Context(), r.ID, baseTime())
	require.NoError(t, err)
	createErasure(t, s, second) // once the first is closed
}

func testErasureRequestsNewestFirst(t *testing.T, s ports.Storage) {
	user, t0 := newID("usr_"), baseTime()
	first := createErasure(t, s, newErasure(user, t0))
	_, err := s.CancelErasureRequest(t.Context(), first.ID, t0.Add(time.Hour))
	require.NoError(t, err)
	second := createErasure(t, s, newErasure(user, t0.Add(2*time.Hour)))
	createErasure(t, s, newErasure(newID("usr_"), t0))

	assertListedPerUser(t, s.ErasureRequests, func(r ports.ErasureRecord) string { return r.ID }, user, second.ID, first.ID)
}

func testErasureDue(t *testing.T, s ports.Storage) {
	t0 := baseTime()
	later := createErasure(t, s, newErasure(newID("usr_"), t0.Add(time.Hour)))
	sooner := createErasure(t, s, newErasure(newID("usr_"), t0))
	createErasure(t, s, newErasure(newID("usr_"), t0.Add(48*time.Hour))) // not yet due
	closed := createErasure(t, s, newErasure(newID("usr_"), t0))
	_, err := s.CancelErasureRequest(t.Context(), closed.ID, t0)
	require.NoError(t, err)

	now := later.DueAt // due at exactly DueAt
	due, err := s.DueErasureRequests(t.Context(), now, 10)
	require.NoError(t, err)
	require.Len(t, due, 2)
	assert.Equal(t, []string{sooner.ID, later.ID}, []string{due[0].ID, due[1].ID})
	due, err = s.DueErasureRequests(t.Context(), now, 1)
	require.NoError(t, err)
	require.Len(t, due, 1, "limit")
	assert.Equal(t, sooner.ID, due[0].ID)
	due, err = s.DueErasureRequests(t.Context(), now.Add(-time.Microsecond), 10)
	require.NoError(t, err)
	assert.Len(t, due, 1, "a microsecond before the later one's due date")
}

func testErasureCancelClosesOnce(t *testing.T, s ports.Storage) {
	r := createErasure(t, s, newErasure(newID("usr_"), baseTime()))
	at := baseTime().Add(time.Hour)
	got, err := s.CancelErasureRequest(t.Context(), r.ID, at)
	require.NoError(t, err)
	want := r
	want.Status, want.ClosedAt, want.Email, want.Language = ports.ErasureCancelled, at, "", ""
	sameErasure(t, want, got, "returned")
	stored, err := s.ErasureRequest(t.Context(), r.ID)
	require.NoError(t, err)
	sameErasure(t, want, stored, "stored")

	_, err = s.CancelErasureRequest(t.Context(), r.ID, at)
	require.ErrorIs(t, err, ports.ErrNotFound, "a closed request")
	_, err = s.EraseUser(t.Context(), ports.UserErasure{RequestID: r.ID, UserID: r.UserID, At: at})
	require.ErrorIs(t, err, ports.ErrNotFound, "erasing under a cancelled request")
	_, err = s.CancelErasureRequest(t.Context(), newID("era_"), at)
	require.ErrorIs(t, err, ports.ErrNotFound, "an unknown request")
}

// erasable is a user with something in every store, and the request to
// erase it.
type erasable struct {
	userID   string
	email    string
	sessions []ports.Session
	lockKeys []string
	tokens   []ports.OneTimeToken
	request  ports.ErasureRecord
}

// seedErasable gives a user data in every store. In a backend that keeps
// users it is created through the registry, with a username.
func seedErasable(t *testing.T, s ports.Storage, email string) erasable {
	t.Helper()
	ctx, t0 := t.Context(), baseTime()
	e := erasable{userID: newID("usr_"), email: email}
	if reg, ok := s.(ports.UserRegistry); ok {
		u, err := reg.CreateUser(ctx, ports.NewUser{Email: email, Username: "u" + randomHex(4), PasswordHash: "h", CreatedAt: t0})
		require.NoError(t, err)
		e.userID = u.ID
	}
	require.NoError(t, s.SetPasswordHash(ctx, e.userID, "$argon2id$pw", t0))
	require.NoError(t, s.SetPINHash(ctx, e.userID, "$argon2id$pin", t0))
	e.sessions = []ports.Session{newSession(e.userID, t0), newSession(e.userID, t0.Add(time.Second))}
	e.sessions[0].IsVerifiedDevice = true
	createSessions(t, s, e.sessions...)
	_, err := s.RotateRefresh(ctx, e.sessions[1].RefreshHash, newHash(), t0.Add(time.Minute), 0)
	require.NoError(t, err)
	e.tokens = []ports.OneTimeToken{newLink(e.userID, ports.PurposePasswordReset, t0),
		newCode(e.sessions[0].ID, ports.PurposeStepUpOTP, t0)}
	issueTokens(t, s, e.tokens...)
	e.lockKeys = []string{"id:" + randomHex(8), "pin:" + e.userID}
	for _, key := range e.lockKeys {
		_, _, err := s.BeginAttempt(ctx, key, t0, lockPolicy)
		require.NoError(t, err)
		_, err = s.FinishAttempt(ctx, key, t0, lockPolicy, ports.Failed)
		require.NoError(t, err)
	}
	_, err = s.TouchActivity(ctx, e.userID, t0, time.Hour)
	require.NoError(t, err)
	require.NoError(t, s.RecordEvent(ctx, ports.SecurityEvent{UserID: e.userID, Kind: ports.EventLoginSucceeded,
		IPAddress: "203.0.113.9", UserAgent: "curl/8.5", Detail: "pwd", At: t0}))
	e.request = createErasure(t, s, newErasure(e.userID, t0))
	return e
}

func (e erasable) erasure(at time.Time) ports.UserErasure {
	return ports.UserErasure{RequestID: e.request.ID, UserID: e.userID, LockKeys: e.lockKeys,
		Kept: "security events, without IP address or user agent", At: at}
}

func testEraseUserLeavesNothing(t *testing.T, s ports.Storage) {
	ctx := t.Context()
	e := seedErasable(t, s, "asha@example.com")
	at := baseTime().Add(time.Hour)
	got, err := s.EraseUser(ctx, e.erasure(at))
	require.NoError(t, err)
	want := e.request
	want.Status, want.ClosedAt, want.Kept, want.Email, want.Language = ports.ErasureCompleted, at, e.erasure(at).Kept, "", ""
	sameErasure(t, want, got, "the completed request")

	_, err = s.Credentials(ctx, e.userID)
	require.ErrorIs(t, err, ports.ErrNotFound, "credentials")
	sessions, err := s.Sessions(ctx, e.userID)
	require.NoError(t, err)
	assert.Empty(t, sessions, "sessions")
	for _, sess := range e.sessions {
		_, err := s.Session(ctx, sess.ID)
		require.ErrorIs(t, err, ports.ErrNotFound, "session %s", sess.ID)
		known, err := s.KnownDevice(ctx, e.userID, sess.DeviceFingerprint, at)
		require.NoError(t, err)
		assert.False(t, known, "device of %s", sess.ID)
		tokens, err := s.Tokens(ctx, sess.ID)
		require.NoError(t, err)
		assert.Empty(t, tokens, "step-up codes of %s", sess.ID)
	}
	tokens, err := s.Tokens(ctx, e.userID)
	require.NoError(t, err)
	assert.Empty(t, tokens, "the user's tokens")
	_, err = s.ConsumeLink(ctx, ports.PurposePasswordReset, e.tokens[0].Hash, at)
	require.ErrorIs(t, err, ports.ErrNotFound, "an erased link")
	for _, key := range e.lockKeys {
		state, err := s.LockState(ctx, key)
		require.NoError(t, err)
		assert.Zero(t, state, "counter %s", key)
	}
	inactive, err := s.InactiveUnwarned(ctx, at.Add(time.Hour), 100)
	require.NoError(t, err)
	for _, a := range inactive {
		assert.NotEqual(t, e.userID, a.UserID, "the activity record")
	}
	requests, err := s.ErasureRequests(ctx, e.userID)
	require.NoError(t, err)
	for _, r := range requests {
		assert.Empty(t, r.Email, "no request keeps the address")
	}
	if _, managed := s.(ports.UserRegistry); managed {
		_, err := s.UserByID(ctx, e.userID)
		require.ErrorIs(t, err, ports.ErrNotFound, "the account row")
		_, err = s.UserByEmail(ctx, e.email)
		require.ErrorIs(t, err, ports.ErrNotFound, "the email")
		reg := s.(ports.UserRegistry)
		_, err = reg.CreateUser(ctx, ports.NewUser{Email: e.email, PasswordHash: "h", CreatedAt: at})
		require.NoError(t, err, "the email is free again")
	}
}

func testEraseUserKeepsPseudonymisedEvents(t *testing.T, s ports.Storage) {
	ctx := t.Context()
	e := seedErasable(t, s, "asha@example.com")
	other := seedErasable(t, s, "ravi@example.com")
	_, err := s.EraseUser(ctx, e.erasure(baseTime()))
	require.NoError(t, err)

	events, err := s.Events(ctx, e.userID)
	require.NoError(t, err)
	require.Len(t, events, 1, "events are kept as evidence")
	assert.Equal(t, ports.EventLoginSucceeded, events[0].Kind)
	assert.Equal(t, "pwd", events[0].Detail)
	assert.Empty(t, events[0].IPAddress, "IP address")
	assert.Empty(t, events[0].UserAgent, "user agent")

	// The other user keeps everything.
	_, err = s.Credentials(ctx, other.userID)
	require.NoError(t, err)
	sessions, err := s.Sessions(ctx, other.userID)
	require.NoError(t, err)
	assert.Len(t, sessions, len(other.sessions))
	tokens, err := s.Tokens(ctx, other.userID)
	require.NoError(t, err)
	assert.Len(t, tokens, 1)
	state, err := s.LockState(ctx, other.lockKeys[0])
	require.NoError(t, err)
	assert.Equal(t, 1, state.Failures)
	events, err = s.Events(ctx, other.userID)
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, "203.0.113.9", events[0].IPAddress)
	open, err := s.ErasureRequest(ctx, other.request.ID)
	require.NoError(t, err)
	assert.Equal(t, ports.ErasureReceived, open.Status)
}

func testEraseUserNeedsOpenRequest(t *testing.T, s ports.Storage) {
	ctx := t.Context()
	e := seedErasable(t, s, "asha@example.com")
	other := seedErasable(t, s, "ravi@example.com")
	wrong := e.erasure(baseTime())
	wrong.RequestID = other.request.ID // another user's request
	_, err := s.EraseUser(ctx, wrong)
	require.ErrorIs(t, err, ports.ErrNotFound)
	wrong.RequestID = newID("era_")
	_, err = s.EraseUser(ctx, wrong)
	require.ErrorIs(t, err, ports.ErrNotFound)
	_, err = s.Credentials(ctx, e.userID)
	require.NoError(t, err, "nothing was erased")

	_, err = s.EraseUser(ctx, e.erasure(baseTime()))
	require.NoError(t, err)
	_, err = s.EraseUser(ctx, e.erasure(baseTime()))
	require.ErrorIs(t, err, ports.ErrNotFound, "a completed request")
}

func testEraseOrCancelHasOneWinner(t *testing.T, s ports.Storage) {
	e := seedErasable(t, s, "asha@example.com")
	at := baseTime()
	winner := oneWinner(t, func(i int) error {
		if i%2 == 0 {
			_, err := s.CancelErasureRequest(t.Context(), e.request.ID, at)
			return err
		}
		_, err := s.EraseUser(t.Context(), e.erasure(at))
		return err
	}, ports.ErrNotFound)
	_, err := s.Credentials(t.Context(), e.userID)
	if winner%2 == 0 {
		require.NoError(t, err, "a cancelled request erases nothing")
	} else {
		require.ErrorIs(t, err, ports.ErrNotFound, "the erasure won")
	}
}

func testEraseUserPseudonymisesV2Consents(t *testing.T, s ports.Storage) {
	ctx, t0 := t.Context(), baseTime()
	e := seedErasable(t, s, "asha@example.com")
	other := newID("usr_")
	appendConsents(t, s, e.userID, consentRow(e.userID, "identity", true, t0),
		consentRowV2(e.userID, "analytics", true, t0.Add(time.Second)), consentRowV2(e.userID, "analytics", false, t0.Add(2*time.Second)))
	appendConsents(t, s, other, consentRowV2(other, "analytics", true, t0))
	before, otherBefore := consentHistory(t, s, e.userID), consentHistory(t, s, other)

	_, err := s.EraseUser(ctx, e.erasure(t0.Add(time.Hour)))
	require.NoError(t, err)

	after := consentHistory(t, s, e.userID)
	require.Len(t, after, len(before), "consent rows are kept as evidence")
	verifyChain(t, after)
	assert.Equal(t, before[0], after[0], "a version 1 row hashes its raw IP and user agent, so it is kept as recorded")
	for i := 1; i < len(after); i++ {
		want := before[i]
		want.IPAddress, want.UserAgent = "", ""
		assert.Equal(t, want, after[i], "version 2 row %d loses only its IP address and user agent", i)
	}
	assert.Equal(t, otherBefore, consentHistory(t, s, other), "another user's rows")
}
