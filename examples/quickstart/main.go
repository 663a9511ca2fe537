// Command quickstart serves the whole BharatAuth HTTP API under /auth on
// 127.0.0.1:8080 (BHARATAUTH_ADDR overrides) over in-memory adapters, with no
// setup: emails are printed to stdout instead of being sent, and a throwaway
// signing key is generated at start. Everything is lost on exit; it is for
// trying the API, not for production (see examples/production).
//
//	go run ./examples/quickstart
//
// Besides /auth/..., it serves two app routes showing the middleware:
// GET /api/hello needs an access token, and POST /api/transfer also needs a
// step-up.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/examples/internal/server"
	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

// defaultAddr is where the quickstart listens unless BHARATAUTH_ADDR says otherwise.
const defaultAddr = "127.0.0.1:8080"

// shutdownTimeout bounds how long in-flight requests may finish on SIGINT/SIGTERM.
const shutdownTimeout = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	addr := os.Getenv("BHARATAUTH_ADDR")
	if addr == "" {
		addr = defaultAddr
	}
	if err := run(ctx, addr, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run serves until ctx is cancelled, then shuts down gracefully. Logs and the
// printed emails go to out.
func run(ctx context.Context, addr string, out io.Writer) error {
	log := slog.New(slog.NewTextHandler(out, nil))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	base := "http://" + ln.Addr().String()
	handler, auth, err := newHandler(base, out, log)
	if err != nil {
		_ = ln.Close()
		return err
	}
	log.Info("quickstart: serving the BharatAuth API", "url", base+"/auth", "openapi", base+"/auth/openapi.json")
	return server.Serve(ctx, ln, handler, log, auth.Close)
}

// newHandler wires core over the memory adapters and mounts the API under
// /auth, next to two app routes guarded by the middleware.
func newHandler(base string, out io.Writer, log *slog.Logger) (http.Handler, *core.Auth, error) {
	cfg := core.DefaultConfig()
	cfg.AppName = "BharatAuth quickstart"
	cfg.Logger = log
	// Throwaway keys: a fresh OTP/HMAC secret and Ed25519 signing key per run,
	// so tokens from a previous run never verify. Production loads real keys.
	cfg.SecretKey = make([]byte, 48)
	if _, err := rand.Read(cfg.SecretKey); err != nil {
		return nil, nil, fmt.Errorf("generate secret key: %w", err)
	}
	_, signingKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate signing key: %w", err)
	}
	cfg.SigningKeys = []core.SigningKey{{ID: "quickstart-1", Algorithm: "EdDSA", Private: signingKey}}
	log.Warn("quickstart: generated a throwaway Ed25519 signing key and secret; tokens will not survive a restart",
		"kid", "quickstart-1", "jwks", base+"/auth/.well-known/jwks.json")
	// The links land on the quickstart itself; POST the printed token to the
	// matching route (the README's curl walk shows how).
	cfg.Links = core.LinkTemplates{
		VerifyEmail:   base + "/auth/email/verify?token={token}",
		ResetPassword: base + "/auth/password/reset/confirm?token={token}",
		ResetPIN:      base + "/auth/pin/reset/confirm?token={token}",
		Unlock:        base + "/auth/unlock/confirm?token={token}",
	}

	store := memory.New() // one value provides every storage port
	auth, err := core.New(cfg, core.Deps{
		Storage: store, Mailer: memory.NewConsoleMailer(out), Limiter: memory.NewLimiter(),
		Erasure: memory.NewErasureInbox(), // POST /auth/privacy/erasure; a real app queues them for its back office
	})
	if err != nil {
		return nil, nil, err
	}
	api, err := bahttp.New(auth, bahttp.Options{Logger: log})
	if err != nil {
		return nil, nil, err
	}

	mux := http.NewServeMux()
	mux.Handle("/auth/", http.StripPrefix("/auth", api))
	mux.Handle("GET /api/hello", api.RequireAuth(http.HandlerFunc(hello)))
	mux.Handle("POST /api/transfer", api.RequireStepUp(http.HandlerFunc(transfer)))
	return mux, auth, nil
}

// hello is an app route behind RequireAuth.
func hello(w http.ResponseWriter, r *http.Request) {
	p, _ := bahttp.PrincipalFrom(r.Context())
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "{\"hello\":%q,\"trust\":%q}\n", p.UserID, p.Trust)
}

// transfer is a sensitive app route behind RequireStepUp.
func transfer(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintln(w, `{"success":true,"message":"a sensitive action, allowed after a step-up"}`)
}
