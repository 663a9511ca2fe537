package integration

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
)

// heldIssues holds every token write from hold until release. A job after
// the answer issues its token before anything else reaches PostgreSQL, so
// while held, no job's statement can race into the statements counted for
// a request; and a request that wrote a token itself would never answer.
type heldIssues struct {
	ports.OneTimeTokenRepo
	mu   sync.Mutex
	gate chan struct{} // nil when not held
}

func (h *heldIssues) hold() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gate = make(chan struct{})
}

func (h *heldIssues) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gate != nil {
		close(h.gate)
		h.gate = nil
	}
}

func (h *heldIssues) IssueToken(ctx context.Context, t ports.OneTimeToken) error {
	h.mu.Lock()
	gate := h.gate
	h.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return h.OneTimeTokenRepo.IssueToken(ctx, t)
}

// Over PostgreSQL, each enumeration-safe request route runs the same
// statements before answering for a real account as for nobody; the token
// write (and the email) come after the answer.
func TestRequestsRunTheSameStatementsForKnownAndUnknownIdentifiers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, route := range []struct {
		name string
		call func(a *core.Auth, identifier string) error
	}{
		{name: "otp request", call: func(a *core.Auth, id string) error {
			return a.RequestOTP(ctx, core.RequestOTPInput{Identifier: id, DeviceFingerprint: fp, Client: client})
		}},
		{name: "password reset request", call: func(a *core.Auth, id string) error {
			return a.RequestPasswordReset(ctx, core.IdentifierInput{Identifier: id, Client: client})
		}},
		{name: "pin reset request", call: func(a *core.Auth, id string) error {
			return a.RequestPINReset(ctx, core.IdentifierInput{Identifier: id, Client: client})
		}},
		{name: "unlock request", call: func(a *core.Auth, id string) error {
			return a.RequestUnlock(ctx, core.IdentifierInput{Identifier: id, Client: client})
		}},
	} {
		t.Run(route.name, func(t *testing.T) {
			t.Parallel()
			db := newDB(t)
			stmts := &statementLog{}
			db.AddQueryHook(stmts)
			held := &heldIssues{}
			in := newInstance(t, db, setup{fastHashing: true, background: true,
				tokens: func(r ports.OneTimeTokenRepo) ports.OneTimeTokenRepo { held.OneTimeTokenRepo = r; return held }})
			in.register(t, "known@example.in")
			require.NoError(t, in.auth.Drain(ctx))

			held.hold()
			t.Cleanup(held.release)
			stmts.take()
			answer := func(identifier string) error {
				t.Helper()
				done := make(chan error, 1)
				go func() { done <- route.call(in.auth, identifier) }()
				select {
				case err := <-done:
					return err
				case <-time.After(10 * time.Second):
					held.release()
					t.Fatalf("the request for %s waited for its token write: it is not after the answer", identifier)
					return nil
				}
			}
			require.NoError(t, answer("known@example.in"))
			known := stmts.take()
			require.NoError(t, answer("nobody@example.in"))
			unknown := stmts.take()

			require.NotEmpty(t, known)
			assert.Equal(t, unknown, known, "the statements before the answer")
			t.Logf("%d statements before the answer: %s", len(known), strings.Join(known, "; "))

			held.release()
			require.NoError(t, in.auth.Drain(ctx))
			after := stmts.take()
			assert.True(t, containsInsert(after, "ba_otp_tokens"), "the token was written after the answer: %v", after)
			assert.Len(t, in.outbox.Messages(), 2, "the verification link, then the requested email")
		})
	}
}

func containsInsert(stmts []string, table string) bool {
	for _, s := range stmts {
		if strings.HasPrefix(s, `INSERT INTO "`+table+`"`) {
			return true
		}
	}
	return false
}
