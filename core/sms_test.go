package core

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core/smstext"
	"github.com/bharatauth/bharatauth-go/ports"
)

func TestSMSCarriesWebOTPLineAppHashAndTemplateID(t *testing.T) {
	p := newPhoneEnv(t, func(c *Config, _ *Deps) {
		c.Phone.AndroidAppHash = "FA+9qCX9VSu"
		c.Phone.Templates = map[string]map[smstext.Kind]smstext.Template{
			"en": {smstext.SignInCode: {Text: "{code} is your {app} code.", TemplateID: "1107160000000000001"}},
		}
	})
	p.seedPhone(testPhone)
	p.askCode(testPhone, "")
	m := p.sms.to(testPhone)[0]
	code := p.sms.lastSMSCode(t, testPhone)
	assert.Equal(t, code+" is your BharatAuth code.\n@app.example #"+code+" FA+9qCX9VSu", m.Text)
	assert.Equal(t, "1107160000000000001", m.TemplateID, "the DLT template id travels with the text")
	assert.Equal(t, "signin_code", m.Kind)
	assert.True(t, smstext.OnePart(m.Text))
}

func TestSMSInTheUsersLanguage(t *testing.T) {
	p := newPhoneEnv(t)
	_, err := p.auth.Register(t.Context(), RegisterInput{Phone: testPhone, Language: "hi", Consents: allGranted(), Client: p.client})
	require.NoError(t, err)
	m := p.sms.to(testPhone)[0]
	assert.Contains(t, m.Text, "पुष्टि कोड")
	assert.True(t, smstext.OnePart(m.Text))
}

func TestWebOTPDomainComesFromIssuerURL(t *testing.T) {
	p := newPhoneEnv(t, func(c *Config, _ *Deps) {
		c.Phone.Domain = ""
		c.Issuer = "https://auth.acme.in/bharatauth"
	})
	p.seedPhone(testPhone)
	p.askCode(testPhone, "")
	assert.True(t, strings.HasSuffix(p.sms.to(testPhone)[0].Text, "\n@auth.acme.in #"+p.sms.lastSMSCode(t, testPhone)))
}

func TestPhoneConfigIsValidated(t *testing.T) {
	cases := []struct {
		name string
		set  func(*PhoneConfig)
		want string
	}{
		{"no regions", func(p *PhoneConfig) { p.Regions = nil }, "Phone.Regions must name"},
		{"an unknown region", func(p *PhoneConfig) { p.Regions = []string{"XX"} }, `"XX" is not a region`},
		{"no WebOTP domain", func(p *PhoneConfig) { p.Domain = "" }, "Phone.Domain"},
		{"a domain longer than 20", func(p *PhoneConfig) { p.Domain = strings.Repeat("a", 18) + ".in" }, "1 to 20 characters"},
		{"an app hash of 10", func(p *PhoneConfig) { p.AndroidAppHash = "0123456789" }, "must be 11 characters"},
		{"an app name longer than 20", func(p *PhoneConfig) { p.AppName = strings.Repeat("W", 21) }, "at most 20"},
		{"a budget of 0", func(p *PhoneConfig) { p.Budgets.PerNumber.Limit = 0 }, "Phone.Budgets.PerNumber"},
		{"a budget window of 0", func(p *PhoneConfig) { p.Budgets.PerIP.Window = 0 }, "Phone.Budgets.PerIP"},
		{"an override past one part", func(p *PhoneConfig) {
			p.Templates = map[string]map[smstext.Kind]smstext.Template{"hi": {smstext.SignInCode: {Text: "{code} " + strings.Repeat("क", 25)}}}
		}, "does not fit one SMS part"},
	}
	newWith := func(t *testing.T, set func(*PhoneConfig)) error {
		cfg := DefaultConfig()
		cfg.SecretKey = []byte("test-secret-key-that-is-32-bytes-long!!")
		cfg.Phone.Enabled = true
		cfg.Phone.Domain = "app.example"
		set(&cfg.Phone)
		e := newEnv(t)
		return errOf(New(cfg, Deps{Storage: e.store, Mailer: e.outbox, SMSSender: &smsBox{}, SMSBudget: &testBudget{}}))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := newWith(t, c.set)
			require.ErrorContains(t, err, c.want)
			// With the rest of the configuration's faults, all at once.
			assert.True(t, strings.HasPrefix(err.Error(), "bharatauth: invalid configuration: "), err.Error())
		})
	}
	t.Run("a domain and an app name of exactly 20", func(t *testing.T) {
		require.NoError(t, newWith(t, func(p *PhoneConfig) {
			p.Domain = strings.Repeat("a", 17) + ".in"
			p.AppName = strings.Repeat("W", 20)
		}))
	})
}

// A phone-only account is told of a new device by SMS.
func TestNewDeviceNoticeBySMS(t *testing.T) {
	p := newPhoneEnv(t)
	ctx := t.Context()
	_, err := p.auth.Register(ctx, RegisterInput{Phone: testPhone, Password: testPassword, Consents: allGranted(), Client: p.client})
	require.NoError(t, err)
	require.NoError(t, p.auth.VerifyPhone(ctx, VerifyPhoneInput{Phone: testPhone, Code: p.sms.lastSMSCode(t, testPhone), Client: p.client}))
	_, err = p.auth.Login(ctx, LoginInput{Phone: testPhone, Password: testPassword, DeviceFingerprint: fpB, Client: p.client})
	require.NoError(t, err)
	notice := p.sms.lastTo(t, testPhone)
	assert.Equal(t, "new_device", notice.Kind)
	assert.NotContains(t, notice.Text, "@app.example", "a notice carries no WebOTP line")
}

// A phone-only account steps up with a code by SMS.
func TestStepUpBySMSWithoutEmail(t *testing.T) {
	p := newPhoneEnv(t)
	ctx := t.Context()
	p.registerPhone(testPhone)
	res, err := p.smsLogin(testPhone)
	require.NoError(t, err)
	pr := p.principal(res)
	require.NoError(t, p.auth.RequestStepUp(ctx, pr, p.client))
	require.NoError(t, p.auth.VerifyStepUp(ctx, pr, VerifyStepUpInput{Code: p.sms.lastSMSCode(t, testPhone), Client: p.client}))
	assert.Contains(t, p.eventKinds(res.User.ID), ports.EventStepUp)
}

// A sign-in by a texted code from a new device tells the account's verified
// email (a recycled number's new holder cannot take the account silently);
// from a known device it tells nobody, and an unverified address is never
// told. An emailed-code sign-in texts no notice.
func TestSMSSignInFromANewDeviceTellsTheVerifiedEmail(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	signIn := func(fp string) LoginResult { // fp: asks and answers on one device, which the code verifies
		t.Helper()
		require.NoError(t, p.auth.RequestOTP(ctx, RequestOTPInput{Phone: testPhone, DeviceFingerprint: fp, Client: p.client}))
		res, err := p.auth.VerifyOTP(ctx, VerifyOTPInput{Phone: testPhone, Code: p.sms.lastSMSCode(t, testPhone), DeviceFingerprint: fp, Client: p.client})
		require.NoError(t, err)
		return res
	}
	u := p.registerWithUnprovenPhone("asha@example.com")
	require.NoError(t, p.store.MarkPhoneVerified(ctx, u.ID, p.now()))

	mails := p.mailsTo("asha@example.com")
	signIn(fpA) // the number's new holder, asking and answering on one device
	assert.Equal(t, mails+1, p.mailsTo("asha@example.com"), "the verified email hears of it")
	m, ok := p.outbox.Last("asha@example.com")
	require.True(t, ok)
	assert.Equal(t, "New sign-in to your BharatAuth account", m.Subject)
	assert.Contains(t, p.eventKinds(u.ID), ports.EventNewDevice)

	// A texted code proves the number only: beside a verified email it never
	// makes the device known (decideTrust), so each sign-in from it is news
	// until its holder steps up there with an emailed code.
	mails = p.mailsTo("asha@example.com")
	res := signIn(fpA)
	require.Equal(t, TrustNewDevice, res.Trust)
	assert.Equal(t, mails+1, p.mailsTo("asha@example.com"), "an unverified device is news again")
	p.stepUp(p.principal(res), "asha@example.com")
	mails = p.mailsTo("asha@example.com")
	require.Equal(t, TrustKnown, signIn(fpA).Trust, "the step-up verified the device")
	assert.Equal(t, mails, p.mailsTo("asha@example.com"), "a known device is no news")

	texts := len(p.sms.to(testPhone))
	_, err := p.auth.VerifyOTP(ctx, VerifyOTPInput{Identifier: "asha@example.com", Code: p.requestOTP("asha@example.com", fpB), DeviceFingerprint: fpB, Client: p.client})
	require.NoError(t, err)
	assert.Len(t, p.sms.to(testPhone), texts, "an emailed-code sign-in texts no notice")

	v := newPhoneEnv(t, withoutLimiter())
	w, err := v.auth.Register(ctx, RegisterInput{Email: "typo@example.com", Phone: testPhoneTyped, Consents: allGranted(), Client: v.client})
	require.NoError(t, err)
	require.NoError(t, v.auth.VerifyPhone(ctx, VerifyPhoneInput{Phone: w.Phone, Code: v.sms.lastSMSCode(t, w.Phone), Client: v.client}))
	mails = v.mailsTo("typo@example.com")
	_, err = v.smsLogin(testPhone)
	require.NoError(t, err)
	assert.Equal(t, mails, v.mailsTo("typo@example.com"), "an unverified address is told nothing")
}

// A texted unlock code signs in too (signInAfterLink), so a sign-in by it
// from a new device tells the account's verified email as a texted sign-in
// code's does: a recycled number's new holder cannot take the account
// silently by asking to unlock it, locked or not.
func TestSMSUnlockSignInFromANewDeviceTellsTheVerifiedEmail(t *testing.T) {
	p := newPhoneEnv(t, withoutLimiter())
	ctx := t.Context()
	u := p.registerWithUnprovenPhone("asha@example.com")
	require.NoError(t, p.store.MarkPhoneVerified(ctx, u.ID, p.now()))
	p.drain()

	mails := p.mailsTo("asha@example.com")
	require.NoError(t, p.auth.RequestUnlock(ctx, IdentifierInput{Phone: testPhone, Client: p.client}))
	p.drain()
	require.Equal(t, "unlock", p.sms.lastTo(t, testPhone).Kind)
	res, err := p.auth.ConfirmUnlock(ctx, ConfirmUnlockInput{Phone: testPhone, Code: p.sms.lastSMSCode(t, testPhone),
		DeviceFingerprint: fpA, Client: p.client})
	require.NoError(t, err)
	require.Equal(t, u.ID, res.User.ID, "the number's holder is signed in")
	p.drain()
	assert.Equal(t, mails+1, p.mailsTo("asha@example.com"), "the verified email hears of it")
	assert.Contains(t, p.eventKinds(u.ID), ports.EventNewDevice)
}
