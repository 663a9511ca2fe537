// Package server runs the examples' HTTP servers: sensible timeouts for slow
// mobile networks, and a graceful shutdown when the context ends.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// shutdownTimeout bounds how long in-flight requests may finish at shutdown.
const shutdownTimeout = 15 * time.Second

// Serve serves h on ln until ctx ends, then shuts down gracefully: new
// connections are refused, in-flight requests get shutdownTimeout to finish,
// and then each drain (core.Auth.Close: emails still going out, then the mail
// worker stopped) gets a shutdownTimeout of its own.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, drains ...func(context.Context) error) error {
	srv := &http.Server{
		Handler: h,
		// Generous for slow mobile networks, bounded against slowloris.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	var errs []error
	if err := srv.Shutdown(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("shutdown: %w", err))
	} else if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, fmt.Errorf("serve: %w", err))
	}
	// Drains run even when the shutdown ran out of time, each with a window
	// of its own: emails already promised to users still go out.
	for _, drain := range drains {
		drainCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		if err := drain(drainCtx); err != nil {
			errs = append(errs, fmt.Errorf("drain: %w", err))
		}
		cancel()
	}
	return errors.Join(errs...)
}
