package core

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
)

// faultyStore is a memory.Store whose named method fails with err until
// failOn is called again. It stands in for a database that goes away in the
// middle of a flow.
type faultyStore struct {
	*memory.Store
	mu     sync.Mutex
	method string
	err    error
	fired  int
}

// newFaultyEnv returns an env whose every storage port is one faultyStore.
func newFaultyEnv(t testing.TB, opts ...envOption) (*env, *faultyStore) {
	t.Helper()
	var f *faultyStore
	opts = append([]envOption{withoutLimiter(), func(_ *Config, d *Deps) {
		f = &faultyStore{Store: d.Storage.(*memory.Store)}
		d.Users, d.Registry, d.Credentials, d.Lockouts, d.Sessions = f, f, f, f, f
		d.Devices, d.Tokens, d.Consents, d.Abuse, d.Events = f, f, f, f, f
	}}, opts...)
	return newEnv(t, opts...), f
}

// failOn makes method fail with err from now on ("" heals the store).
func (f *faultyStore) failOn(method string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.method, f.err, f.fired = method, err, 0
}

// firedCount reports how often the failure was returned since failOn.
func (f *faultyStore) firedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}

func (f *faultyStore) fault(method string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.method != method {
		return nil
	}
	f.fired++
	return f.err
}

func (f *faultyStore) UserByEmail(ctx context.Context, email string) (ports.User, error) {
	if err := f.fault("UserByEmail"); err != nil {
		return ports.User{}, err
	}
	return f.Store.UserByEmail(ctx, email)
}

func (f *faultyStore) UserByID(ctx context.Context, id string) (ports.User, error) {
	if err := f.fault("UserByID"); err != nil {
		return ports.User{}, err
	}
	return f.Store.UserByID(ctx, id)
}

func (f *faultyStore) CreateUser(ctx context.Context, nu ports.NewUser) (ports.User, error) {
	if err := f.fault("CreateUser"); err != nil {
		return ports.User{}, err
	}
	return f.Store.CreateUser(ctx, nu)
}

func (f *faultyStore) MarkEmailVerified(ctx context.Context, userID string, at time.Time) error {
	if err := f.fault("MarkEmailVerified"); err != nil {
		return err
	}
	return f.Store.MarkEmailVerified(ctx, userID, at)
}

func (f *faultyStore) SetSuspended(ctx context.Context, userID string, suspended bool) error {
	if err := f.fault("SetSuspended"); err != nil {
		return err
	}
	return f.Store.SetSuspended(ctx, userID, suspended)
}

func (f *faultyStore) Credentials(ctx context.Context, userID string) (ports.Credentials, error) {
	if err := f.fault("Credentials"); err != nil {
		return ports.Credentials{}, err
	}
	return f.Store.Credentials(ctx, userID)
}

func (f *faultyStore) SetPasswordHash(ctx context.Context, userID, hash string, at time.Time) error {
	if err := f.fault("SetPasswordHash"); err != nil {
		return err
	}
	return f.Store.SetPasswordHash(ctx, userID, hash, at)
}

func (f *faultyStore) SetPINHash(ctx context.Context, userID, hash string, at time.Time) error {
	if err := f.fault("SetPINHash"); err != nil {
		return err
	}
	return f.Store.SetPINHash(ctx, userID, hash, at)
}

func (f *faultyStore) BeginAttempt(ctx context.Context, key string, now time.Time, p ports.LockPolicy) (ports.LockState, ports.Admission, error) {
	if err := f.fault("BeginAttempt"); err != nil {
		return ports.LockState{}, ports.RefusedBusy, err
	}
	return f.Store.BeginAttempt(ctx, key, now, p)
}

func (f *faultyStore) FinishAttempt(ctx context.Context, key string, now time.Time, p ports.LockPolicy, o ports.Outcome) (ports.LockState, error) {
	if err := f.fault("FinishAttempt"); err != nil {
		return ports.LockState{}, err
	}
	return f.Store.FinishAttempt(ctx, key, now, p, o)
}

func (f *faultyStore) ClearFailures(ctx context.Context, key string) error {
	if err := f.fault("ClearFailures"); err != nil {
		return err
	}
	return f.Store.ClearFailures(ctx, key)
}

func (f *faultyStore) LockState(ctx context.Context, key string) (ports.LockState, error) {
	if err := f.fault("LockState"); err != nil {
		return ports.LockState{}, err
	}
	return f.Store.LockState(ctx, key)
}

func (f *faultyStore) CreateSession(ctx context.Context, s ports.Session) error {
	if err := f.fault("CreateSession"); err != nil {
		return err
	}
	return f.Store.CreateSession(ctx, s)
}

func (f *faultyStore) Session(ctx context.Context, id string) (ports.Session, error) {
	if err := f.fault("Session"); err != nil {
		return ports.Session{}, err
	}
	return f.Store.Session(ctx, id)
}

func (f *faultyStore) Sessions(ctx context.Context, userID string) ([]ports.Session, error) {
	if err := f.fault("Sessions"); err != nil {
		return nil, err
	}
	return f.Store.Sessions(ctx, userID)
}

func (f *faultyStore) RotateRefresh(ctx context.Context, oldHash, newHash string, now time.Time, grace time.Duration) (ports.Session, error) {
	if err := f.fault("RotateRefresh"); err != nil {
		return ports.Session{}, err
	}
	return f.Store.RotateRefresh(ctx, oldHash, newHash, now, grace)
}

func (f *faultyStore) RevokeSessions(ctx context.Context, r ports.Revocation, now time.Time) ([]string, error) {
	if err := f.fault("RevokeSessions"); err != nil {
		return nil, err
	}
	return f.Store.RevokeSessions(ctx, r, now)
}

func (f *faultyStore) KnownDevice(ctx context.Context, userID, fingerprint string, now time.Time) (bool, error) {
	if err := f.fault("KnownDevice"); err != nil {
		return false, err
	}
	return f.Store.KnownDevice(ctx, userID, fingerprint, now)
}

func (f *faultyStore) MarkStepUp(ctx context.Context, sessionID string, at time.Time, verifyDevice bool) error {
	if err := f.fault("MarkStepUp"); err != nil {
		return err
	}
	return f.Store.MarkStepUp(ctx, sessionID, at, verifyDevice)
}

func (f *faultyStore) ConsumeStepUp(ctx context.Context, sessionID string, notBefore time.Time) (bool, error) {
	if err := f.fault("ConsumeStepUp"); err != nil {
		return false, err
	}
	return f.Store.ConsumeStepUp(ctx, sessionID, notBefore)
}

func (f *faultyStore) IssueToken(ctx context.Context, t ports.OneTimeToken) error {
	if err := f.fault("IssueToken"); err != nil {
		return err
	}
	return f.Store.IssueToken(ctx, t)
}

func (f *faultyStore) ConsumeLink(ctx context.Context, purpose, hash string, now time.Time) (ports.OneTimeToken, error) {
	if err := f.fault("ConsumeLink"); err != nil {
		return ports.OneTimeToken{}, err
	}
	return f.Store.ConsumeLink(ctx, purpose, hash, now)
}

func (f *faultyStore) ConsumeCode(ctx context.Context, subject, purpose, hash string, now time.Time) (ports.OneTimeToken, error) {
	if err := f.fault("ConsumeCode"); err != nil {
		return ports.OneTimeToken{}, err
	}
	return f.Store.ConsumeCode(ctx, subject, purpose, hash, now)
}

func (f *faultyStore) Tokens(ctx context.Context, subject string) ([]ports.OneTimeToken, error) {
	if err := f.fault("Tokens"); err != nil {
		return nil, err
	}
	return f.Store.Tokens(ctx, subject)
}

func (f *faultyStore) AppendConsents(ctx context.Context, userID string, rows []ports.ConsentRecord) ([]ports.ConsentRecord, error) {
	if err := f.fault("AppendConsents"); err != nil {
		return nil, err
	}
	return f.Store.AppendConsents(ctx, userID, rows)
}

func (f *faultyStore) ConsentHistory(ctx context.Context, userID string) ([]ports.ConsentRecord, error) {
	if err := f.fault("ConsentHistory"); err != nil {
		return nil, err
	}
	return f.Store.ConsentHistory(ctx, userID)
}

func (f *faultyStore) IPBlockedUntil(ctx context.Context, ip string, now time.Time) (time.Time, error) {
	if err := f.fault("IPBlockedUntil"); err != nil {
		return time.Time{}, err
	}
	return f.Store.IPBlockedUntil(ctx, ip, now)
}

func (f *faultyStore) RecordIPFailure(ctx context.Context, ip, identifier string, now time.Time, p ports.IPPolicy) (time.Time, error) {
	if err := f.fault("RecordIPFailure"); err != nil {
		return time.Time{}, err
	}
	return f.Store.RecordIPFailure(ctx, ip, identifier, now, p)
}

func (f *faultyStore) RecordEvent(ctx context.Context, e ports.SecurityEvent) error {
	if err := f.fault("RecordEvent"); err != nil {
		return err
	}
	return f.Store.RecordEvent(ctx, e)
}

func (f *faultyStore) Events(ctx context.Context, userID string) ([]ports.SecurityEvent, error) {
	if err := f.fault("Events"); err != nil {
		return nil, err
	}
	return f.Store.Events(ctx, userID)
}
