package http

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/bharatauth/bharatauth-go/core"
)

func TestStatusOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want int
	}{
		{name: "unauthorized", err: core.ErrUnauthorized, want: 401},
		{name: "token expired", err: core.ErrTokenExpired, want: 401},
		{name: "forbidden", err: core.ErrForbidden, want: 403},
		{name: "suspended", err: core.ErrSuspended, want: 403},
		{name: "email not verified", err: core.ErrEmailNotVerified, want: 403},
		{name: "consent required", err: core.ErrConsentRequired, want: 403},
		{name: "step-up required", err: core.ErrStepUpRequired, want: 403},
		{name: "not found", err: core.ErrNotFound, want: 404},
		{name: "conflict", err: core.ErrConflict, want: 409},
		{name: "validation", err: core.ErrValidation, want: 422},
		{name: "locked", err: core.ErrLocked, want: 423},
		{name: "rate limited", err: core.ErrRateLimited, want: 429},
		{name: "IP blocked", err: core.ErrIPBlocked, want: 429},
		{name: "unavailable", err: core.ErrUnavailable, want: 503},
		{name: "internal", err: core.ErrInternal, want: 500},
		{name: "a wrapped core error keeps its status", err: fmt.Errorf("app: %w", core.ErrLocked), want: 423},
		{name: "a plain error", err: errors.New("boom"), want: 500},
		{name: "a context error", err: context.Canceled, want: 500},
		{name: "a bad request", err: &requestError{code: "malformed_json"}, want: 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, statusOf(tc.err))
		})
	}
}

func TestRetryAfterRoundsUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		d    time.Duration
		want string
	}{
		{name: "zero still waits a second", d: 0, want: "1"},
		{name: "a fraction rounds up", d: 1500 * time.Millisecond, want: "2"},
		{name: "whole seconds stay", d: 24 * time.Hour, want: strconv.Itoa(86400)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, retryAfterSeconds(tc.d))
		})
	}
}

func TestLockedUntilRoundsUp(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 26, 10, 7, 42, 700_000_000, time.FixedZone("IST", 5*3600+1800))
	assert.Equal(t, "2026-11-26T04:37:43Z", ceilSecond(at).Format(time.RFC3339))
	whole := time.Date(2026, 11, 26, 10, 7, 42, 0, time.UTC)
	assert.Equal(t, whole, ceilSecond(whole))
}
