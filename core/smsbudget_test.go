package core

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/ports"
)

func TestSMSBudgetDefaults(t *testing.T) {
	p := DefaultConfig().Phone
	assert.False(t, p.Enabled, "phone numbers are off until configured")
	assert.Equal(t, []string{"IN"}, p.Regions)
	assert.Equal(t, "en", p.Language)
	assert.Equal(t, ports.RateRule{Limit: 5, Window: time.Hour}, p.Budgets.PerNumber)
	assert.Equal(t, ports.RateRule{Limit: 10, Window: time.Hour}, p.Budgets.PerIP)
	assert.Equal(t, ports.RateRule{Limit: 20, Window: time.Hour}, p.Budgets.PerPrefix)
	assert.Equal(t, ports.RateRule{Limit: 100, Window: time.Minute}, p.Budgets.Global)
	assert.Equal(t, ports.RateRule{Limit: 10, Window: 24 * time.Hour}, p.Budgets.Unverified)
	assert.Equal(t, 7, prefixDigits)
	assert.Equal(t, "+91-9876543", phonePrefix(testPhone), "the country code and 7 national digits")
}

// Five codes an hour reach one number; the sixth request answers the same and
// sends nothing, and the hour after the first send allows one again.
func TestSMSPerNumberFivePerHour(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	u := p.seedPhone(testPhone)
	for range 5 {
		p.askCode(testPhone, "")
	}
	require.Len(t, p.sms.to(testPhone), 5)
	p.askCode(testPhone, "") // answers nil like a sent one
	assert.Len(t, p.sms.to(testPhone), 5, "the sixth is not sent")
	assert.Equal(t, []string{"number"}, p.eventDetails(u.ID, ports.EventSMSRefused))
	p.clock.Advance(time.Hour - time.Second)
	p.askCode(testPhone, "")
	assert.Len(t, p.sms.to(testPhone), 5, "within the hour")
	p.clock.Advance(time.Second)
	p.askCode(testPhone, "")
	assert.Len(t, p.sms.to(testPhone), 6, "an hour after the first")
}

// Recovery codes (unlock, password and PIN reset) count per number apart from
// sign-in codes, as recovery emails do (budgetRecovery): a stranger who
// locks a phone-only account and then spends its number's hour on sign-in
// codes, which the lock makes useless, never keeps its owner from an unlock
// code. Each count still holds on its own.
func TestSMSStrangersSignInCodesNeverKeepAnUnlockCodeFromItsOwner(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	u := p.seedPhone(testPhone)
	p.hardLock(testPhone)
	p.drain()
	p.clock.Advance(time.Hour) // the lock's own unlock code has died and left the window
	for i := range 6 {
		p.askCode(testPhone, fmt.Sprintf("203.0.113.%d", i+1))
	}
	p.drain()
	assert.Equal(t, []string{"number"}, p.eventDetails(u.ID, ports.EventSMSRefused), "five sign-in codes an hour")

	require.NoError(t, p.auth.RequestUnlock(ctx, IdentifierInput{Phone: testPhone, Client: p.client}))
	p.drain()
	require.Equal(t, "unlock", p.sms.lastTo(t, testPhone).Kind, "the owner's unlock code is sent")
	_, err := p.auth.ConfirmUnlock(ctx, ConfirmUnlockInput{Phone: testPhone, Code: p.sms.lastSMSCode(t, testPhone), Client: p.client})
	require.NoError(t, err)

	for range 5 {
		require.NoError(t, p.auth.RequestPasswordReset(ctx, IdentifierInput{Phone: testPhone, Client: p.client}))
	}
	p.drain()
	assert.Equal(t, []string{"number", "number"}, p.eventDetails(u.ID, ports.EventSMSRefused), "five recovery codes an hour")
}

// A refused send issues no code: the code the owner holds still works.
func TestSMSRefusedSendKeepsTheLastCode(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	p.seedPhone(testPhone)
	for range 5 {
		p.askCode(testPhone, "")
	}
	code := p.sms.lastSMSCode(t, testPhone)
	p.askCode(testPhone, "")
	_, err := p.auth.VerifyOTP(t.Context(), VerifyOTPInput{Phone: testPhone, Code: code, Client: p.client})
	require.NoError(t, err)
}

// Ten codes sent in a day to a number no account has proven and none used
// cool the number down; a used code clears the count.
func TestSMSUnusedCodesCoolTheNumberDown(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter(), func(c *Config, _ *Deps) { c.Phone.Budgets.PerNumber.Limit, c.Phone.Budgets.PerIP.Limit = 100, 100 })
	u, err := p.store.CreateUser(t.Context(), ports.NewUser{Phone: testPhone, CreatedAt: p.now()})
	require.NoError(t, err)
	for range 10 {
		p.askCode(testPhone, "")
	}
	require.Len(t, p.sms.to(testPhone), 10)
	p.askCode(testPhone, "")
	assert.Len(t, p.sms.to(testPhone), 10, "the eleventh unused send is refused")
	assert.Equal(t, []string{"unverified"}, p.eventDetails(u.ID, ports.EventSMSRefused))

	_, err = p.auth.VerifyOTP(t.Context(), VerifyOTPInput{Phone: testPhone, Code: p.sms.lastSMSCode(t, testPhone), Client: p.client})
	require.NoError(t, err)
	// The code also proved the number, which the cool-down spares from now
	// on: the count itself must be gone, for a number that is released later.
	p.budget.mu.Lock()
	_, counted := p.budget.sends[p.auth.unverifiedKey(testPhone)]
	p.budget.mu.Unlock()
	assert.False(t, counted, "a used code clears the count")
	p.askCode(testPhone, "")
	assert.Len(t, p.sms.to(testPhone), 11, "a used code clears the cool-down")
}

// Clearing the cool-down count is best effort: a budget that fails to clear
// it leaves the count to expire, logs a warning, and the sign-in stands.
func TestSMSCoolDownThatCannotBeClearedIsLogged(t *testing.T) {
	logs := &logBuffer{}
	p := newPhoneEnv(t, withoutLimiter(), logTo(logs))
	p.seedPhone(testPhone)
	p.askCode(testPhone, "")
	code := p.sms.lastSMSCode(t, testPhone)
	p.budget.mu.Lock()
	p.budget.clearErr = errors.New("redis: connection refused")
	p.budget.mu.Unlock()
	_, err := p.auth.VerifyOTP(t.Context(), VerifyOTPInput{Phone: testPhone, Code: code, Client: p.client})
	require.NoError(t, err)
	assert.Contains(t, logs.String(), "clearing an SMS cool-down failed")

	p.budget.mu.Lock()
	p.budget.clearErr = nil
	p.budget.mu.Unlock()
	before := logs.String()
	p.askCode(testPhone, "")
	_, err = p.auth.VerifyOTP(t.Context(), VerifyOTPInput{Phone: testPhone, Code: p.sms.lastSMSCode(t, testPhone), Client: p.client})
	require.NoError(t, err)
	assert.Equal(t, before, logs.String(), "a cleared count logs nothing")
}

// A stranger's ten requests over two hours, from ten addresses and within
// every hourly limit, do not cool a verified number down: its owner still
// gets a code. (TestSMSPerNumberFivePerHour: the hourly limit holds for it.)
func TestSMSCoolDownSparesAVerifiedNumber(t *testing.T) {
	p := newPhoneEnv(t)
	u := p.seedPhone(testPhone)
	for i := range 10 {
		if i == 5 {
			p.clock.Advance(time.Hour)
		}
		p.askCode(testPhone, fmt.Sprintf("203.0.113.%d", i+1))
	}
	require.Len(t, p.sms.to(testPhone), 10)
	p.clock.Advance(time.Hour)
	p.askCode(testPhone, "198.51.100.7") // the owner
	assert.Len(t, p.sms.to(testPhone), 11, "the owner of a verified number gets a code")
	assert.Empty(t, p.eventDetails(u.ID, ports.EventSMSRefused))
}

// numberInPrefix returns the i-th number of the block of testPhone's prefix.
func numberInPrefix(i int) string { return fmt.Sprintf("+919876543%03d", i) }

// refusedFor checks a budget's window from both sides, with sent SMS out so
// far: ask is still refused a second before the window since the first send
// ends, and goes out when it ends.
func (p *phoneEnv) refusedFor(window time.Duration, ask func(), sent int) {
	p.t.Helper()
	p.clock.Advance(window - time.Second)
	ask()
	assert.Len(p.t, p.sms.all(), sent, "within the window")
	p.clock.Advance(time.Second)
	ask()
	assert.Len(p.t, p.sms.all(), sent+1, "a window after the first")
}

func TestSMSPerIPTenPerHour(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	for i := range 11 {
		p.seedPhone(numberOfPrefix(i))
	}
	for i := range 11 {
		p.askCode(numberOfPrefix(i), "")
	}
	assert.Len(t, p.sms.all(), 10, "ten per hour caused by one IP")
	u, err := p.store.UserByPhone(t.Context(), numberOfPrefix(10))
	require.NoError(t, err)
	assert.Equal(t, []string{"ip"}, p.eventDetails(u.ID, ports.EventSMSRefused))
	p.askCode(numberOfPrefix(10), "198.51.100.1")
	assert.Len(t, p.sms.all(), 11, "another IP has its own budget")
	p.refusedFor(time.Hour, func() { p.askCode(numberOfPrefix(10), "") }, 11)
}

func TestSMSPerPrefixTwentyPerHour(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	for i := range 21 {
		p.seedPhone(numberInPrefix(i))
	}
	for i := range 21 {
		p.askCode(numberInPrefix(i), fmt.Sprintf("198.51.100.%d", i)) // an IP each
	}
	assert.Len(t, p.sms.all(), 20, "twenty per hour to one block of numbers")
	u, err := p.store.UserByPhone(t.Context(), numberInPrefix(20))
	require.NoError(t, err)
	assert.Equal(t, []string{"prefix"}, p.eventDetails(u.ID, ports.EventSMSRefused))
	p.refusedFor(time.Hour, func() { p.askCode(numberInPrefix(20), "198.51.100.200") }, 20)
}

func TestSMSGlobalBudget(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter(), func(c *Config, _ *Deps) {
		c.Phone.Budgets.Global = ports.RateRule{Limit: 3, Window: time.Minute}
	})
	for i := range 4 {
		p.seedPhone(numberOfPrefix(i))
		p.askCode(numberOfPrefix(i), fmt.Sprintf("198.51.100.%d", i))
	}
	assert.Len(t, p.sms.all(), 3)
	p.clock.Advance(time.Minute)
	p.askCode(numberOfPrefix(3), "198.51.100.3")
	assert.Len(t, p.sms.all(), 4, "the next minute")
}

// The default global budget, where TestSMSGlobalBudget sets its own: 101
// numbers in blocks of 20, asked for from IPs of 10 each, so that no other
// budget is reached first.
func TestSMSGlobalDefaultIsAHundredAMinute(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	number := func(i int) string { return fmt.Sprintf("+9198%02d5432%02d", 10+i/20, i%20) }
	ip := func(i int) string { return fmt.Sprintf("198.51.100.%d", i/10) }
	for i := range 101 {
		p.seedPhone(number(i))
	}
	for i := range 101 {
		p.askCode(number(i), ip(i))
	}
	assert.Len(t, p.sms.all(), 100, "a hundred in the minute")
	u, err := p.store.UserByPhone(t.Context(), number(100))
	require.NoError(t, err)
	assert.Equal(t, []string{"global"}, p.eventDetails(u.ID, ports.EventSMSRefused))
	p.refusedFor(time.Minute, func() { p.askCode(number(100), ip(100)) }, 100)
}

// 50 parallel requests for one number send exactly five codes.
func TestSMSPerNumberHoldsUnderParallelRequests(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	p.seedPhone(testPhone)
	errs := inParallel(t, "parallel requests", 50, func(i int) error {
		return p.auth.RequestOTP(t.Context(), RequestOTPInput{Phone: testPhone, Client: Client{IP: fmt.Sprintf("198.51.%d.1", i)}})
	})
	for _, err := range errs {
		require.NoError(t, err, "every request answers alike")
	}
	assert.Len(t, p.sms.to(testPhone), 5)
}

func TestSMSBudgetErrorsFailClosed(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	u := p.seedPhone(testPhone)
	p.budget.err = errors.New("budget store down")
	p.askCode(testPhone, "")
	assert.Empty(t, p.sms.all(), "a send that could not be counted is not made")
	assert.Equal(t, []string{"budget_error"}, p.eventDetails(u.ID, ports.EventSMSRefused))
}

func TestSMSSendFailureAnswersAlike(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	u := p.seedPhone(testPhone)
	p.sms.setFail(fmt.Errorf("provider throttled: %w", ports.ErrUnavailable))
	p.askCode(testPhone, "")
	assert.Equal(t, []string{"signin_code"}, p.eventDetails(u.ID, ports.EventSMSFailed))
}

// Budget keys name no number: a number's key, its prefix's key and the
// cool-down key are keyed hashes.
func TestSMSBudgetKeysHoldNoNumber(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	_, err := p.store.CreateUser(t.Context(), ports.NewUser{Phone: testPhone, CreatedAt: p.now()}) // unproven: cooled down too
	require.NoError(t, err)
	p.askCode(testPhone, "")
	require.NotEmpty(t, p.budget.sends)
	for key := range p.budget.sends {
		for _, part := range []string{"9876543210", "9876543", "+91"} {
			assert.NotContains(t, key, part)
		}
		assert.True(t, strings.HasPrefix(key, "sms:"), key)
	}
	assert.Len(t, p.budget.sends, 5, "number, prefix, global, unverified and IP")
}

// budgetStorage is a Storage that is also an SMSBudget, as memory.Store and
// postgres.Store are.
type budgetStorage struct {
	ports.Storage
	ports.SMSBudget
}

func TestSMSBudgetIsFoundOnTheStorage(t *testing.T) {
	e := newEnv(t)
	b := &testBudget{}
	storage := budgetStorage{e.store, b}
	a, err := New(e.auth.Config(), Deps{Storage: storage, Mailer: e.outbox})
	require.NoError(t, err)
	assert.Equal(t, storage, a.deps.SMSBudget, "the storage is the budget")
	given := &testBudget{}
	a, err = New(e.auth.Config(), Deps{Storage: storage, SMSBudget: given, Mailer: e.outbox})
	require.NoError(t, err)
	assert.Same(t, given, a.deps.SMSBudget.(*testBudget), "one set beside Storage wins")
}

// The same rule on memory.Store's own SMS budget, taken from Storage.
func TestSMSPerNumberOnTheStoresBudget(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter(), func(_ *Config, d *Deps) { d.SMSBudget = nil })
	p.seedPhone(testPhone)
	for range 6 {
		p.askCode(testPhone, "")
	}
	assert.Len(t, p.sms.to(testPhone), 5)
	p.clock.Advance(time.Hour)
	p.askCode(testPhone, "")
	assert.Len(t, p.sms.to(testPhone), 6)
}
