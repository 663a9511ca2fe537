package smstext_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bharatauth/bharatauth-go/core/smstext"
)

// longest is the longest data a message can be rendered with.
func longest() smstext.Data {
	return smstext.Data{
		Code: "999999", App: strings.Repeat("W", smstext.MaxAppNameLen),
		Domain: strings.Repeat("w", smstext.MaxDomainLen), AppHash: strings.Repeat("A", smstext.AppHashLen),
	}
}

func TestEveryDefaultTemplateFitsOnePart(t *testing.T) {
	r, err := smstext.NewRenderer("en", nil)
	require.NoError(t, err)
	for _, lang := range smstext.Languages() {
		for _, k := range smstext.Kinds() {
			t.Run(lang+"/"+string(k), func(t *testing.T) {
				m, err := r.Render(k, lang, longest())
				require.NoError(t, err)
				assert.True(t, smstext.OnePart(m.Text), "%d GSM-7 / %d UCS-2: %q", gsmLen(m.Text), smstext.UCS2Len(m.Text), m.Text)
			})
		}
	}
}

func gsmLen(s string) int { n, _ := smstext.GSM7Len(s); return n }

func TestCodeFirstAndWebOTPLast(t *testing.T) {
	r, err := smstext.NewRenderer("en", nil)
	require.NoError(t, err)
	d := smstext.Data{Code: "123456", App: "Acme", Domain: "acme.example", AppHash: "FA+9qCX9VSu"}
	for _, lang := range smstext.Languages() {
		for _, k := range []smstext.Kind{smstext.SignInCode, smstext.VerifyPhone, smstext.PINReset, smstext.PasswordReset, smstext.Unlock} {
			m, err := r.Render(k, lang, d)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(m.Text, "123456 "), "%s/%s starts with the code: %q", lang, k, m.Text)
			lines := strings.Split(m.Text, "\n")
			assert.Equal(t, "@acme.example #123456 FA+9qCX9VSu", lines[len(lines)-1], "%s/%s", lang, k)
		}
		for _, k := range []smstext.Kind{smstext.NewDevice, smstext.PhoneChange} {
			m, err := r.Render(k, lang, d)
			require.NoError(t, err)
			assert.NotContains(t, m.Text, "123456", "a notice carries no code")
			assert.NotContains(t, m.Text, "@acme.example", "nor a WebOTP line")
		}
	}
	m, err := r.Render(smstext.SignInCode, "en", smstext.Data{Code: "123456", App: "Acme", Domain: "acme.example"})
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(m.Text, "\n@acme.example #123456"), "no hash configured: %q", m.Text)
}

func TestPartLimits(t *testing.T) {
	cases := []struct {
		name string
		text string
		want bool
	}{
		{"160 GSM-7 characters fit", strings.Repeat("a", 160), true},
		{"161 GSM-7 characters do not", strings.Repeat("a", 161), false},
		{"an extension character counts as 2: 159 + € is 161", strings.Repeat("a", 159) + "€", false},
		{"158 + € is 160", strings.Repeat("a", 158) + "€", true},
		{"70 UCS-2 characters fit", strings.Repeat("क", 70), true},
		{"71 UCS-2 characters do not", strings.Repeat("क", 71), false},
		{"one non-GSM character makes it UCS-2: 71 with ASCII", strings.Repeat("a", 70) + "क", false},
		{"a character beyond the BMP takes 2 units", strings.Repeat("a", 69) + "😀", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { assert.Equal(t, c.want, smstext.OnePart(c.text)) })
	}
	n, ok := smstext.GSM7Len("{}[]~")
	assert.True(t, ok)
	assert.Equal(t, 10, n)
}

// UTF-16 needs a surrogate pair from U+10000 on; U+FFFF, the last code point
// of the BMP, is still one unit.
func TestUCS2LenCountsTwoUnitsOnlyBeyondTheBMP(t *testing.T) {
	assert.Equal(t, 1, smstext.UCS2Len("\uffff"))
	assert.Equal(t, 2, smstext.UCS2Len("\U00010000"))
}

func TestLimitsAreDocumentedNumbers(t *testing.T) {
	assert.Equal(t, 6, smstext.CodeLen)
	assert.Equal(t, 20, smstext.MaxDomainLen)
	assert.Equal(t, 20, smstext.MaxAppNameLen)
	assert.Equal(t, 11, smstext.AppHashLen)
	assert.Equal(t, 160, smstext.MaxGSM7)
	assert.Equal(t, 70, smstext.MaxUCS2)
}

func TestOverrides(t *testing.T) {
	r, err := smstext.NewRenderer("en", map[string]map[smstext.Kind]smstext.Template{
		"en": {smstext.SignInCode: {Text: "{code} is your code", TemplateID: "1107160000000000001"}},
	})
	require.NoError(t, err)
	m, err := r.Render(smstext.SignInCode, "en", smstext.Data{Code: "123456", Domain: "a.example"})
	require.NoError(t, err)
	assert.Equal(t, "123456 is your code\n@a.example #123456", m.Text)
	assert.Equal(t, "1107160000000000001", m.TemplateID)
	m, err = r.Render(smstext.SignInCode, "ta", smstext.Data{Code: "123456", Domain: "a.example"})
	require.NoError(t, err)
	assert.Equal(t, "123456 is your code\n@a.example #123456", m.Text, "an unknown language falls back to the default")

	bad := []struct {
		name string
		over map[string]map[smstext.Kind]smstext.Template
		want error
	}{
		{"too long for one part", map[string]map[smstext.Kind]smstext.Template{"en": {smstext.SignInCode: {Text: "{code} " + strings.Repeat("x", 120)}}}, smstext.ErrTooLong},
		{"Hindi too long for 70 UCS-2", map[string]map[smstext.Kind]smstext.Template{"hi": {smstext.PINReset: {Text: "{code} " + strings.Repeat("क", 30)}}}, smstext.ErrTooLong},
		{"code not first", map[string]map[smstext.Kind]smstext.Template{"en": {smstext.SignInCode: {Text: "Your code: {code}"}}}, smstext.ErrCodeNotFirst},
		{"code in a notice", map[string]map[smstext.Kind]smstext.Template{"en": {smstext.NewDevice: {Text: "{code} new device"}}}, smstext.ErrCodeForbidden},
		{"unknown placeholder", map[string]map[smstext.Kind]smstext.Template{"en": {smstext.SignInCode: {Text: "{code} {name}"}}}, smstext.ErrPlaceholder},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := smstext.NewRenderer("en", c.over)
			require.ErrorIs(t, err, c.want)
		})
	}
	_, err = smstext.NewRenderer("en", map[string]map[smstext.Kind]smstext.Template{"ta": {smstext.SignInCode: {Text: "{code} x"}}})
	require.ErrorContains(t, err, "ta/verify_phone is missing", "a new language needs every kind")
	_, err = smstext.NewRenderer("fr", nil)
	require.ErrorContains(t, err, `"fr" has no templates`)
	_, err = smstext.NewRenderer("en", map[string]map[smstext.Kind]smstext.Template{"en": {"bogus": {Text: "x"}}})
	require.ErrorContains(t, err, "unknown kind")
}
