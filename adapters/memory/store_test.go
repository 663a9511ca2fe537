package memory_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
)

// TestReturnedSlicesAreCopies checks that a caller changing a returned slice
// cannot change what the Store holds.
func TestReturnedSlicesAreCopies(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 26, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		run  func(t *testing.T, s *memory.Store)
	}{
		{"consent rows", func(t *testing.T, s *memory.Store) {
			stored, err := s.AppendConsents(t.Context(), "u1", ports.ConsentAppend{Rows: []ports.ConsentRecord{{Category: "identity", Granted: true, RecordedAt: at}}})
			require.NoError(t, err)
			stored[0].Granted = false
			history, err := s.ConsentHistory(t.Context(), "u1")
			require.NoError(t, err)
			history[0].Category = "tampered"
			again, err := s.ConsentHistory(t.Context(), "u1")
			require.NoError(t, err)
			assert.True(t, again[0].Granted)
			assert.Equal(t, "identity", again[0].Category)
		}},
		{"events", func(t *testing.T, s *memory.Store) {
			require.NoError(t, s.RecordEvent(t.Context(), ports.SecurityEvent{UserID: "u1", Kind: ports.EventStepUp, At: at}))
			events, err := s.Events(t.Context(), "u1")
			require.NoError(t, err)
			events[0].Kind = "tampered"
			again, err := s.Events(t.Context(), "u1")
			require.NoError(t, err)
			assert.Equal(t, ports.EventStepUp, again[0].Kind)
		}},
		{"sessions", func(t *testing.T, s *memory.Store) {
			require.NoError(t, s.CreateSession(t.Context(), ports.Session{ID: "s1", UserID: "u1", RefreshHash: "h1", CreatedAt: at, ExpiresAt: at.Add(time.Hour)}))
			list, err := s.Sessions(t.Context(), "u1")
			require.NoError(t, err)
			list[0].UserID = "tampered"
			got, err := s.Session(t.Context(), "s1")
			require.NoError(t, err)
			assert.Equal(t, "u1", got.UserID)
		}},
		{"tokens", func(t *testing.T, s *memory.Store) {
			require.NoError(t, s.IssueToken(t.Context(), ports.OneTimeToken{ID: "t1", Subject: "u1", Purpose: ports.PurposeUnlock, Hash: "h", CreatedAt: at, ExpiresAt: at.Add(time.Hour)}))
			list, err := s.Tokens(t.Context(), "u1")
			require.NoError(t, err)
			list[0].Attempts = 99
			again, err := s.Tokens(t.Context(), "u1")
			require.NoError(t, err)
			assert.Equal(t, 0, again[0].Attempts)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, memory.New())
		})
	}
}

// TestTimesAreStoredInUTCMicroseconds checks the normalisation that keeps the
// memory adapter interchangeable with PostgreSQL.
func TestTimesAreStoredInUTCMicroseconds(t *testing.T) {
	t.Parallel()
	ist := time.FixedZone("IST", 5*3600+1800)
	at := time.Date(2026, 1, 26, 15, 30, 0, 123456789, ist)
	want := at.UTC().Truncate(time.Microsecond)
	s := memory.New()
	u, err := s.CreateUser(t.Context(), ports.NewUser{Email: "t@example.com", PasswordHash: "h", CreatedAt: at})
	require.NoError(t, err)
	assert.Equal(t, want, u.CreatedAt)
	assert.Regexp(t, `^usr_[0-9a-f]{32}$`, u.ID)
	require.NoError(t, s.CreateSession(t.Context(), ports.Session{ID: "s1", UserID: u.ID, RefreshHash: "h1", CreatedAt: at, ExpiresAt: at.Add(time.Hour)}))
	got, err := s.Session(t.Context(), "s1")
	require.NoError(t, err)
	assert.Equal(t, want, got.CreatedAt)
	assert.True(t, got.RevokedAt.IsZero(), "zero stays zero")
}

// TestEqualCodeHashesDoNotConflict checks the workaround for a port flaw: two
// OTP codes may hash alike (six digits under one HMAC key), and the second
// must still be issued and usable.
func TestEqualCodeHashesDoNotConflict(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 26, 10, 0, 0, 0, time.UTC)
	code := func(id, subject string) ports.OneTimeToken {
		return ports.OneTimeToken{ID: id, Subject: subject, Purpose: ports.PurposeLoginOTP, Hash: "same-hmac",
			CreatedAt: at, ExpiresAt: at.Add(10 * time.Minute), MaxAttempts: 5}
	}
	tests := []struct {
		name   string
		second ports.OneTimeToken
	}{
		{"another user's code", code("t2", "u2")},
		{"the same user's next code", code("t2", "u1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := memory.New()
			require.NoError(t, s.IssueToken(t.Context(), code("t1", "u1")))
			require.NoError(t, s.IssueToken(t.Context(), tt.second))
			got, err := s.ConsumeCode(t.Context(), tt.second.Subject, ports.PurposeLoginOTP, "same-hmac", at.Add(time.Minute))
			require.NoError(t, err)
			assert.Equal(t, "t2", got.ID)
		})
	}
}
