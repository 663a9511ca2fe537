package emails

import "strings"

// The built-in emails are written once as a list of blocks and turned into
// both a text and an HTML template, so the two bodies always say the same
// thing. Block strings are template sources over Data; the literal text in
// them must not contain HTML markup (html/template escapes only what it
// interpolates).

// block is one part of an email body.
type block interface {
	text(p page) string
	html(p page) string
}

// page holds what every email in one language shares.
type page struct {
	lang     string
	linkHelp string // before the raw link in HTML, for mail apps that break buttons
	fontList string // font-family value; Hindi puts Devanagari fonts first
	contact  string // what comes before the privacy contact in rights receipts
	account  fact   // the account line of the facts of security notices
}

// builtinPages are the pages of the built-in languages (english, hindi).
var builtinPages = map[string]page{
	"en": {
		lang:     "en",
		linkHelp: "If the button does not work, open this link:",
		contact:  "Questions about your personal data, or a grievance? Contact",
		fontList: "Arial,Helvetica,sans-serif",
		account:  fact{"Account", ".Email"},
	},
	"hi": {
		lang:     "hi",
		linkHelp: "अगर बटन काम न करे, तो यह लिंक खोलें:",
		contact:  "अपने निजी डेटा के बारे में सवाल या शिकायत हो, तो संपर्क करें:",
		fontList: "'Noto Sans Devanagari','Nirmala UI',Mangal,Arial,sans-serif",
		account:  fact{"खाता", ".Email"},
	},
}

// heading is the first line: what this email is, in a few words.
type heading string

func (h heading) text(page) string { return string(h) }
func (h heading) html(page) string {
	return `<h1 style="margin:0 0 16px;font-size:20px;line-height:1.3;">` + string(h) + `</h1>`
}

// para is one paragraph.
type para string

func (s para) text(page) string { return string(s) }
func (s para) html(page) string { return `<p style="margin:0 0 16px;">` + string(s) + `</p>` }

// codeBox shows the one-time code large, on its own line, easy to read and
// to long-press and copy on a phone.
type codeBox struct{}

func (codeBox) text(page) string { return "{{.Code}}" }
func (codeBox) html(page) string {
	return `<p style="margin:0 0 16px;font-family:'Courier New',Courier,monospace;font-size:36px;font-weight:bold;letter-spacing:6px;">{{.Code}}</p>`
}

// linkBox is a button plus the raw link, which stays clickable too.
type linkBox struct{ button string }

func (linkBox) text(page) string { return "{{.Link}}" }
func (l linkBox) html(p page) string {
	return `<p style="margin:0 0 16px;"><a href="{{.Link}}" style="display:inline-block;padding:12px 24px;background-color:#1d4ed8;color:#ffffff;font-weight:bold;text-decoration:none;border-radius:6px;">` +
		l.button + `</a></p>
<p style="margin:0 0 16px;font-size:14px;color:#4b5563;">` + p.linkHelp +
		`<br><a href="{{.Link}}" style="color:#1d4ed8;word-break:break-all;">{{.Link}}</a></p>`
}

// fact is one labelled line of an alert; expr is a template pipeline, and the
// line is left out when it yields an empty value.
type fact struct{ label, expr string }

// facts lists what happened: when, where, which account.
type facts []fact

func (fs facts) text(page) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("{{with " + f.expr + "}}" + f.label + ": {{.}}\n{{end}}")
	}
	return b.String()
}

func (fs facts) html(page) string {
	var b strings.Builder
	b.WriteString(`<div style="margin:0 0 16px;padding:12px;background-color:#f3f4f6;border-radius:6px;">`)
	for _, f := range fs {
		b.WriteString("{{with " + f.expr + `}}<p style="margin:0;"><strong>` + f.label + `:</strong> <span style="overflow-wrap:anywhere;">{{.}}</span></p>{{end}}`)
	}
	b.WriteString(`</div>`)
	return b.String()
}

// notYou says what to do if the reader did not cause this email. It is
// highlighted in HTML because it is the part that protects them.
type notYou string

func (s notYou) text(page) string { return string(s) }
func (s notYou) html(page) string {
	return `<p style="margin:0;padding:12px;background-color:#fef3c7;border-radius:6px;">` + string(s) + `</p>`
}

// contactLine names the privacy contact (DPDP Rules 2025, Rule 9: every
// answer about a right says whom to ask). It is left out when the app set
// none.
type contactLine struct{}

const contactSource = `{{with .Contact.Email}}{{with $.Contact.Name}}{{.}}, {{end}}{{$.Contact.Email}}{{with $.Contact.Phone}}, {{.}}{{end}}{{with $.Contact.URL}}, {{.}}{{end}}{{end}}`

func (contactLine) text(p page) string {
	return `{{if .Contact.Email}}` + p.contact + ` ` + contactSource + `{{end}}`
}

func (contactLine) html(p page) string {
	return `{{if .Contact.Email}}<p style="margin:0 0 16px;font-size:14px;color:#4b5563;">` + p.contact + ` ` + contactSource + `</p>{{end}}`
}

// compose builds the Template of one kind from its subject and body blocks.
func (p page) compose(subject string, blocks ...block) Template {
	texts := make([]string, len(blocks))
	htmls := make([]string, len(blocks))
	for i, b := range blocks {
		texts[i] = b.text(p)
		htmls[i] = b.html(p)
	}
	html := `<!DOCTYPE html>
<html lang="` + p.lang + `">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>` + subject + `</title>
</head>
<body style="margin:0;padding:0;background-color:#f3f4f6;">
<div style="max-width:480px;margin:0 auto;padding:12px;">
<div style="background-color:#ffffff;padding:20px 16px;border-radius:8px;font-family:` + p.fontList + `;font-size:16px;line-height:1.5;color:#111827;">
<p style="margin:0 0 12px;font-size:14px;font-weight:bold;color:#4b5563;">{{.AppName}}</p>
` + strings.Join(htmls, "\n") + `
</div>
</div>
</body>
</html>
`
	return Template{Subject: subject, Text: strings.Join(texts, "\n\n") + "\n", HTML: html}
}
