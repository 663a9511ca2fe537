package redis

import (
	"context"
	"errors"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// DeviceTrustCache is a ports.DeviceTrust in front of the store's, for apps
// that use a SessionCache: step-up marks and device verification change the
// session record (StepUpAt, IsVerifiedDevice), so after each change it
// re-reads the session from the store and updates the cached entry, which
// invalidates it in every instance. Without it, the cached copy of those two
// fields lags the store by up to SessionCacheOptions.TTL — harmless for
// security (the step-up itself is consumed atomically in the store, and a
// device that looks unverified only asks for one more step-up), but confusing.
type DeviceTrustCache struct {
	inner    ports.DeviceTrust
	sessions *SessionCache
}

var _ ports.DeviceTrust = (*DeviceTrustCache)(nil)

// NewDeviceTrustCache returns a DeviceTrustCache over inner that keeps the
// entries of sessions current. It fails when either is nil.
func NewDeviceTrustCache(inner ports.DeviceTrust, sessions *SessionCache) (*DeviceTrustCache, error) {
	if inner == nil || sessions == nil {
		return nil, errors.New("redis: nil inner DeviceTrust or SessionCache")
	}
	return &DeviceTrustCache{inner: inner, sessions: sessions}, nil
}

// KnownDevice asks the inner store.
func (d *DeviceTrustCache) KnownDevice(ctx context.Context, userID, fingerprint string, now time.Time) (bool, error) {
	return d.inner.KnownDevice(ctx, userID, fingerprint, now)
}

// MarkStepUp marks the step-up in the inner store, then updates the cache.
func (d *DeviceTrustCache) MarkStepUp(ctx context.Context, sessionID string, at time.Time, verifyDevice bool) error {
	if err := d.inner.MarkStepUp(ctx, sessionID, at, verifyDevice); err != nil {
		return err
	}
	d.sessions.refresh(ctx, sessionID)
	return nil
}

// ConsumeStepUp consumes the mark in the inner store and, when one was used,
// updates the cache.
func (d *DeviceTrustCache) ConsumeStepUp(ctx context.Context, sessionID string, notBefore time.Time) (bool, error) {
	used, err := d.inner.ConsumeStepUp(ctx, sessionID, notBefore)
	if err != nil || !used {
		return used, err
	}
	d.sessions.refresh(ctx, sessionID)
	return true, nil
}
