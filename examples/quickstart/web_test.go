package main

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The demo web app, driven in Debian's chromium through the whole walk a
// person takes: register in Hindi with a switch per consent category, open
// the emailed link, sign in with the keyboard, step up with an emailed code
// to see the sessions and end another device's, set a PIN and lock and
// unlock the app with it, withdraw and grant consents, download the export,
// sign out, sign in with an emailed code, on a shared device step up with the
// PIN, reset a forgotten password through the emailed link, and sign up and
// in by mobile number with the codes the quickstart prints as SMS. Each step is
// photographed at 360 px (where nothing may overflow sideways) and 1280 px
// into the test's artifact folder (go test -artifacts keeps them); every
// visible field has a label at each step.
//
// The test fails when chromium is missing: .ci/run installs it.
func TestDemoWebAppInChromium(t *testing.T) {
	q := startQuickstart(t)
	w := newWalk(t)
	w.q = q
	const email = "asha@example.in"
	const password = "correct horse battery staple"

	w.open(q.base + "/")
	w.view("login")
	w.shot("sign-in")

	w.language("hi")
	assert.Equal(t, "साइन इन करें", w.text("#view-login h1"))
	w.click(`#view-login button[data-go="register"]`)
	w.view("register")
	w.do(chromedp.SendKeys(chromedp.CSS("#reg-email"), email), chromedp.SendKeys(chromedp.CSS("#reg-password"), password))
	// Switches are checkboxes: Space toggles the focused one.
	for _, required := range []string{"identity", "contact", "security"} {
		w.do(chromedp.Focus(chromedp.CSS("#reg-consent-"+required)), chromedp.KeyEvent(" "))
	}
	w.click("#reg-consent-analytics")
	assert.Equal(t, []bool{true, true, false, true, false, true}, evalJS[[]bool](w,
		`[...document.querySelectorAll("#reg-consents input")].map(i => i.checked)`), "one switch per category, none on by itself")
	hindi := publishedNotice(t, q, "hi")
	w.waitText("#notice", "हम आपके निजी डेटा का इस्तेमाल")
	assert.Equal(t, strings.TrimSpace(hindi.Text), strings.TrimSpace(evalJS[string](w, `document.querySelector("#notice").textContent`)),
		"the notice the server publishes in Hindi")
	w.shot("register-hindi")
	w.click("#register-form button[type=submit]")
	w.view("check-email")
	w.shot("check-email")

	link := w.mailAfter(email, "", 0, regexp.MustCompile(`(http://127\.0\.0\.1:\d+/verify-email\?token=[A-Za-z0-9_-]+)`))
	w.open(link)
	w.view("link")
	w.do(chromedp.WaitVisible(chromedp.CSS("#view-link .done")))
	assert.Equal(t, q.base+"/", evalJS[string](w, `location.href`), "the token leaves the address bar")
	w.shot("email-verified")

	w.language("en")
	w.click(`#view-link button[data-go="login"]`)
	w.view("login")
	// Keyboard only: type, Tab to the password, Enter submits.
	w.do(chromedp.Focus(chromedp.CSS("#login-email")), chromedp.KeyEvent(email), chromedp.KeyEvent("\t"))
	assert.Equal(t, "login-password", evalJS[string](w, `document.activeElement.id`), "focus order: email, then password")
	w.do(chromedp.KeyEvent(password), chromedp.KeyEvent("\r"))
	w.view("home")
	assert.Contains(t, w.text("#trust-words"), "new device")
	w.shot("home-new-device")

	// A new device must step up before it sees the sessions.
	w.click("#load-sessions")
	w.do(chromedp.WaitVisible(chromedp.CSS("#stepup")))
	assert.Equal(t, "stepup-title", evalJS[string](w, `document.activeElement.id`), "the prompt takes the focus")
	w.shot("step-up")
	before := w.mailCount(email, stepUpSubject)
	w.click("#stepup-send")
	code := w.mailAfter(email, stepUpSubject, before, codeRE)
	w.do(chromedp.SendKeys(chromedp.CSS("#stepup-code"), code))
	w.click("#stepup-code-form button[type=submit]")
	w.do(chromedp.WaitNotVisible(chromedp.CSS("#stepup")), chromedp.WaitVisible(chromedp.CSS("#sessions li")))
	assert.Contains(t, w.text("#sessions"), "this device")
	w.waitText("#trust-words", "trusted")

	// Asha signs in on her phone too; from this now trusted device she sees
	// that session and ends it.
	phoneLogin(t, q, email, password)
	w.click("#load-sessions")
	w.do(chromedp.WaitVisible(chromedp.CSS("#sessions li:not([data-current])")))
	assert.Contains(t, w.text("#sessions li:not([data-current])"), "AshasPhone/1.0")
	w.shot("sessions")
	w.click("#sessions li:not([data-current]) button")
	w.waitText("#status", "That session is signed out.")
	w.do(chromedp.WaitNotPresent(chromedp.CSS("#sessions li:not([data-current])")))

	w.do(chromedp.SendKeys(chromedp.CSS("#pin-new"), "4829"))
	w.click("#pin-form button[type=submit]")
	w.waitText("#status", "PIN saved")
	w.click("#lock-now")
	w.viewFocused("lock", "#unlock-pin") // the PIN field, ready for the keypad
	w.do(chromedp.SendKeys(chromedp.CSS("#unlock-pin"), "1357"))
	w.click("#unlock-form button[type=submit]")
	w.waitText("#unlock-form .error", "That PIN is not right.")
	w.shot("app-lock")
	w.open(q.base + "/")
	w.viewFocused("lock", "#unlock-pin") // a reload does not lift the lock
	w.do(chromedp.SendKeys(chromedp.CSS("#unlock-pin"), "4829"))
	w.click("#unlock-form button[type=submit]")
	w.view("home")

	w.click("#consent-analytics")
	w.waitText("#status", "Consent withdrawn: Analytics.")
	w.click("#consent-location")
	w.waitText("#status", "Consent given: Location.")
	// A reload keeps the session (the refresh cookie) and shows what was recorded.
	w.open(q.base + "/")
	w.view("home")
	assert.Equal(t, []bool{true, true, true, true, false, false}, evalJS[[]bool](w,
		`[...document.querySelectorAll("#consents input")].map(i => i.checked)`))
	w.shot("consents")

	w.click("#export")
	w.do(chromedp.WaitVisible(chromedp.CSS("#export-link")))
	var export struct {
		Account  struct{ Email string }
		Consents []struct {
			NoticeVersion  string `json:"notice_version"`
			NoticeLanguage string `json:"notice_language"`
		}
	}
	require.NoError(t, json.Unmarshal(w.download("bharatauth-my-data.json"), &export))
	assert.Equal(t, email, export.Account.Email, "the download holds the export")
	require.NotEmpty(t, export.Consents)
	assert.Equal(t, hindi.Version, export.Consents[0].NoticeVersion, "registration named the notice it showed")
	assert.Equal(t, "hi", export.Consents[0].NoticeLanguage)
	w.shot("export")

	w.click("#logout")
	w.view("login")
	w.open(q.base + "/")
	w.view("login") // the cookie is gone: a reload finds no session
	w.shot("signed-out")

	w.click(`#view-login input[value="code"]`)
	w.do(chromedp.SendKeys(chromedp.CSS("#login-email"), email))
	before = w.mailCount(email, loginCodeSubject)
	w.click("#send-code")
	code = w.mailAfter(email, loginCodeSubject, before, codeRE)
	w.do(chromedp.SendKeys(chromedp.CSS("#login-code"), code))
	w.click("#login-form button[type=submit]")
	w.view("home")
	assert.Contains(t, w.text("#trust-words"), "This device is trusted")
	w.shot("home-by-code")
	w.click("#logout")
	w.view("login")

	// A shared device: a password sign-in, and a step-up with the PIN before
	// every sensitive action.
	w.click(`#view-login input[value="password"]`)
	w.do(chromedp.SendKeys(chromedp.CSS("#login-password"), password))
	w.click("#login-public")
	w.click("#login-form button[type=submit]")
	w.view("home")
	assert.Contains(t, w.text("#trust-words"), "public or shared device")
	w.shot("home-shared-device")
	w.click("#export")
	w.do(chromedp.WaitVisible(chromedp.CSS("#stepup")))
	w.do(chromedp.SendKeys(chromedp.CSS("#stepup-pin"), "4829"))
	w.click("#stepup-pin-form button[type=submit]")
	w.do(chromedp.WaitNotVisible(chromedp.CSS("#stepup")), chromedp.WaitVisible(chromedp.CSS("#export-link")))
	w.shot("export-after-pin")
	w.click("#logout")
	w.view("login")

	// Forgot the password: the emailed link opens the demo's page.
	require.Equal(t, email, evalJS[string](w, `document.querySelector("#login-email").value`), "the form keeps the email")
	w.click("#forgot")
	w.waitText("#status", "a reset link is on its way")
	link = w.mailAfter(email, "", 0, regexp.MustCompile(`(http://127\.0\.0\.1:\d+/reset-password\?token=[A-Za-z0-9_-]+)`))
	w.open(link)
	w.view("link")
	assert.Equal(t, "Choose a new password", w.text("#link-title"))
	w.do(chromedp.SendKeys(chromedp.CSS("#link-new-password"), "a brand new passphrase, chosen today"))
	w.click("#link-submit")
	w.waitText("#view-link .done", "Your password is changed")
	w.shot("password-reset")

	// Ravi has no email he reads: he signs up in Hindi with his 10-digit
	// mobile number, confirms it with the code the quickstart printed as an
	// SMS, and signs in with a code by SMS.
	w.open(q.base + "/")
	w.view("login")
	w.language("hi")
	w.click(`#view-login button[data-go="register"]`)
	w.view("register")
	w.click(`#view-register input[value="phone"]`)
	assert.Equal(t, "मोबाइल नंबर", w.text(`label[for="reg-phone"]`))
	w.do(chromedp.SendKeys(chromedp.CSS("#reg-phone"), "98765 43210"))
	for _, required := range []string{"identity", "contact", "security"} {
		w.click("#reg-consent-" + required)
	}
	w.shot("register-by-phone")
	w.click("#register-form button[type=submit]")
	w.view("check-phone")
	assert.Contains(t, w.text("#check-phone-body"), walkPhone, "the number as stored, in E.164")
	w.do(chromedp.SendKeys(chromedp.CSS("#phone-verify-code"), textedCode(t, q, walkPhone, 0)))
	w.shot("confirm-phone")
	w.click("#phone-verify-form button[type=submit]")
	w.view("login")
	assert.True(t, evalJS[bool](w, `document.querySelector("input[name=method][value=sms]").checked`), "next: a code by SMS")
	assert.Equal(t, walkPhone, evalJS[string](w, `document.querySelector("#login-phone").value`))
	w.language("en")
	before = len(texts(q.out.String(), walkPhone))
	w.click("#send-code")
	w.waitText("#status", "a code is on its way by SMS")
	w.do(chromedp.SendKeys(chromedp.CSS("#login-code"), textedCode(t, q, walkPhone, before)))
	w.shot("sign-in-by-sms")
	w.click("#login-form button[type=submit]")
	w.view("home")
	assert.Contains(t, w.text("#whoami"), walkPhone)
	assert.Contains(t, w.text("#trust-words"), "This device is trusted", "the code asked and used from this device")
	w.shot("home-by-sms")
	sms := texts(q.out.String(), walkPhone)
	require.Len(t, sms, 2)
	assert.Contains(t, sms[0], "Kind: verify_phone")
	assert.Contains(t, sms[1], "साइन-इन कोड", "Ravi registered in Hindi: his SMS are in Hindi")

	require.NoError(t, q.stop())
	assert.NotContains(t, q.out.String(), password)
}

// The demo's pages: the emailed links' paths serve the app's one page, with
// a policy that allows only the app's own files and sends no Referer (the
// address holds a token).
func TestDemoPagesForbidWhatTheyDoNotUse(t *testing.T) {
	q := startQuickstart(t)
	get := func(method, path string) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, q.base+path, nil)
		require.NoError(t, err)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res
	}
	for _, path := range []string{"/", "/verify-email?token=abc", "/reset-password?token=abc", "/reset-pin?token=abc", "/unlock?token=abc"} {
		res := get("GET", path)
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"), path)
		assert.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"), path)
		assert.Contains(t, res.Header.Get("Content-Security-Policy"), "script-src 'self';", path)
		assert.Contains(t, res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'", path)
	}
	assert.Equal(t, http.StatusOK, get("GET", "/app.js").StatusCode)
	assert.Equal(t, http.StatusNotFound, get("GET", "/no-such-page").StatusCode)
	assert.Equal(t, http.StatusMethodNotAllowed, get("POST", "/").StatusCode)
}

// publishedNotice is the privacy notice the quickstart publishes in lang.
func publishedNotice(t *testing.T, q *quickstart, lang string) (n struct{ Version, Language, Text string }) {
	t.Helper()
	res, err := http.Get(q.base + "/auth/privacy/notice?lang=" + lang)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.NoError(t, json.NewDecoder(res.Body).Decode(&n))
	require.Equal(t, lang, n.Language)
	return n
}

// phoneLogin signs in over the API as Asha's phone app would.
func phoneLogin(t *testing.T, q *quickstart, email, password string) {
	t.Helper()
	body := strings.NewReader(`{"identifier":"` + email + `","password":"` + password + `"}`)
	req, err := http.NewRequestWithContext(t.Context(), "POST", q.base+"/auth/login", body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "AshasPhone/1.0")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
}

// The emails the walk reads codes from: Asha registered in Hindi, so her
// emails are in Hindi. A code stands on a line of its own.
const (
	loginCodeSubject = "लॉगिन OTP"
	stepUpSubject    = "पुष्टि करें कि यह आप ही हैं"
)

var codeRE = regexp.MustCompile(`(?m)^(\d{6})$`)
