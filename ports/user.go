package ports

import (
	"context"
	"time"
)

// User is what BharatAuth needs to know about a person. In external mode the app
// maps its own user rows onto it; BharatAuth never writes the app's user table.
type User struct {
	ID    string // opaque and stable
	Email string // "" for an account with a phone number only
	// Phone is the mobile number in E.164 form ("+919876543210"), or "" for
	// an account with an email only. A directory without phone numbers
	// leaves it empty (see PhoneDirectory).
	Phone         string
	Username      string // optional
	DisplayName   string // optional, used in emails once EmailVerified (never in mail to an unproven address)
	Language      string // optional BCP 47 tag ("en", "hi") for emails
	EmailVerified bool
	PhoneVerified bool // a code sent by SMS to Phone was used
	Suspended     bool
	CreatedAt     time.Time
}

// UserDirectory finds users. In managed mode an adapter provides it over its own
// tables; in external mode the app implements it over its user table.
//
// Lookups are read-only and safe for concurrent use. Each method returns an
// error wrapping ErrNotFound when no user matches.
//
// Emails and usernames compare case-insensitively: "Asha" and "asha" name one
// user, for UserByEmail and UserByUsername alike, and a directory must not hold
// two users whose emails or usernames differ only in case. Callers pass trimmed
// values; an email's domain arrives in its ASCII (IDNA, "xn--") form, lower-cased,
// which is the form core stores at registration. An app whose own table holds
// internationalised domains in Unicode form compares them in ASCII form too
// (golang.org/x/net/idna Lookup.ToASCII), so that "asha@bücher.example" and
// "asha@xn--bcher-kva.example" stay one account.
type UserDirectory interface {
	UserByEmail(ctx context.Context, email string) (User, error)
	UserByUsername(ctx context.Context, username string) (User, error)
	UserByID(ctx context.Context, id string) (User, error)
}
