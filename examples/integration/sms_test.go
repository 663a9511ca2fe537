package integration

import (
	"context"
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
// number and the prefix, and room elsewhere, so that the rule under test is
// the one that binds.
var smsBudgets = core.SMSBudgets{
	PerNumber:  ports.RateRule{Limit: 5, Window: time.Hour},
	PerIP:      ports.RateRule{Limit: 10, Window: time.Hour}, // each request comes from an address of its own
	PerPrefix:  ports.RateRule{Limit: 20, Window: time.Hour},
	Global:     ports.RateRule{Limit: 1000, Window: time.Minute},
	Unverified: ports.RateRule{Limit: 100, Window: 24 * time.Hour},
}

// smsServer is the HTTP API over PostgreSQL with phone numbers on, texting
// into an outbox, its SMS budget the store's or Redis's.
type smsServer struct {
	url   string
	store *postgres.Store
	texts *memory.SMSOutbox
}

func newSMSServer(t *testing.T, budget string) *smsServer {
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
	cfg.Phone.Enabled, cfg.Phone.Domain, cfg.Phone.Budgets = true, "app.example.in", smsBudgets
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
	u, err := s.store.CreateUser(context.Background(), ports.NewUser{Phone: number, CreatedAt: time.Now()})
	require.NoError(t, err)
	return u.ID
}

// askForCodes sends one POST /otp/request per number in numbers at once,
// the i-th from its own client address, and returns each answer's status
// and body.
func (s *smsServer) askForCodes(t *testing.T, numbers []string) []string {
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
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.18.%d.%d", i/250, 1+i%250))
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
	events, err := s.store.Events(context.Background(), userID)
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
// handler, with the budget in PostgreSQL and then in Redis. To one number:
// exactly PerNumber (5) SMS go out. To 50 numbers of one prefix (the first 7
// national digits): exactly PerPrefix (20). Every answer is the one a sent
// code gets, and every refused send is an sms_refused event naming the
// budget that refused it.
func TestSMSPumpingLimitsHoldUnder50ConcurrentRequests(t *testing.T) {
	t.Parallel()
	const sent = `200 {"success":true,"message":"If an account exists for this phone number, a sign-in code has been sent by SMS."}`
	for _, budget := range []string{"postgres", "redis"} {
		t.Run(budget+"/one number", func(t *testing.T) {
			t.Parallel()
			s := newSMSServer(t, budget)
			user := s.account(t, "+919876543210")
			numbers := make([]string, pumpers)
			for i := range numbers {
				numbers[i] = []string{"98765 43210", "+91 98765 43210", "09876543210"}[i%3] // one number, typed three ways
			}
			for i, answer := range s.askForCodes(t, numbers) {
				assert.Equal(t, sent, strings.TrimSpace(answer), "request %d", i)
			}
			assert.Equal(t, smsBudgets.PerNumber.Limit, s.texts.Len(), "exactly the per-number budget is sent")
			assert.Equal(t, pumpers-smsBudgets.PerNumber.Limit, s.refusals(t, user, "number"), "every refusal is recorded")
		})
		t.Run(budget+"/one prefix", func(t *testing.T) {
			t.Parallel()
			s := newSMSServer(t, budget)
			numbers := make([]string, pumpers)
			users := make([]string, pumpers)
			for i := range numbers {
				numbers[i] = fmt.Sprintf("98765432%02d", i) // the prefix +91 9876543
				users[i] = s.account(t, "+91"+numbers[i])
			}
			for i, answer := range s.askForCodes(t, numbers) {
				assert.Equal(t, sent, strings.TrimSpace(answer), "request %d", i)
			}
			assert.Equal(t, smsBudgets.PerPrefix.Limit, s.texts.Len(), "exactly the per-prefix budget is sent")
			refused := 0
			for _, u := range users {
				refused += s.refusals(t, u, "prefix")
			}
			assert.Equal(t, pumpers-smsBudgets.PerPrefix.Limit, refused, "every refusal is recorded")
			for _, m := range s.texts.Messages() {
				assert.True(t, strings.HasPrefix(m.To, "+919876543"), m.To)
			}
		})
	}
}
