package core

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
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
	// NoticeVersion and NoticeLanguage name the notice shown. An empty version
	// is the current one; an empty language is Config.NoticeLanguage. Admin
	// calls record decisions taken elsewhere, so an older registered version
	// is accepted there.
	NoticeVersion  string
	NoticeLanguage string
	Client         Client
}

// ConsentState is the current decision on one category: its latest row, or
// "not granted" under the current notice when it was never recorded.
type ConsentState struct {
	Category       string
	Required       bool
	Granted        bool
	NoticeVersion  string
	NoticeLanguage string    // empty when never recorded
	Source         string    // ports.SourceSelf, …; empty when never recorded
	ConsentedAt    time.Time // zero when never recorded
	// ReconsentRequired is set when the category's current notice is newer
	// than the one the decision was made under, or no decision was made: the
	// app shows the current notice and asks again.
	ReconsentRequired bool
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
	rows, err := ad.RecordBulkConsent(ctx, userID, []ConsentDecision{d}, meta)
	if err != nil {
		return ports.ConsentRecord{}, err
	}
	return rows[0], nil
}

// RecordBulkConsent appends decisions to the user's consent log atomically, in
// order, hash-chained. Declined decisions are recorded too. Unknown categories
// are ErrValidation and nothing is written. They are the user's own: for a
// child, a grant is ErrForbidden "guardian_consent_required"
// (RecordGuardianConsent records the guardian's).
func (ad Admin) RecordBulkConsent(ctx context.Context, userID string, ds []ConsentDecision, meta ConsentMeta) ([]ports.ConsentRecord, error) {
	return ad.record(ctx, "RecordConsent", userID, ds, ports.SourceSelf, meta)
}

// RecordGuardianConsent appends decisions a child's guardian took outside
// BharatAuth's routes (after the app's own check of the guardian, as for
// VerifyGuardian), with source guardian: the way to grant again for a child
// whose guardian was verified by the app and has no account here. The child
// needs a confirmed guardianship (ErrNotFound otherwise); a Tracking category
// is never granted (ErrValidation "not_allowed_for_child").
func (ad Admin) RecordGuardianConsent(ctx context.Context, childID string, ds []ConsentDecision, meta ConsentMeta) ([]ports.ConsentRecord, error) {
	const op = "RecordGuardianConsent"
	g, found, err := ad.a.guardianship(ctx, op, childID)
	if err != nil {
		return nil, err
	}
	if !found || g.Pending() {
		return nil, newError(op, KindNotFound, "", "no child account with a confirmed guardian has this ID")
	}
	return ad.record(ctx, op, childID, ds, ports.SourceGuardian, meta)
}

// record appends the decisions ds, taken elsewhere, to userID's log.
func (ad Admin) record(ctx context.Context, op, userID string, ds []ConsentDecision, source string, meta ConsentMeta) ([]ports.ConsentRecord, error) {
	n, err := ad.a.noticeShown(op, meta.NoticeVersion, meta.NoticeLanguage, "", true)
	if err != nil {
		return nil, err
	}
	rows, err := ad.a.consentRows(op, ds, rowContext{notice: n, source: source, client: meta.Client})
	if err != nil {
		return nil, err
	}
	if err := ad.a.refuseChildDecision(ctx, op, userID, rows); err != nil {
		return nil, err
	}
	return ad.a.appendConsents(ctx, op, userID, rows, meta.Client)
}

// rowContext is what consent rows record besides the decisions: the notice
// shown, who decided (the source, and for a consent manager its registration
// and reference) and the client.
type rowContext struct {
	notice     Notice
	source     string
	managerID  string
	managerRef string
	client     Client
}

// appendConsents appends rows to userID's chain with its keyed checkpoint and,
// when a listener is configured, its outbox entries; then records the events
// and starts delivery.
func (a *Auth) appendConsents(ctx context.Context, op, userID string, rows []ports.ConsentRecord, c Client) ([]ports.ConsentRecord, error) {
	stored, err := a.deps.Consents.AppendConsents(ctx, userID, a.consentAppend(rows))
	if err != nil {
		return nil, storeError(op, err)
	}
	a.consentsRecorded(ctx, userID, stored, c)
	return stored, nil
}

// consentAppend is the ledger write of rows: chained, checkpointed under the
// server's key, queued for the listener when there is one.
func (a *Auth) consentAppend(rows []ports.ConsentRecord) ports.ConsentAppend {
	return ports.ConsentAppend{Rows: rows, CheckpointKey: a.consentKey, Notify: a.deps.ConsentListener != nil}
}

// consentRows turns decisions into version-2 ledger rows, refusing unknown
// categories before anything is written. The IP address and user agent are
// recorded with keyed digests, which the chain hashes in their place.
func (a *Auth) consentRows(op string, ds []ConsentDecision, rc rowContext) ([]ports.ConsentRecord, error) {
	if len(ds) == 0 {
		return nil, invalidField(op, "consents", "at least one decision is needed")
	}
	ip, ua := storedIP(rc.client.IP), rc.client.userAgent()
	now := a.now()
	rows := make([]ports.ConsentRecord, len(ds))
	for i, d := range ds {
		if _, ok := a.categories[d.Category]; !ok {
			return nil, invalidField(op, "category", fmt.Sprintf("unknown category %q", truncate(d.Category, 64)))
		}
		rows[i] = ports.ConsentRecord{ChainVersion: ports.ChainV2, Category: d.Category, Granted: d.Granted,
			NoticeVersion: rc.notice.Version, NoticeLanguage: rc.notice.Language, NoticeHash: rc.notice.SHA256,
			Source: rc.source, ManagerID: rc.managerID, ManagerReference: rc.managerRef,
			IPAddress: ip, UserAgent: ua, IPDigest: a.clientDigest(ip), UserAgentDigest: a.clientDigest(ua),
			RecordedAt: now}
	}
	return rows, nil
}

// clientDigest is the keyed digest of an IP address or user agent in a
// consent row ("" for ""): it proves the value once known without keeping it.
func (a *Auth) clientDigest(v string) string {
	if v == "" {
		return ""
	}
	m := hmac.New(sha256.New, a.clientDigestKey)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil))
}

// consentsRecorded records an event per row and starts delivering the rows
// to the listener.
func (a *Auth) consentsRecorded(ctx context.Context, userID string, rows []ports.ConsentRecord, c Client) {
	for _, r := range rows {
		a.event(ctx, userID, ports.EventConsentChanged, c, fmt.Sprintf("%s=%t", r.Category, r.Granted))
	}
	a.deliverAfterAnswer(ctx)
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
	latest, err := a.latestConsents(ctx, "Consents", userID)
	if err != nil {
		return nil, err
	}
	states := make([]ConsentState, 0, len(a.cfg.Categories))
	for _, c := range a.cfg.Categories {
		states = append(states, a.consentState(c, latest))
	}
	return states, nil
}

// latestConsents returns the user's latest row per category.
func (a *Auth) latestConsents(ctx context.Context, op, userID string) (map[string]ports.ConsentRecord, error) {
	history, err := a.deps.Consents.ConsentHistory(ctx, userID)
	if err != nil {
		return nil, storeError(op, err)
	}
	latest := map[string]ports.ConsentRecord{}
	for _, r := range history {
		latest[r.Category] = r // rows come in Seq order: the last one wins
	}
	return latest, nil
}

// consentState is the state of category c given the latest rows.
func (a *Auth) consentState(c Category, latest map[string]ports.ConsentRecord) ConsentState {
	now := a.now()
	current, currentAt := a.notices.categoryVersion(c.Name, now)
	s := ConsentState{Category: c.Name, Required: c.Required, NoticeVersion: a.notices.currentVersion(now), ReconsentRequired: true}
	r, ok := latest[c.Name]
	if !ok {
		return s
	}
	s.Granted, s.NoticeVersion, s.NoticeLanguage, s.Source, s.ConsentedAt = r.Granted, r.NoticeVersion, r.NoticeLanguage, r.Source, r.RecordedAt
	decidedAt := a.notices.publishedAt(r.NoticeVersion)
	// A decision under the category's current notice, or a newer one, stands;
	// one under an older or unregistered notice is asked again.
	s.ReconsentRequired = r.NoticeVersion != current && (decidedAt.IsZero() || decidedAt.Before(currentAt))
	return s
}

// ReconsentRequired lists the categories on which userID must decide again,
// in the configured order: the category's current notice is newer than the
// one the user decided under, or the user never decided (DPDP Rule 3: consent
// is only as good as the notice it was given on).
func (a *Auth) ReconsentRequired(ctx context.Context, userID string) (_ []string, err error) {
	ctx, flow := a.observeFlow(ctx, "ReconsentRequired")
	defer flow.done(ctx, &err)
	states, err := a.consents(ctx, userID)
	if err != nil {
		return nil, err
	}
	names := []string{}
	for _, s := range states {
		if s.ReconsentRequired {
			names = append(names, s.Category)
		}
	}
	return names, nil
}

// HasConsent reports whether userID's latest decision on category grants it
// under the category's current notice: the check an app makes before
// processing data for that purpose, so that a withdrawal stops the
// processing (DPDP §6(6)). A category never decided is not granted, and a
// grant made under a notice the category's current one superseded counts
// only within Config.ReconsentGrace of the change (default: not at all),
// because consent covers the purposes of the notice it was given on.
// Errors: ErrValidation (unknown category), ErrUnavailable.
func (a *Auth) HasConsent(ctx context.Context, userID, category string) (_ bool, err error) {
	ctx, flow := a.observeFlow(ctx, "HasConsent")
	defer flow.done(ctx, &err)
	_, granted, err := a.consentNow(ctx, "HasConsent", userID, category)
	return granted, err
}

// RequireConsent returns nil when HasConsent holds, and otherwise
// ErrForbidden (an HTTP 403), for guarding the app's own routes: code
// "consent_withdrawn" when the category is not granted, "reconsent_required"
// when it was granted under a superseded notice (the app shows the current
// notice and asks again).
func (a *Auth) RequireConsent(ctx context.Context, userID, category string) (err error) {
	const op = "RequireConsent"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	s, granted, err := a.consentNow(ctx, op, userID, category)
	switch {
	case err != nil || granted:
		return err
	case s.Granted:
		return newError(op, KindForbidden, codeReconsentRequired,
			fmt.Sprintf("consent for %q was given on an earlier notice; the current notice needs a new decision", category))
	default:
		return newError(op, KindForbidden, codeConsentWithdrawn,
			fmt.Sprintf("consent for %q is not given or was withdrawn", category))
	}
}

// consentNow returns userID's state on category and whether it grants the
// category now (HasConsent's rule).
func (a *Auth) consentNow(ctx context.Context, op, userID, category string) (ConsentState, bool, error) {
	c, ok := a.categories[category]
	if !ok {
		return ConsentState{}, false, invalidField(op, "category", fmt.Sprintf("unknown category %q", truncate(category, 64)))
	}
	latest, err := a.latestConsents(ctx, op, userID)
	if err != nil {
		return ConsentState{}, false, err
	}
	s := a.consentState(c, latest)
	if !s.Granted || !s.ReconsentRequired {
		return s, s.Granted, nil
	}
	now := a.now()
	_, changedAt := a.notices.categoryVersion(category, now)
	return s, now.Before(changedAt.Add(a.cfg.ReconsentGrace)), nil
}

// ConsentInput names the DPDP category the caller withdraws or grants, and
// the notice shown when deciding (empty: the current one in the user's
// language).
type ConsentInput struct {
	Category       string
	NoticeVersion  string
	NoticeLanguage string
	// CloseAccount confirms the withdrawal of a required category: the
	// service cannot run without it, so the account is closed (an erasure
	// request, which needs a fresh step-up).
	CloseAccount bool
	Client       Client
}

// Withdraw withdraws the caller's consent for category — one call, as easy as
// granting (DPDP §6(4)) — and emails a receipt. A required category cannot be
// withdrawn while the account stays open: without CloseAccount it is
// ErrConflict "consent_required_for_service" and nothing is recorded; with it
// the erasure request flow runs first (RequestErasure), then the withdrawal
// is recorded.
//
// Errors: ErrValidation (unknown category, notice), ErrConflict
// ("notice_outdated", "consent_required_for_service"), and RequestErasure's.
func (a *Auth) Withdraw(ctx context.Context, p Principal, in ConsentInput) (_ ConsentState, err error) {
	const op = "Withdraw"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	cat, ok := a.categories[in.Category]
	if ok && cat.Required {
		if !in.CloseAccount {
			return ConsentState{}, newError(op, KindConflict, codeConsentForService, fmt.Sprintf(
				"%q is needed to run the service: withdrawing it closes your account and asks for your data to be erased; "+
					"confirm with close_account to do so", in.Category))
		}
		// The erasure request comes right before the row: it checks the
		// step-up and the handler, so a refused one records nothing, and a
		// withdrawal of a required category is never recorded on an account
		// left open.
		return a.decide(ctx, op, p, ConsentDecision{Category: in.Category}, in,
			func() error { _, err := a.RequestErasure(ctx, p, in.Client); return err })
	}
	return a.decide(ctx, op, p, ConsentDecision{Category: in.Category}, in, nil)
}

// Grant grants the caller's consent for category. For a child's account it
// is ErrForbidden (code "guardian_consent_required"): the guardian consents.
func (a *Auth) Grant(ctx context.Context, p Principal, in ConsentInput) (_ ConsentState, err error) {
	ctx, flow := a.observeFlow(ctx, "Grant")
	defer flow.done(ctx, &err)
	return a.decide(ctx, "Grant", p, ConsentDecision{Category: in.Category, Granted: true}, in, nil)
}

// decide records the caller's decision d; beforeRecord, when set, runs once
// the input is valid and before the row is written, and an error from it
// writes nothing.
func (a *Auth) decide(ctx context.Context, op string, p Principal, d ConsentDecision, in ConsentInput, beforeRecord func() error) (ConsentState, error) {
	if _, ok := a.categories[d.Category]; !ok {
		return ConsentState{}, invalidField(op, "category", fmt.Sprintf("unknown category %q", truncate(d.Category, 64)))
	}
	u, err := a.userByID(ctx, op, p.UserID)
	if err != nil {
		return ConsentState{}, err
	}
	return a.recordDecision(ctx, op, u, d, ports.SourceSelf, in, beforeRecord)
}

// recordDecision records decision d of (or, for a guardian, for) user u on a
// known category, under the notice in names, and emails the receipts.
func (a *Auth) recordDecision(ctx context.Context, op string, u ports.User, d ConsentDecision, source string, in ConsentInput, beforeRecord func() error) (ConsentState, error) {
	n, err := a.noticeShown(op, in.NoticeVersion, in.NoticeLanguage, u.Language, false)
	if err != nil {
		return ConsentState{}, err
	}
	rows, err := a.consentRows(op, []ConsentDecision{d}, rowContext{notice: n, source: source, client: in.Client})
	if err != nil {
		return ConsentState{}, err
	}
	if err := a.refuseChildDecision(ctx, op, u.ID, rows); err != nil {
		return ConsentState{}, err
	}
	if beforeRecord != nil {
		if err := beforeRecord(); err != nil {
			return ConsentState{}, err
		}
	}
	stored, err := a.appendConsents(ctx, op, u.ID, rows, in.Client)
	if err != nil {
		return ConsentState{}, err
	}
	a.sendReceipts(ctx, u, stored, in.Client)
	return a.consentState(a.categories[d.Category], map[string]ports.ConsentRecord{d.Category: stored[0]}), nil
}

// sendReceipts emails u a receipt of each withdrawal among rows. The receipt
// promises that processing stops only when a ConsentListener is wired.
// A child's guardian (by account) gets a copy of each.
func (a *Auth) sendReceipts(ctx context.Context, u ports.User, rows []ports.ConsentRecord, c Client) {
	to := []ports.User{u}
	for _, r := range rows {
		if r.Granted {
			continue
		}
		if len(to) == 1 {
			if guardian, ok := a.guardianOf(ctx, u.ID); ok {
				to = append(to, guardian)
			}
		}
		for _, recipient := range to {
			a.send(ctx, recipient, emails.ConsentWithdrawn, emails.Data{Category: r.Category, At: r.RecordedAt,
				ProcessingStops: a.deps.ConsentListener != nil}, c)
		}
	}
}

// ChainReport is the result of verifying a user's consent hash chain.
type ChainReport struct {
	Rows     int
	Intact   bool
	BrokenAt int64  // the Seq of the first row that does not verify; 0 when intact
	Reason   string // why that row (or the checkpoint) fails
	// Checkpointed is set when the chain head matches its keyed checkpoint: the
	// chain was not rewritten by anyone without the server's key. A chain of
	// version-1 rows only may have none.
	Checkpointed bool
}

// VerifyConsentChain recomputes the user's consent hash chain, each row under
// the rule of its version, and checks the head against its keyed checkpoint:
// it reports the first broken link, and a chain rewritten consistently
// without the key — tampering is detectable, not only forbidden.
func (ad Admin) VerifyConsentChain(ctx context.Context, userID string) (ChainReport, error) {
	const op = "VerifyConsentChain"
	a := ad.a
	rows, err := a.deps.Consents.ConsentHistory(ctx, userID)
	if err != nil {
		return ChainReport{}, storeError(op, err)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Seq < rows[j].Seq })
	prev, v2 := "", false
	for i, r := range rows {
		reason := ""
		switch {
		case r.Seq != int64(i+1):
			reason = fmt.Sprintf("expected sequence %d, found %d (a row is missing or inserted)", i+1, r.Seq)
		case r.PrevHash != prev:
			reason = "the link to the previous row does not match"
		case consentchain.Hash(prev, r) != r.Hash:
			reason = "the row's content does not match its hash"
		case v2 && r.ChainVersion < ports.ChainV2:
			reason = "a version-1 row follows a version-2 row (a row was rewritten under the old rule)"
		}
		if reason != "" {
			return ChainReport{Rows: len(rows), BrokenAt: r.Seq, Reason: reason}, nil
		}
		prev, v2 = r.Hash, v2 || r.ChainVersion >= ports.ChainV2
	}
	cp, err := a.deps.Consents.ConsentCheckpoint(ctx, userID)
	if errors.Is(err, ports.ErrNotFound) {
		if v2 {
			return ChainReport{Rows: len(rows), BrokenAt: int64(len(rows)),
				Reason: "the chain has version-2 rows but no keyed checkpoint (it was removed)"}, nil
		}
		return ChainReport{Rows: len(rows), Intact: true}, nil
	}
	if err != nil {
		return ChainReport{}, storeError(op, err)
	}
	head := ports.ConsentRecord{}
	if len(rows) > 0 {
		head = rows[len(rows)-1]
	}
	want := consentchain.Checkpoint(a.consentKey, userID, head.Seq, head.Hash)
	if cp.Seq != head.Seq || cp.Head != head.Hash || !hmac.Equal([]byte(cp.MAC), []byte(want)) {
		return ChainReport{Rows: len(rows), BrokenAt: head.Seq,
			Reason: "the chain head does not match its keyed checkpoint (the chain was rewritten or cut without the server's key)"}, nil
	}
	return ChainReport{Rows: len(rows), Intact: true, Checkpointed: true}, nil
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
