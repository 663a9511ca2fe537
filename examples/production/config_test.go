package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

func TestLoadSettingsListsEveryProblem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{name: "nothing set", env: map[string]string{}, want: []string{"DATABASE_URL is required", "BHARATAUTH_SECRET must be at least 32 bytes",
			"MAILER is required: smtp|ses|console"}},
		{name: "no mailer", env: map[string]string{"DATABASE_URL": "postgres://x", "BHARATAUTH_SECRET": strings.Repeat("s", 32)},
			want: []string{"MAILER is required: smtp|ses|console"}},
		{name: "bad proxies and mailer", env: map[string]string{"DATABASE_URL": "postgres://x", "BHARATAUTH_SECRET": strings.Repeat("s", 32),
			"BHARATAUTH_TRUSTED_PROXIES": "10.0.0.0/8, nonsense", "MAILER": "pigeon"}, want: []string{`"nonsense" is not a CIDR`, `MAILER must be smtp|ses|console (got "pigeon")`}},
		{name: "smtp without host", env: map[string]string{"DATABASE_URL": "postgres://x", "BHARATAUTH_SECRET": strings.Repeat("s", 32),
			"MAILER": "smtp", "SMTP_PORT": "99999", "SMTP_TLS": "maybe"}, want: []string{"SMTP_HOST and SMTP_FROM", "SMTP_PORT", "SMTP_TLS must be"}},
		{name: "not a postgres URL", env: map[string]string{"DATABASE_URL": "host=db user=app password=hunter2", "BHARATAUTH_SECRET": strings.Repeat("s", 32),
			"MAILER": "console"}, want: []string{"DATABASE_URL must be a postgres:// URL with a host"}},
		{name: "ses without region", env: map[string]string{"DATABASE_URL": "postgres://x", "BHARATAUTH_SECRET": strings.Repeat("s", 32),
			"MAILER": "ses"}, want: []string{"SES_FROM and AWS_REGION"}},
		{name: "an unknown SMS sender", env: map[string]string{"DATABASE_URL": "postgres://x", "BHARATAUTH_SECRET": strings.Repeat("s", 32),
			"MAILER": "console", "BHARATAUTH_SMS": "pigeon"}, want: []string{`BHARATAUTH_SMS must be sns, console or off (got "pigeon")`}},
		{name: "sns without region, templates missing", env: map[string]string{"DATABASE_URL": "postgres://x", "BHARATAUTH_SECRET": strings.Repeat("s", 32),
			"MAILER": "console", "BHARATAUTH_SMS": "sns", "BHARATAUTH_SMS_TEMPLATES": "/no/such/templates.json"},
			want: []string{"BHARATAUTH_SMS=sns needs BHARATAUTH_SNS_REGION (or AWS_REGION)", "BHARATAUTH_SMS_TEMPLATES"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadSettings(func(k string) string { return tc.env[k] })
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), strings.Repeat("s", 32), "the secret never appears in errors")
			assert.NotContains(t, err.Error(), "hunter2", "nor a database password")
		})
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	s, err := loadSettings(func(k string) string {
		return map[string]string{"DATABASE_URL": "postgres://x", "BHARATAUTH_SECRET": strings.Repeat("s", 32), "MAILER": "Console"}[k]
	})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", s.Addr)
	assert.Equal(t, "http://127.0.0.1:8080", s.PublicURL)
	assert.Equal(t, s.PublicURL, s.APIURL, "the API is served where the links point unless told otherwise")
	assert.Equal(t, "console", s.Mailer, "the mailer's name is case-insensitive")
	assert.Empty(t, s.SMS.Sender, "phone numbers are off unless an SMS sender is named")
}

// With an SMS sender named, phone numbers are on: India unless
// BHARATAUTH_PHONE_REGIONS says otherwise, the WebOTP line naming the front
// end's host, and AWS_REGION for SNS when BHARATAUTH_SNS_REGION is unset.
func TestSMSSettings(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": "postgres://x", "BHARATAUTH_SECRET": strings.Repeat("s", 32), "MAILER": "console",
		"BHARATAUTH_SMS": "SNS", "AWS_REGION": "ap-south-1", "BHARATAUTH_PUBLIC_URL": "https://app.example.in/"}
	s, err := loadSettings(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, "sns", s.SMS.Sender)
	assert.Equal(t, "ap-south-1", s.SMS.SNSRegion)
	assert.Equal(t, "app.example.in", s.SMS.Domain)
	cfg := coreConfig(s, slog.New(slog.DiscardHandler))
	assert.True(t, cfg.Phone.Enabled)
	assert.Equal(t, []string{"IN"}, cfg.Phone.Regions)

	env["BHARATAUTH_PHONE_REGIONS"], env["BHARATAUTH_SNS_REGION"], env["BHARATAUTH_SMS_DOMAIN"] = "in, np", "ap-southeast-1", "login.example.in"
	s, err = loadSettings(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, []string{"IN", "NP"}, s.SMS.Regions)
	assert.Equal(t, "ap-southeast-1", s.SMS.SNSRegion)
	assert.Equal(t, "login.example.in", coreConfig(s, slog.New(slog.DiscardHandler)).Phone.Domain)
}

// The console mailer is only ever asked for by name, and says at start that
// codes and links go to stdout; a real mailer starts quietly.
func TestConsoleMailerWarnsAtStart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		s    settings
		warn bool
	}{
		{name: "console", s: settings{Mailer: "console"}, warn: true},
		{name: "smtp", s: settings{Mailer: "smtp", SMTPHost: "smtp.example.in", SMTPFrom: "auth@example.in"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			logs := &porttest.Buffer{}
			m, err := newMailer(t.Context(), tc.s, &porttest.Buffer{}, slog.New(slog.NewTextHandler(logs, nil)))
			require.NoError(t, err)
			require.NotNil(t, m)
			if tc.warn {
				assert.Contains(t, logs.String(), "level=WARN")
				assert.Contains(t, logs.String(), "MAILER=console prints every email, its codes and links included, to stdout")
			} else {
				assert.Empty(t, logs.String())
			}
		})
	}
	_, err := newMailer(t.Context(), settings{}, &porttest.Buffer{}, slog.New(slog.DiscardHandler))
	require.ErrorContains(t, err, "MAILER must be smtp|ses|console", "never a console mailer by default")
}

// The server runs under an 80 MiB soft memory limit unless told otherwise;
// GOMEMLIMIT, which the runtime applies by itself, wins over the default but
// not over BHARATAUTH_MEMORY_LIMIT.
func TestMemoryLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value, goMemLimit string
		want              int64
	}{
		{"", "", 80 << 20},
		{"", "1GiB", 0},
		{"off", "", 0},
		{"OFF", "", 0},
		{"256MiB", "1GiB", 256 << 20},
		{"2GiB", "", 2 << 30},
		{"512KiB", "", 512 << 10},
		{" 104857600 ", "", 104857600},
	} {
		got, err := memoryLimit(tc.value, tc.goMemLimit)
		require.NoError(t, err, "%q", tc.value)
		assert.Equal(t, tc.want, got, "BHARATAUTH_MEMORY_LIMIT=%q GOMEMLIMIT=%q", tc.value, tc.goMemLimit)
	}
	for _, bad := range []string{"lots", "0", "-5MiB", "10MB", "9999999999GiB", "1.5GiB"} {
		_, err := memoryLimit(bad, "")
		assert.ErrorContains(t, err, "BHARATAUTH_MEMORY_LIMIT must be a size", "%q", bad)
	}
}

// BHARATAUTH_CORS_ORIGINS and BHARATAUTH_COOKIE_MODE: /auth keeps refresh
// tokens in bodies, /web/auth is cookie mode, and both answer the listed
// origins' preflights.
func TestBrowserAppSettings(t *testing.T) {
	t.Parallel()
	s, err := loadSettings(baseEnv(map[string]string{
		"BHARATAUTH_CORS_ORIGINS": "https://app.example.in, https://admin.example.in", "BHARATAUTH_COOKIE_MODE": "On"}))
	require.NoError(t, err)
	assert.Equal(t, []string{"https://app.example.in", "https://admin.example.in"}, s.CORSOrigins)
	assert.True(t, s.CookieMode)
	auth, err := core.New(coreConfig(s, slog.New(slog.NewTextHandler(io.Discard, nil))),
		core.Deps{Storage: memory.New(), Mailer: memory.NewOutbox()})
	require.NoError(t, err)
	mux, err := apiMux(auth, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)

	for _, prefix := range []string{"/auth", "/web/auth"} {
		r := httptest.NewRequest("OPTIONS", prefix+"/refresh", nil)
		r.Header.Set("Origin", "https://admin.example.in")
		r.Header.Set("Access-Control-Request-Method", "POST")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		assert.Equal(t, http.StatusNoContent, w.Code, prefix)
		assert.Equal(t, "https://admin.example.in", w.Header().Get("Access-Control-Allow-Origin"), prefix)
		assert.Equal(t, "true", w.Header().Get("Access-Control-Allow-Credentials"), prefix)
	}
	refresh := func(prefix string, fromApp bool) int {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", prefix+"/refresh", strings.NewReader(`{}`))
		r.Header.Set("Content-Type", "application/json")
		if fromApp {
			r.Header.Set("Origin", "https://app.example.in")
			r.Header.Set(bahttp.CSRFHeader, "1")
		}
		mux.ServeHTTP(w, r)
		return w.Code
	}
	assert.Equal(t, http.StatusUnprocessableEntity, refresh("/auth", false), "body mode: refresh_token is required")
	assert.Equal(t, http.StatusUnauthorized, refresh("/web/auth", true), "cookie mode: no cookie, no session")
	assert.Equal(t, http.StatusForbidden, refresh("/web/auth", false), "cookie mode: a request must prove its origin")

	_, err = loadSettings(baseEnv(map[string]string{"BHARATAUTH_COOKIE_MODE": "yes"}))
	assert.ErrorContains(t, err, "BHARATAUTH_COOKIE_MODE must be on or off")
	s.CORSOrigins = []string{"*"}
	_, err = apiMux(auth, s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	assert.ErrorContains(t, err, "list each origin")
}
