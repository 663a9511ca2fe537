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

// messageView is the one answer of the enumeration-safe request routes.
type messageView struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

type userView struct {
	ID    string `json:"id"`
	Email string `json:"email"`
}

type registerView struct {
	User userView `json:"user"`
}

type tokensView struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
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
		User: userView{ID: res.User.ID, Email: res.User.Email}}
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
	v := sessionsView{Sessions: make([]sessionView, 0, len(list))}
	for _, s := range list {
		v.Sessions = append(v.Sessions, sessionView{ID: s.ID, DeviceInfo: s.DeviceInfo, IPAddress: s.IPAddress,
			IsPublicDevice: s.IsPublicDevice, IsVerifiedDevice: s.IsVerifiedDevice, CreatedAt: timestamp(s.CreatedAt),
			ExpiresAt: timestamp(s.ExpiresAt), LastUsedAt: timestamp(s.LastUsedAt), Current: s.Current})
	}
	return v
}

type meView struct {
	UserID      string `json:"user_id"`
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	Trust       string `json:"trust"`
	SessionID   string `json:"session_id"`
}

type consentView struct {
	Category      string  `json:"category"`
	Granted       bool    `json:"granted"`
	Required      bool    `json:"required"`
	NoticeVersion string  `json:"notice_version"`
	ConsentedAt   *string `json:"consented_at"`
}

func newConsentView(s core.ConsentState) consentView {
	return consentView{Category: s.Category, Granted: s.Granted, Required: s.Required,
		NoticeVersion: s.NoticeVersion, ConsentedAt: timestamp(s.ConsentedAt)}
}

type consentsView struct {
	Success bool          `json:"success"`
	Data    []consentView `json:"data"`
}

func newConsentsView(states []core.ConsentState) consentsView {
	v := consentsView{Success: true, Data: make([]consentView, 0, len(states))}
	for _, s := range states {
		v.Data = append(v.Data, newConsentView(s))
	}
	return v
}

type consentChangeView struct {
	Success bool        `json:"success"`
	Data    consentView `json:"data"`
}

func newConsentChangeView(s core.ConsentState) consentChangeView {
	return consentChangeView{Success: true, Data: newConsentView(s)}
}

// exportView is core.Export in snake_case: the right-of-access document.
type exportView struct {
	GeneratedAt   *string             `json:"generated_at"`
	Account       exportAccountView   `json:"account"`
	Sessions      []exportSessionView `json:"sessions"`
	Consents      []exportConsentView `json:"consents"`
	Events        []exportEventView   `json:"events"`
	OneTimeTokens []exportTokenView   `json:"one_time_tokens"`
}

type exportAccountView struct {
	UserID            string         `json:"user_id"`
	Email             string         `json:"email"`
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
	Seq            int64   `json:"seq"`
	Category       string  `json:"category"`
	Granted        bool    `json:"granted"`
	NoticeVersion  string  `json:"notice_version"`
	NoticeLanguage string  `json:"notice_language"`
	IPAddress      string  `json:"ip_address"`
	UserAgent      string  `json:"user_agent"`
	RecordedAt     *string `json:"recorded_at"`
	PrevHash       string  `json:"prev_hash"`
	Hash           string  `json:"hash"`
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
		UserID: a.UserID, Email: a.Email, Username: a.Username, DisplayName: a.DisplayName, Language: a.Language,
		CreatedAt: timestamp(a.CreatedAt), EmailVerified: a.EmailVerified, Suspended: a.Suspended,
		PasswordSet: a.PasswordSet, PINSet: a.PINSet, PasswordChangedAt: timestamp(a.PasswordChangedAt),
		PINChangedAt: timestamp(a.PINChangedAt), Lock: newLockView(a.Lock),
	},
		Sessions: []exportSessionView{}, Consents: []exportConsentView{}, Events: []exportEventView{},
		OneTimeTokens: []exportTokenView{}}
	for _, s := range e.Sessions {
		v.Sessions = append(v.Sessions, exportSessionView{ID: s.ID, DeviceFingerprint: s.DeviceFingerprint,
			DeviceInfo: s.DeviceInfo, IPAddress: s.IPAddress, IsPublicDevice: s.IsPublicDevice,
			IsVerifiedDevice: s.IsVerifiedDevice, AuthMethod: s.AuthMethod, CreatedAt: timestamp(s.CreatedAt),
			ExpiresAt: timestamp(s.ExpiresAt), LastUsedAt: timestamp(s.LastUsedAt), RevokedAt: timestamp(s.RevokedAt)})
	}
	for _, c := range e.Consents {
		v.Consents = append(v.Consents, newExportConsentView(c))
	}
	for _, ev := range e.Events {
		v.Events = append(v.Events, exportEventView{Kind: ev.Kind, IPAddress: ev.IPAddress, UserAgent: ev.UserAgent,
			Detail: ev.Detail, At: timestamp(ev.At)})
	}
	for _, t := range e.OneTimeTokens {
		v.OneTimeTokens = append(v.OneTimeTokens, exportTokenView{Purpose: t.Purpose, CreatedAt: timestamp(t.CreatedAt),
			ExpiresAt: timestamp(t.ExpiresAt), UsedAt: timestamp(t.UsedAt), Attempts: t.Attempts})
	}
	return v
}

func newLockView(l ports.LockState) exportLockView {
	return exportLockView{Failures: l.Failures, LastFailureAt: timestamp(l.LastFailureAt),
		LockedUntil: timestamp(l.LockedUntil), HardLocked: l.HardLocked, SoftLocks: l.SoftLocks, HardLocks: l.HardLocks}
}

func newExportConsentView(c ports.ConsentRecord) exportConsentView {
	at := c.RecordedAt.UTC().Format(time.RFC3339Nano)
	return exportConsentView{Seq: c.Seq, Category: c.Category, Granted: c.Granted, NoticeVersion: c.NoticeVersion,
		NoticeLanguage: c.NoticeLanguage, IPAddress: c.IPAddress, UserAgent: c.UserAgent, RecordedAt: &at,
		PrevHash: c.PrevHash, Hash: c.Hash}
}
