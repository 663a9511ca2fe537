package main

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/bharatauth/bharatauth-go/core"
)

// settings is the production example's configuration, read from the
// environment (see the README's table).
type settings struct {
	Addr           string
	MetricsAddr    string // serves Prometheus /metrics when set
	PublicURL      string
	APIURL         string // where this server is reached: the discovery document's jwks_uri
	DatabaseURL    string
	Secret         []byte
	TrustedProxies []netip.Prefix
	RedisURL       string
	RedisPrefix    string // starts every Redis key; lets several apps (or test runs) share one Redis
	Mailer         string // smtp | ses | console; required
	// MemoryLimit is the Go runtime's soft memory limit in bytes; 0 leaves
	// the runtime's own (GOMEMLIMIT, or none).
	MemoryLimit int64

	SMTPHost, SMTPUsername, SMTPPassword, SMTPFrom, SMTPTLS string
	SMTPPort                                                int

	SESFrom, SESEndpoint, AWSRegion string

	// Access tokens: EdDSA/ES256 keys from PEM files (the first signs), and
	// the iss and aud claims; empty → core's defaults (HS256 derived from
	// the secret, "bharatauth", "bharatauth-client").
	SigningKeys      []core.SigningKey
	Issuer, Audience string

	// Browser apps: origins whose pages may call the API (CORS, with
	// credentials), and whether /web/auth serves the API in cookie mode.
	CORSOrigins []string
	CookieMode  bool

	// SMS turns on phone numbers (BHARATAUTH_SMS and beside it).
	SMS smsSettings
}

// minSecretLen mirrors core's floor, so a short secret is refused with a
// message that names the variable.
const minSecretLen = 32

// loadSettings reads and checks the environment through getenv, listing every
// problem at once.
func loadSettings(getenv func(string) string) (settings, error) {
	s := settings{
		Addr:         getenv("BHARATAUTH_ADDR"),
		MetricsAddr:  getenv("BHARATAUTH_METRICS_ADDR"),
		PublicURL:    strings.TrimRight(getenv("BHARATAUTH_PUBLIC_URL"), "/"),
		APIURL:       strings.TrimRight(getenv("BHARATAUTH_API_URL"), "/"),
		DatabaseURL:  getenv("DATABASE_URL"),
		Secret:       []byte(getenv("BHARATAUTH_SECRET")),
		RedisURL:     getenv("REDIS_URL"),
		RedisPrefix:  getenv("BHARATAUTH_REDIS_PREFIX"),
		Mailer:       strings.ToLower(getenv("MAILER")),
		SMTPHost:     getenv("SMTP_HOST"),
		SMTPUsername: getenv("SMTP_USERNAME"),
		SMTPPassword: getenv("SMTP_PASSWORD"),
		SMTPFrom:     getenv("SMTP_FROM"),
		SMTPTLS:      strings.ToLower(getenv("SMTP_TLS")),
		SESFrom:      getenv("SES_FROM"),
		SESEndpoint:  getenv("SES_ENDPOINT"),
		AWSRegion:    getenv("AWS_REGION"),
		Issuer:       getenv("BHARATAUTH_ISSUER"),
		Audience:     getenv("BHARATAUTH_AUDIENCE"),
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if s.Addr == "" {
		s.Addr = "127.0.0.1:8080"
	}
	if s.RedisPrefix == "" {
		s.RedisPrefix = "ba:"
	}
	if strings.ContainsAny(s.RedisPrefix, " \t\r\n*?[]") {
		bad("BHARATAUTH_REDIS_PREFIX must not contain spaces or glob characters")
	}
	limit, err := memoryLimit(getenv("BHARATAUTH_MEMORY_LIMIT"), getenv("GOMEMLIMIT"))
	if err != nil {
		errs = append(errs, err)
	}
	s.MemoryLimit = limit
	if s.PublicURL == "" {
		s.PublicURL = "http://" + s.Addr
	}
	if s.APIURL == "" {
		s.APIURL = s.PublicURL
	}
	if s.DatabaseURL == "" {
		bad("DATABASE_URL is required (e.g. postgres://app@127.0.0.1:5432/app?sslmode=disable)")
	} else if u, err := url.Parse(s.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		// Never echoed: the URL may hold a password.
		bad("DATABASE_URL must be a postgres:// URL with a host (e.g. postgres://app@127.0.0.1:5432/app?sslmode=disable)")
	}
	if len(s.Secret) < minSecretLen {
		bad("BHARATAUTH_SECRET must be at least %d bytes (got %d); generate one with `openssl rand -base64 48`", minSecretLen, len(s.Secret))
	}
	if list := getenv("BHARATAUTH_SIGNING_KEYS"); list != "" {
		keys, err := loadSigningKeys(list)
		if err != nil {
			errs = append(errs, err)
		}
		s.SigningKeys = keys
	}
	for _, origin := range strings.Split(getenv("BHARATAUTH_CORS_ORIGINS"), ",") {
		if origin = strings.TrimSpace(origin); origin != "" {
			s.CORSOrigins = append(s.CORSOrigins, origin)
		}
	}
	switch mode := strings.ToLower(getenv("BHARATAUTH_COOKIE_MODE")); mode {
	case "", "off":
	case "on":
		s.CookieMode = true
	default:
		bad("BHARATAUTH_COOKIE_MODE must be on or off (got %q)", mode)
	}
	for _, cidr := range strings.Split(getenv("BHARATAUTH_TRUSTED_PROXIES"), ",") {
		if cidr = strings.TrimSpace(cidr); cidr == "" {
			continue
		}
		p, err := netip.ParsePrefix(cidr)
		if err != nil {
			bad("BHARATAUTH_TRUSTED_PROXIES: %q is not a CIDR", cidr)
			continue
		}
		s.TrustedProxies = append(s.TrustedProxies, p.Masked())
	}
	sms, smsErrs := loadSMSSettings(getenv, s.PublicURL)
	s.SMS = sms
	errs = append(errs, smsErrs...)
	// No default: a console mailer left on by omission would print every
	// code and link of real users into the logs.
	switch s.Mailer {
	case "":
		bad("MAILER is required: smtp|ses|console (console prints every code and link to stdout)")
	case "console": // allowed when asked for by name; newMailer warns at start
	case "smtp":
		if s.SMTPHost == "" || s.SMTPFrom == "" {
			bad("MAILER=smtp needs SMTP_HOST and SMTP_FROM")
		}
		if port := getenv("SMTP_PORT"); port != "" {
			n, err := strconv.Atoi(port)
			if err != nil || n <= 0 || n > 65535 {
				bad("SMTP_PORT: %q is not a port", port)
			}
			s.SMTPPort = n
		}
		switch s.SMTPTLS {
		case "", "starttls", "implicit", "none":
		default:
			bad("SMTP_TLS must be starttls, implicit or none (got %q)", s.SMTPTLS)
		}
	case "ses":
		if s.SESFrom == "" || s.AWSRegion == "" {
			bad("MAILER=ses needs SES_FROM and AWS_REGION")
		}
	default:
		bad("MAILER must be smtp|ses|console (got %q)", s.Mailer)
	}
	return s, errors.Join(errs...)
}

// defaultMemoryLimit is the soft memory limit the server runs under unless
// told otherwise. Every login holds one argon2id buffer (19 MiB) per hash
// slot while it hashes; without a limit the garbage collector lets the heap
// grow to twice what is live before collecting, so 16 concurrent logins
// peaked at 140-240 MiB of RSS. Under the limit the collector runs sooner and
// returns freed buffers to the system: 16 concurrent logins peak near
// 105 MiB (the limit covers the Go heap and runtime, not the binary's own
// pages). The buffers hold no pointers, so the extra collections cost little
// (see the README's performance table).
const defaultMemoryLimit = 80 << 20

// memoryLimit reads BHARATAUTH_MEMORY_LIMIT: a size in bytes with an
// optional KiB, MiB or GiB suffix, or "off". Empty means the default, unless
// GOMEMLIMIT is set: the runtime has applied that one already, and an
// operator who set it meant it.
func memoryLimit(v, goMemLimit string) (int64, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "" && goMemLimit != "":
		return 0, nil
	case v == "":
		return defaultMemoryLimit, nil
	case strings.EqualFold(v, "off"):
		return 0, nil
	}
	unit := int64(1)
	for suffix, n := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if cut, ok := strings.CutSuffix(v, suffix); ok {
			v, unit = cut, n
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/unit {
		return 0, fmt.Errorf("BHARATAUTH_MEMORY_LIMIT must be a size such as 100MiB, 2GiB or 104857600, or off")
	}
	return n * unit, nil
}
