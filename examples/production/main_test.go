package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/postgres/pgtest"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
)

// startServer runs the production example against a private schema and the
// local Redis, with the console mailer printing to out and logs going to logs,
// and returns its base URL.
func startServer(t *testing.T, out, logs io.Writer) string {
	t.Helper()
	return "http://" + startServerWith(t, out, logs, nil).API
}

func TestProductionServesTheAPIOverPostgresAndRedis(t *testing.T) {
	out, logs := &porttest.Buffer{}, &porttest.Buffer{}
	base := startServer(t, out, logs)
	a := base + "/auth"
	assert.Regexp(t, `level=WARN msg="production: MAILER=console prints every email, its codes and links included, to stdout`, logs.String())

	status, _ := post(t, a+"/register", "", `{"email":"prod@example.in","password":"correct horse battery staple",
		"consents":[{"category":"identity","granted":true},{"category":"contact","granted":true},
		{"category":"location","granted":false},{"category":"security","granted":true},
		{"category":"communications","granted":false},{"category":"analytics","granted":false}]}`)
	require.Equal(t, http.StatusCreated, status)
	var token []string
	require.Eventually(t, func() bool { // emails go out in the background
		token = regexp.MustCompile(`verify-email\?token=([A-Za-z0-9_-]+)`).FindStringSubmatch(out.String())
		return len(token) == 2
	}, 10*time.Second, 10*time.Millisecond, "the console mailer printed the verification link")
	status, _ = post(t, a+"/email/verify", "", `{"token":"`+token[1]+`"}`)
	require.Equal(t, http.StatusOK, status)

	status, login := post(t, a+"/login", "", `{"identifier":"prod@example.in","password":"correct horse battery staple"}`)
	require.Equal(t, http.StatusOK, status)
	access, _ := login["access_token"].(string)
	refresh, _ := login["refresh_token"].(string)
	status, me := get(t, a+"/me", access)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "prod@example.in", me["email"])

	// Logout through the Redis session cache makes the access token fail at once.
	status, _ = post(t, a+"/logout", "", `{"refresh_token":"`+refresh+`"}`)
	require.Equal(t, http.StatusOK, status)
	status, problem := get(t, a+"/me", access)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "invalid_token", problem["code"])

	res, err := http.Get(base + "/healthz")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
}

func TestMigrateOnlyMigratesAndExits(t *testing.T) {
	db, schema := pgtest.NewSchema(t)
	s := databaseSettings(t, pgtest.WithSearchPath(t, pgtest.URL(), schema))
	require.NoError(t, run(t.Context(), s, true, io.Discard, slog.New(slog.DiscardHandler)))
	var n int
	require.NoError(t, db.NewRaw("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE 'ba_%'", schema).Scan(t.Context(), &n))
	assert.GreaterOrEqual(t, n, 10)
}

// A DATABASE_URL naming a database that does not exist stops the start with
// PostgreSQL's own explanation, not only a SQLSTATE.
func TestWrongDatabaseURLSaysWhy(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(pgtest.URL())
	require.NoError(t, err)
	u.Path = "/no_such_database_bharatauth"
	s := databaseSettings(t, u.String())
	err = run(t.Context(), s, true, io.Discard, slog.New(slog.DiscardHandler))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `database "no_such_database_bharatauth" does not exist`)
}
