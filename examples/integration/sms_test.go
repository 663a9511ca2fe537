package integration

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/adapters/postgres"
	baredis "github.com/bharatauth/bharatauth-go/adapters/redis"
	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/porttest"
	bahttp "github.com/bharatauth/bharatauth-go/transport/http"
)

// pumpers is how many requests for a code arrive at once.
const pumpers = 50

// smsBudgets are the budgets of the pumping tests: core's defaults for the
// number, the client IP and the prefix, and a global budget each case that
// does not test it lifts out of the way.
var smsBudgets = core.DefaultConfig().Phone.Budgets

// smsServer is the HTTP API over PostgreSQL with phone numbers on, texting
// into an outbox, its SMS budget the store's or Redis's.
type smsServer struct {
	url   string
	store *postgres.Store
	texts *memory.SMSOutbox
}

func newSMSServer(t *testing.T, budget string, budgets core.SMSBudgets) *smsServer {
	t.Helper()
	store, err := postgres.New(newDB(t), postgres.Options{})
	require.NoError(t, err)
	s := &smsServer{store: store, texts: memory.NewSMSOutbox()}
	// No RateLimiter: Layer 1 would answer 429 to a number asked for too
	// often; here the SMS budget alone stands between the requests and
	// the sender, and the answers must not tell when it refuses.
	deps := core.Deps{Storage: store, Mailer: memory.NewOutbox(), SMSSender: s.texts}
	if budget == "redis" {
		// A take Redis does not answer within Timeout (200 ms by default) is
		// refused: fail closed. Under -race on a shared machine 50 takes at
		// once can wait that long for a CPU, which would test the machine's
		// load, not the counting; the timeout has its own tests in the adapter.
		deps.SMSBudget, err = baredis.NewSMSBudget(redisClient(t), baredis.SMSBudgetOptions{
			Prefix: "ba:it:sms:" + randomHex() + ":", Timeout: 5 * time.Second})
		require.NoError(t, err)
	}
	cfg := core.DefaultConfig()
	cfg.SecretKey = []byte("integration-secret-key-32-bytes-long!!")
	cfg.UnsafeFastHashingForTests = true
	cfg.MailInline = true // each request takes its SMS budget itself: 50 takes at once
	cfg.Logger = slog.New(slog.DiscardHandler)
	cfg.Phone.Enabled, cfg.Phone.Domain, cfg.Phone.Budgets = true, "app.example.in", budgets
	auth, err := core.New(cfg, deps)
	require.NoError(t, err)
	h, err := bahttp.New(auth, bahttp.Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// account opens an account for number in the store directly: registering
// through core would text it a verification code and spend the budgets.
func (s *smsServer) account(t *testing.T, number string) string {
	t.Helper()
	u, err := s.store.CreateUser(t.Context(), ports.NewUser{Phone: number, CreatedAt: time.Now()})
	require.NoError(t, err)
	return u.ID
}

// askForCodes sends one POST /otp/request per number in numbers at once,
// the i-th from the client address ip(i), and returns each answer's status
// and body.
func (s *smsServer) askForCodes(t *testing.T, numbers []string, ip func(int) string) []string {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	answers := make([]string, len(numbers))
	porttest.Together(len(numbers), func(i int) {
		req, err := http.NewRequest(http.MethodPost, s.url+"/otp/request", strings.NewReader(`{"phone":"`+numbers[i]+`"}`))
		if err != nil {
			answers[i] = err.Error()
			return
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", ip(i))
		res, err := client.Do(req)
		if err != nil {
			answers[i] = err.Error()
			return
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		answers[i] = fmt.Sprintf("%d %s", res.StatusCode, body)
	})
	return answers
}

// refusals counts the user's sms_refused events naming budget.
func (s *smsServer) refusals(t *testing.T, userID, budget string) int {
	t.Helper()
	events, err := s.store.Events(t.Context(), userID)
	require.NoError(t, err)
	n := 0
	for _, e := range events {
		if e.Kind == ports.EventSMSRefused {
			assert.Equal(t, budget, e.Detail)
			n++
		}
	}
	return n
}

// SMS pumping, end to end: 50 requests for a code at once through the HTTP
// handler, with the budget in PostgreSQL and then in Redis, each case bound by
// one budget: to one number, exactly PerNumber (5) SMS go out; to 50 numbers
// of one prefix (the first 7 national digits), exactly PerPrefix (20); from
// one client IP to 50 numbers, exactly PerIP (10); and with a global budget
// of 15 a minute, 15. Every answer is the one a sent code gets, and every
// refused send is an sms_refused event naming the budget that refused it.
func TestSMSPumpingLimitsHoldUnder50ConcurrentRequests(t *testing.T) {
	t.Parallel()
	const sent = `200 {"success":true,"message":"If an account exists for this phone number, a sign-in code has been sent by SMS."}`
	own := func(i int) string { return fmt.Sprintf("198.18.%d.%d", i/250, 1+i%250) } // an address per request
	oneIP := func(int) string { return "198.18.7.7" }
	global := smsBudgets
	global.Global = ports.RateRule{Limit: 15, Window: time.Minute}
	cases := []struct {
		name    string
		number  func(i int) string // as typed
		ip      func(i int) string
		budgets core.SMSBudgets
		refuser string
		limit   int
	}{
		{"one number", func(i int) string { return []string{"98765 43210", "+91 98765 43210", "09876543210"}[i%3] }, own, smsBudgets, "number", smsBudgets.PerNumber.Limit},
		{"one prefix", func(i int) string { return fmt.Sprintf("98765432%02d", i) }, own, smsBudgets, "prefix", smsBudgets.PerPrefix.Limit},
		{"one client IP", func(i int) string { return fmt.Sprintf("98%02d012345", i) }, oneIP, smsBudgets, "ip", smsBudgets.PerIP.Limit},
		{"the whole service", func(i int) string { return fmt.Sprintf("98%02d012345", i) }, own, global, "global", global.Global.Limit},
	}
	for _, budget := range []string{"postgres", "redis"} {
		for _, tc := range cases {
			t.Run(budget+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				s := newSMSServer(t, budget, tc.budgets)
				numbers := make([]string, pumpers)
				users := map[string]string{} // E.164 → user ID
				for i := range numbers {
					numbers[i] = tc.number(i)
					e164 := "+91" + strings.TrimPrefix(strings.NewReplacer(" ", "", "+91", "").Replace(numbers[i]), "0")
					if users[e164] == "" {
						users[e164] = s.account(t, e164)
					}
				}
				for i, answer := range s.askForCodes(t, numbers, tc.ip) {
					assert.Equal(t, sent, strings.TrimSpace(answer), "request %d: the same answer, sent or not", i)
				}
				assert.Equal(t, tc.limit, s.texts.Len(), "exactly the %s budget is sent", tc.refuser)
				refused := 0
				for _, u := range users {
					refused += s.refusals(t, u, tc.refuser)
				}
				assert.Equal(t, pumpers-tc.limit, refused, "every refusal is recorded, naming the %s budget", tc.refuser)
			})
		}
	}
}
