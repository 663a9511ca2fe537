// Command quickstart serves the whole BharatAuth HTTP API under /auth on
// 127.0.0.1:8080 (BHARATAUTH_ADDR overrides) over in-memory adapters, with no
// setup: emails and SMS are printed to stdout instead of being sent, and a
// throwaway signing key is generated at start. Everything is lost on exit; it
// is for trying the API, not for production (see examples/production).
//
//	go run ./examples/quickstart
//
// Besides /auth/..., it serves a demo web app at / (the files under web/,
// embedded), which calls the same API in cookie mode under /web/auth/, and
// three app routes showing the middleware: GET /api/hello needs an access
// token, POST /api/transfer also needs a step-up, and GET /api/newsletter
// needs the "communications" consent. The privacy notice is published in
// English and Hindi, and consent changes are printed by a ConsentListener, as
// an app's processors would receive them. Phone numbers are on: an account
// may have a mobile number instead of (or beside) an email, and signs in with
// a code "sent" by SMS; a 10-digit Indian number works as typed.
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
	"strings"
	"syscall"
	"time"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/examples/internal/server"
	"github.com/bharatauth/bharatauth-go/ports"
	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

// defaultAddr is where the quickstart listens unless BHARATAUTH_ADDR says otherwise.
const defaultAddr = "127.0.0.1:8080"

// consentRetryEvery is how often consent changes due for a retry are delivered.
const consentRetryEvery = 10 * time.Second

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
	// Changes a listener refused are retried on this timer (each decision is
	// delivered right after its answer too).
	go func() { _ = auth.RunConsentDelivery(ctx, consentRetryEvery) }()
	log.Info("quickstart: serving the BharatAuth API", "url", base+"/auth", "openapi", base+"/auth/openapi.json",
		"demo", base+"/")
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
	// The links open the demo's pages, which POST the token to the matching
	// route (with curl, POST the printed token yourself: see the README).
	cfg.Links = core.LinkTemplates{
		VerifyEmail:     base + "/verify-email?token={token}",
		ResetPassword:   base + "/reset-password?token={token}",
		ResetPIN:        base + "/reset-pin?token={token}",
		Unlock:          base + "/unlock?token={token}",
		ChangeEmail:     base + "/auth/email/change/confirm?token={token}",
		GuardianConsent: base + "/auth/guardian/confirm?token={token}",
	}

	cfg.Notices = notices()
	// A demo's guardian opens her account a minute before the child registers;
	// production keeps the default (30 days), or verifies parents with a
	// GuardianVerifier.
	cfg.GuardianAccountAge = 0

	// Phone sign-in: numbers of India (the default region, so "98765 43210"
	// reads as +919876543210), codes by SMS printed like the emails, every SMS
	// counted first against the default budgets (5 per number per hour, ...)
	// that memory.Store keeps. The WebOTP line of each SMS names this host.
	cfg.Phone.Enabled = true
	cfg.Phone.Regions = []string{"IN"}
	cfg.Phone.AppName = "BharatAuth" // SMS templates allow at most 20 characters
	cfg.Phone.Domain = hostOf(base)

	store := memory.New() // one value provides every storage port, and the SMS budget
	auth, err := core.New(cfg, core.Deps{
		Storage: store, Mailer: memory.NewConsoleMailer(out), Limiter: memory.NewLimiter(),
		SMSSender:       memory.NewConsoleSMS(out), // prints every SMS; production sends them (adapters/sns)
		Erasure:         memory.NewErasureInbox(),  // POST /auth/privacy/erasure; a real app queues them for its back office
		ConsentListener: printedConsents{out: out}, // a real app stops (or starts) its processing here
	})
	if err != nil {
		return nil, nil, err
	}
	api, err := bahttp.New(auth, bahttp.Options{Logger: log})
	if err != nil {
		return nil, nil, err
	}
	// The demo's API: the same Auth in cookie mode, so the page never holds
	// a refresh token. Its page is on the same origin, so it needs no CORS.
	webAPI, err := bahttp.New(auth, bahttp.Options{Logger: log, Cookies: bahttp.Cookies{Enabled: true}})
	if err != nil {
		return nil, nil, err
	}

	mux := http.NewServeMux()
	mux.Handle("/auth/", http.StripPrefix("/auth", api))
	mux.Handle("/web/auth/", http.StripPrefix("/web/auth", webAPI))
	mux.Handle("/", demo()) // every other path: the app's files, GET and HEAD only
	mux.Handle("GET /api/hello", api.RequireAuth(http.HandlerFunc(hello)))
	mux.Handle("POST /api/transfer", api.RequireStepUp(http.HandlerFunc(transfer)))
	mux.Handle("GET /api/newsletter", api.RequireConsent("communications")(http.HandlerFunc(newsletter)))
	return mux, auth, nil
}

// hostOf is the host of a base URL such as http://127.0.0.1:8080.
func hostOf(base string) string {
	host := strings.TrimPrefix(base, "http://")
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

// hindiNotice is the Hindi translation of the quickstart's English notice
// (DefaultNotices', its contact category naming mobile numbers too).
const hindiNotice = `गोपनीयता सूचना

हम आपके निजी डेटा का इस्तेमाल केवल नीचे लिखे कामों के लिए, हर एक के लिए आपकी सहमति से, करते हैं। आप प्राइवेसी सेटिंग में कभी भी अपनी सहमति उतनी ही आसानी से वापस ले सकते हैं जितनी आसानी से आपने दी थी।

- पहचान (identity): आपका नाम और खाते की पहचान, आपका खाता बनाने और चलाने के लिए (सेवा के लिए ज़रूरी)।
- संपर्क (contact): आपका ईमेल पता या मोबाइल नंबर, साइन-इन कोड, सुरक्षा अलर्ट और रसीदें भेजने के लिए (सेवा के लिए ज़रूरी)।
- स्थान (location): आपके IP पते से अनुमानित स्थान, असामान्य साइन-इन पहचानने के लिए (वैकल्पिक)।
- सुरक्षा (security): आपके डिवाइस, IP पते और साइन-इन इतिहास, आपके खाते को गलत इस्तेमाल से बचाने के लिए (सेवा के लिए ज़रूरी)।
- संचार (communications): ईमेल से समाचार और ऑफ़र (वैकल्पिक)।
- विश्लेषण (analytics): आप सेवा का इस्तेमाल कैसे करते हैं, उसे बेहतर बनाने के लिए (वैकल्पिक)।

आप प्राइवेसी सेटिंग में अपना डेटा देख सकते हैं, सुधार सकते हैं, मिटा सकते हैं और उसकी कॉपी ले सकते हैं। शिकायत के लिए प्राइवेसी सेटिंग में दिए गए संपर्क को लिखें; आप भारतीय डेटा संरक्षण बोर्ड से भी शिकायत कर सकते हैं।`

// notices publishes the privacy notice in English and Hindi: GET
// /auth/privacy/notice?lang=hi shows the Hindi one, and a registration names
// the one it showed.
func notices() []core.Notice {
	en := core.DefaultNotices()[0]
	// The quickstart takes mobile numbers too: "contact" covers them.
	en.Text = strings.Replace(en.Text, "- contact: your email address,", "- contact: your email address or mobile number,", 1)
	hi := en
	hi.Language, hi.Text = "hi", hindiNotice
	return []core.Notice{en, hi}
}

// printedConsents is the quickstart's ConsentListener: it prints each consent
// change, delivered at least once and in order per user from the outbox.
type printedConsents struct{ out io.Writer }

func (p printedConsents) ConsentChanged(_ context.Context, c ports.ConsentChange) error {
	_, err := fmt.Fprintf(p.out, "consent change %d: user %s, %s granted=%t (source %s)\n", c.ID, c.UserID, c.Category, c.Granted, c.Source)
	return err
}

// newsletter is an app route behind RequireConsent("communications"): a
// withdrawal closes it at once.
func newsletter(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintln(w, `{"success":true,"message":"this week's newsletter, sent only with your consent"}`)
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
