package core

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/adapters/memory"
	"github.com/bharatauth/bharatauth-go/ports"
)

func TestPhoneNumbersAreParsedIntoE164(t *testing.T) {
	cases := []struct {
		name, typed, want, code string
	}{
		{"a 10-digit Indian mobile as typed", "98765 43210", "+919876543210", ""},
		{"with +91", "+91 98765 43210", "+919876543210", ""},
		{"with a trunk 0", "098765-43210", "+919876543210", ""},
		{"another region", "+1 415 555 2671", "", codePhoneRegionRefused},
		{"too short", "12345", "", codePhoneInvalid},
		{"letters", "98765abcde", "", codePhoneInvalid},
		{"SQL metacharacters", "' OR '1'='1' --", "", codePhoneInvalid},
		{"a huge string", strings.Repeat("9", 10000), "", codePhoneInvalid},
		{"a Delhi landline", "011 2345 6789", "", codePhoneNotMobile},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newPhoneEnv(t)
			u, err := p.auth.Register(t.Context(), RegisterInput{Phone: c.typed, Consents: allGranted(), Client: p.client})
			if c.code != "" {
				e := requireKind(t, err, KindValidation)
				assert.Equal(t, c.code, e.Code)
				assert.Equal(t, "phone", e.Field)
				assert.Empty(t, p.sms.all(), "nothing sent")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, u.Phone)
			found, err := p.store.UserByPhone(t.Context(), c.want)
			require.NoError(t, err)
			assert.Equal(t, u.ID, found.ID)
		})
	}
}

func TestPhoneRegionsConfigAllowsOtherCountries(t *testing.T) {
	p := newPhoneEnv(t, func(c *Config, _ *Deps) { c.Phone.Regions = []string{"IN", "US"} })
	u, err := p.auth.Register(t.Context(), RegisterInput{Phone: "+1 415 555 2671", Consents: allGranted(), Client: p.client})
	require.NoError(t, err)
	assert.Equal(t, "+14155552671", u.Phone)
}

func TestPhoneNumbersNeedPhoneEnabled(t *testing.T) {
	e := newEnv(t)
	_, err := e.auth.Register(t.Context(), RegisterInput{Phone: testPhoneTyped, Consents: allGranted(), Client: e.client})
	assert.Equal(t, codePhoneOff, requireKind(t, err, KindValidation).Code)
	err = e.auth.RequestOTP(t.Context(), RequestOTPInput{Phone: testPhoneTyped, Client: e.client})
	assert.Equal(t, codePhoneOff, requireKind(t, err, KindValidation).Code)
}

func TestNewRefusesPhoneWithoutSMSPorts(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SecretKey = []byte("test-secret-key-that-is-32-bytes-long!!")
	cfg.Phone.Enabled = true
	cfg.Phone.Domain = "app.example"
	e := newEnv(t)
	_, err := New(cfg, Deps{Storage: e.store, Mailer: e.outbox})
	assert.ErrorContains(t, err, "Config.Phone.Enabled needs Deps.SMSSender")
	// A storage that is no SMS budget (nor a phone directory) and no budget beside it.
	_, err = New(cfg, Deps{Storage: struct{ ports.Storage }{e.store}, Mailer: e.outbox, SMSSender: &smsBox{}})
	assert.ErrorContains(t, err, "needs an SMSBudget")
	assert.ErrorContains(t, err, "ports.PhoneDirectory")
	// A user registry (managed mode) that cannot mark a number verified.
	_, err = New(cfg, Deps{Storage: e.store, Registry: struct{ ports.UserRegistry }{e.store}, Mailer: e.outbox,
		SMSSender: &smsBox{}, SMSBudget: &testBudget{}})
	assert.EqualError(t, err, "bharatauth: invalid configuration: Config.Phone.Enabled needs a registry that is a ports.PhoneRegistry (managed mode)")
}

func TestPhoneOnlyAccountSignsInByCodeWithoutPassword(t *testing.T) {
	p := newPhoneEnv(t)
	ctx := t.Context()
	u, err := p.auth.Register(ctx, RegisterInput{Phone: testPhoneTyped, Consents: allGranted(), Client: p.client})
	require.NoError(t, err)
	assert.Empty(t, u.Email)
	assert.False(t, u.PhoneVerified)
	ms := p.sms.to(testPhone)
	require.Len(t, ms, 1, "registration texts a verification code")
	assert.Equal(t, "verify_phone", ms[0].Kind)
	code := p.sms.lastSMSCode(t, testPhone)
	assert.True(t, strings.HasSuffix(ms[0].Text, "\n@app.example #"+code), "WebOTP last line: %q", ms[0].Text)
	assert.Zero(t, p.outbox.Len(), "no email for a phone-only account")

	require.NoError(t, p.auth.VerifyPhone(ctx, VerifyPhoneInput{Phone: "+91 98765 43210", Code: code, Client: p.client}))
	found, err := p.store.UserByPhone(ctx, testPhone)
	require.NoError(t, err)
	assert.True(t, found.PhoneVerified)

	res, err := p.smsLogin(testPhone)
	require.NoError(t, err)
	assert.Equal(t, u.ID, res.User.ID)
	assert.Equal(t, "signin_code", p.sms.to(testPhone)[1].Kind)

	_, err = p.auth.Login(ctx, LoginInput{Phone: testPhoneTyped, Password: testPassword, Client: p.client})
	assert.Equal(t, codeInvalidCredentials, requireKind(t, err, KindUnauthorized).Code, "no password: code only")
}

func TestPhonePasswordLoginNeedsTheNumberVerified(t *testing.T) {
	p := newPhoneEnv(t)
	ctx := t.Context()
	_, err := p.auth.Register(ctx, RegisterInput{Phone: testPhoneTyped, Password: testPassword, Consents: allGranted(), Client: p.client})
	require.NoError(t, err)
	_, err = p.auth.Login(ctx, LoginInput{Phone: testPhoneTyped, Password: testPassword, Client: p.client})
	assert.Equal(t, codePhoneNotVerified, requireKind(t, err, KindEmailNotVerified).Code)
	require.Len(t, p.sms.to(testPhone), 2, "the refusal texts a verification code again")
	require.NoError(t, p.auth.VerifyPhone(ctx, VerifyPhoneInput{Phone: testPhone, Code: p.sms.lastSMSCode(t, testPhone), Client: p.client}))
	_, err = p.auth.Login(ctx, LoginInput{Phone: testPhoneTyped, Password: testPassword, Client: p.client})
	require.NoError(t, err, "the registrant's own code keeps the password")
	_, err = p.auth.Login(ctx, LoginInput{Identifier: testPhone, Password: testPassword, Client: p.client})
	require.NoError(t, err, "an identifier starting with + is a phone number")
}

func TestPhoneTakenIsAConflict(t *testing.T) {
	p := newPhoneEnv(t)
	p.registerPhone(testPhone)
	_, err := p.auth.Register(t.Context(), RegisterInput{Email: "ravi@example.com", Phone: "0" + strings.ReplaceAll(testPhoneTyped, " ", ""),
		Password: testPassword, Consents: allGranted(), Client: p.client})
	assert.Equal(t, codePhoneTaken, requireKind(t, err, KindConflict).Code)
	_, err = p.store.UserByEmail(t.Context(), "ravi@example.com")
	require.ErrorIs(t, err, ports.ErrNotFound, "nothing created")
}

// An unverified registration cannot capture a number: whoever proves it by a
// sign-in code takes the account over from the registrant (DESIGN §4).
func TestPhonePreHijackingDefence(t *testing.T) {
	p := newPhoneEnv(t)
	ctx := t.Context()
	u, err := p.auth.Register(ctx, RegisterInput{Phone: testPhoneTyped, Password: testPassword, DisplayName: "Pay at evil.example",
		Username: "intruder", Consents: allGranted(), Client: p.client})
	require.NoError(t, err)
	_, err = p.auth.Login(ctx, LoginInput{Phone: testPhone, Password: testPassword, Client: p.client})
	requireKind(t, err, KindEmailNotVerified)

	res, err := p.smsLogin(testPhone) // the number's owner
	require.NoError(t, err)
	assert.Equal(t, u.ID, res.User.ID)
	assert.True(t, res.User.PhoneVerified)
	assert.Empty(t, res.User.DisplayName, "the registrant's profile is discarded")
	assert.Empty(t, res.User.Username)
	assert.Empty(t, p.passwordHash(u.ID), "the password set before verification is discarded")
	assert.Contains(t, p.eventKinds(u.ID), ports.EventPhoneVerified)
}

// A registrant who names someone's email beside a number of their own, both
// unproven, keeps nothing of the account once its owner proves the address
// by a sign-in code: not the number either, whose registration code the
// registrant still holds. Otherwise that code, used after the owner's proof,
// would verify the registrant's number on the owner's account, and a code
// texted to it would sign the registrant in.
func TestPhonePreHijackingDefenceDiscardsTheRegistrantsNumber(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	u := p.registerEmailAndPhone("asha@example.com")
	p.drain()
	registrantsCode := p.sms.lastSMSCode(t, testPhone)

	res, err := p.verifyOTP("asha@example.com", p.requestOTP("asha@example.com", fpA), fpA) // the address's owner
	require.NoError(t, err)
	require.Equal(t, u.ID, res.User.ID)

	p.requireRegistrantsCodeProvesNothing(registrantsCode)
	found, err := p.store.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.Empty(t, found.Phone, "the registrant's number is discarded with the rest of what they chose")
}

// The same with the roles swapped: a registrant who names someone's number
// beside an address of their own keeps nothing once the number's owner
// proves it by a sign-in code, not the address either, whose verification
// link (good for a day) the registrant still holds.
func TestPhonePreHijackingDefenceDiscardsTheRegistrantsEmail(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	u := p.registerEmailAndPhone("mallory@example.com")
	p.drain()
	registrantsLink := p.lastToken("mallory@example.com")

	res, err := p.smsLogin(testPhone) // the number's owner
	require.NoError(t, err)
	require.Equal(t, u.ID, res.User.ID)

	p.clock.Advance(time.Hour)
	err = p.auth.VerifyEmail(ctx, LinkInput{Token: registrantsLink, Client: p.client})
	require.Error(t, err, "the registrant's link proves nothing on the owner's account")
	mails := p.mailsTo("mallory@example.com")
	require.NoError(t, p.auth.RequestOTP(ctx, RequestOTPInput{Identifier: "mallory@example.com", Client: p.client}))
	p.drain()
	code := "000000"
	if p.mailsTo("mallory@example.com") > mails {
		code = p.lastCode("mallory@example.com")
	}
	_, err = p.verifyOTP("mallory@example.com", code, fpA)
	require.Error(t, err, "the registrant's address signs in to nothing")
	found, err := p.store.UserByID(ctx, u.ID)
	require.NoError(t, err)
	assert.Empty(t, found.Email, "the registrant's address is discarded with the rest of what they chose")
}

// releaseFailsOnce is a registry whose first release of an unproven
// identifier fails, as a store could between the owner's proof and it.
type releaseFailsOnce struct {
	*memory.Store
	failed atomic.Bool
}

func (r *releaseFailsOnce) fail() error {
	if r.failed.CompareAndSwap(false, true) {
		return errDown
	}
	return nil
}

func (r *releaseFailsOnce) ReleaseUnprovenPhone(ctx context.Context, phone string) (string, error) {
	if err := r.fail(); err != nil {
		return "", err
	}
	return r.Store.ReleaseUnprovenPhone(ctx, phone)
}

func (r *releaseFailsOnce) ReleaseUnprovenEmail(ctx context.Context, email string) (string, error) {
	if err := r.fail(); err != nil {
		return "", err
	}
	return r.Store.ReleaseUnprovenEmail(ctx, email)
}

// The release of the registrant's other identifier runs after the owner's
// proof is marked, so it can fail and a retry skip it. The registration's
// code or link the registrant holds is void before the mark
// (voidOtherProof), so it still proves nothing on the owner's account, and
// no new one goes to the identifier.
func TestPreHijackingHoldsWhenTheReleaseFails(t *testing.T) {
	failOnce := func(_ *Config, d *Deps) { d.Registry = &releaseFailsOnce{Store: d.Storage.(*memory.Store)} }
	t.Run("the registrant's number", func(t *testing.T) {
		p := newPhoneEnv(t, withoutLimiter(), failOnce)
		u := p.registerEmailAndPhone("asha@example.com")
		p.drain()
		registrantsCode := p.sms.lastSMSCode(t, testPhone)

		_, err := p.verifyOTP("asha@example.com", p.requestOTP("asha@example.com", fpA), fpA) // the owner
		requireKind(t, err, KindUnavailable)
		res, err := p.verifyOTP("asha@example.com", p.requestOTP("asha@example.com", fpA), fpA) // and again
		require.NoError(t, err)
		require.Equal(t, u.ID, res.User.ID)

		p.requireRegistrantsCodeProvesNothing(registrantsCode)
	})
	t.Run("the registrant's email", func(t *testing.T) {
		p := newPhoneEnv(t, withoutLimiter(), failOnce)
		ctx := t.Context()
		u := p.registerEmailAndPhone("mallory@example.com")
		p.drain()
		registrantsLink := p.lastToken("mallory@example.com")

		_, err := p.smsLogin(testPhone) // the owner
		requireKind(t, err, KindUnavailable)
		res, err := p.smsLogin(testPhone)
		require.NoError(t, err)
		require.Equal(t, u.ID, res.User.ID)

		err = p.auth.VerifyEmail(ctx, LinkInput{Token: registrantsLink, Client: p.client})
		require.Error(t, err, "the registrant's link proves nothing on the owner's account")
		found, err := p.store.UserByID(ctx, u.ID)
		require.NoError(t, err)
		assert.False(t, found.EmailVerified)
	})
}

func TestEmailedCodeNeverProvesTheNumber(t *testing.T) {
	p := newPhoneEnv(t)
	ctx := t.Context()
	p.registerWithUnprovenPhone("asha@example.com")
	require.NoError(t, p.auth.RequestOTP(ctx, RequestOTPInput{Identifier: "asha@example.com", Client: p.client}))
	emailed := p.lastCode("asha@example.com")
	_, err := p.auth.VerifyOTP(ctx, VerifyOTPInput{Phone: testPhone, Code: emailed, Client: p.client})
	assert.Equal(t, codeInvalidOTP, requireKind(t, err, KindUnauthorized).Code)
	found, err := p.store.UserByPhone(ctx, testPhone)
	require.NoError(t, err)
	assert.False(t, found.PhoneVerified)
}

func TestPhoneRequestsAnswerAlikeForUnknownNumbers(t *testing.T) {
	p := newPhoneEnv(t)
	ctx := t.Context()
	p.registerPhone(testPhone)
	sent := len(p.sms.all())
	for _, req := range []func(phone string) error{
		func(phone string) error {
			return p.auth.RequestOTP(ctx, RequestOTPInput{Phone: phone, Client: p.client})
		},
		func(phone string) error {
			return p.auth.RequestPINReset(ctx, IdentifierInput{Phone: phone, Client: p.client})
		},
		func(phone string) error {
			return p.auth.RequestPasswordReset(ctx, IdentifierInput{Phone: phone, Client: p.client})
		},
		func(phone string) error {
			return p.auth.RequestUnlock(ctx, IdentifierInput{Phone: phone, Client: p.client})
		},
	} {
		assert.NoError(t, req("+919812345678"))
		assert.NoError(t, req(testPhone))
	}
	assert.Len(t, p.sms.all(), sent+4, "a sign-in, PIN reset, password reset and unlock code to the real number only")
	_, err := p.auth.VerifyOTP(ctx, VerifyOTPInput{Phone: "+919812345678", Code: "123456", Client: p.client})
	assert.Equal(t, codeInvalidOTP, requireKind(t, err, KindUnauthorized).Code)
}

func TestPhoneCodeFailuresLockLikeEmail(t *testing.T) {
	p := newPhoneEnv(t)
	ctx := t.Context()
	p.registerPhone(testPhone)
	require.NoError(t, p.auth.RequestOTP(ctx, RequestOTPInput{Phone: testPhone, Client: p.client}))
	code := p.sms.lastSMSCode(t, testPhone)
	for i := 1; i <= 5; i++ {
		_, err := p.auth.VerifyOTP(ctx, VerifyOTPInput{Phone: testPhone, Code: wrongCode(code), Client: p.client})
		if i < 5 {
			requireKind(t, err, KindUnauthorized)
		} else {
			requireKind(t, err, KindLocked) // the 5th failure locks
		}
	}
}

func TestPINResetBySMSForAPhoneOnlyAccount(t *testing.T) {
	p := newPhoneEnv(t)
	ctx := t.Context()
	u := p.registerPhone(testPhone)
	require.NoError(t, p.auth.RequestPINReset(ctx, IdentifierInput{Phone: testPhoneTyped, Client: p.client}))
	assert.Equal(t, "pin_reset", p.sms.lastTo(t, testPhone).Kind)
	code := p.sms.lastSMSCode(t, testPhone)
	err := p.auth.ConfirmPINReset(ctx, ConfirmPINResetInput{Phone: testPhone, Code: wrongCode(code), NewPIN: testPIN, Client: p.client})
	requireKind(t, err, KindUnauthorized)
	require.NoError(t, p.auth.ConfirmPINReset(ctx, ConfirmPINResetInput{Phone: testPhone, Code: code, NewPIN: testPIN, Client: p.client}))
	creds, err := p.store.Credentials(ctx, u.ID)
	require.NoError(t, err)
	assert.NotEmpty(t, creds.PINHash)
}

// A phone-only account has no inbox for an unlock link: its hard lock texts
// an unlock code, which lifts every sign-in lock and signs the device in.
func TestHardLockedPhoneOnlyAccountUnlocksBySMS(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter(), func(c *Config, _ *Deps) { c.Phone.Budgets.PerNumber.Limit = 100 })
	ctx := t.Context()
	u := p.seedPhone(testPhone)
	p.hardLock(testPhone) // an identifier starting with + is the number
	assert.Equal(t, "unlock", p.sms.lastTo(t, testPhone).Kind, "the hard lock texts an unlock code")
	_, err := p.smsLogin(testPhone)
	requireKind(t, err, KindLocked)

	var code string
	for _, m := range p.sms.to(testPhone) {
		if m.Kind == "unlock" {
			code = smsCodeRE.FindStringSubmatch(m.Text)[1]
		}
	}
	res, err := p.auth.ConfirmUnlock(ctx, ConfirmUnlockInput{Phone: testPhone, Code: code, DeviceFingerprint: fpA, Client: p.client})
	require.NoError(t, err)
	assert.Equal(t, u.ID, res.User.ID)
	assert.False(t, p.lockState(u.ID).HardLocked)
	assert.Contains(t, p.eventKinds(u.ID), ports.EventAccountUnlocked)
	_, err = p.smsLogin(testPhone)
	require.NoError(t, err, "signs in again")
}

func TestPasswordResetBySMS(t *testing.T) {
	p := newPhoneEnv(t)
	ctx := t.Context()
	u := p.registerPhone(testPhone)
	require.NoError(t, p.auth.RequestPasswordReset(ctx, IdentifierInput{Phone: testPhoneTyped, Client: p.client}))
	assert.Equal(t, "password_reset", p.sms.lastTo(t, testPhone).Kind)
	_, err := p.auth.ConfirmPasswordReset(ctx, ConfirmPasswordResetInput{Phone: testPhone, Code: p.sms.lastSMSCode(t, testPhone),
		NewPassword: testPassword, Client: p.client})
	require.NoError(t, err)
	_, err = p.auth.Login(ctx, LoginInput{Phone: testPhone, Password: testPassword, Client: p.client})
	require.NoError(t, err)
	assert.NotEmpty(t, p.passwordHash(u.ID))
}

// A number registered beside a verified email, never proven, signs in to
// nothing and recovers nothing: its owner (someone else, or a typo's) cannot
// take the account over and discard its owner's password.
func TestUnverifiedNumberBesideAVerifiedEmailReachesNothing(t *testing.T) {
	p := newPhoneEnv(t)
	ctx := t.Context()
	u := p.registerWithUnprovenPhone("asha@example.com")
	sent := len(p.sms.all())
	require.NoError(t, p.auth.RequestOTP(ctx, RequestOTPInput{Phone: testPhone, Client: p.client}))
	require.NoError(t, p.auth.RequestPasswordReset(ctx, IdentifierInput{Phone: testPhone, Client: p.client}))
	require.NoError(t, p.auth.RequestPINReset(ctx, IdentifierInput{Phone: testPhone, Client: p.client}))
	assert.Len(t, p.sms.all(), sent, "nothing texted to the unproven number")
	assert.NotEmpty(t, p.passwordHash(u.ID))

	require.NoError(t, p.auth.RequestOTP(ctx, RequestOTPInput{Identifier: "asha@example.com", Client: p.client}))
	_, err := p.auth.VerifyOTP(ctx, VerifyOTPInput{Identifier: "asha@example.com", Code: p.lastCode("asha@example.com"), Client: p.client})
	require.NoError(t, err, "the email still signs in")
}

// Odd input is a clear validation error, never a panic or a lookup.
func TestOddPhoneInputIsRefused(t *testing.T) {
	p := newPhoneEnv(t)
	for _, s := range []string{"+", "++91", "+0", "()", "-", ".", "+91 (((", "+91", "0", "9", "+999999999999999", "+91 98765 43210 1",
		"９８７６５４３２１０", "98765\u00a043210", "+91\x0098765", "98765 43210; DROP TABLE"} {
		_, err := p.auth.cleanPhone("Test", "phone", s)
		e := requireKind(t, err, KindValidation)
		assert.Equal(t, "phone", e.Field, "%q", s)
	}
}

// A wrong code presented with a number (password reset, PIN reset, unlock,
// VerifyPhone) counts toward the IP block as a wrong sign-in code does: one
// address failing for three numbers is blocked, and the third failure
// already answers 429.
func TestSMSCodeFailuresCountTowardTheIPBlock(t *testing.T) {
	ctx := t.Context()
	flows := map[string]func(a *Auth, phone string, c Client) error{
		"password reset": func(a *Auth, phone string, c Client) error {
			_, err := a.ConfirmPasswordReset(ctx, ConfirmPasswordResetInput{Phone: phone, Code: "123456", NewPassword: "a brand new passphrase", Client: c})
			return err
		},
		"PIN reset": func(a *Auth, phone string, c Client) error {
			return a.ConfirmPINReset(ctx, ConfirmPINResetInput{Phone: phone, Code: "123456", NewPIN: testPIN, Client: c})
		},
		"unlock": func(a *Auth, phone string, c Client) error {
			_, err := a.ConfirmUnlock(ctx, ConfirmUnlockInput{Phone: phone, Code: "123456", Client: c})
			return err
		},
		"verify phone": func(a *Auth, phone string, c Client) error {
			return a.VerifyPhone(ctx, VerifyPhoneInput{Phone: phone, Code: "123456", Client: c})
		},
	}
	for name, try := range flows {
		t.Run(name, func(t *testing.T) {
			p := newPhoneEnv(t, withoutLimiter())
			u := p.seedPhone(numberOfPrefix(0)) // known and unknown numbers count alike
			c := Client{IP: "198.51.100.30"}
			requireKind(t, try(p.auth, u.Phone, c), KindUnauthorized)
			requireKind(t, try(p.auth, numberOfPrefix(1), c), KindUnauthorized)
			requireKind(t, try(p.auth, numberOfPrefix(2), c), KindIPBlocked)
			requireKind(t, try(p.auth, u.Phone, c), KindIPBlocked)
			requireKind(t, try(p.auth, u.Phone, Client{IP: "198.51.100.31"}), KindUnauthorized) // another address
		})
	}
}

// Guessing a texted code is bounded by the code itself: it dies after
// OTPMaxAttempts (5) wrong tries; four leave it alive.
func TestSMSRecoveryCodeDiesAfterFiveWrongTries(t *testing.T) {
	ctx := t.Context()
	for wrongTries, alive := range map[int]bool{4: true, 5: false} {
		p := newPhoneEnv(t, withoutLimiter())
		p.registerPhone(testPhone)
		require.NoError(t, p.auth.RequestPasswordReset(ctx, IdentifierInput{Phone: testPhone, Client: p.client}))
		code := p.sms.lastSMSCode(t, testPhone)
		confirm := func(code string) error {
			_, err := p.auth.ConfirmPasswordReset(ctx, ConfirmPasswordResetInput{Phone: testPhone, Code: code,
				NewPassword: "a brand new passphrase", Client: p.client})
			return err
		}
		for range wrongTries {
			requireKind(t, confirm(wrongCode(code)), KindUnauthorized)
		}
		if alive {
			require.NoError(t, confirm(code), "%d wrong tries leave the code alive", wrongTries)
		} else {
			requireKind(t, confirm(code), KindUnauthorized)
		}
	}
}

// unlockBySMS asks for an unlock code texted to number (when ask) and
// presents code, or the code just texted when code is "".
func (p *phoneEnv) unlockBySMS(number, code string, ask bool) error {
	p.t.Helper()
	ctx := p.t.Context()
	if ask {
		require.NoError(p.t, p.auth.RequestUnlock(ctx, IdentifierInput{Phone: number, Client: p.client}))
		p.drain()
	}
	if code == "" {
		code = p.sms.lastSMSCode(p.t, number)
	}
	_, err := p.auth.ConfirmUnlock(ctx, ConfirmUnlockInput{Phone: number, Code: code, Client: p.client})
	return err
}

// Past each code's own bound, wrong codes count per number (smsCodePolicy):
// the 10th wrong code within a run already answers 429 with a day's
// Retry-After, and then even the right code is refused until the run has
// had more than 24 hours without a wrong code. A known and an unknown
// number answer alike.
func TestSMSTenWrongCodesLockTheNumbersCodesForADay(t *testing.T) {
	for _, known := range []bool{true, false} {
		t.Run(fmt.Sprintf("known number %v", known), func(t *testing.T) {
			p := newPhoneEnv(t, withoutLimiter())
			if known {
				p.seedPhone(testPhone)
			}
			for i := 1; i <= 9; i++ {
				requireCode(t, p.unlockBySMS(testPhone, "123456", false), KindUnauthorized, codeInvalidOTP, "wrong code %d", i)
			}
			tenth := p.now()
			e := requireCode(t, p.unlockBySMS(testPhone, "123456", false), KindRateLimited, codeTooManyAttempts, "the 10th")
			assert.Equal(t, 24*time.Hour, e.RetryAfter)

			if !known {
				return
			}
			requireCode(t, p.unlockBySMS(testPhone, "", true), KindRateLimited, codeTooManyAttempts, "the right code, within the lock")
			p.clock.Set(tenth.Add(24 * time.Hour))
			requireCode(t, p.unlockBySMS(testPhone, "", true), KindRateLimited, codeTooManyAttempts,
				"the lock has ended but the run has not: exactly 24 hours after the last wrong code")
			p.clock.Set(tenth.Add(24*time.Hour + time.Microsecond))
			require.NoError(t, p.unlockBySMS(testPhone, "", true), "more than 24 hours later the run restarts")
		})
	}
}

// A used code ends the run of wrong codes: nine wrong, the right one, and
// nine wrong again lock nothing.
func TestSMSRightCodeClearsTheNumbersWrongCodes(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	p.seedPhone(testPhone)
	for range 2 {
		for range 9 {
			requireCode(t, p.unlockBySMS(testPhone, "123456", false), KindUnauthorized, codeInvalidOTP)
		}
		require.NoError(t, p.unlockBySMS(testPhone, "", true))
	}
}

// A used code stands when its counter cannot be cleared: the code proved
// the number, and a count left behind only errs toward refusing a guesser.
// The failure is logged, and nothing is logged when the clear works.
func TestSMSRightCodeStandsWhenItsCountCannotBeCleared(t *testing.T) {
	logs := &logBuffer{}
	f := &faultyStore{}
	p := newPhoneEnv(t, withoutLimiter(), logTo(logs), func(_ *Config, d *Deps) {
		d.Lockouts = hookedStore{Store: d.Storage.(*memory.Store), before: f.fault}
	})
	p.seedPhone(testPhone)
	require.NoError(t, p.unlockBySMS(testPhone, "", true))
	assert.NotContains(t, logs.String(), "clearing a count of wrong codes failed")

	requireCode(t, p.unlockBySMS(testPhone, "123456", false), KindUnauthorized, codeInvalidOTP)
	f.failOn("FinishAttempt", errDown)
	require.NoError(t, p.unlockBySMS(testPhone, "", true), "the right code signs in")
	assert.Contains(t, logs.String(), "clearing a count of wrong codes failed")
	f.failOn("", nil)
	st := inStore(p.env, p.store.LockState, smsCodeLockKey(p.auth.identifierKey(testPhone)))
	assert.Equal(t, 1, st.Failures, "the count was left as it was")
}

// The count of wrong codes holds under parallel guesses: of 30 at once,
// exactly 10 are judged, whatever the interleaving.
func TestSMSWrongCodesCountUnderParallelGuesses(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	p.seedPhone(testPhone)
	errs := inParallel(t, "parallel wrong codes", 30, func(int) error { return p.unlockBySMS(testPhone, "123456", false) })
	wrong := 0
	for _, err := range errs {
		var e *Error
		require.ErrorAs(t, err, &e)
		if e.Code == codeInvalidOTP {
			wrong++
			continue
		}
		assert.Equal(t, KindRateLimited, e.Kind, "the rest wait: busy, locked, or the one that locked")
	}
	assert.Equal(t, 9, wrong, "nine wrong answers before the one that locks")
	st, err := p.store.LockState(t.Context(), smsCodeLockKey(p.auth.identifierKey(testPhone)))
	require.NoError(t, err)
	assert.Equal(t, 10, st.Failures)
	assert.True(t, st.Locked(p.now()))
}

// The lock is on texted recovery and verification codes only: the owner
// still signs in with a texted sign-in code, which counts on the sign-in
// counters.
func TestSMSLockedCodesLeaveSignInCodesAlone(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	u := p.seedPhone(testPhone)
	for range 10 {
		_ = p.unlockBySMS(testPhone, "123456", false)
	}
	requireCode(t, p.unlockBySMS(testPhone, "", true), KindRateLimited, codeTooManyAttempts)
	res, err := p.smsLogin(testPhone)
	require.NoError(t, err)
	assert.Equal(t, u.ID, res.User.ID)
}

// A texted code, for sign-in or for unlock, proves the number only: it
// makes the device it was answered on known while the number is the
// account's root (no verified email), and never beside a verified email,
// where an SMS is no step-up either (decideTrust).
func TestTextedCodeMakesADeviceKnownOnlyWithoutAVerifiedEmail(t *testing.T) {
	signIns := map[string]func(p *phoneEnv) LoginResult{
		"sign-in code": func(p *phoneEnv) LoginResult {
			ctx := p.t.Context()
			require.NoError(p.t, p.auth.RequestOTP(ctx, RequestOTPInput{Phone: testPhone, DeviceFingerprint: fpA, Client: p.client}))
			res, err := p.auth.VerifyOTP(ctx, VerifyOTPInput{Phone: testPhone, Code: p.sms.lastSMSCode(p.t, testPhone), DeviceFingerprint: fpA, Client: p.client})
			require.NoError(p.t, err)
			return res
		},
		"unlock code": func(p *phoneEnv) LoginResult {
			ctx := p.t.Context()
			require.NoError(p.t, p.auth.RequestUnlock(ctx, IdentifierInput{Phone: testPhone, Client: p.client}))
			p.drain()
			res, err := p.auth.ConfirmUnlock(ctx, ConfirmUnlockInput{Phone: testPhone, Code: p.sms.lastSMSCode(p.t, testPhone), DeviceFingerprint: fpA, Client: p.client})
			require.NoError(p.t, err)
			return res
		},
	}
	for name, signIn := range signIns {
		t.Run(name, func(t *testing.T) {
			p := newPhoneEnv(t, withoutLimiter())
			p.seedPhone(testPhone)
			assert.Equal(t, TrustKnown, signIn(p).Trust, "a phone-only account: the number is its root")

			p = newPhoneEnv(t, withoutLimiter())
			u := p.registerWithUnprovenPhone("asha@example.com")
			require.NoError(t, p.store.MarkPhoneVerified(t.Context(), u.ID, p.now()))
			assert.Equal(t, TrustNewDevice, signIn(p).Trust, "beside a verified email")
		})
	}
}

// A texted unlock code answered on a device the account already knows keeps
// it known, beside a verified email too: the code makes no device known
// there, but it does not forget one the owner proved (the owner locked out
// on their own phone is no stranger).
func TestTextedUnlockCodeOnAKnownDeviceKeepsItKnown(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	u := p.registerWithUnprovenPhone("asha@example.com")
	require.NoError(t, p.store.MarkPhoneVerified(ctx, u.ID, p.now()))
	p.knownDeviceLogin("asha@example.com")
	notices := p.mailsWithSubject("asha@example.com", "New sign-in")

	require.NoError(t, p.auth.RequestUnlock(ctx, IdentifierInput{Phone: testPhone, Client: p.client}))
	p.drain()
	res, err := p.auth.ConfirmUnlock(ctx, ConfirmUnlockInput{Phone: testPhone, Code: p.sms.lastSMSCode(t, testPhone),
		DeviceFingerprint: fpA, Client: p.client})
	require.NoError(t, err)
	assert.Equal(t, TrustKnown, res.Trust)
	assert.True(t, res.IsVerifiedDevice)
	p.drain()
	assert.Equal(t, notices, p.mailsWithSubject("asha@example.com", "New sign-in"), "the owner's own device is no news")
}

// A PIN reset goes to the account's verified email even when the account is
// named by its number: the PIN guards the app from whoever holds the phone,
// whom a code texted to it proves nothing against. Without a verified
// email the code is texted.
func TestPINResetIsTextedOnlyWithoutAVerifiedEmail(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	u := p.registerWithUnprovenPhone("asha@example.com")
	require.NoError(t, p.store.MarkPhoneVerified(ctx, u.ID, p.now()))
	mails, texts := p.mailsTo("asha@example.com"), len(p.sms.to(testPhone))
	require.NoError(t, p.auth.RequestPINReset(ctx, IdentifierInput{Phone: testPhone, Client: p.client}))
	p.drain()
	assert.Len(t, p.sms.to(testPhone), texts, "no PIN reset code is texted")
	assert.Equal(t, mails+1, p.mailsTo("asha@example.com"), "the link goes to the verified email")
	require.NoError(t, p.auth.ConfirmPINReset(ctx, ConfirmPINResetInput{Token: p.lastToken("asha@example.com"), NewPIN: testPIN, Client: p.client}))

	q := newPhoneEnv(t, withoutLimiter())
	q.seedPhone(testPhone)
	require.NoError(t, q.auth.RequestPINReset(ctx, IdentifierInput{Phone: testPhone, Client: q.client}))
	q.drain()
	assert.Equal(t, "pin_reset", q.sms.lastTo(t, testPhone).Kind, "a phone-only account's code is texted")
}

// Whoever holds the number of an account with a verified email (a recycled
// or swapped number) can sign in by texted code, which the email hears of,
// but gets no step-up from the number: the device stays new, a PIN cannot
// be reset by SMS nor a first one set, and the email cannot be moved.
func TestANumbersNewHolderCannotMoveTheVerifiedEmail(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	u := p.registerWithUnprovenPhone("asha@example.com")
	require.NoError(t, p.store.MarkPhoneVerified(ctx, u.ID, p.now()))

	texts := len(p.sms.to(testPhone))
	require.NoError(t, p.auth.RequestPINReset(ctx, IdentifierInput{Phone: testPhone, Client: p.client}))
	p.drain()
	assert.Len(t, p.sms.to(testPhone), texts, "no PIN reset code to the number")
	for _, public := range []bool{false, true} {
		require.NoError(t, p.auth.RequestOTP(ctx, RequestOTPInput{Phone: testPhone, DeviceFingerprint: fpB, Client: p.client}))
		res, err := p.auth.VerifyOTP(ctx, VerifyOTPInput{Phone: testPhone, Code: p.sms.lastSMSCode(t, testPhone),
			DeviceFingerprint: fpB, IsPublicDevice: public, Client: p.client})
		require.NoError(t, err)
		holder := p.principal(res)
		requireKind(t, p.auth.SetPIN(ctx, holder, SetPINInput{PIN: testPIN, Client: p.client}), KindStepUpRequired)
		requireKind(t, p.auth.RequestEmailChange(ctx, holder, EmailChangeInput{NewEmail: "holder@example.com", Client: p.client}), KindStepUpRequired)
	}
}

// With phone numbers on, an identifier is a number only when it starts with
// "+" and has no "@": an email whose local part starts with "+" still signs
// in, by password and by an emailed code.
func TestPlusEmailIsNotAPhoneNumber(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	u, err := p.auth.Register(ctx, RegisterInput{Email: "+news@example.com", Password: testPassword, Consents: allGranted(), Client: p.client})
	require.NoError(t, err)
	require.NoError(t, p.store.MarkEmailVerified(ctx, u.ID, p.now()))
	res, err := p.login("+news@example.com", testPassword)
	require.NoError(t, err)
	assert.Equal(t, u.ID, res.User.ID)

	require.NoError(t, p.auth.RequestOTP(ctx, RequestOTPInput{Identifier: "+news@example.com", Client: p.client}))
	res, err = p.auth.VerifyOTP(ctx, VerifyOTPInput{Identifier: "+news@example.com", Code: p.lastCode("+news@example.com"), Client: p.client})
	require.NoError(t, err)
	assert.Equal(t, u.ID, res.User.ID)
	assert.Empty(t, p.sms.all())
}

// A number its account never proved does not keep its owner out (DESIGN §4,
// pre-hijacking): beside a verified email it is taken off that account when
// its owner registers with it, and the owner proves it as any registrant.
func TestPhoneUnprovenBesideAVerifiedEmailDoesNotKeepItsOwnerOut(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	mallory := p.registerWithUnprovenPhone("mallory@example.com")
	owner, err := p.auth.Register(ctx, RegisterInput{Phone: testPhoneTyped, Consents: allGranted(), Client: p.client})
	require.NoError(t, err, "the same answer as for a free number")
	assert.Equal(t, testPhone, owner.Phone)
	assert.False(t, owner.PhoneVerified)
	p.drain()
	require.NoError(t, p.auth.VerifyPhone(ctx, VerifyPhoneInput{Phone: testPhone, Code: p.sms.lastSMSCode(t, testPhone), Client: p.client}))
	m := p.requireTakenFromSquatter(testPhone, true, owner.ID, mallory.ID)
	assert.Equal(t, "mallory@example.com", m.Email)
	_, err = p.smsLogin(testPhone)
	require.NoError(t, err, "the owner signs in by a code to the number")
}

// An account with nothing proven keeps its number (its owner proves it by a
// sign-in code: TestPhonePreHijackingDefence), and so does one that proved it.
func TestPhoneUnprovenBesideAnUnprovenEmailOrProvenStaysTaken(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	u := p.registerEmailAndPhone("asha@example.com")
	p.registerPhone(newPhone)
	for _, number := range []string{testPhoneTyped, newPhone} {
		_, err := p.auth.Register(ctx, RegisterInput{Phone: number, Consents: allGranted(), Client: p.client})
		assert.Equal(t, codePhoneTaken, requireKind(t, err, KindConflict).Code, number)
	}
	found, err := p.store.UserByPhone(ctx, testPhone)
	require.NoError(t, err)
	assert.Equal(t, u.ID, found.ID)
	assert.Empty(t, p.eventDetails(u.ID, ports.EventUnprovenIdentifierReleased))
}

// A registration refused for its taken email releases no number.
func TestPhoneUnprovenIsNotReleasedByARefusedRegistration(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	mallory := p.registerWithUnprovenPhone("mallory@example.com")
	p.register("asha@example.com")
	_, err := p.auth.Register(ctx, RegisterInput{Email: "asha@example.com", Phone: testPhoneTyped, Consents: allGranted(), Client: p.client})
	requireCode(t, err, KindConflict, codeEmailTaken)
	found, err := p.store.UserByPhone(ctx, testPhone)
	require.NoError(t, err)
	assert.Equal(t, mallory.ID, found.ID, "nothing changed")
}

// A registration refused for its taken username releases no number either:
// the number goes only to a registrant who gets it.
func TestPhoneUnprovenIsNotReleasedByARegistrationRefusedForItsUsername(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	mallory := p.registerWithUnprovenPhone("mallory@example.com")
	_, err := p.auth.Register(ctx, RegisterInput{Email: "ravi@example.com", Username: "ravi", Consents: allGranted(), Client: p.client})
	require.NoError(t, err)
	_, err = p.auth.Register(ctx, RegisterInput{Phone: testPhoneTyped, Username: "ravi", Consents: allGranted(), Client: p.client})
	requireKind(t, err, KindConflict)
	found, err := p.store.UserByPhone(ctx, testPhone)
	require.NoError(t, err)
	assert.Equal(t, mallory.ID, found.ID, "nothing changed")
	assert.Empty(t, p.eventDetails(mallory.ID, ports.EventUnprovenIdentifierReleased))
}

// The username a registration names is checked before a squatted number is
// released: a free one lets the registration take the number, and a lookup
// that fails releases nothing.
func TestPhoneUnprovenIsReleasedOnlyOnceTheUsernameIsKnownFree(t *testing.T) {
	f := &faultyStore{}
	p := newPhoneEnv(t, withoutLimiter(), func(_ *Config, d *Deps) {
		h := hookedStore{Store: d.Storage.(*memory.Store), before: f.fault}
		d.Users, d.Registry = h, h
	})
	ctx := t.Context()
	mallory := p.registerWithUnprovenPhone("mallory@example.com")
	register := func() (ports.User, error) {
		return p.auth.Register(ctx, RegisterInput{Phone: testPhoneTyped, Username: "ravi", Consents: allGranted(), Client: p.client})
	}

	f.failOn("UserByUsername", errDown)
	_, err := register()
	requireKind(t, err, KindUnavailable)
	found, err := p.store.UserByPhone(ctx, testPhone)
	require.NoError(t, err)
	assert.Equal(t, mallory.ID, found.ID, "nothing released")

	f.failOn("", nil)
	ravi, err := register()
	require.NoError(t, err)
	found, err = p.store.UserByPhone(ctx, testPhone)
	require.NoError(t, err)
	assert.Equal(t, ravi.ID, found.ID, "a free username: the registrant has the number")
}

// Parallel registrations of a squatted number: it is released once and
// exactly one registrant gets it.
func TestPhoneUnprovenReleasedToExactlyOneRegistrant(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	mallory := p.registerWithUnprovenPhone("mallory@example.com")
	errs := inParallel(t, "parallel registrations", 8, func(int) error {
		return errOf(p.auth.Register(t.Context(), RegisterInput{Phone: testPhoneTyped, Consents: allGranted(), Client: p.client}))
	})
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		assert.Equal(t, codePhoneTaken, requireKind(t, err, KindConflict).Code)
	}
	assert.Equal(t, 1, won)
	assert.Len(t, p.eventDetails(mallory.ID, ports.EventUnprovenIdentifierReleased), 1)
}

// unrecordedPhoneProofs is a registry that cannot record a proven number.
type unrecordedPhoneProofs struct{ *memory.Store }

func (unrecordedPhoneProofs) MarkPhoneVerified(context.Context, string, time.Time) error {
	return errDown
}

// A code that cannot be recorded as the number's proof is no proof: VerifyPhone
// answers the store's failure, not a success.
func TestVerifyPhoneAnswersAProofThatCannotBeRecorded(t *testing.T) {
	t.Parallel()
	p := newPhoneEnv(t, withoutLimiter(), func(_ *Config, d *Deps) { d.Registry = unrecordedPhoneProofs{d.Storage.(*memory.Store)} })
	ctx := t.Context()
	_, err := p.auth.Register(ctx, RegisterInput{Phone: testPhoneTyped, Consents: allGranted(), Client: p.client})
	require.NoError(t, err)
	err = p.auth.VerifyPhone(ctx, VerifyPhoneInput{Phone: testPhone, Code: p.sms.lastSMSCode(t, testPhone), Client: p.client})
	requireKind(t, err, KindUnavailable)
	u, err := p.store.UserByPhone(ctx, testPhone)
	require.NoError(t, err)
	assert.False(t, u.PhoneVerified)
}
