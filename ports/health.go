package ports

import "context"

// Pinger is an optional capability of an adapter that reaches a service (a
// database, a cache): Ping checks that the service answers now, bounded by
// ctx. It returns nil, or an error wrapping ErrUnavailable. Core's readiness
// check (Auth.Ping) calls it; an adapter without it is taken as always ready.
type Pinger interface {
	Ping(ctx context.Context) error
}
