package core

import (
	"context"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// observedRightsPorts wraps the ports of the data-protection rights set in d,
// as observedPorts does the others.
func observedRightsPorts(d Deps, o ports.Observer) Deps {
	if d.Erasures != nil {
		d.Erasures = observedErasures{d.Erasures, o}
	}
	if d.Grievances != nil {
		d.Grievances = observedGrievances{d.Grievances, o}
	}
	if d.Nominees != nil {
		d.Nominees = observedNominees{d.Nominees, o}
	}
	if d.Activity != nil {
		d.Activity = observedActivity{d.Activity, o}
	}
	if d.Pseudonymiser != nil {
		d.Pseudonymiser = observedPseudonymiser{d.Pseudonymiser, o}
	}
	return d
}

// The wrappers of the ports of the data-protection rights (erasure,
// grievances, nominees, inactivity, retention), as observedPorts sets them.
var (
	_ ports.ErasureStore       = observedErasures{}
	_ ports.GrievanceStore     = observedGrievances{}
	_ ports.NomineeStore       = observedNominees{}
	_ ports.ActivityStore      = observedActivity{}
	_ ports.EventPseudonymiser = observedPseudonymiser{}
)

type observedErasures struct {
	p ports.ErasureStore
	o ports.Observer
}

func (w observedErasures) CreateErasureRequest(ctx context.Context, r ports.ErasureRecord) error {
	return timedErr(ctx, w.o, "ErasureStore.CreateErasureRequest", func() error { return w.p.CreateErasureRequest(ctx, r) })
}

func (w observedErasures) ErasureRequest(ctx context.Context, id string) (ports.ErasureRecord, error) {
	return timed(ctx, w.o, "ErasureStore.ErasureRequest", func() (ports.ErasureRecord, error) { return w.p.ErasureRequest(ctx, id) })
}

func (w observedErasures) ErasureRequestByStatusHash(ctx context.Context, hash string) (ports.ErasureRecord, error) {
	return timed(ctx, w.o, "ErasureStore.ErasureRequestByStatusHash", func() (ports.ErasureRecord, error) {
		return w.p.ErasureRequestByStatusHash(ctx, hash)
	})
}

func (w observedErasures) ErasureRequests(ctx context.Context, userID string) ([]ports.ErasureRecord, error) {
	return timed(ctx, w.o, "ErasureStore.ErasureRequests", func() ([]ports.ErasureRecord, error) { return w.p.ErasureRequests(ctx, userID) })
}

func (w observedErasures) DueErasureRequests(ctx context.Context, now time.Time, limit int) ([]ports.ErasureRecord, error) {
	return timed(ctx, w.o, "ErasureStore.DueErasureRequests", func() ([]ports.ErasureRecord, error) {
		return w.p.DueErasureRequests(ctx, now, limit)
	})
}

func (w observedErasures) CancelErasureRequest(ctx context.Context, id string, at time.Time) (ports.ErasureRecord, error) {
	return timed(ctx, w.o, "ErasureStore.CancelErasureRequest", func() (ports.ErasureRecord, error) {
		return w.p.CancelErasureRequest(ctx, id, at)
	})
}

func (w observedErasures) EraseUser(ctx context.Context, e ports.UserErasure) (ports.ErasureRecord, error) {
	return timed(ctx, w.o, "ErasureStore.EraseUser", func() (ports.ErasureRecord, error) { return w.p.EraseUser(ctx, e) })
}

type observedGrievances struct {
	p ports.GrievanceStore
	o ports.Observer
}

func (w observedGrievances) CreateGrievance(ctx context.Context, g ports.Grievance) error {
	return timedErr(ctx, w.o, "GrievanceStore.CreateGrievance", func() error { return w.p.CreateGrievance(ctx, g) })
}

func (w observedGrievances) Grievance(ctx context.Context, id string) (ports.Grievance, error) {
	return timed(ctx, w.o, "GrievanceStore.Grievance", func() (ports.Grievance, error) { return w.p.Grievance(ctx, id) })
}

func (w observedGrievances) Grievances(ctx context.Context, userID string) ([]ports.Grievance, error) {
	return timed(ctx, w.o, "GrievanceStore.Grievances", func() ([]ports.Grievance, error) { return w.p.Grievances(ctx, userID) })
}

func (w observedGrievances) AnswerGrievance(ctx context.Context, id, response string, at time.Time) (ports.Grievance, error) {
	return timed(ctx, w.o, "GrievanceStore.AnswerGrievance", func() (ports.Grievance, error) {
		return w.p.AnswerGrievance(ctx, id, response, at)
	})
}

type observedNominees struct {
	p ports.NomineeStore
	o ports.Observer
}

func (w observedNominees) AddNominee(ctx context.Context, n ports.Nominee) error {
	return timedErr(ctx, w.o, "NomineeStore.AddNominee", func() error { return w.p.AddNominee(ctx, n) })
}

func (w observedNominees) RemoveNominee(ctx context.Context, userID, id string, at time.Time) (ports.Nominee, error) {
	return timed(ctx, w.o, "NomineeStore.RemoveNominee", func() (ports.Nominee, error) { return w.p.RemoveNominee(ctx, userID, id, at) })
}

func (w observedNominees) Nominees(ctx context.Context, userID string) ([]ports.Nominee, error) {
	return timed(ctx, w.o, "NomineeStore.Nominees", func() ([]ports.Nominee, error) { return w.p.Nominees(ctx, userID) })
}

type observedActivity struct {
	p ports.ActivityStore
	o ports.Observer
}

func (w observedActivity) TouchActivity(ctx context.Context, userID string, at time.Time, every time.Duration) (bool, error) {
	return timed(ctx, w.o, "ActivityStore.TouchActivity", func() (bool, error) { return w.p.TouchActivity(ctx, userID, at, every) })
}

func (w observedActivity) InactiveUnwarned(ctx context.Context, before time.Time, limit int) ([]ports.Activity, error) {
	return timed(ctx, w.o, "ActivityStore.InactiveUnwarned", func() ([]ports.Activity, error) {
		return w.p.InactiveUnwarned(ctx, before, limit)
	})
}

func (w observedActivity) WarnedInactive(ctx context.Context, warnedBefore time.Time, limit int) ([]ports.Activity, error) {
	return timed(ctx, w.o, "ActivityStore.WarnedInactive", func() ([]ports.Activity, error) {
		return w.p.WarnedInactive(ctx, warnedBefore, limit)
	})
}

func (w observedActivity) MarkWarned(ctx context.Context, userID string, at, before time.Time) (bool, error) {
	return timed(ctx, w.o, "ActivityStore.MarkWarned", func() (bool, error) { return w.p.MarkWarned(ctx, userID, at, before) })
}

type observedPseudonymiser struct {
	p ports.EventPseudonymiser
	o ports.Observer
}

func (w observedPseudonymiser) PseudonymiseEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	return timed(ctx, w.o, "EventPseudonymiser.PseudonymiseEvents", func() (int, error) {
		return w.p.PseudonymiseEvents(ctx, before, limit)
	})
}

func (w observedPseudonymiser) PseudonymiseConsents(ctx context.Context, before time.Time, limit int) (int, error) {
	return timed(ctx, w.o, "EventPseudonymiser.PseudonymiseConsents", func() (int, error) {
		return w.p.PseudonymiseConsents(ctx, before, limit)
	})
}
