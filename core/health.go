package core

import (
	"context"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// pingTimeout bounds a readiness check: a load balancer asks often and must
// get an answer before its own timeout.
const pingTimeout = 2 * time.Second

// Readiness is the answer of Ping.
type Readiness struct {
	// Ready: every store answered; the service can take requests.
	Ready bool
	// Degraded: ready, but an optional service (the rate limiter, such as
	// Redis) did not answer; it fails open meanwhile.
	Degraded bool
	// Failing names what did not answer: "storage" or "limiter". Never an
	// address or an error text, so it can be served to anyone.
	Failing []string
}

// Ping checks the services core depends on, for a readiness probe: the
// storage backend (Deps.Storage, or each storage port that can be pinged) must
// answer; the rate limiter may fail (Layer 1 fails open), which reads as
// degraded. Adapters that reach nothing (memory) are always ready. Causes are
// logged, never returned.
func (a *Auth) Ping(ctx context.Context) Readiness {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	r := Readiness{Ready: true}
	for _, p := range a.storagePingers() {
		if err := p.Ping(ctx); err != nil {
			a.log.WarnContext(ctx, "bharatauth: readiness: a store does not answer", "error", err)
			r.Ready = false
			r.Failing = append(r.Failing, "storage")
			break
		}
	}
	if p, ok := a.pinged.Limiter.(ports.Pinger); ok {
		if err := p.Ping(ctx); err != nil {
			a.log.WarnContext(ctx, "bharatauth: readiness: the rate limiter does not answer; failing open", "error", err)
			r.Degraded = true
			r.Failing = append(r.Failing, "limiter")
		}
	}
	return r
}

// storagePingers are the distinct storage adapters that can be pinged.
func (a *Auth) storagePingers() []ports.Pinger {
	d := a.pinged
	var out []ports.Pinger
	seen := map[any]bool{}
	for _, port := range []any{d.Storage, d.Users, d.Credentials, d.Lockouts, d.Sessions, d.Devices,
		d.Tokens, d.Consents, d.Abuse, d.Events} {
		p, ok := port.(ports.Pinger)
		if !ok || seen[port] {
			continue
		}
		seen[port] = true
		out = append(out, p)
	}
	return out
}
