package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/postgres/pgtest"
)

// baseEnv is a valid environment without keys.
func baseEnv(extra map[string]string) func(string) string {
	env := map[string]string{"DATABASE_URL": "postgres://x", "BHARATAUTH_SECRET": strings.Repeat("s", 32), "MAILER": "console"}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

// databaseSettings are valid settings for the database at databaseURL, with
// the console mailer and a free port.
func databaseSettings(t *testing.T, databaseURL string) settings {
	t.Helper()
	s, err := loadSettings(baseEnv(map[string]string{"DATABASE_URL": databaseURL, "BHARATAUTH_ADDR": "127.0.0.1:0"}))
	require.NoError(t, err)
	return s
}

// redisURL is the test Redis (BHARATAUTH_TEST_REDIS_URL, default the local one).
func redisURL() string {
	if u := os.Getenv("BHARATAUTH_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379"
}

// startServerWith is startServer with more environment variables, and
// returns every address it listens on.
func startServerWith(t *testing.T, out, logs io.Writer, more map[string]string) listening {
	t.Helper()
	_, schema := pgtest.NewSchema(t)
	env := map[string]string{
		"DATABASE_URL":      pgtest.WithSearchPath(t, pgtest.URL(), schema),
		"BHARATAUTH_SECRET": "test-secret-that-is-long-enough-for-hs256!",
		"BHARATAUTH_ADDR":   "127.0.0.1:0",
		"REDIS_URL":         redisURL(),
		"MAILER":            "console", // the test reads the verification link from stdout
		// Keys of this run only: the local Redis outlives test runs, and the
		// registration limit (20/h per IP) would count every earlier run.
		"BHARATAUTH_REDIS_PREFIX": "ba:test:" + schema + ":",
	}
	for k, v := range more {
		env[k] = v
	}
	s, err := loadSettings(func(k string) string { return env[k] })
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan listening, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, s, false, out, slog.New(slog.NewTextHandler(logs, nil)), func(a listening) { addr <- a })
	}()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done, "graceful shutdown")
	})
	select {
	case a := <-addr:
		return a
	case err := <-done:
		done <- nil // for the cleanup, which waits for serve to return
		t.Fatalf("server did not start: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start within 60 s")
	}
	return listening{}
}

func post(t *testing.T, url, bearer, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return do(t, req)
}

func get(t *testing.T, url, bearer string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+bearer)
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, body
}
