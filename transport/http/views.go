package http

import (
	"time"

	"github.com/bharatauth/bharatauth-go/core"
	"github.com/bharatauth/bharatauth-go/ports"
)

// timestamp formats t as RFC 3339 in UTC, or null when t is zero (never set).
func timestamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

type successView struct {
	Success bool `json:"success"`
}

// dataView is a success answer that carries data: {"success":true,"data":…}.
type dataView[T any] struct {
	Success bool `json:"success"`
	Data    T    `json:"data"`
}

// one makes view's result the data of a success answer.
func one[S, T any](view func(S) T) func(S) dataView[T] {
	return func(s S) dataView[T] { return dataView[T]{Success: true, Data: view(s)} }
}

// each makes the view of every item (mapped) the data of a success answer.
func each[S, T any](view func(S) T) func([]S) dataView[[]T] {
	return func(items []S) dataView[[]T] { return dataView[[]T]{Success: true, Data: mapped(items, view)} }
}

// mapped is the view of every item: a list, empty (never null) when there are
// none, so clients can iterate without checks.
func mapped[S, T any](items []S, view func(S) T) []T {
	out := make([]T, 0, len(items))
	for _, s := range items {
		out = append(out, view(s))
	}
	return out
}

// messageView is the one answer of the enumeration-safe request routes.
type messageView struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

type userView struct {
	ID    string `json:"id"`
	Email string `json:"email"`           // "" for a phone-only account
	Phone string `json:"phone,omitempty"` // E.164, when the account has one
}

func newUserView(u ports.User) userView { return userView{ID: u.ID, Email: u.Email, Phone: u.Phone} }

type registerView struct {
	User userView `json:"user"`
}

type tokensView struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"` // absent in cookie mode
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

func newTokensView(t core.Tokens) tokensView {
	return tokensView{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, TokenType: t.TokenType, ExpiresIn: t.ExpiresIn}
}

type loginView struct {
	tokensView
	IsVerifiedDevice bool     `json:"is_verified_device"`
	IsPublicDevice   bool     `json:"is_public_device"`
	Trust            string   `json:"trust"`
	SessionID        string   `json:"session_id"`
	User             userView `json:"user"`
}

func newLoginView(res core.LoginResult) loginView {
	return loginView{tokensView: newTokensView(res.Tokens), IsVerifiedDevice: res.IsVerifiedDevice,
		IsPublicDevice: res.IsPublicDevice, Trust: string(res.Trust), SessionID: res.SessionID,
		User: newUserView(res.User)}
}

type sessionView struct {
	ID               string  `json:"id"`
	DeviceInfo       string  `json:"device_info"`
	IPAddress        string  `json:"ip_address"`
	IsPublicDevice   bool    `json:"is_public_device"`
	IsVerifiedDevice bool    `json:"is_verified_device"`
	CreatedAt        *string `json:"created_at"`
	ExpiresAt        *string `json:"expires_at"`
	LastUsedAt       *string `json:"last_used_at"`
	Current          bool    `json:"current"`
}

type sessionsView struct {
	Sessions []sessionView `json:"sessions"`
}

func newSessionsView(list []core.SessionView) sessionsView {
	return sessionsView{Sessions: mapped(list, newSessionView)}
}

func newSessionView(s core.SessionView) sessionView {
	return sessionView{ID: s.ID, DeviceInfo: s.DeviceInfo, IPAddress: s.IPAddress,
		IsPublicDevice: s.IsPublicDevice, IsVerifiedDevice: s.IsVerifiedDevice, CreatedAt: timestamp(s.CreatedAt),
		ExpiresAt: timestamp(s.ExpiresAt), LastUsedAt: timestamp(s.LastUsedAt), Current: s.Current}
}

type meView struct {
	UserID        string `json:"user_id"`
	Email         string `json:"email"`
	Phone         string `json:"phone"`
	PhoneVerified bool   `json:"phone_verified"`
	DisplayName   string `json:"display_name"`
	Username      string `json:"username"`
	Language      string `json:"language"`
	Trust         string `json:"trust"`
	SessionID     string `json:"session_id"`
}

func newMeView(u ports.User, p core.Principal) meView {
	return meView{UserID: u.ID, Email: u.Email, Phone: u.Phone, PhoneVerified: u.PhoneVerified, DisplayName: u.DisplayName, Username: u.Username,
		Language: u.Language, Trust: string(p.Trust), SessionID: p.SessionID}
}

type consentView struct {
	Category          string  `json:"category"`
	Granted           bool    `json:"granted"`
	Required          bool    `json:"required"`
	NoticeVersion     string  `json:"notice_version"`
	NoticeLanguage    string  `json:"notice_language"`
	Source            string  `json:"source"`
	ConsentedAt       *string `json:"consented_at"`
	ReconsentRequired bool    `json:"reconsent_required"`
}

func newConsentView(s core.ConsentState) consentView {
	return consentView{Category: s.Category, Granted: s.Granted, Required: s.Required,
		NoticeVersion: s.NoticeVersion, NoticeLanguage: s.NoticeLanguage, Source: s.Source,
		ConsentedAt: timestamp(s.ConsentedAt), ReconsentRequired: s.ReconsentRequired}
}

// noticeView is the current privacy notice in one language.
type noticeView struct {
	Version     string   `json:"version"`
	Language    string   `json:"language"`
	SHA256      string   `json:"sha256"`
	Categories  []string `json:"categories"`
	Text        string   `json:"text,omitempty"`
	URL         string   `json:"url,omitempty"`
	PublishedAt *string  `json:"published_at"`
	Languages   []string `json:"languages"`
}

func newNoticeView(n core.NoticeInfo) noticeView {
	return noticeView{Version: n.Version, Language: n.Language, SHA256: n.SHA256, Categories: n.Categories,
		Text: n.Text, URL: n.URL, PublishedAt: timestamp(n.PublishedAt), Languages: n.Languages}
}

// childView is a child's account linked to its guardian.
type childView struct {
	ChildID     string  `json:"child_id"`
	ChildEmail  string  `json:"child_email"`
	Method      string  `json:"method"`
	ConfirmedAt *string `json:"confirmed_at"`
}

func newChildView(l core.GuardianLink) childView {
	return childView{ChildID: l.ChildID, ChildEmail: l.ChildEmail, Method: l.Method, ConfirmedAt: timestamp(l.ConfirmedAt)}
}

// exportView is core.Export in snake_case: the right-of-access document.
type exportView struct {
	GeneratedAt   *string             `json:"generated_at"`
	Account       exportAccountView   `json:"account"`
	Sessions      []exportSessionView `json:"sessions"`
	Consents      []exportConsentView `json:"consents"`
	Events        []exportEventView   `json:"events"`
	OneTimeTokens []exportTokenView   `json:"one_time_tokens"`
	Guardian      *exportGuardianView `json:"guardian"` // a child's link to its guardian; null for an adult
	Children      []childView         `json:"children"`
	Recipients    []recipientView     `json:"recipients"`
	Grievances    []grievanceView     `json:"grievances"`
	Nominees      []nomineeView       `json:"nominees"`
	Erasures      []erasureStatusView `json:"erasure_requests"`
}

// recipientView is one party the service shares personal data with.
type recipientView struct {
	Name    string `json:"name"`
	Purpose string `json:"purpose"`
	Data    string `json:"data"`
}

type exportGuardianView struct {
	GuardianEmail string  `json:"guardian_email"`
	DateOfBirth   string  `json:"date_of_birth"`
	RequestedAt   *string `json:"requested_at"`
	ConfirmedAt   *string `json:"confirmed_at"`
	Method        string  `json:"method"`
}

type exportAccountView struct {
	UserID            string         `json:"user_id"`
	Email             string         `json:"email"`
	Phone             string         `json:"phone"`
	PhoneVerified     bool           `json:"phone_verified"`
	Username          string         `json:"username"`
	DisplayName       string         `json:"display_name"`
	Language          string         `json:"language"`
	CreatedAt         *string        `json:"created_at"`
	EmailVerified     bool           `json:"email_verified"`
	Suspended         bool           `json:"suspended"`
	PasswordSet       bool           `json:"password_set"`
	PINSet            bool           `json:"pin_set"`
	PasswordChangedAt *string        `json:"password_changed_at"`
	PINChangedAt      *string        `json:"pin_changed_at"`
	Lock              exportLockView `json:"lock"`
}

type exportLockView struct {
	Failures      int     `json:"failures"`
	LastFailureAt *string `json:"last_failure_at"`
	LockedUntil   *string `json:"locked_until"`
	HardLocked    bool    `json:"hard_locked"`
	SoftLocks     int     `json:"soft_locks"`
	HardLocks     int     `json:"hard_locks"`
}

type exportSessionView struct {
	ID                string  `json:"id"`
	DeviceFingerprint string  `json:"device_fingerprint"`
	DeviceInfo        string  `json:"device_info"`
	IPAddress         string  `json:"ip_address"`
	IsPublicDevice    bool    `json:"is_public_device"`
	IsVerifiedDevice  bool    `json:"is_verified_device"`
	AuthMethod        string  `json:"auth_method"`
	CreatedAt         *string `json:"created_at"`
	ExpiresAt         *string `json:"expires_at"`
	LastUsedAt        *string `json:"last_used_at"`
	RevokedAt         *string `json:"revoked_at"`
}

type exportConsentView struct {
	Seq              int64   `json:"seq"`
	ChainVersion     int     `json:"chain_version"`
	Category         string  `json:"category"`
	Granted          bool    `json:"granted"`
	NoticeVersion    string  `json:"notice_version"`
	NoticeLanguage   string  `json:"notice_language"`
	NoticeHash       string  `json:"notice_hash"`
	Source           string  `json:"source"`
	ManagerID        string  `json:"manager_id"`
	ManagerReference string  `json:"manager_reference"`
	IPAddress        string  `json:"ip_address"`
	UserAgent        string  `json:"user_agent"`
	IPDigest         string  `json:"ip_digest"`
	UserAgentDigest  string  `json:"user_agent_digest"`
	RecordedAt       *string `json:"recorded_at"`
	PrevHash         string  `json:"prev_hash"`
	Hash             string  `json:"hash"`
}

type exportEventView struct {
	Kind      string  `json:"kind"`
	IPAddress string  `json:"ip_address"`
	UserAgent string  `json:"user_agent"`
	Detail    string  `json:"detail"`
	At        *string `json:"at"`
}

type exportTokenView struct {
	Purpose   string  `json:"purpose"`
	CreatedAt *string `json:"created_at"`
	ExpiresAt *string `json:"expires_at"`
	UsedAt    *string `json:"used_at"`
	Attempts  int     `json:"attempts"`
}

// newExportView copies every field of the export; slices are never null so
// clients can iterate without checks. Consent rows keep RFC 3339 with
// sub-second precision: a verifier recomputing the hash chain needs it.
func newExportView(e core.Export) exportView {
	a := e.Account
	v := exportView{GeneratedAt: timestamp(e.GeneratedAt), Account: exportAccountView{
		UserID: a.UserID, Email: a.Email, Phone: a.Phone, PhoneVerified: a.PhoneVerified, Username: a.Username, DisplayName: a.DisplayName, Language: a.Language,
		CreatedAt: timestamp(a.CreatedAt), EmailVerified: a.EmailVerified, Suspended: a.Suspended,
		PasswordSet: a.PasswordSet, PINSet: a.PINSet, PasswordChangedAt: timestamp(a.PasswordChangedAt),
		PINChangedAt: timestamp(a.PINChangedAt), Lock: newLockView(a.Lock),
	},
		Sessions: mapped(e.Sessions, newExportSessionView), Consents: mapped(e.Consents, newExportConsentView),
		Events: mapped(e.Events, newExportEventView), OneTimeTokens: mapped(e.OneTimeTokens, newExportTokenView),
		Children: mapped(e.Children, newChildView), Recipients: mapped(e.Recipients, newRecipientView),
		Grievances: mapped(e.Grievances, newGrievanceView), Nominees: mapped(e.Nominees, newNomineeView),
		Erasures: mapped(e.Erasures, newExportErasureView)}
	if g := e.Guardian; g != nil {
		v.Guardian = &exportGuardianView{GuardianEmail: g.GuardianEmail, DateOfBirth: g.DateOfBirth.Format(time.DateOnly),
			RequestedAt: timestamp(g.RequestedAt), ConfirmedAt: timestamp(g.ConfirmedAt), Method: g.Method}
	}
	return v
}

func newRecipientView(r core.Recipient) recipientView { return recipientView(r) }

func newExportErasureView(r core.ExportErasure) erasureStatusView {
	return newErasureStatusView(core.ErasureStatus{RequestID: r.ID, Status: r.Status,
		ReceivedAt: r.ReceivedAt, DueAt: r.DueAt, ClosedAt: r.ClosedAt, Kept: r.Kept})
}

func newExportSessionView(s core.ExportSession) exportSessionView {
	return exportSessionView{ID: s.ID, DeviceFingerprint: s.DeviceFingerprint,
		DeviceInfo: s.DeviceInfo, IPAddress: s.IPAddress, IsPublicDevice: s.IsPublicDevice,
		IsVerifiedDevice: s.IsVerifiedDevice, AuthMethod: s.AuthMethod, CreatedAt: timestamp(s.CreatedAt),
		ExpiresAt: timestamp(s.ExpiresAt), LastUsedAt: timestamp(s.LastUsedAt), RevokedAt: timestamp(s.RevokedAt)}
}

func newExportEventView(ev ports.SecurityEvent) exportEventView {
	return exportEventView{Kind: ev.Kind, IPAddress: ev.IPAddress, UserAgent: ev.UserAgent,
		Detail: ev.Detail, At: timestamp(ev.At)}
}

func newExportTokenView(t core.ExportToken) exportTokenView {
	return exportTokenView{Purpose: t.Purpose, CreatedAt: timestamp(t.CreatedAt),
		ExpiresAt: timestamp(t.ExpiresAt), UsedAt: timestamp(t.UsedAt), Attempts: t.Attempts}
}

func newLockView(l ports.LockState) exportLockView {
	return exportLockView{Failures: l.Failures, LastFailureAt: timestamp(l.LastFailureAt),
		LockedUntil: timestamp(l.LockedUntil), HardLocked: l.HardLocked, SoftLocks: l.SoftLocks, HardLocks: l.HardLocks}
}

func newExportConsentView(c ports.ConsentRecord) exportConsentView {
	at := c.RecordedAt.UTC().Format(time.RFC3339Nano)
	return exportConsentView{Seq: c.Seq, ChainVersion: c.ChainVersion, Category: c.Category, Granted: c.Granted,
		NoticeVersion: c.NoticeVersion, NoticeLanguage: c.NoticeLanguage, NoticeHash: c.NoticeHash, Source: c.Source,
		ManagerID: c.ManagerID, ManagerReference: c.ManagerReference, IPAddress: c.IPAddress, UserAgent: c.UserAgent,
		IPDigest: c.IPDigest, UserAgentDigest: c.UserAgentDigest, RecordedAt: &at, PrevHash: c.PrevHash, Hash: c.Hash}
}

// erasureStatusView is the status of an erasure request.
type erasureStatusView struct {
	RequestID  string  `json:"request_id"`
	Status     string  `json:"status"`
	ReceivedAt *string `json:"received_at"`
	DueAt      *string `json:"due_at"`
	ClosedAt   *string `json:"closed_at"`
	Kept       string  `json:"kept,omitempty"`
}

func newErasureStatusView(s core.ErasureStatus) erasureStatusView {
	return erasureStatusView{RequestID: s.RequestID, Status: s.Status, ReceivedAt: timestamp(s.ReceivedAt),
		DueAt: timestamp(s.DueAt), ClosedAt: timestamp(s.ClosedAt), Kept: s.Kept}
}

// erasureReceiptView answers an erasure request.
type erasureReceiptView struct {
	erasureStatusView
	StatusURL string `json:"status_url"`
	Message   string `json:"message"`
}
