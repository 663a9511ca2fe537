package emails

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ist is India Standard Time. A fixed zone keeps the package free of the
// tzdata dependency; India has had no daylight saving since 1945.
var ist = time.FixedZone("IST", 5*60*60+30*60)

// primarySubtag returns the lower-cased primary language subtag of a BCP 47
// tag: "hi-IN" → "hi". Underscores ("hi_IN", as POSIX locales write it) count
// as separators too.
func primarySubtag(tag string) string {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}

// validSubtag reports whether s is a plausible primary subtag: 2 to 8 ASCII
// letters (RFC 5646 §2.1).
func validSubtag(s string) bool {
	if len(s) < 2 || len(s) > 8 {
		return false
	}
	for _, c := range s {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// match picks the language to render in. lang may be one tag or an
// Accept-Language list ("hi-IN,hi;q=0.9,en;q=0.8"): the known language with the
// highest q wins, earlier entries winning ties; q=0 means "not this one".
func (r *Renderer) match(lang string) string {
	best, bestQ := r.defaultLang, 0.0
	for _, entry := range strings.Split(lang, ",") {
		tag, params, _ := strings.Cut(entry, ";")
		q, ok := quality(params)
		if !ok {
			continue
		}
		code := primarySubtag(tag)
		if _, known := r.langs[code]; known && q > bestQ {
			best, bestQ = code, q
		}
	}
	return best
}

// quality reads the q parameter of an Accept-Language entry's parameters
// ("q=0.8", "level=1;q=0.5"); 1 when absent, false when unreadable.
func quality(params string) (float64, bool) {
	for _, p := range strings.Split(params, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(p), "q="); ok {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return q, err == nil
		}
	}
	return 1, true
}

// funcsFor returns the template helpers for a language: Hindi wording for
// "hi", English for every other language (an added language formats its own
// way with ist and the raw fields).
func funcsFor(lang string) map[string]any {
	hi := lang == "hi"
	return map[string]any{
		"duration": func(d time.Duration) string { return formatDuration(d, hi) },
		"when":     func(t time.Time) string { return formatWhen(t, hi) },
		"ist":      func(t time.Time) time.Time { return t.In(ist) },
		"change":   func(c string) string { return changeName(c, hi) },
		"category": func(c string) string { return categoryName(c, hi) },
	}
}

// formatDuration says how long a code or link works: "10 minutes", "24 hours",
// "1 hour 30 minutes", or in Hindi "10 मिनट", "24 घंटे". Whole hours stay in
// hours (a 24-hour link reads "24 hours", not "1 day"). It rounds to the
// nearest minute, so a TTL measured a moment after issuing still reads
// "10 minutes"; under 90 seconds it counts seconds.
func formatDuration(d time.Duration, hi bool) string {
	if d <= 0 {
		return ""
	}
	if d < 90*time.Second {
		secs := max(int(d.Round(time.Second)/time.Second), 1)
		if secs%60 == 0 {
			return unit(secs/60, "minute", "minutes", "मिनट", "मिनट", hi)
		}
		return unit(secs, "second", "seconds", "सेकंड", "सेकंड", hi)
	}
	mins := int(d.Round(time.Minute) / time.Minute)
	hours, rest := mins/60, mins%60
	switch {
	case hours == 0:
		return unit(mins, "minute", "minutes", "मिनट", "मिनट", hi)
	case rest == 0:
		return unit(hours, "hour", "hours", "घंटा", "घंटे", hi)
	default:
		return unit(hours, "hour", "hours", "घंटा", "घंटे", hi) + " " +
			unit(rest, "minute", "minutes", "मिनट", "मिनट", hi)
	}
}

func unit(n int, enOne, enMany, hiOne, hiMany string, hi bool) string {
	word := enMany
	switch {
	case hi && n == 1:
		word = hiOne
	case hi:
		word = hiMany
	case n == 1:
		word = enOne
	}
	return strconv.Itoa(n) + " " + word
}

var hindiMonths = [12]string{
	"जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून",
	"जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर",
}

// formatWhen shows an instant in IST, the zone every Indian reader thinks in:
// "26 Nov 2026, 15:04 IST" or "26 नवंबर 2026, 15:04 IST". A zero time gives ""
// so that templates can leave the line out.
func formatWhen(t time.Time, hi bool) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(ist)
	if hi {
		return fmt.Sprintf("%d %s %d, %02d:%02d IST", t.Day(), hindiMonths[t.Month()-1], t.Year(), t.Hour(), t.Minute())
	}
	return t.Format("2 Jan 2006, 15:04") + " IST"
}

// changeName names the credential that changed; unknown values show as given.
func changeName(c string, hi bool) string {
	switch strings.ToLower(strings.TrimSpace(c)) {
	case "password":
		if hi {
			return "पासवर्ड"
		}
		return "password"
	case "pin":
		return "PIN"
	case "phone":
		if hi {
			return "फ़ोन नंबर"
		}
		return "phone number"
	}
	return c
}

// hindiCategories names the default DPDP categories in Hindi. The English
// name follows in brackets, because the app's settings screen may show it.
var hindiCategories = map[string]string{
	"identity":       "पहचान",
	"contact":        "संपर्क जानकारी",
	"location":       "लोकेशन",
	"security":       "सुरक्षा",
	"communications": "संदेश और सूचनाएँ",
	"analytics":      "विश्लेषण",
}

// categoryName names a consent category for the reader; categories an app
// configured itself show as given.
func categoryName(c string, hi bool) string {
	if name, ok := hindiCategories[strings.ToLower(strings.TrimSpace(c))]; ok && hi {
		return name + " (" + c + ")"
	}
	return c
}
