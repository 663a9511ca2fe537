package smstext

// builtin are the default templates. Their DLT template ids are empty: each
// operator registers its own texts and sets the ids with an override. The
// Hindi texts are short because Devanagari is sent as UCS-2: 70 characters
// a part, of which the WebOTP line and app hash take up to 42.
var builtin = map[string]map[Kind]Template{
	"en": {
		SignInCode:    {Text: "{code} is your {app} sign-in code. It expires in 10 minutes. Never share it with anyone."},
		VerifyPhone:   {Text: "{code} is your {app} code to confirm this mobile number. Never share it."},
		PINReset:      {Text: "{code} is your {app} PIN reset code. Ignore this if you did not ask for it."},
		PasswordReset: {Text: "{code} is your {app} password reset code. Ignore this if you did not ask for it."},
		Unlock:        {Text: "{code} is your {app} code to unlock your account. Never share it with anyone."},
		NewDevice:     {Text: "{app}: your account was signed in on a new device. Not you? Reset your password."},
		PhoneChange:   {Text: "{app}: your account is moving to a new phone number. Not you? Sign in and reset your password now."},
	},
	"hi": {
		SignInCode:    {Text: "{code} साइन-इन कोड। न बताएं।"},
		VerifyPhone:   {Text: "{code} नंबर पुष्टि कोड।"},
		PINReset:      {Text: "{code} PIN रीसेट कोड।"},
		PasswordReset: {Text: "{code} पासवर्ड रीसेट कोड।"},
		Unlock:        {Text: "{code} खाता अनलॉक कोड।"},
		NewDevice:     {Text: "{app}: नए डिवाइस से साइन-इन। आप नहीं? पासवर्ड बदलें।"},
		PhoneChange:   {Text: "{app}: नंबर बदलने का अनुरोध। आप नहीं? पासवर्ड बदलें।"},
	},
}
