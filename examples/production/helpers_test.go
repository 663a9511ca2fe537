package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
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
