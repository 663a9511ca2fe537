package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/redis/rueidis"
)

const (
	defaultTimeout     = 200 * time.Millisecond
	defaultLogInterval = 30 * time.Second
	// probeInterval is how long reads skip Redis after a failure before one
	// call tries it again, so a paused server costs one timeout per second per
	// instance instead of one per request.
	probeInterval = time.Second
)

// errNilClient is returned by every constructor given a nil rueidis.Client.
var errNilClient = errors.New("redis: nil rueidis client")

// health is what every adapter shares: the per-call timeout and the throttled
// log of Redis failures.
type health struct {
	client  rueidis.Client
	timeout time.Duration
	op      string // adapter name for log lines

	logger   *slog.Logger
	clock    ports.Clock
	interval time.Duration

	down       atomic.Bool  // read on every call, so no lock on the happy path
	lastFail   atomic.Int64 // clock time of the last failure or probe, in ns
	mu         sync.Mutex   // guards lastLog and suppressed
	lastLog    time.Time
	suppressed int
}

func newHealth(client rueidis.Client, op string, timeout time.Duration, logger *slog.Logger, clock ports.Clock, interval time.Duration) (*health, error) {
	if client == nil {
		return nil, errNilClient
	}
	if timeout < 0 || interval < 0 {
		return nil, fmt.Errorf("redis: %s: negative timeout or log interval", op)
	}
	if logger == nil {
		logger = slog.Default()
	}
	if clock == nil {
		clock = ports.SystemClock{}
	}
	return &health{
		client:   client,
		timeout:  orDefault(timeout, defaultTimeout),
		op:       op,
		logger:   logger,
		clock:    clock,
		interval: orDefault(interval, defaultLogInterval),
	}, nil
}

// callCtx bounds one Redis call, so a paused server cannot hold a request.
func (h *health) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, h.timeout)
}

// failed records a Redis failure and logs it at most once per interval. The
// error text comes from rueidis or the network and holds no key or value. A
// call that failed because the caller's ctx ended (the client went away) says
// nothing about Redis and is not counted.
func (h *health) failed(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	now := h.clock.Now()
	h.down.Store(true)
	h.lastFail.Store(now.UnixNano())
	h.mu.Lock()
	if !h.lastLog.IsZero() && now.Sub(h.lastLog) < h.interval {
		h.suppressed++
		h.mu.Unlock()
		return
	}
	suppressed := h.suppressed
	h.lastLog, h.suppressed = now, 0
	h.mu.Unlock()
	h.logger.Warn("bharatauth: redis unavailable, falling back",
		slog.String("adapter", h.op),
		slog.String("error", err.Error()),
		slog.Int("suppressed_since_last_log", suppressed))
}

// bypass reports whether a read should skip Redis and go straight to the
// fallback: true while Redis failed less than probeInterval ago. After that,
// exactly one caller wins the probe and tries Redis; the others keep skipping.
// Writes that revoke never bypass.
func (h *health) bypass() bool {
	if !h.down.Load() {
		return false
	}
	now := h.clock.Now().UnixNano()
	last := h.lastFail.Load()
	if now-last < int64(probeInterval) {
		return true
	}
	return !h.lastFail.CompareAndSwap(last, now)
}

// errBypassed explains a fail-open answer given without asking Redis.
var errBypassed = errors.New("skipped: redis failed less than a second ago")

// ok records a successful call and logs the recovery once.
func (h *health) ok() {
	if !h.down.Load() || !h.down.CompareAndSwap(true, false) {
		return
	}
	h.logger.Info("bharatauth: redis answers again", slog.String("adapter", h.op))
}

// ping checks that Redis answers within the per-call timeout. An error wraps
// ports.ErrUnavailable.
func (h *health) ping(ctx context.Context) error {
	cctx, cancel := h.callCtx(ctx)
	defer cancel()
	if err := h.client.Do(cctx, h.client.B().Ping().Build()).Error(); err != nil {
		return unavailable("ping", err)
	}
	return nil
}

// newNonce returns 6 random bytes in hex: with a sequence number it makes the
// sorted-set members of one instance unique.
func newNonce() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("redis: nonce: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// unavailable wraps a Redis failure with ports.ErrUnavailable; a context error
// stays reachable through errors.Is as well.
func unavailable(op string, err error) error {
	return fmt.Errorf("redis: %s: %w: %w", op, ports.ErrUnavailable, err)
}

// checkPrefix rejects prefixes that would make keys hard to read or scan.
func checkPrefix(prefix, def string) (string, error) {
	if prefix == "" {
		return def, nil
	}
	if strings.ContainsAny(prefix, " \t\r\n*?[]") {
		return "", errors.New("redis: prefix must not contain spaces or glob characters")
	}
	return prefix, nil
}

// newKeyed checks the settings every adapter of this package shares: its
// health (client, timeout, logging) and its key prefix, def when prefix is
// empty.
func newKeyed(client rueidis.Client, op, prefix, def string, timeout time.Duration, logger *slog.Logger, clock ports.Clock, interval time.Duration) (*health, string, error) {
	h, err := newHealth(client, op, timeout, logger, clock, interval)
	if err != nil {
		return nil, "", err
	}
	prefix, err = checkPrefix(prefix, def)
	if err != nil {
		return nil, "", err
	}
	return h, prefix, nil
}

// pipeline runs cmds in one round trip (one per node of a cluster, where
// rueidis sends each node its commands in order) and reports whether every
// one succeeded; a failure is recorded.
func (h *health) pipeline(ctx context.Context, cmds ...rueidis.Completed) bool {
	if len(cmds) == 0 {
		return true
	}
	cctx, cancel := h.callCtx(ctx)
	defer cancel()
	for _, r := range h.client.DoMulti(cctx, cmds...) {
		if err := r.Error(); err != nil && !rueidis.IsRedisNil(err) {
			h.failed(ctx, err)
			return false
		}
	}
	h.ok()
	return true
}

// maxPending bounds the IDs kept for a retry; beyond it, entries age out with
// their TTL.
const maxPending = 10000

// pendingIDs are the IDs whose cache write failed because Redis was failing,
// kept to be written again once Redis answers. The zero value is empty.
type pendingIDs struct {
	mu  sync.Mutex
	ids map[string]struct{}
	n   atomic.Int64 // len(ids), read without the lock on every call
}

func (p *pendingIDs) add(ids []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ids == nil {
		p.ids = make(map[string]struct{})
	}
	for _, id := range ids {
		if len(p.ids) < maxPending {
			p.ids[id] = struct{}{}
		}
	}
	p.n.Store(int64(len(p.ids)))
}

// any reports whether some IDs wait.
func (p *pendingIDs) any() bool { return p.n.Load() > 0 }

// take returns the waiting IDs and forgets them.
func (p *pendingIDs) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := make([]string, 0, len(p.ids))
	for id := range p.ids {
		ids = append(ids, id)
	}
	clear(p.ids)
	p.n.Store(0)
	return ids
}
