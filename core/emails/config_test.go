package emails_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core/emails"
)

// overrides is shorthand for the override map.
type overrides = map[string]map[emails.Kind]emails.Template

// completeLanguage gives every kind a minimal template, as an app adding a
// language would.
func completeLanguage(prefix string) map[emails.Kind]emails.Template {
	out := make(map[emails.Kind]emails.Template)
	for _, k := range emails.Kinds() {
		out[k] = emails.Template{
			Subject: prefix + " {{.AppName}}",
			Text:    prefix + " {{.Code}}{{.Link}}",
			HTML:    `<p>` + prefix + ` {{.Code}}<a href="{{.Link}}">{{.Link}}</a></p>`,
		}
	}
	return out
}

func TestLanguageMatching(t *testing.T) {
	t.Parallel()
	en, err := emails.NewRenderer("", nil)
	require.NoError(t, err)
	hi, err := emails.NewRenderer("hi-IN", nil)
	require.NoError(t, err)
	tests := []struct {
		name     string
		renderer *emails.Renderer
		lang     string
		want     string // the html lang attribute of the rendered email
	}{
		{name: "empty falls back to en", renderer: en, lang: "", want: "en"},
		{name: "en", renderer: en, lang: "en", want: "en"},
		{name: "hi", renderer: en, lang: "hi", want: "hi"},
		{name: "hi-IN by primary subtag", renderer: en, lang: "hi-IN", want: "hi"},
		{name: "case and underscore", renderer: en, lang: " HI_in ", want: "hi"},
		{name: "en-IN by primary subtag", renderer: hi, lang: "en-IN", want: "en"},
		{name: "unknown falls back to default en", renderer: en, lang: "ta-IN", want: "en"},
		{name: "unknown falls back to default hi", renderer: hi, lang: "ta", want: "hi"},
		{name: "empty falls back to default hi", renderer: hi, lang: "", want: "hi"},
		{name: "accept-language list takes the first known", renderer: en, lang: "ta-IN,hi;q=0.9,en;q=0.8", want: "hi"},
		{name: "accept-language weighs q", renderer: en, lang: "en;q=0.5, hi;q=0.8", want: "hi"},
		{name: "q=0 refuses a language", renderer: hi, lang: "en;q=0,ta", want: "hi"},
		{name: "q=0 refuses the only known one", renderer: en, lang: "hi;q=0", want: "en"},
		{name: "q after another parameter", renderer: en, lang: "en;level=1;q=0.2,hi;q=0.3", want: "hi"},
		{name: "garbage falls back", renderer: hi, lang: ";;,q=x", want: "hi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := tt.renderer.Render(emails.LoginOTP, tt.lang, fullData(emails.LoginOTP))
			require.NoError(t, err)
			assert.Contains(t, m.HTML, `<html lang="`+tt.want+`">`)
		})
	}
}

func TestOverrides(t *testing.T) {
	t.Parallel()
	d := fullData(emails.LoginOTP)
	builtin := newRenderer(t)
	wantEN, err := builtin.Render(emails.LoginOTP, "en", d)
	require.NoError(t, err)
	wantHI, err := builtin.Render(emails.LoginOTP, "hi", d)
	require.NoError(t, err)

	t.Run("partial override changes only what it gives", func(t *testing.T) {
		t.Parallel()
		r, err := emails.NewRenderer("en", overrides{
			"en": {emails.LoginOTP: {Subject: "{{.Code}} is not here; sign in to {{.AppName}}"}},
		})
		require.NoError(t, err)
		m, err := r.Render(emails.LoginOTP, "en", d)
		require.NoError(t, err)
		assert.Equal(t, "483920 is not here; sign in to Acme", m.Subject)
		assert.Equal(t, wantEN.Text, m.Text, "the built-in text stays")
		assert.Equal(t, wantEN.HTML, m.HTML, "the built-in HTML stays")
		m, err = r.Render(emails.LoginOTP, "hi", d)
		require.NoError(t, err)
		assert.Equal(t, wantHI, m, "Hindi is untouched")
	})

	t.Run("override keyed by a regional tag applies to its language", func(t *testing.T) {
		t.Parallel()
		r, err := emails.NewRenderer("en", overrides{
			"hi-IN": {emails.PINReset: {Text: "PIN: {{.Link}}"}},
		})
		require.NoError(t, err)
		m, err := r.Render(emails.PINReset, "hi", fullData(emails.PINReset))
		require.NoError(t, err)
		assert.Equal(t, "PIN: "+testLink+"\n", m.Text)
		assert.Contains(t, m.Subject, "PIN रीसेट", "the built-in Hindi subject stays")
	})

	t.Run("a complete new language renders and can be the default", func(t *testing.T) {
		t.Parallel()
		r, err := emails.NewRenderer("ta", overrides{"ta": completeLanguage("வணக்கம்")})
		require.NoError(t, err)
		m, err := r.Render(emails.LoginOTP, "", d)
		require.NoError(t, err)
		assert.Equal(t, "வணக்கம் Acme", m.Subject)
		assert.Equal(t, "வணக்கம் 483920\n", m.Text)
		m, err = r.Render(emails.LoginOTP, "en-IN", d)
		require.NoError(t, err)
		assert.Equal(t, wantEN, m, "built-ins remain")
	})

	t.Run("a new language may leave HTML out", func(t *testing.T) {
		t.Parallel()
		lang := completeLanguage("ta")
		for k, tpl := range lang {
			tpl.HTML = ""
			lang[k] = tpl
		}
		r, err := emails.NewRenderer("en", overrides{"ta": lang})
		require.NoError(t, err)
		m, err := r.Render(emails.LoginOTP, "ta", d)
		require.NoError(t, err)
		assert.Empty(t, m.HTML)
		assert.NotEmpty(t, m.Text)
	})

	t.Run("helpers work in overrides", func(t *testing.T) {
		t.Parallel()
		r, err := emails.NewRenderer("en", overrides{
			"hi": {emails.NewDevice: {Text: `{{when .At}} | {{(ist .At).Format "15:04"}}`}},
		})
		require.NoError(t, err)
		m, err := r.Render(emails.NewDevice, "hi", fullData(emails.NewDevice))
		require.NoError(t, err)
		assert.Equal(t, "26 नवंबर 2026, 15:04 IST | 15:04\n", m.Text)
	})
}

func TestNewRendererErrors(t *testing.T) {
	t.Parallel()
	missingOne := completeLanguage("ta")
	delete(missingOne, emails.Unlock)
	noText := completeLanguage("ta")
	noText[emails.NewDevice] = emails.Template{Subject: "s"}
	tests := []struct {
		name        string
		defaultLang string
		overrides   overrides
		wantIn      []string
		wantIs      error
	}{
		{
			name:      "broken subject names kind and language",
			overrides: overrides{"hi": {emails.Unlock: {Subject: "{{.AppName"}}},
			wantIn:    []string{`"unlock"`, `"hi"`, "subject"},
		},
		{
			name:      "broken HTML names kind and language",
			overrides: overrides{"en": {emails.NewDevice: {HTML: "<p>{{if .Device}}</p>"}}},
			wantIn:    []string{`"new_device"`, `"en"`, "HTML"},
		},
		{
			name:      "unknown field is caught at start-up",
			overrides: overrides{"en": {emails.LoginOTP: {Text: "{{.Password}}"}}},
			wantIn:    []string{`"login_otp"`, `"en"`, "text"},
		},
		{
			name:      "unknown helper is caught at start-up",
			overrides: overrides{"hi": {emails.PINReset: {Text: "{{shout .Link}}"}}},
			wantIn:    []string{`"pin_reset"`, `"hi"`},
		},
		{
			name:      "new language missing a kind",
			overrides: overrides{"ta": missingOne},
			wantIn:    []string{`"ta"`, `"unlock"`},
		},
		{
			name:      "new language without a text",
			overrides: overrides{"ta": noText},
			wantIn:    []string{`"ta"`, `"new_device"`},
		},
		{
			name:      "unknown kind in an override",
			overrides: overrides{"en": {"welcome": {Subject: "hi"}}},
			wantIn:    []string{`"welcome"`},
			wantIs:    emails.ErrUnknownKind,
		},
		{
			name:      "language key that is not a tag",
			overrides: overrides{"1x": {emails.LoginOTP: {Subject: "x"}}},
			wantIn:    []string{`"1x"`},
		},
		{
			name:      "same language twice",
			overrides: overrides{"hi": {emails.LoginOTP: {Subject: "a"}}, "hi-IN": {emails.LoginOTP: {Subject: "b"}}},
			wantIn:    []string{"same language"},
		},
		{
			name:        "unknown default language",
			defaultLang: "ta",
			wantIn:      []string{`"ta"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := emails.NewRenderer(tt.defaultLang, tt.overrides)
			require.Error(t, err)
			assert.Nil(t, r)
			for _, s := range tt.wantIn {
				assert.Contains(t, err.Error(), s)
			}
			if tt.wantIs != nil {
				assert.ErrorIs(t, err, tt.wantIs)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	tests := []struct {
		name   string
		kind   emails.Kind
		edit   func(*emails.Data)
		wantIs error
		secret string // must not appear in the error
	}{
		{name: "unknown kind", kind: "welcome", edit: func(*emails.Data) {}, wantIs: emails.ErrUnknownKind},
		{name: "empty kind", kind: "", edit: func(*emails.Data) {}, wantIs: emails.ErrUnknownKind},
		{name: "no app name", kind: emails.NewDevice, edit: func(d *emails.Data) { d.AppName = " " }, wantIs: emails.ErrMissingData},
		{name: "OTP without a code", kind: emails.StepUpOTP, edit: func(d *emails.Data) { d.Code = "" }, wantIs: emails.ErrMissingData},
		{name: "reset without a link", kind: emails.PasswordReset, edit: func(d *emails.Data) { d.Link = "" }, wantIs: emails.ErrMissingData},
		{
			name: "javascript link", kind: emails.Unlock, wantIs: emails.ErrMissingData,
			edit:   func(d *emails.Data) { d.Link = "javascript:alert('tok_secret')" },
			secret: "tok_secret",
		},
		{
			name: "relative link", kind: emails.VerifyEmail, wantIs: emails.ErrMissingData,
			edit:   func(d *emails.Data) { d.Link = "/verify?token=tok_secret" },
			secret: "tok_secret",
		},
		{name: "change without what changed", kind: emails.CredentialChanged, edit: func(d *emails.Data) { d.Change = "" }, wantIs: emails.ErrMissingData},
		{name: "receipt without a category", kind: emails.ConsentWithdrawn, edit: func(d *emails.Data) { d.Category = "" }, wantIs: emails.ErrMissingData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := fullData(tt.kind)
			tt.edit(&d)
			m, err := r.Render(tt.kind, "en", d)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tt.wantIs), "got %v", err)
			assert.Equal(t, emails.Message{}, m)
			if tt.secret != "" {
				assert.NotContains(t, err.Error(), tt.secret)
			}
		})
	}
}

func TestKindsAndBuiltin(t *testing.T) {
	t.Parallel()
	kinds := emails.Kinds()
	require.Len(t, kinds, 21)
	kinds[0] = "changed"
	assert.Equal(t, emails.LoginOTP, emails.Kinds()[0], "Kinds returns a fresh slice")

	for _, lang := range []string{"en", "hi", "hi-IN"} {
		b := emails.Builtin(lang)
		require.Len(t, b, len(emails.Kinds()), lang)
		for _, k := range emails.Kinds() {
			assert.NotEmpty(t, b[k].Subject, "%s %s", lang, k)
			assert.True(t, strings.Contains(b[k].HTML, "<!DOCTYPE html>"), "%s %s", lang, k)
		}
	}
	assert.Nil(t, emails.Builtin("ta"))

	// A copy of the built-ins is a valid full override for a new language.
	r, err := emails.NewRenderer("en", overrides{"mr": emails.Builtin("hi")})
	require.NoError(t, err)
	_, err = r.Render(emails.Unlock, "mr", fullData(emails.Unlock))
	require.NoError(t, err)
}

// An override's language is a primary subtag of 2 to 8 ASCII letters (RFC
// 5646 §2.1), matched case-insensitively.
func TestOverrideLanguageIsTwoToEightLetters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tag    string
		wantOK bool
	}{
		{tag: "az", wantOK: true},
		{tag: "ZZ", wantOK: true},
		{tag: "abcdefgh", wantOK: true},
		{tag: "a"},
		{tag: "abcdefghi"},
		{tag: "a@"}, // the byte before 'A'
		{tag: "a{"}, // the byte after 'z'
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			t.Parallel()
			r, err := emails.NewRenderer("en", overrides{tt.tag: completeLanguage("x")})
			if !tt.wantOK {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "is not a language tag")
				return
			}
			require.NoError(t, err)
			m, err := r.Render(emails.LoginOTP, tt.tag, fullData(emails.LoginOTP))
			require.NoError(t, err)
			assert.Equal(t, "x Acme", m.Subject)
		})
	}
}
