package core

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestKindStringNamesEveryKind(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		kind Kind
		want string
	}{
		{name: "internal", kind: KindInternal, want: "internal"},
		{name: "unauthorized", kind: KindUnauthorized, want: "unauthorized"},
		{name: "token expired", kind: KindTokenExpired, want: "token_expired"},
		{name: "forbidden", kind: KindForbidden, want: "forbidden"},
		{name: "suspended", kind: KindSuspended, want: "suspended"},
		{name: "email not verified", kind: KindEmailNotVerified, want: "email_not_verified"},
		{name: "consent required", kind: KindConsentRequired, want: "consent_required"},
		{name: "step-up required", kind: KindStepUpRequired, want: "step_up_required"},
		{name: "not found", kind: KindNotFound, want: "not_found"},
		{name: "conflict", kind: KindConflict, want: "conflict"},
		{name: "validation", kind: KindValidation, want: "validation_failed"},
		{name: "locked", kind: KindLocked, want: "account_locked"},
		{name: "rate limited", kind: KindRateLimited, want: "rate_limited"},
		{name: "ip blocked", kind: KindIPBlocked, want: "ip_blocked"},
		{name: "unavailable", kind: KindUnavailable, want: "unavailable"},
		{name: "past the last kind", kind: KindUnavailable + 1, want: fmt.Sprintf("kind(%d)", int(KindUnavailable)+1)},
		{name: "negative", kind: Kind(-1), want: "kind(-1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, tc.kind.String())
		})
	}
}

func TestErrorStringAndCode(t *testing.T) {
	t.Parallel()
	cause := errors.New("dial tcp 127.0.0.1:5432: connection refused")
	for _, tc := range []struct {
		name     string
		err      *Error
		wantCode string
		wantText string
	}{
		{name: "kind only", err: &Error{Kind: KindLocked},
			wantCode: "account_locked", wantText: "bharatauth: account_locked"},
		{name: "code overrides the kind name", err: &Error{Kind: KindUnauthorized, Code: codeInvalidOTP},
			wantCode: "invalid_otp", wantText: "bharatauth: invalid_otp"},
		{name: "op and message", err: newError("Login", KindUnauthorized, codeInvalidCredentials, "wrong email, username or password"),
			wantCode: "invalid_credentials", wantText: "bharatauth: Login: invalid_credentials: wrong email, username or password"},
		{name: "with a cause", err: &Error{Op: "Refresh", Kind: KindUnavailable, Message: "try again", Err: cause},
			wantCode: "unavailable", wantText: "bharatauth: Refresh: unavailable: try again: " + cause.Error()},
		{name: "validation names no field in the text", err: invalidField("Register", "email", "is required"),
			wantCode: "validation_failed", wantText: "bharatauth: Register: validation_failed: is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.wantCode, tc.err.ErrorCode())
			assert.Equal(t, tc.wantText, tc.err.Error())
		})
	}
}

func TestErrorsIsMatchesSentinelsByKindAndCode(t *testing.T) {
	t.Parallel()
	wrongOTP := newError("VerifyOTP", KindUnauthorized, codeInvalidOTP, "the code is wrong")
	locked := lockedError("Login", ports.LockState{Failures: 5, LockedUntil: testStart.Add(7 * time.Minute)})
	for _, tc := range []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{name: "same kind sentinel", err: wrongOTP, target: ErrUnauthorized, want: true},
		{name: "other kind sentinel", err: wrongOTP, target: ErrLocked, want: false},
		{name: "same kind and code", err: wrongOTP, target: &Error{Kind: KindUnauthorized, Code: codeInvalidOTP}, want: true},
		{name: "same kind other code", err: wrongOTP, target: &Error{Kind: KindUnauthorized, Code: codeInvalidPIN}, want: false},
		{name: "wrapped core error", err: fmt.Errorf("handler: %w", locked), target: ErrLocked, want: true},
		{name: "foreign target", err: wrongOTP, target: context.Canceled, want: false},
		{name: "cause is reachable", err: &Error{Kind: KindUnavailable, Err: ports.ErrUnavailable}, target: ports.ErrUnavailable, want: true},
		{name: "foreign error is no sentinel", err: errors.New("boom"), target: ErrInternal, want: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, errors.Is(tc.err, tc.target))
		})
	}
}

func TestErrorUnwrapReturnsTheCause(t *testing.T) {
	t.Parallel()
	e := &Error{Kind: KindUnavailable, Err: context.DeadlineExceeded}
	assert.Equal(t, context.DeadlineExceeded, errors.Unwrap(e))
	assert.Nil(t, (&Error{Kind: KindLocked}).Unwrap())
}

func TestKindOf(t *testing.T) {
	t.Parallel()
	testMapping(t, KindOf, []mapCase[error, Kind]{
		{name: "core error", in: newError("Login", KindSuspended, "", "suspended"), want: KindSuspended},
		{name: "wrapped core error", in: fmt.Errorf("transport: %w", ErrRateLimited), want: KindRateLimited},
		{name: "foreign error", in: errors.New("disk full"), want: KindInternal},
		{name: "context error", in: context.Canceled, want: KindInternal},
	})
}

func TestStoreErrorSortsPortFailures(t *testing.T) {
	t.Parallel()
	locked := lockedError("Login", ports.LockState{HardLocked: true})
	for _, tc := range []struct {
		name string
		err  error
		kind Kind
	}{
		{name: "unreachable store", err: fmt.Errorf("postgres: %w", ports.ErrUnavailable), kind: KindUnavailable},
		{name: "deadline", err: fmt.Errorf("query: %w", context.DeadlineExceeded), kind: KindUnavailable},
		{name: "cancelled", err: context.Canceled, kind: KindUnavailable},
		{name: "plain error", err: errors.New("pq: syntax error"), kind: KindInternal},
		{name: "a port sentinel that is no outage", err: ports.ErrConflict, kind: KindInternal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := storeError("Refresh", tc.err)
			ce := requireKind(t, got, tc.kind)
			assert.Equal(t, "Refresh", ce.Op)
			assert.ErrorIs(t, got, tc.err, "the cause is kept for logs")
			assert.NotEmpty(t, ce.Message)
		})
	}
	t.Run("nil", func(t *testing.T) {
		t.Parallel()
		assert.NoError(t, storeError("Refresh", nil))
	})
	t.Run("a core error passes unchanged", func(t *testing.T) {
		t.Parallel()
		got := storeError("Refresh", fmt.Errorf("wrapped: %w", locked))
		var ce *Error
		require.ErrorAs(t, got, &ce)
		assert.Same(t, locked, ce)
		assert.True(t, ce.RequiresEmailVerify)
	})
}
