package core

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Notice is one privacy notice (DPDP Act 2023 §5, Rule 3) in one language.
// A version is usually published in several languages; every translation of
// a version covers the same categories from the same time.
type Notice struct {
	Version  string // e.g. "2026-12"; at most 64 characters of plain text
	Language string // NoticeLanguages: "en" or a language of the Eighth Schedule
	// Text is the notice itself. Without it, URL says where it is published
	// and SHA256 is the hash of the text found there.
	Text   string
	URL    string
	SHA256 string // hex SHA-256 of the text: computed from Text when set
	// Categories are the consent categories the notice covers; empty means
	// every configured category. A category's current notice is the newest
	// published one that covers it; users who decided under an older one are
	// asked again (ReconsentRequired).
	Categories  []string
	PublishedAt time.Time // the notice is current from then until a newer version's
}

// NoticeLanguages are the languages a notice may be in: English and the 22
// languages of the Eighth Schedule to the Constitution of India, as the DPDP
// Rules ask a notice to be available in (ISO 639 codes).
func NoticeLanguages() []string {
	return []string{"en", "as", "bn", "brx", "doi", "gu", "hi", "kn", "ks", "kok", "mai", "ml", "mni",
		"mr", "ne", "or", "pa", "sa", "sat", "sd", "ta", "te", "ur"}
}

// maxNoticeVersionLen bounds a notice version, in bytes.
const maxNoticeVersionLen = 64

// defaultNoticeText is DefaultConfig's English notice: what BharatAuth itself
// does with each default category. An app replaces it with its own.
const defaultNoticeText = `Privacy notice

We process your personal data only for the purposes below, each with your consent, which you can withdraw at any time in the privacy settings as easily as you gave it.

- identity: your name and account identifiers, to create and run your account (needed for the service).
- contact: your email address, to send sign-in codes, security alerts and receipts (needed for the service).
- location: an approximate location from your IP address, to recognise unusual sign-ins (optional).
- security: your devices, IP addresses and sign-in history, to protect your account from misuse (needed for the service).
- communications: news and offers by email (optional).
- analytics: how you use the service, to improve it (optional).

You can see, correct and erase your data, and download a copy, in the privacy settings. For a grievance, write to the contact named in the privacy settings; you may also complain to the Data Protection Board of India.`

// DefaultNotices is DefaultConfig's notice registry: one English notice
// covering the default categories. Replace it with your own notices, in the
// languages your users read.
func DefaultNotices() []Notice {
	return []Notice{{Version: "1.0.0", Language: "en", Text: defaultNoticeText,
		PublishedAt: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)}}
}

// NoticeInfo is a notice as shown to a user, with the languages the current
// version is available in.
type NoticeInfo struct {
	Notice
	Languages []string // the current version's languages, sorted
}

// noticeRegistry holds the configured notices, hashed and checked.
type noticeRegistry struct {
	notices []Notice // in PublishedAt order, oldest first
}

// newNoticeRegistry checks the configured notices: supported languages, a
// text or a URL with its hash, known categories, one (version, language) each,
// translations of a version alike, and versions published at distinct times.
func newNoticeRegistry(notices []Notice, categories []Category) (noticeRegistry, []error) {
	if len(notices) == 0 {
		return noticeRegistry{}, []error{errors.New("Notices must not be empty; use core.DefaultNotices() or your own")}
	}
	known := map[string]bool{}
	for _, c := range categories {
		known[c.Name] = true
	}
	var errs []error
	bad := func(n Notice, format string, args ...any) {
		errs = append(errs, fmt.Errorf("notice %q (%s): %s", truncate(n.Version, maxNoticeVersionLen), truncate(n.Language, 8), fmt.Sprintf(format, args...)))
	}
	seen := map[[2]string]bool{}
	versions := map[string]Notice{}
	out := make([]Notice, 0, len(notices))
	for _, n := range notices {
		n.Categories = slices.Clone(n.Categories)
		switch {
		case n.Version == "" || n.Version != strings.TrimSpace(n.Version) || !plainText(n.Version) || len(n.Version) > maxNoticeVersionLen:
			bad(n, "Version must be 1 to %d characters of trimmed plain text", maxNoticeVersionLen)
		case !slices.Contains(NoticeLanguages(), n.Language):
			bad(n, "Language must be one of %s", strings.Join(NoticeLanguages(), ", "))
		case seen[[2]string{n.Version, n.Language}]:
			bad(n, "is listed twice")
		case n.PublishedAt.IsZero():
			bad(n, "PublishedAt must be set")
		}
		seen[[2]string{n.Version, n.Language}] = true
		if err := n.hash(); err != "" {
			bad(n, "%s", err)
		}
		for _, c := range n.Categories {
			if !known[c] {
				bad(n, "covers unknown category %q", c)
			}
		}
		if first, ok := versions[n.Version]; ok {
			if !first.PublishedAt.Equal(n.PublishedAt) || !slices.Equal(first.Categories, n.Categories) {
				bad(n, "translations of a version must have the same PublishedAt and Categories")
			}
		} else {
			for v, other := range versions {
				if other.PublishedAt.Equal(n.PublishedAt) {
					bad(n, "is published at the same time as version %q; which is current would be unclear", v)
				}
			}
			versions[n.Version] = n
		}
		out = append(out, n)
	}
	slices.SortStableFunc(out, func(x, y Notice) int { return x.PublishedAt.Compare(y.PublishedAt) })
	return noticeRegistry{notices: out}, errs
}

// hash fills SHA256 from Text (checking a given one matches), or checks that
// a notice published only by URL carries a hash. It returns what is wrong.
func (n *Notice) hash() string {
	if n.Text == "" {
		u, err := url.Parse(n.URL)
		switch {
		case n.URL == "":
			return "Text or URL must be set"
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
			return "URL must be an absolute http(s) URL"
		case len(n.SHA256) != sha256.Size*2 || strings.ToLower(n.SHA256) != n.SHA256 || !isHex(n.SHA256):
			return "a notice given by URL needs SHA256, the lower-case hex SHA-256 of its text"
		}
		return ""
	}
	sum := sha256.Sum256([]byte(n.Text))
	computed := hex.EncodeToString(sum[:])
	if n.SHA256 != "" && n.SHA256 != computed {
		return "SHA256 does not match Text"
	}
	n.SHA256 = computed
	return ""
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

// currentVersion is the newest version published at or before now ("" when
// none is yet).
func (r noticeRegistry) currentVersion(now time.Time) string {
	v := ""
	for _, n := range r.notices {
		if !n.PublishedAt.After(now) {
			v = n.Version
		}
	}
	return v
}

// find returns the notice of version in language.
func (r noticeRegistry) find(version, language string) (Notice, bool) {
	for _, n := range r.notices {
		if n.Version == version && n.Language == language {
			return n, true
		}
	}
	return Notice{}, false
}

// hasVersion reports whether any notice, in any language, has version.
func (r noticeRegistry) hasVersion(version string) bool {
	return slices.ContainsFunc(r.notices, func(n Notice) bool { return n.Version == version })
}

// languages lists the languages of version, sorted.
func (r noticeRegistry) languages(version string) []string {
	var ls []string
	for _, n := range r.notices {
		if n.Version == version {
			ls = append(ls, n.Language)
		}
	}
	slices.Sort(ls)
	return ls
}

// categoryVersion is the version of the newest notice published at or before
// now that covers category ("" when none does).
func (r noticeRegistry) categoryVersion(category string, now time.Time) (string, time.Time) {
	v, at := "", time.Time{}
	for _, n := range r.notices {
		if !n.PublishedAt.After(now) && (len(n.Categories) == 0 || slices.Contains(n.Categories, category)) {
			v, at = n.Version, n.PublishedAt
		}
	}
	return v, at
}

// publishedAt is when version was published (zero for an unknown version).
func (r noticeRegistry) publishedAt(version string) time.Time {
	for _, n := range r.notices {
		if n.Version == version {
			return n.PublishedAt
		}
	}
	return time.Time{}
}

// Notice returns the current privacy notice in language, for showing before
// a user registers or decides (GET /privacy/notice). An empty language means
// Config.NoticeLanguage.
//
// Errors: ErrValidation (field "lang": not one of NoticeLanguages),
// ErrNotFound (code "notice_not_found": the current notice is not available in
// that language).
func (a *Auth) Notice(language string) (NoticeInfo, error) {
	const op = "Notice"
	if language == "" {
		language = a.cfg.NoticeLanguage
	}
	if !slices.Contains(NoticeLanguages(), language) {
		return NoticeInfo{}, invalidField(op, "lang", "must be one of "+strings.Join(NoticeLanguages(), ", "))
	}
	version := a.notices.currentVersion(a.now())
	n, ok := a.notices.find(version, language)
	if !ok {
		return NoticeInfo{}, newError(op, KindNotFound, codeNoticeNotFound,
			fmt.Sprintf("the privacy notice is not available in %q; available: %s", language, strings.Join(a.notices.languages(version), ", ")))
	}
	n.Categories = a.noticeCategories(n)
	return NoticeInfo{Notice: n, Languages: a.notices.languages(version)}, nil
}

// noticeCategories lists the categories n covers, every configured one when
// it names none.
func (a *Auth) noticeCategories(n Notice) []string {
	if len(n.Categories) > 0 {
		return slices.Clone(n.Categories)
	}
	names := make([]string, len(a.cfg.Categories))
	for i, c := range a.cfg.Categories {
		names[i] = c.Name
	}
	return names
}

// noticeShown resolves the notice a decision was made under. An empty version
// is the current one; an empty language is the user's (userLanguage, else
// Config.NoticeLanguage), never silently another. An unknown version or
// language is ErrValidation; a known version that is not current is
// ErrConflict "notice_outdated", unless anyVersion (a decision the app
// records after the fact).
func (a *Auth) noticeShown(op, version, language, userLanguage string, anyVersion bool) (Notice, error) {
	version, language = strings.TrimSpace(version), strings.TrimSpace(language)
	current := a.notices.currentVersion(a.now())
	if version == "" {
		version = current
	}
	if language == "" {
		language = primaryLanguage(userLanguage)
		if language == "" {
			language = a.cfg.NoticeLanguage
		}
	}
	if !a.notices.hasVersion(version) {
		return Notice{}, invalidField(op, "notice_version", fmt.Sprintf("unknown notice version %q", truncate(version, maxNoticeVersionLen)))
	}
	if version != current && !anyVersion {
		return Notice{}, newError(op, KindConflict, codeNoticeOutdated,
			fmt.Sprintf("the privacy notice has changed: show version %s and decide again", current))
	}
	n, ok := a.notices.find(version, language)
	if !ok {
		return Notice{}, invalidField(op, "notice_language", fmt.Sprintf("notice %s is not available in %q; available: %s",
			version, truncate(language, maxLanguageLen), strings.Join(a.notices.languages(version), ", ")))
	}
	return n, nil
}

// primaryLanguage is the primary subtag of a BCP 47 tag, lower-cased ("hi"
// of "hi-IN").
func primaryLanguage(tag string) string {
	p, _, _ := strings.Cut(strings.TrimSpace(tag), "-")
	return strings.ToLower(p)
}
