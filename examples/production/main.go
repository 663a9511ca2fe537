// Command production serves the BharatAuth HTTP API under /auth over
// PostgreSQL, with Redis (rate limits, IP-block cache, session cache) when
// REDIS_URL is set and mail by SMTP or SES as MAILER (required) says, all
// configured from the environment (see the README); MAILER=console prints
// every email to stdout instead, with a warning at start. It migrates the
// database at start (-migrate-only migrates and exits), purges expired rows
// every few minutes and shuts down gracefully on SIGINT/SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/bharatauth/bharatauth-go/examples/internal/server"
)

func main() {
	migrateOnly := flag.Bool("migrate-only", false, "apply the database migrations and exit")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	s, err := loadSettings(os.Getenv)
	if err == nil {
		err = run(ctx, s, *migrateOnly, os.Stdout, log)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "production:", err)
		os.Exit(1)
	}
}

// run wires the app, then serves until ctx ends. ready, when set, receives the
// listener's address once it accepts connections (tests listen on port 0).
func run(ctx context.Context, s settings, migrateOnly bool, out io.Writer, log *slog.Logger) error {
	return serve(ctx, s, migrateOnly, out, log, nil)
}

func serve(ctx context.Context, s settings, migrateOnly bool, out io.Writer, log *slog.Logger, ready func(addr string)) error {
	if s.MemoryLimit > 0 {
		debug.SetMemoryLimit(s.MemoryLimit)
	}
	a, err := build(ctx, s, out, log)
	if err != nil {
		return err
	}
	defer a.close()
	if migrateOnly {
		log.Info("production: migrations applied")
		return nil
	}
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.Addr, err)
	}
	go a.purgeLoop(ctx)
	log.Info("production: serving the BharatAuth API", "url", "http://"+ln.Addr().String()+"/auth",
		"redis", a.redisOn, "mailer", s.Mailer)
	if ready != nil {
		ready(ln.Addr().String())
	}
	return server.Serve(ctx, ln, a.handler, log, a.auth.Close)
}
