package memory

import (
	"context"

	"github.com/bharatauth/bharatauth-go/ports"
)

var _ ports.SignInSessions = (*Store)(nil)

// OpenSignInSession creates the session first, the one write that can be
// refused (a taken ID or refresh hash), so that a refusal changes nothing;
// the attempts and events, which only a cancelled context could stop, follow
// under a context that is not cancelled.
func (s *Store) OpenSignInSession(ctx context.Context, o ports.SignInOpening) error {
	if err := s.CreateSession(ctx, o.Session); err != nil {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	for _, key := range o.Attempts {
		if _, err := s.FinishAttempt(ctx, key, o.Now, o.Policy, ports.Succeeded); err != nil {
			return err
		}
	}
	for _, e := range o.Events {
		if err := s.RecordEvent(ctx, e); err != nil {
			return err
		}
	}
	return nil
}
