package emails

// Builtin returns a copy of the built-in templates of lang ("en" or "hi", or a
// tag with that primary subtag), as a starting point for an override; nil for
// any other language.
func Builtin(lang string) map[Kind]Template {
	switch primarySubtag(lang) {
	case "en":
		return english()
	case "hi":
		return hindi()
	}
	return nil
}

// english returns the built-in English templates. Plain words, short
// sentences: many readers have English as a second or third language.
func english() map[Kind]Template {
	const (
		hello     = `Hello{{with .DisplayName}} {{.}}{{end}},`
		codeOnce  = `{{with .ExpiresIn}}It expires in {{duration .}} and works only once.{{else}}It works only once.{{end}}`
		linkOnce  = `{{with .ExpiresIn}}The link expires in {{duration .}} and works only once.{{else}}The link works only once.{{end}}`
		dontShare = `Do not share this code with anyone, even someone who says they are from {{.AppName}}.`
		takeOver  = `reset your password now (this signs you out on every device) and contact {{.AppName}} support.`
	)
	p := page{
		lang:     "en",
		linkHelp: "If the button does not work, open this link:",
		fontList: "Arial,Helvetica,sans-serif",
	}
	account := fact{"Account", ".Email"}
	return map[Kind]Template{
		LoginOTP: p.compose(`Your {{.AppName}} sign-in code`,
			heading(`Your {{.AppName}} sign-in code`),
			codeBox{},
			para(hello),
			para(`Enter this code in {{.AppName}} to sign in. `+codeOnce),
			para(dontShare),
			notYou(`Did not ask for this code? Ignore this email — your account is safe. Someone may have typed your email address by mistake.`),
		),
		StepUpOTP: p.compose(`Confirm it's you on {{.AppName}}`,
			heading(`Your code to confirm it's you`),
			codeBox{},
			para(hello),
			para(`You are about to do something important in {{.AppName}}, like changing your password or PIN. Enter this code to confirm it's you. `+codeOnce),
			para(dontShare),
			notYou(`Did not ask for this code? Someone else may be using your {{.AppName}} account: `+takeOver),
		),
		VerifyEmail: p.compose(`Confirm your email for {{.AppName}}`,
			heading(`Confirm your email for {{.AppName}}`),
			linkBox{button: "Confirm email"},
			para(hello),
			para(`Open this link to confirm that this email address is yours. `+linkOnce),
			notYou(`Did not sign up for {{.AppName}}? Ignore this email. Someone may have typed your email address by mistake.`),
		),
		PasswordReset: p.compose(`Reset your {{.AppName}} password`,
			heading(`Reset your {{.AppName}} password`),
			linkBox{button: "Reset password"},
			para(hello),
			para(`We got a request to reset your {{.AppName}} password. Open this link to choose a new one. `+linkOnce+` Resetting your password signs you out on every device.`),
			notYou(`Did not ask for this? Ignore this email — your password stays the same and your account is safe.`),
		),
		PINReset: p.compose(`Reset your {{.AppName}} PIN`,
			heading(`Reset your {{.AppName}} PIN`),
			linkBox{button: "Reset PIN"},
			para(hello),
			para(`We got a request to reset your {{.AppName}} PIN. Open this link to choose a new PIN. `+linkOnce),
			notYou(`Did not ask for this? Ignore this email — your PIN stays the same and your account is safe.`),
		),
		Unlock: p.compose(`Your {{.AppName}} account is locked`,
			heading(`Unlock your {{.AppName}} account`),
			linkBox{button: "Unlock account"},
			para(hello),
			para(`We locked your {{.AppName}} account after many failed sign-in attempts, to keep it safe. Open this link to unlock it. `+linkOnce),
			notYou(`Were these attempts not you? Someone may be trying to guess your password. You can also reset your password: that unlocks the account and lets you choose a new password.`),
		),
		NewDevice: p.compose(`New sign-in to your {{.AppName}} account`,
			heading(`New sign-in to {{.AppName}}`),
			para(hello),
			para(`Your {{.AppName}} account was just signed in on a device we have not seen before.`),
			facts{{"When", "when .At"}, {"Device", ".Device"}, {"IP address", ".IPAddress"}, account},
			para(`If this was you, you need not do anything.`),
			notYou(`Not you? `+capitalFirst(takeOver)),
		),
		CredentialChanged: p.compose(`Your {{.AppName}} {{change .Change}} was changed`,
			heading(`Your {{.AppName}} {{change .Change}} was changed`),
			para(hello),
			para(`The {{change .Change}} of your {{.AppName}} account was just changed.`),
			facts{{"When", "when .At"}, {"IP address", ".IPAddress"}, account},
			para(`If you made this change, you need not do anything.`),
			notYou(`Did not make this change? Someone else may be using your account: `+takeOver),
		),
		ConsentWithdrawn: p.compose(`Receipt: you withdrew consent on {{.AppName}}`,
			heading(`You withdrew consent for "{{category .Category}}"`),
			para(hello),
			para(`This email is your receipt. You withdrew your consent for {{.AppName}} to use your personal data for "{{category .Category}}".`),
			facts{{"When", "when .At"}, account},
			para(`{{if .ProcessingStops}}{{.AppName}} will stop using your data for this purpose, and the systems that process it for {{.AppName}} are being told to stop.{{else}}{{.AppName}} has recorded your withdrawal.{{end}} This does not affect what was done with your consent before. You can give consent again at any time in the privacy settings of {{.AppName}}.`),
			notYou(`Did not do this? Someone else may be using your account: `+takeOver),
		),
		GuardianConsent: p.compose(`A child asks for your consent on {{.AppName}}`,
			heading(`Your consent is needed for a child's account`),
			linkBox{button: "Review and consent"},
			para(hello),
			para(`Someone who gave {{.Child}} as their email and said they are under 18 registered on {{.AppName}} and named you as their parent or guardian. The law (DPDP Act 2023, section 9) lets {{.AppName}} process a child's data only with the verifiable consent of a parent or guardian.`),
			para(`To consent, open the link, sign in to your own {{.AppName}} account (an adult's, with this email address) and confirm. You will see the child's choices and can withdraw them at any time. `+linkOnce),
			notYou(`Not the parent or guardian of this child? Ignore this email: without a guardian's consent the account cannot be used, and it is erased when the link expires.`),
		),
		ErasureRequested: p.compose(`Receipt: your request to erase your data on {{.AppName}}`,
			heading(`We received your request to erase your data`),
			para(hello),
			para(`This email is your receipt. {{.AppName}} received your request to erase the personal data it holds about you. It will erase it, except what the law requires it to keep (such as the record of your consent decisions), and tell you when it is done.`),
			facts{{"When", "when .At"}, account},
			para(`You have been signed out on every device.`),
			notYou(`Did not ask for this? Someone else may be using your account: `+takeOver),
		),
	}
}

// capitalFirst upper-cases the first letter of an ASCII sentence fragment.
func capitalFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
