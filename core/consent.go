package core

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
	"github.com/bharatauth/bharatauth-go/ports/consentchain"
)

// ConsentDecision is a user's decision on one DPDP category.
type ConsentDecision struct {
	Category string
	Granted  bool
}

// ConsentMeta is the context recorded with consent rows.
type ConsentMeta struct {
	NoticeVersion  string // empty: the configured NoticeVersion
	NoticeLanguage string // empty: the configured NoticeLanguage
	Client         Client
}

// ConsentState is the current decision on one category: its latest row, or
// "not granted" under the configured notice when it was never recorded.
type ConsentState struct {
	Category      string
	Required      bool
	Granted       bool
	NoticeVersion string
	ConsentedAt   time.Time // zero when never recorded
}

// ValidateRegistrationConsent checks the decisions submitted at registration:
// every configured category needs an explicit decision and every required one
// must be granted (ErrConsentRequired, naming them); an unknown or repeated
// category is ErrValidation. DPDP §6(1) forbids bundling consent the service
// does not need, so optional categories may be declined.
func (a *Auth) ValidateRegistrationConsent(decisions []ConsentDecision) error {
	const op = "ValidateRegistrationConsent"
	seen := map[string]bool{}
	for _, d := range decisions {
		if _, ok := a.categories[d.Category]; !ok {
			return invalidField(op, "consents", fmt.Sprintf("unknown category %q", truncate(d.Category, 64)))
		}
		if seen[d.Category] {
			return invalidField(op, "consents", fmt.Sprintf("category %q is listed twice", d.Category))
		}
		seen[d.Category] = true
	}
	var missing, declined []string
	for _, c := range a.cfg.Categories {
		granted, decided := false, seen[c.Name]
		for _, d := range decisions {
			if d.Category == c.Name {
				granted = d.Granted
			}
		}
		switch {
		case !decided:
			missing = append(missing, c.Name)
		case c.Required && !granted:
			declined = append(declined, c.Name)
		}
	}
	if len(missing) > 0 {
		return newError(op, KindConsentRequired, "", "a decision is needed for: "+strings.Join(missing, ", "))
	}
	if len(declined) > 0 {
		return newError(op, KindConsentRequired, "", "these are needed to run the service: "+strings.Join(declined, ", "))
	}
	return nil
}

// RecordConsent appends one decision to the user's consent log, for an app
// that takes consent outside BharatAuth's routes.
func (ad Admin) RecordConsent(ctx context.Context, userID string, d ConsentDecision, meta ConsentMeta) (ports.ConsentRecord, error) {
	return ad.a.recordConsent(ctx, userID, d, meta)
}

// RecordBulkConsent appends decisions to the user's consent log atomically, in
// order, hash-chained. Declined decisions are recorded too. Unknown categories
// are ErrValidation and nothing is written.
func (ad Admin) RecordBulkConsent(ctx context.Context, userID string, ds []ConsentDecision, meta ConsentMeta) ([]ports.ConsentRecord, error) {
	return ad.a.recordBulkConsent(ctx, userID, ds, meta)
}

func (a *Auth) recordConsent(ctx context.Context, userID string, d ConsentDecision, meta ConsentMeta) (ports.ConsentRecord, error) {
	rows, err := a.recordBulkConsent(ctx, userID, []ConsentDecision{d}, meta)
	if err != nil {
		return ports.ConsentRecord{}, err
	}
	return rows[0], nil
}

func (a *Auth) recordBulkConsent(ctx context.Context, userID string, ds []ConsentDecision, meta ConsentMeta) ([]ports.ConsentRecord, error) {
	const op = "RecordConsent"
	rows, err := a.consentRows(op, userID, ds, meta)
	if err != nil {
		return nil, err
	}
	stored, err := a.deps.Consents.AppendConsents(ctx, userID, rows)
	if err != nil {
		return nil, storeError(op, err)
	}
	a.consentEvents(ctx, userID, stored, meta.Client)
	return stored, nil
}

// consentRows turns decisions into ledger rows, refusing unknown categories
// and malformed notice fields before anything is written.
func (a *Auth) consentRows(op, userID string, ds []ConsentDecision, meta ConsentMeta) ([]ports.ConsentRecord, error) {
	if len(ds) == 0 {
		return nil, invalidField(op, "consents", "at least one decision is needed")
	}
	if meta.NoticeVersion == "" {
		meta.NoticeVersion = a.cfg.NoticeVersion
	}
	if meta.NoticeLanguage == "" {
		meta.NoticeLanguage = a.cfg.NoticeLanguage
	}
	if !plainText(meta.NoticeVersion+meta.NoticeLanguage) || len(meta.NoticeVersion) > 64 || len(meta.NoticeLanguage) > maxLanguageLen {
		return nil, invalidField(op, "notice_version", "is not a valid notice version or language")
	}
	now := a.now()
	rows := make([]ports.ConsentRecord, len(ds))
	for i, d := range ds {
		if _, ok := a.categories[d.Category]; !ok {
			return nil, invalidField(op, "category", fmt.Sprintf("unknown category %q", truncate(d.Category, 64)))
		}
		rows[i] = ports.ConsentRecord{UserID: userID, Category: d.Category, Granted: d.Granted,
			NoticeVersion: meta.NoticeVersion, NoticeLanguage: meta.NoticeLanguage,
			IPAddress: storedIP(meta.Client.IP), UserAgent: meta.Client.userAgent(), RecordedAt: now}
	}
	return rows, nil
}

func (a *Auth) consentEvents(ctx context.Context, userID string, rows []ports.ConsentRecord, c Client) {
	for _, r := range rows {
		a.event(ctx, userID, ports.EventConsentChanged, c, fmt.Sprintf("%s=%t", r.Category, r.Granted))
	}
}

// Consents returns the caller's current decision on every configured
// category, in the configured order.
func (a *Auth) Consents(ctx context.Context, p Principal) (_ []ConsentState, err error) {
	ctx, flow := a.observeFlow(ctx, "Consents")
	defer flow.done(ctx, &err)
	return a.consents(ctx, p.UserID)
}

// Consents returns a user's current decision on every configured category.
func (ad Admin) Consents(ctx context.Context, userID string) ([]ConsentState, error) {
	return ad.a.consents(ctx, userID)
}

func (a *Auth) consents(ctx context.Context, userID string) ([]ConsentState, error) {
	history, err := a.deps.Consents.ConsentHistory(ctx, userID)
	if err != nil {
		return nil, storeError("Consents", err)
	}
	latest := map[string]ports.ConsentRecord{}
	for _, r := range history {
		latest[r.Category] = r // rows come in Seq order: the last one wins
	}
	states := make([]ConsentState, 0, len(a.cfg.Categories))
	for _, c := range a.cfg.Categories {
		s := ConsentState{Category: c.Name, Required: c.Required, NoticeVersion: a.cfg.NoticeVersion}
		if r, ok := latest[c.Name]; ok {
			s.Granted, s.NoticeVersion, s.ConsentedAt = r.Granted, r.NoticeVersion, r.RecordedAt
		}
		states = append(states, s)
	}
	return states, nil
}

// ConsentInput names the DPDP category the caller withdraws or grants.
type ConsentInput struct {
	Category string
	Client   Client
}

// Withdraw withdraws the caller's consent for category — one call, as easy as
// granting (DPDP §6(4)) — and emails a receipt.
func (a *Auth) Withdraw(ctx context.Context, p Principal, in ConsentInput) (_ ConsentState, err error) {
	ctx, flow := a.observeFlow(ctx, "Withdraw")
	defer flow.done(ctx, &err)
	return a.decide(ctx, "Withdraw", p, ConsentDecision{Category: in.Category, Granted: false}, in.Client)
}

// Grant grants the caller's consent for category.
func (a *Auth) Grant(ctx context.Context, p Principal, in ConsentInput) (_ ConsentState, err error) {
	ctx, flow := a.observeFlow(ctx, "Grant")
	defer flow.done(ctx, &err)
	return a.decide(ctx, "Grant", p, ConsentDecision{Category: in.Category, Granted: true}, in.Client)
}

func (a *Auth) decide(ctx context.Context, op string, p Principal, d ConsentDecision, c Client) (ConsentState, error) {
	cat, ok := a.categories[d.Category]
	if !ok {
		return ConsentState{}, invalidField(op, "category", fmt.Sprintf("unknown category %q", truncate(d.Category, 64)))
	}
	row, err := a.recordConsent(ctx, p.UserID, d, ConsentMeta{Client: c})
	if err != nil {
		return ConsentState{}, err
	}
	if !d.Granted {
		if u, err := a.userByID(ctx, op, p.UserID); err == nil {
			a.send(ctx, u, emails.ConsentWithdrawn, emails.Data{Category: d.Category, At: row.RecordedAt}, c)
		}
	}
	return ConsentState{Category: d.Category, Required: cat.Required, Granted: row.Granted,
		NoticeVersion: row.NoticeVersion, ConsentedAt: row.RecordedAt}, nil
}

// ChainReport is the result of verifying a user's consent hash chain.
type ChainReport struct {
	Rows     int
	Intact   bool
	BrokenAt int64  // the Seq of the first row that does not verify; 0 when intact
	Reason   string // why that row fails
}

// VerifyConsentChain recomputes the user's consent hash chain and reports the
// first broken link: tampering is detectable, not only forbidden.
func (ad Admin) VerifyConsentChain(ctx context.Context, userID string) (ChainReport, error) {
	a := ad.a
	rows, err := a.deps.Consents.ConsentHistory(ctx, userID)
	if err != nil {
		return ChainReport{}, storeError("VerifyConsentChain", err)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Seq < rows[j].Seq })
	prev := ""
	for i, r := range rows {
		reason := ""
		switch {
		case r.Seq != int64(i+1):
			reason = fmt.Sprintf("expected sequence %d, found %d (a row is missing or inserted)", i+1, r.Seq)
		case r.PrevHash != prev:
			reason = "the link to the previous row does not match"
		case consentchain.Hash(prev, r) != r.Hash:
			reason = "the row's content does not match its hash"
		}
		if reason != "" {
			return ChainReport{Rows: len(rows), BrokenAt: r.Seq, Reason: reason}, nil
		}
		prev = r.Hash
	}
	return ChainReport{Rows: len(rows), Intact: true}, nil
}

// currentNotice checks that the notice the user saw is the current one.
func (a *Auth) currentNotice(op, seen string) (string, error) {
	seen = strings.TrimSpace(seen)
	if seen == "" || seen == a.cfg.NoticeVersion {
		return a.cfg.NoticeVersion, nil
	}
	return "", invalidField(op, "notice_version", "the privacy notice has changed; show version "+a.cfg.NoticeVersion)
}

// truncate cuts s to at most n bytes, at a rune boundary, for echoing
// untrusted input in messages.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
