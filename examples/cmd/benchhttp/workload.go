package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/bharatauth/bharatauth-go/examples/internal/loadgen"
)

// password is every benchmark user's password; the users live in a database
// that is dropped when the run ends.
const password = "correct horse battery staple"

// user is one signed-up account with a verified device, and the tokens of
// its session on that device.
type user struct {
	email, fingerprint string
	access, refresh    string
}

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

type loginAnswer struct {
	tokens
	Trust string `json:"trust"`
}

var (
	verifyLinkRE = regexp.MustCompile(`verify-email\?token=([A-Za-z0-9_-]+)`)
	codeRE       = regexp.MustCompile(`(?m)^(\d{6})$`)
	// consents decides every DPDP category, as registration requires.
	consents = func() []map[string]any {
		var cs []map[string]any
		for _, c := range []string{"identity", "contact", "location", "security", "communications", "analytics"} {
			cs = append(cs, map[string]any{"category": c, "granted": true})
		}
		return cs
	}()
)

// signUp creates n users through the API as a person would, each from a
// source address of its own: register, open the emailed verification link,
// then sign in with an emailed code from the device that asked for it, which
// makes that device a verified one (a "known" device in the trust matrix).
// Password logins from it are then the common case the login workload
// measures: no step-up, no new-device alert.
func signUp(ctx context.Context, srv *serverProc, src *sources, runID string, n int) ([]*user, error) {
	users := make([]*user, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range users {
		wg.Go(func() {
			users[i], errs[i] = signUpOne(ctx, srv, src, fmt.Sprintf("bench-%s-%d@example.in", runID, i))
		})
	}
	wg.Wait()
	return users, errors.Join(errs...)
}

func signUpOne(ctx context.Context, srv *serverProc, src *sources, email string) (*user, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c := src.client()
	defer c.CloseIdleConnections()
	sum := sha256.Sum256([]byte(email + " phone"))
	u := &user{email: email, fingerprint: hex.EncodeToString(sum[:])}
	if err := call(ctx, c, "POST", srv.base+"/register", "",
		map[string]any{"email": email, "password": password, "consents": consents}, nil, http.StatusCreated); err != nil {
		return nil, err
	}
	token, err := srv.mail.await(ctx, email, "Confirm your email", verifyLinkRE)
	if err != nil {
		return nil, err
	}
	if err := call(ctx, c, "POST", srv.base+"/email/verify", "", map[string]string{"token": token}, nil, http.StatusOK); err != nil {
		return nil, err
	}
	if err := call(ctx, c, "POST", srv.base+"/otp/request", "",
		map[string]string{"identifier": email, "device_fingerprint": u.fingerprint}, nil, http.StatusOK); err != nil {
		return nil, err
	}
	code, err := srv.mail.await(ctx, email, "sign-in code", codeRE)
	if err != nil {
		return nil, err
	}
	var a loginAnswer
	if err := call(ctx, c, "POST", srv.base+"/otp/verify", "",
		map[string]string{"identifier": email, "otp_code": code, "device_fingerprint": u.fingerprint}, &a, http.StatusOK); err != nil {
		return nil, err
	}
	if a.Trust != "known" {
		return nil, fmt.Errorf("sign-up of %s: the code login from the device that asked for it answered trust %q, not known", email, a.Trust)
	}
	u.access, u.refresh = a.AccessToken, a.RefreshToken
	return u, nil
}

// loginsPerAddress keeps each source address under the per-IP login limit
// (20 per 15 minutes) over the whole run: a login worker moves to a new
// address, and a new connection, after this many.
const loginsPerAddress = 10

// workload is one kind of request the benchmark measures.
type workload struct {
	name  string
	plans []plan
	// newRequest returns the loadgen.Request for one run with workers
	// workers, and a function releasing its clients. Worker w acts as
	// users[w].
	newRequest func(base string, users []*user, src *sources, workers int) (loadgen.Request, func())
}

var workloads = []workload{
	{name: "login (password, known device)", plans: loginPlans, newRequest: loginRequests},
	{name: "refresh (rotate the refresh token)", plans: cheapPlans, newRequest: refreshRequests},
	{name: "me (bearer access token)", plans: cheapPlans, newRequest: meRequests},
}

// clients gives each worker its own client, so that each keeps its own
// keep-alive connection from its own source address.
func clients(src *sources, workers int) ([]*http.Client, func()) {
	cs := make([]*http.Client, workers)
	for w := range cs {
		cs[w] = src.client()
	}
	return cs, func() {
		for _, c := range cs {
			c.CloseIdleConnections()
		}
	}
}

// loginRequests: each worker signs its own user in from that user's verified
// device, and checks the answer is the known-device row of the trust matrix.
// Every request makes a new session, as a real login does.
func loginRequests(base string, users []*user, src *sources, workers int) (loadgen.Request, func()) {
	cs, release := clients(src, workers)
	sent := make([]int, workers)
	return func(ctx context.Context, w int) error {
		if sent[w] > 0 && sent[w]%loginsPerAddress == 0 {
			cs[w].CloseIdleConnections()
			cs[w] = src.client()
		}
		sent[w]++
		u := users[w]
		var a loginAnswer
		err := call(ctx, cs[w], "POST", base+"/login", "",
			map[string]string{"identifier": u.email, "password": password, "device_fingerprint": u.fingerprint}, &a, http.StatusOK)
		if err == nil && a.Trust != "known" {
			err = fmt.Errorf("login answered trust %q, not known", a.Trust)
		}
		return err
	}, release // release reads cs when called: it closes the clients in use then
}

// refreshRequests: each worker rotates its own user's refresh token, keeping
// the chain (the answer's refresh token is the next request's).
func refreshRequests(base string, users []*user, src *sources, workers int) (loadgen.Request, func()) {
	cs, release := clients(src, workers)
	return func(ctx context.Context, w int) error {
		u := users[w]
		var t tokens
		if err := call(ctx, cs[w], "POST", base+"/refresh", "", map[string]string{"refresh_token": u.refresh}, &t, http.StatusOK); err != nil {
			return err
		}
		u.access, u.refresh = t.AccessToken, t.RefreshToken
		return nil
	}, release
}

// meRequests: each worker reads its own user's profile with its access token
// (verified against the session on every request, so that a logout takes
// effect at once).
func meRequests(base string, users []*user, src *sources, workers int) (loadgen.Request, func()) {
	cs, release := clients(src, workers)
	return func(ctx context.Context, w int) error {
		return call(ctx, cs[w], "GET", base+"/me", users[w].access, nil, nil, http.StatusOK)
	}, release
}
