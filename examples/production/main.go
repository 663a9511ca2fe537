// Command production serves the BharatAuth HTTP API under /auth over
// PostgreSQL, with Redis (rate limits, IP-block cache, session cache) when
// REDIS_URL is set and mail by SMTP or SES as MAILER (required) says, all
// configured from the environment (see the README); MAILER=console prints
// every email to stdout instead, with a warning at start. BHARATAUTH_SMS=sns
// turns phone sign-in on with SMS by Amazon SNS (India's DLT ids from the
// environment and a template file), its SMS budgets in Redis when Redis is
// configured and in PostgreSQL otherwise; BHARATAUTH_SMS=console prints every
// SMS instead, with a warning at start. It migrates the
// database at start (-migrate-only migrates and exits), purges expired rows
// and runs core's maintenance every few minutes and shuts down gracefully on
// SIGINT/SIGTERM. -notify-breach FILE emails a JSON breach notice to the
// users it names and prints who was told.
package main

import (
	"context"
	"errors"
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
	breach := flag.String("notify-breach", "", "email the JSON breach notice in this file to its user_ids (DPDP Rule 7(1)), print the report and exit")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	s, err := loadSettings(os.Getenv)
	switch {
	case err == nil && *breach != "":
		err = notifyBreach(ctx, s, *breach, os.Stdout, log)
	case err == nil:
		err = run(ctx, s, *migrateOnly, os.Stdout, log)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "production:", err)
		os.Exit(1)
	}
}

// run wires the app, then serves until ctx ends.
func run(ctx context.Context, s settings, migrateOnly bool, out io.Writer, log *slog.Logger) error {
	return serve(ctx, s, migrateOnly, out, log, nil)
}

// listening are the addresses the app serves on; Metrics is empty without
// BHARATAUTH_METRICS_ADDR.
type listening struct{ API, Metrics string }

// serve is run; ready, when set, receives the listeners' addresses once they
// accept connections (tests listen on port 0).
func serve(ctx context.Context, s settings, migrateOnly bool, out io.Writer, log *slog.Logger, ready func(listening)) error {
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
	at := listening{API: ln.Addr().String()}
	// The metrics server stops with the API's, whichever way that ends.
	metricsCtx, stopMetrics := context.WithCancel(ctx)
	defer stopMetrics()
	metricsDone := make(chan error, 1)
	if a.metrics != nil {
		mln, err := net.Listen("tcp", s.MetricsAddr)
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("listen on %s (BHARATAUTH_METRICS_ADDR): %w", s.MetricsAddr, err)
		}
		at.Metrics = mln.Addr().String()
		log.Info("production: serving Prometheus metrics", "url", "http://"+at.Metrics+"/metrics")
		go func() { metricsDone <- server.Serve(metricsCtx, mln, a.metrics, log) }()
	} else {
		metricsDone <- nil
	}
	go a.purgeLoop(ctx)
	log.Info("production: serving the BharatAuth API", "url", "http://"+at.API+"/auth",
		"redis", a.redisOn, "mailer", s.Mailer)
	if ready != nil {
		ready(at)
	}
	err = server.Serve(ctx, ln, a.handler, log, a.auth.Close)
	stopMetrics()
	return errors.Join(err, <-metricsDone)
}
