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
		contact:  "Questions about your personal data, or a grievance? Contact",
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
			para(`{{.AppName}} and those who process data for it will stop using your data for this purpose. This does not affect what was done with your consent before. You can give consent again at any time in the privacy settings of {{.AppName}}.`),
			contactLine{},
			notYou(`Did not do this? Someone else may be using your account: `+takeOver),
		),
		ErasureRequested: p.compose(`Receipt: your request to erase your data on {{.AppName}}`,
			heading(`We received your request to erase your data`),
			para(hello),
			para(`This email is your receipt. {{.AppName}} received your request to erase the personal data it holds about you. It will erase it, except what the law requires it to keep (such as the record of your consent decisions), and tell you when it is done.`),
			facts{{"When", "when .At"}, {"To be done by", "when .DueAt"}, account},
			para(`You have been signed out on every device.{{if .ExpiresIn}} Changed your mind? Sign in before {{when .DueAt}} and the request is cancelled.{{end}}`),
			contactLine{},
			notYou(`Did not ask for this? Someone else may be using your account: `+takeOver),
		),
		ErasureCancelled: p.compose(`Your request to erase your data on {{.AppName}} was cancelled`,
			heading(`Your erasure request was cancelled`),
			para(hello),
			para(`You signed in to {{.AppName}} before your request to erase your data was carried out, so the request was cancelled and your account stays as it was. To erase your data after all, ask again in the privacy settings of {{.AppName}}.`),
			facts{{"When", "when .At"}, account},
			contactLine{},
			notYou(`Did not sign in? Someone else may be using your account: `+takeOver),
		),
		ErasureCompleted: p.compose(`Your data on {{.AppName}} was erased`,
			heading(`Your data was erased`),
			para(hello),
			para(`{{.AppName}} carried out your request: your account, your sign-in details, your sessions and devices are erased. The law requires some records to be kept: the security events of your account, without your IP address or browser, for at least one year, the record of your consent decisions, and any grievances you filed with their answers. This is the last email about this account.`),
			facts{{"When", "when .At"}, account},
			contactLine{},
			notYou(`Did not ask for this? Contact {{.AppName}} support.`),
		),
		GrievanceFiled: p.compose(`Receipt: your grievance to {{.AppName}}`,
			heading(`We received your grievance`),
			para(hello),
			para(`This email is your receipt. {{.AppName}} received your grievance about how it handles your personal data and will answer it by the date below.`),
			facts{{"Subject", ".Title"}, {"When", "when .At"}, {"Answer due by", "when .DueAt"}, account},
			para(`If you are not satisfied with the answer, or get none by then, you may complain to the Data Protection Board of India.`),
			contactLine{},
			notYou(`Did not send this? Someone else may be using your account: `+takeOver),
		),
		GrievanceAnswered: p.compose(`Answer to your grievance to {{.AppName}}`,
			heading(`Your grievance was answered`),
			para(hello),
			para(`{{.AppName}}'s grievance officer answered your grievance "{{.Title}}":`),
			para(`{{.Body}}`),
			facts{{"When", "when .At"}, account},
			para(`If you are not satisfied with this answer, you may complain to the Data Protection Board of India.`),
			contactLine{},
			notYou(`Did not file this grievance? Contact {{.AppName}} support.`),
		),
		EmailChangeLink: p.compose(`Confirm your new email for {{.AppName}}`,
			heading(`Confirm your new email for {{.AppName}}`),
			linkBox{button: "Confirm new email"},
			para(hello),
			para(`Someone signed in to {{.AppName}} asked to move their account to this address. Open this link to confirm that it is yours; the account then signs in with this address only. `+linkOnce),
			notYou(`Did not ask for this? Ignore this email: nothing changes unless the link is opened.`),
		),
		EmailChangeNotice: p.compose(`Your {{.AppName}} account is moving to a new email`,
			heading(`A change of your email address was asked for`),
			para(hello),
			para(`Someone signed in to your {{.AppName}} account asked to move it to a new address. Once the new address is confirmed, this address no longer signs in and every other session ends.`),
			facts{{"New address", ".Title"}, {"When", "when .At"}, {"IP address", ".IPAddress"}, account},
			contactLine{},
			notYou(`Did not ask for this? Someone else may be using your account: `+takeOver),
		),
		NomineeNamed: p.compose(`You were named a nominee on {{.AppName}}`,
			heading(`You were named a nominee`),
			para(hello),
			para(`The {{.AppName}} account {{.Title}} named you as its nominee: if its owner dies or can no longer act, you may exercise their rights over their personal data on their behalf (DPDP Act 2023, §14). You need not do anything now.`),
			facts{{"When", "when .At"}},
			contactLine{},
			notYou(`Do not know this person? Contact {{.AppName}} support.`),
		),
		InactivityWarning: p.compose(`Your {{.AppName}} account will be erased unless you sign in`,
			heading(`Your account will be erased unless you sign in`),
			para(hello),
			para(`You have not used your {{.AppName}} account for a long time. So that your personal data is not kept longer than needed, the account and its data will be erased on the date below. To keep it, just sign in before then.`),
			facts{{"Last used", "when .At"}, {"To be erased on", "when .DueAt"}, account},
			contactLine{},
			notYou(`Not your account? Ignore this email, or contact {{.AppName}} support.`),
		),
		BreachNotice: p.compose(`Important: a personal data breach at {{.AppName}}`,
			heading(`A breach of your personal data`),
			para(hello),
			para(`{{.AppName}} is telling you about a breach of personal data that affects you, as the law requires.`),
			facts{{"When it happened", "when .At"}, account},
			para(`What happened: {{.Breach.Description}}`),
			para(`What it may mean for you: {{.Breach.Consequences}}`),
			para(`What we are doing: {{.Breach.Measures}}`),
			para(`What you can do: {{.Breach.UserActions}}`),
			contactLine{},
			notYou(`Be careful with emails or calls about this breach that ask for a password, PIN or code: {{.AppName}} never asks for them.`),
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
