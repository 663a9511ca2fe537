package core

// Admin is the operator's side of an Auth: calls an app makes for its staff or
// its own back office, never on a user's own request (suspending a user,
// recording consent taken elsewhere, reading any user's consents, verifying a
// consent chain). They take a user ID, not a Principal: the app authorises
// whoever makes them. Keeping them apart from the end-user flows on Auth makes
// plain which calls an app must guard itself.
type Admin struct{ a *Auth }

// Admin returns the operator's side of a.
func (a *Auth) Admin() Admin { return Admin{a: a} }
