package core

import (
	"context"
	"errors"
	"time"

	"github.com/bharatauth/bharatauth-go/ports"
)

// phonePorts finds the optional phone capabilities of the user directory and
// registry as given (before any observer wraps them).
func phonePorts(d Deps) (ports.PhoneDirectory, ports.PhoneRegistry) {
	d = d.withStorage()
	phones, _ := d.Users.(ports.PhoneDirectory)
	registry, _ := d.Registry.(ports.PhoneRegistry)
	return phones, registry
}

// phoneDeps checks that phone sign-in, when enabled, has what it runs on.
func phoneDeps(p PhoneConfig, d Deps, phones ports.PhoneDirectory, registry ports.PhoneRegistry) error {
	if !p.Enabled {
		return nil
	}
	d = d.withStorage()
	var errs []error
	if d.SMSSender == nil {
		errs = append(errs, errors.New("Config.Phone.Enabled needs Deps.SMSSender (memory.NewConsoleSMS in development)"))
	}
	if d.SMSBudget == nil {
		errs = append(errs, errors.New("Config.Phone.Enabled needs an SMSBudget: Deps.SMSBudget, or a Storage that is one"))
	}
	if phones == nil {
		errs = append(errs, errors.New("Config.Phone.Enabled needs a user directory that is a ports.PhoneDirectory"))
	}
	if d.Registry != nil && registry == nil {
		errs = append(errs, errors.New("Config.Phone.Enabled needs a registry that is a ports.PhoneRegistry (managed mode)"))
	}
	return errors.Join(errs...)
}

// observedPhonePorts wraps the phone capabilities for the observer.
func observedPhonePorts(phones ports.PhoneDirectory, registry ports.PhoneRegistry, o ports.Observer) (ports.PhoneDirectory, ports.PhoneRegistry) {
	if phones != nil {
		phones = observedPhones{phones, o}
	}
	if registry != nil {
		registry = observedPhoneRegistry{registry, o}
	}
	return phones, registry
}

var (
	_ ports.PhoneDirectory = observedPhones{}
	_ ports.PhoneRegistry  = observedPhoneRegistry{}
	_ ports.SMSSender      = observedSMSSender{}
	_ ports.SMSBudget      = observedSMSBudget{}
)

type observedPhones struct {
	p ports.PhoneDirectory
	o ports.Observer
}

func (w observedPhones) UserByPhone(ctx context.Context, phone string) (ports.User, error) {
	return timed(ctx, w.o, "PhoneDirectory.UserByPhone", func() (ports.User, error) { return w.p.UserByPhone(ctx, phone) })
}

type observedPhoneRegistry struct {
	p ports.PhoneRegistry
	o ports.Observer
}

func (w observedPhoneRegistry) MarkPhoneVerified(ctx context.Context, userID string, at time.Time) error {
	return timedErr(ctx, w.o, "PhoneRegistry.MarkPhoneVerified", func() error { return w.p.MarkPhoneVerified(ctx, userID, at) })
}

func (w observedPhoneRegistry) ChangePhone(ctx context.Context, userID, phone string, at time.Time) (ports.User, error) {
	return timed(ctx, w.o, "PhoneRegistry.ChangePhone", func() (ports.User, error) { return w.p.ChangePhone(ctx, userID, phone, at) })
}

func (w observedPhoneRegistry) ReleaseUnprovenPhone(ctx context.Context, phone string) (string, error) {
	return timed(ctx, w.o, "PhoneRegistry.ReleaseUnprovenPhone", func() (string, error) { return w.p.ReleaseUnprovenPhone(ctx, phone) })
}

func (w observedPhoneRegistry) ReleaseUnprovenEmail(ctx context.Context, email string) (string, error) {
	return timed(ctx, w.o, "PhoneRegistry.ReleaseUnprovenEmail", func() (string, error) { return w.p.ReleaseUnprovenEmail(ctx, email) })
}

type observedSMSSender struct {
	p ports.SMSSender
	o ports.Observer
}

func (w observedSMSSender) SendSMS(ctx context.Context, m ports.SMS) error {
	return timedErr(ctx, w.o, "SMSSender.SendSMS", func() error { return w.p.SendSMS(ctx, m) })
}

type observedSMSBudget struct {
	p ports.SMSBudget
	o ports.Observer
}

func (w observedSMSBudget) TakeSMS(ctx context.Context, limits []ports.SMSLimit, now time.Time) (ports.SMSDecision, error) {
	return timed(ctx, w.o, "SMSBudget.TakeSMS", func() (ports.SMSDecision, error) { return w.p.TakeSMS(ctx, limits, now) })
}

func (w observedSMSBudget) ClearSMS(ctx context.Context, key string) error {
	return timedErr(ctx, w.o, "SMSBudget.ClearSMS", func() error { return w.p.ClearSMS(ctx, key) })
}
