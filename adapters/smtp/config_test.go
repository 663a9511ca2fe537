package smtp

import (
	"crypto/tls"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewValidation(t *testing.T) {
	t.Parallel()
	valid := func() Config {
		return Config{Host: "smtp.example.in", From: "BharatAuth <no-reply@example.in>", Username: "u", Password: testPassword}
	}
	tests := []struct {
		name    string
		modify  func(*Config)
		wantErr string
	}{
		{name: "missing host", modify: func(c *Config) { c.Host = " " }, wantErr: "Host is required"},
		{name: "host with port", modify: func(c *Config) { c.Host = "smtp.example.in:587" }, wantErr: "not a host name"},
		{name: "port out of range", modify: func(c *Config) { c.Port = 70000 }, wantErr: "out of range"},
		{name: "negative port", modify: func(c *Config) { c.Port = -1 }, wantErr: "out of range"},
		{name: "missing from", modify: func(c *Config) { c.From = "" }, wantErr: "From"},
		{name: "bad from", modify: func(c *Config) { c.From = "no-reply" }, wantErr: "From"},
		{name: "unknown tls mode", modify: func(c *Config) { c.TLS = TLSMode(9) }, wantErr: "unknown TLS mode"},
		{name: "unknown auth", modify: func(c *Config) { c.Auth = AuthMechanism(9) }, wantErr: "unknown auth"},
		{name: "negative timeout", modify: func(c *Config) { c.Timeout = -time.Second }, wantErr: "Timeout"},
		{name: "password without username", modify: func(c *Config) { c.Username = "" }, wantErr: "Username is empty"},
		{name: "username without password", modify: func(c *Config) { c.Password = "" }, wantErr: "Password is empty"},
		{name: "credentials in clear to a remote host", modify: func(c *Config) { c.TLS = TLSNone }, wantErr: "in clear"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := valid()
			tc.modify(&cfg)
			m, err := New(cfg)
			require.Error(t, err)
			assert.Nil(t, m)
			assert.ErrorIs(t, err, ErrInvalidConfig)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.NotContains(t, err.Error(), testPassword)
		})
	}
}

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		cfg         Config
		wantPort    int
		wantTimeout time.Duration
	}{
		{name: "starttls submission port", cfg: Config{Host: "smtp.example.in", From: "a@example.in"}, wantPort: 587, wantTimeout: 10 * time.Second},
		{name: "implicit tls port", cfg: Config{Host: "smtp.example.in", From: "a@example.in", TLS: TLSImplicit}, wantPort: 465, wantTimeout: 10 * time.Second},
		{name: "plain port", cfg: Config{Host: "localhost", From: "a@example.in", TLS: TLSNone}, wantPort: 25, wantTimeout: 10 * time.Second},
		{name: "plain with credentials on loopback", cfg: Config{Host: "127.0.0.1", From: "a@example.in", TLS: TLSNone, Username: "u", Password: "p"}, wantPort: 25, wantTimeout: 10 * time.Second},
		{name: "explicit values kept", cfg: Config{Host: "smtp.example.in", Port: 2525, From: "a@example.in", Timeout: time.Second}, wantPort: 2525, wantTimeout: time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := New(tc.cfg)
			require.NoError(t, err)
			assert.Equal(t, tc.wantPort, m.s.port)
			assert.Equal(t, tc.wantTimeout, m.s.timeout)
			assert.Equal(t, tc.cfg.Host, m.s.tlsConfig.ServerName)
			assert.Equal(t, uint16(tls.VersionTLS12), m.s.tlsConfig.MinVersion)
		})
	}
}

func TestTLSModeString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mode TLSMode
		want string
	}{
		{name: "starttls", mode: TLSStartTLS, want: "starttls"},
		{name: "implicit", mode: TLSImplicit, want: "implicit"},
		{name: "none", mode: TLSNone, want: "none"},
		{name: "unknown", mode: TLSMode(7), want: "TLSMode(7)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, tc.mode.String())
		})
	}
}
