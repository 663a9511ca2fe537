package core

import (
	"context"
	"time"

	"github.com/bharatauth/bharatauth-go/core/emails"
	"github.com/bharatauth/bharatauth-go/ports"
)

// Export is the DPDP right-of-access document: everything BharatAuth holds
// about a user, and never a hash or a secret.
type Export struct {
	GeneratedAt   time.Time
	Account       ExportAccount
	Sessions      []ExportSession
	Consents      []ports.ConsentRecord // the whole history, hashes included (they prove integrity, reveal nothing)
	Events        []ports.SecurityEvent
	OneTimeTokens []ExportToken
	Recipients    []Recipient // whom the service shares personal data with (Config.Recipients)
	Grievances    []ports.Grievance
	Nominees      []ports.Nominee // removed ones included
	Erasures      []ExportErasure
	// Guardian is the guardian link of a child's account (nil for an adult);
	// Children are the children whose guardian the user is.
	Guardian *ExportGuardian
	Children []GuardianLink
}

// ExportErasure is an erasure request without its status-link hash.
type ExportErasure struct {
	ID         string
	Status     string
	ReceivedAt time.Time
	DueAt      time.Time
	ClosedAt   time.Time
	Kept       string
}

// ExportGuardian is a child's link to its guardian, without the decisions
// proposed at registration (the consent history holds what was recorded).
type ExportGuardian struct {
	GuardianEmail string
	DateOfBirth   time.Time
	RequestedAt   time.Time
	ConfirmedAt   time.Time // zero while pending
	Method        string
}

// ExportAccount is the account data held.
type ExportAccount struct {
	UserID            string
	Email             string
	Phone             string // E.164, "" when none
	PhoneVerified     bool
	Username          string
	DisplayName       string
	Language          string
	CreatedAt         time.Time
	EmailVerified     bool
	Suspended         bool
	PasswordSet       bool
	PINSet            bool
	PasswordChangedAt time.Time
	PINChangedAt      time.Time
	Lock              ports.LockState // the sign-in counter of the account's email (its number without one)
	PINLock           ports.LockState // the PIN's own counter
}

// ExportSession is a session without its refresh-token hash.
type ExportSession struct {
	ID string
	// DeviceFingerprint is a short prefix of the keyed hash stored for the
	// device: enough to tell devices apart, never the fingerprint itself.
	DeviceFingerprint string
	DeviceInfo        string
	IPAddress         string
	IsPublicDevice    bool
	IsVerifiedDevice  bool
	AuthMethod        string
	CreatedAt         time.Time
	ExpiresAt         time.Time
	LastUsedAt        time.Time
	RevokedAt         time.Time
}

// ExportToken is one-time-token metadata: purpose and times, never the hash.
type ExportToken struct {
	Purpose   string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
	Attempts  int
}

// Export builds the caller's right-of-access document. It is sensitive: it needs
// a step-up (RequireStepUp). A receipt naming the privacy contact is emailed
// after the answer, within the inbox's export budget (RequestPerIdentifier):
// past it the export is still answered, without a receipt.
func (a *Auth) Export(ctx context.Context, p Principal, c Client) (_ Export, err error) {
	const op = "Export"
	ctx, flow := a.observeFlow(ctx, op)
	defer flow.done(ctx, &err)
	if err := a.RequireStepUp(ctx, p); err != nil {
		return Export{}, err
	}
	u, err := a.deps.Users.UserByID(ctx, p.UserID)
	if err != nil {
		return Export{}, storeError(op, err)
	}
	doc, err := a.exportOf(ctx, u)
	if err != nil {
		return Export{}, storeError(op, err)
	}
	a.event(ctx, p.UserID, ports.EventDataExported, c, "")
	a.sendExportReceipt(ctx, u, doc.GeneratedAt, c)
	return doc, nil
}

// sendExportReceipt emails u the receipt of an export made at at, after the
// answer. Only the signed-in user can export, but a script repeating exports
// must not flood their inbox: the receipts have a budget of their own.
func (a *Auth) sendExportReceipt(ctx context.Context, u ports.User, at time.Time, c Client) {
	c = c.stored()
	a.afterAnswer(ctx, string(emails.DataExported)+" email", func(ctx context.Context) {
		if err := a.limitInbox(ctx, "Export", budgetExport, u.ID); err != nil {
			a.log.InfoContext(ctx, "bharatauth: an inbox's export receipt budget is spent; not sending", "user_id", u.ID)
			return
		}
		a.sendNow(ctx, u, emails.DataExported, emails.Data{At: at, IPAddress: c.IP}, c)
	})
}

// exportDocument builds the right-of-access document of userID.
func (a *Auth) exportDocument(ctx context.Context, userID string) (Export, error) {
	u, err := a.deps.Users.UserByID(ctx, userID)
	if err != nil {
		return Export{}, err
	}
	return a.exportOf(ctx, u)
}

// exportOf builds the right-of-access document of u.
func (a *Auth) exportOf(ctx context.Context, u ports.User) (Export, error) {
	userID := u.ID
	creds, err := a.deps.Credentials.Credentials(ctx, userID)
	if err != nil && !isNotFound(err) {
		return Export{}, err
	}
	lock, err := a.deps.Lockouts.LockState(ctx, a.identifierLockKey(accountIdentifier(u)))
	if err != nil {
		return Export{}, err
	}
	pinLock, err := a.deps.Lockouts.LockState(ctx, pinLockKey(userID))
	if err != nil {
		return Export{}, err
	}
	doc := Export{GeneratedAt: a.now(), Account: ExportAccount{
		UserID: u.ID, Email: u.Email, Phone: u.Phone, PhoneVerified: u.PhoneVerified, Username: u.Username,
		DisplayName: u.DisplayName, Language: u.Language, CreatedAt: u.CreatedAt, EmailVerified: u.EmailVerified, Suspended: u.Suspended,
		PasswordSet: creds.PasswordHash != "", PINSet: creds.PINHash != "",
		PasswordChangedAt: creds.PasswordChangedAt, PINChangedAt: creds.PINChangedAt, Lock: lock, PINLock: pinLock,
	}}
	sessions, err := a.deps.Sessions.Sessions(ctx, userID)
	if err != nil {
		return Export{}, err
	}
	var tokens []ports.OneTimeToken
	for _, s := range sessions {
		doc.Sessions = append(doc.Sessions, ExportSession{ID: s.ID, DeviceFingerprint: devicePrefix(s.DeviceFingerprint),
			DeviceInfo: s.DeviceInfo, IPAddress: s.IPAddress, IsPublicDevice: s.IsPublicDevice,
			IsVerifiedDevice: s.IsVerifiedDevice, AuthMethod: s.AuthMethod, CreatedAt: s.CreatedAt,
			ExpiresAt: s.ExpiresAt, LastUsedAt: s.LastUsedAt, RevokedAt: s.RevokedAt})
		stepUp, err := a.deps.Tokens.Tokens(ctx, s.ID) // step-up codes are keyed by session
		if err != nil {
			return Export{}, err
		}
		tokens = append(tokens, stepUp...)
	}
	if doc.Consents, err = a.deps.Consents.ConsentHistory(ctx, userID); err != nil {
		return Export{}, err
	}
	if a.deps.Events != nil {
		if doc.Events, err = a.deps.Events.Events(ctx, userID); err != nil {
			return Export{}, err
		}
	}
	if err := a.exportGuardian(ctx, userID, &doc); err != nil {
		return Export{}, err
	}
	if err := a.exportRights(ctx, userID, &doc); err != nil {
		return Export{}, err
	}
	own, err := a.deps.Tokens.Tokens(ctx, userID)
	if err != nil {
		return Export{}, err
	}
	for _, t := range append(own, tokens...) {
		doc.OneTimeTokens = append(doc.OneTimeTokens, ExportToken{Purpose: t.Purpose, CreatedAt: t.CreatedAt,
			ExpiresAt: t.ExpiresAt, UsedAt: t.UsedAt, Attempts: t.Attempts})
	}
	return doc, nil
}

// devicePrefixLen is how much of a stored device hash an export shows.
const devicePrefixLen = 12

func devicePrefix(device string) string { return device[:min(len(device), devicePrefixLen)] }

// exportRights adds what the user did with their rights, and the recipients.
func (a *Auth) exportRights(ctx context.Context, userID string, doc *Export) error {
	doc.Recipients = append([]Recipient(nil), a.cfg.Recipients...)
	var err error
	if doc.Grievances, err = a.deps.Grievances.Grievances(ctx, userID); err != nil {
		return err
	}
	if doc.Nominees, err = a.deps.Nominees.Nominees(ctx, userID); err != nil {
		return err
	}
	erasures, err := a.deps.Erasures.ErasureRequests(ctx, userID)
	if err != nil {
		return err
	}
	for _, r := range erasures {
		doc.Erasures = append(doc.Erasures, ExportErasure{ID: r.ID, Status: r.Status, ReceivedAt: r.ReceivedAt,
			DueAt: r.DueAt, ClosedAt: r.ClosedAt, Kept: r.Kept})
	}
	return nil
}

// exportGuardian adds the user's guardian link and children to doc.
func (a *Auth) exportGuardian(ctx context.Context, userID string, doc *Export) error {
	g, child, err := a.guardianship(ctx, "Export", userID)
	if err != nil {
		return err
	}
	if child {
		doc.Guardian = &ExportGuardian{GuardianEmail: g.GuardianEmail, DateOfBirth: g.DateOfBirth,
			RequestedAt: g.RequestedAt, ConfirmedAt: g.ConfirmedAt, Method: g.Method}
	}
	doc.Children, err = a.GuardianChildren(ctx, Principal{UserID: userID})
	return err
}
