package pgtest

import (
	"context"
	"sync"

	"github.com/uptrace/bun"
)

// Statements is a bun query hook that keeps the text of every statement a
// *bun.DB sends, for tests that check what reaches PostgreSQL: add it with
// db.AddQueryHook and read it with Take. It is safe for concurrent use; the
// zero value is ready.
type Statements struct {
	mu   sync.Mutex
	list []string
}

// BeforeQuery implements bun.QueryHook; it changes nothing.
func (s *Statements) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

// AfterQuery implements bun.QueryHook: it keeps the statement.
func (s *Statements) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = append(s.list, e.Query)
}

// Take returns the statements sent since the last Take, oldest first.
func (s *Statements) Take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.list
	s.list = nil
	return list
}
