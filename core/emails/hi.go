package emails

// hindi returns the built-in Hindi templates: polite (आप), everyday Hindi in
// Devanagari, keeping the product words Indians use in English (OTP, PIN,
// लिंक, ऐप, लॉगिन, पासवर्ड).
func hindi() map[Kind]Template {
	const (
		hello     = `नमस्ते{{with .DisplayName}} {{.}}{{end}},`
		codeOnce  = `{{with .ExpiresIn}}यह {{duration .}} तक मान्य है और केवल एक बार काम करेगा।{{else}}यह केवल एक बार काम करेगा।{{end}}`
		linkOnce  = `{{with .ExpiresIn}}यह लिंक {{duration .}} तक मान्य है और केवल एक बार काम करेगा।{{else}}यह लिंक केवल एक बार काम करेगा।{{end}}`
		dontShare = `यह OTP किसी को न बताएँ, उसे भी नहीं जो ख़ुद को {{.AppName}} का कर्मचारी बताए।`
		takeOver  = `अभी अपना पासवर्ड रीसेट करें (इससे आप सभी डिवाइस से लॉगआउट हो जाएँगे) और {{.AppName}} सहायता टीम से संपर्क करें।`
	)
	p := page{
		lang:     "hi",
		linkHelp: "अगर बटन काम न करे, तो यह लिंक खोलें:",
		fontList: "'Noto Sans Devanagari','Nirmala UI',Mangal,Arial,sans-serif",
	}
	account := fact{"खाता", ".Email"}
	return map[Kind]Template{
		LoginOTP: p.compose(`आपका {{.AppName}} लॉगिन OTP`,
			heading(`आपका {{.AppName}} लॉगिन OTP`),
			codeBox{},
			para(hello),
			para(`{{.AppName}} में लॉगिन करने के लिए यह OTP डालें। `+codeOnce),
			para(dontShare),
			notYou(`अगर आपने यह OTP नहीं माँगा, तो इस ईमेल को अनदेखा करें — आपका खाता सुरक्षित है। हो सकता है किसी ने ग़लती से आपका ईमेल पता डाल दिया हो।`),
		),
		StepUpOTP: p.compose(`{{.AppName}}: पुष्टि करें कि यह आप ही हैं`,
			heading(`पुष्टि के लिए आपका OTP`),
			codeBox{},
			para(hello),
			para(`आप {{.AppName}} में कोई ज़रूरी बदलाव करने जा रहे हैं, जैसे पासवर्ड या PIN बदलना। यह आप ही हैं, इसकी पुष्टि के लिए यह OTP डालें। `+codeOnce),
			para(dontShare),
			notYou(`अगर आपने यह OTP नहीं माँगा, तो हो सकता है कोई और आपके {{.AppName}} खाते का इस्तेमाल कर रहा हो। `+takeOver),
		),
		VerifyEmail: p.compose(`{{.AppName}} के लिए अपने ईमेल की पुष्टि करें`,
			heading(`{{.AppName}} के लिए अपने ईमेल की पुष्टि करें`),
			linkBox{button: "ईमेल की पुष्टि करें"},
			para(hello),
			para(`यह ईमेल पता आपका ही है, इसकी पुष्टि के लिए यह लिंक खोलें। `+linkOnce),
			notYou(`अगर आपने {{.AppName}} पर खाता नहीं बनाया, तो इस ईमेल को अनदेखा करें। हो सकता है किसी ने ग़लती से आपका ईमेल पता डाल दिया हो।`),
		),
		PasswordReset: p.compose(`अपना {{.AppName}} पासवर्ड रीसेट करें`,
			heading(`अपना {{.AppName}} पासवर्ड रीसेट करें`),
			linkBox{button: "पासवर्ड रीसेट करें"},
			para(hello),
			para(`हमें आपका {{.AppName}} पासवर्ड रीसेट करने का अनुरोध मिला है। नया पासवर्ड चुनने के लिए यह लिंक खोलें। `+linkOnce+` पासवर्ड रीसेट करने पर आप सभी डिवाइस से लॉगआउट हो जाएँगे।`),
			notYou(`अगर आपने यह अनुरोध नहीं किया, तो इस ईमेल को अनदेखा करें — आपका पासवर्ड नहीं बदलेगा और आपका खाता सुरक्षित है।`),
		),
		PINReset: p.compose(`अपना {{.AppName}} PIN रीसेट करें`,
			heading(`अपना {{.AppName}} PIN रीसेट करें`),
			linkBox{button: "PIN रीसेट करें"},
			para(hello),
			para(`हमें आपका {{.AppName}} PIN रीसेट करने का अनुरोध मिला है। नया PIN चुनने के लिए यह लिंक खोलें। `+linkOnce),
			notYou(`अगर आपने यह अनुरोध नहीं किया, तो इस ईमेल को अनदेखा करें — आपका PIN नहीं बदलेगा और आपका खाता सुरक्षित है।`),
		),
		Unlock: p.compose(`आपका {{.AppName}} खाता लॉक हो गया है`,
			heading(`अपना {{.AppName}} खाता अनलॉक करें`),
			linkBox{button: "खाता अनलॉक करें"},
			para(hello),
			para(`कई बार ग़लत लॉगिन की कोशिशों के बाद, आपकी सुरक्षा के लिए हमने आपका {{.AppName}} खाता लॉक कर दिया है। इसे अनलॉक करने के लिए यह लिंक खोलें। `+linkOnce),
			notYou(`अगर ये कोशिशें आपने नहीं कीं, तो हो सकता है कोई आपका पासवर्ड अंदाज़े से पता करने की कोशिश कर रहा हो। आप पासवर्ड रीसेट करके भी खाता अनलॉक कर सकते हैं और नया पासवर्ड चुन सकते हैं।`),
		),
		NewDevice: p.compose(`आपके {{.AppName}} खाते में नए डिवाइस से लॉगिन`,
			heading(`{{.AppName}} में नए डिवाइस से लॉगिन`),
			para(hello),
			para(`आपके {{.AppName}} खाते में अभी एक ऐसे डिवाइस से लॉगिन हुआ है, जिसे हमने पहले नहीं देखा।`),
			facts{{"समय", "when .At"}, {"डिवाइस", ".Device"}, {"IP पता", ".IPAddress"}, account},
			para(`अगर यह लॉगिन आपने किया है, तो आपको कुछ करने की ज़रूरत नहीं है।`),
			notYou(`अगर यह आपने नहीं किया, तो `+takeOver),
		),
		CredentialChanged: p.compose(`आपका {{.AppName}} {{change .Change}} बदल दिया गया है`,
			heading(`आपका {{.AppName}} {{change .Change}} बदल दिया गया है`),
			para(hello),
			para(`आपके {{.AppName}} खाते का {{change .Change}} अभी बदला गया है।`),
			facts{{"समय", "when .At"}, {"IP पता", ".IPAddress"}, account},
			para(`अगर यह बदलाव आपने किया है, तो आपको कुछ करने की ज़रूरत नहीं है।`),
			notYou(`अगर यह बदलाव आपने नहीं किया, तो हो सकता है कोई और आपके खाते का इस्तेमाल कर रहा हो। `+takeOver),
		),
		ConsentWithdrawn: p.compose(`रसीद: आपने {{.AppName}} से अपनी सहमति वापस ली`,
			heading(`आपने "{{category .Category}}" के लिए सहमति वापस ली`),
			para(hello),
			para(`यह ईमेल आपकी रसीद है। आपने {{.AppName}} को "{{category .Category}}" के लिए अपने निजी डेटा के इस्तेमाल की सहमति वापस ले ली है।`),
			facts{{"समय", "when .At"}, account},
			para(`{{.AppName}} और उसके लिए डेटा प्रोसेस करने वाले अब इस काम के लिए आपके डेटा का इस्तेमाल बंद कर देंगे। सहमति वापस लेने से पहले जो हुआ, उस पर इसका असर नहीं पड़ता। आप जब चाहें {{.AppName}} की प्राइवेसी सेटिंग में जाकर फिर से सहमति दे सकते हैं।`),
			notYou(`अगर यह आपने नहीं किया, तो हो सकता है कोई और आपके खाते का इस्तेमाल कर रहा हो। `+takeOver),
		),
	}
}
