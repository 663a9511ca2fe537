package core

import "time"

// Rights is what a user needs to know to exercise their rights under the
// DPDP Act: whom to ask, and the periods the service keeps to.
type Rights struct {
	Contact         PrivacyContact
	GrievancePeriod time.Duration // grievances are answered within it (§13)
	// ErasureGrace is how long an erasure request waits before it is carried
	// out; with ErasureByApp the app carries it out, by the same date.
	ErasureGrace time.Duration
	ErasureByApp bool // the app's ErasureHandler takes erasure requests
	Retention    Retention
}

// Rights returns the privacy contact and the periods in force, for a rights
// page (GET /privacy/rights). It needs no session.
func (a *Auth) Rights() Rights {
	return Rights{Contact: a.cfg.PrivacyContact, GrievancePeriod: a.cfg.GrievancePeriod,
		ErasureGrace: a.cfg.ErasureGrace, ErasureByApp: a.deps.Erasure != nil,
		Retention: a.cfg.Retention}
}
