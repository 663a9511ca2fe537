package http

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bharatauth/bharatauth-go/core"
)

// DefaultRefreshCookie is the refresh cookie's name when Cookies.Name is "".
const DefaultRefreshCookie = "__Host-bharatauth-refresh"

// Cookies is cookie mode: for browser apps, the refresh token lives in an
// HttpOnly cookie that the page's JavaScript can never read, instead of in
// the JSON body. The access token stays in the body; the page keeps it in
// memory only and gets a new one from POST /refresh after a reload.
//
// Login, OTP verify, refresh and the sign-in of a password reset or unlock
// link set the cookie: __Host- prefixed (so no Domain and Path=/),
// HttpOnly, Secure, SameSite=Strict, expiring with the session (a
// public-device session gets a session cookie, gone when the browser
// closes). Browsers take it over HTTPS, and over plain HTTP only from the
// loopback address, as the quickstart serves it. Their JSON answers then
// carry no refresh_token. POST /refresh and POST /logout read the cookie
// when the body has no refresh_token; logout clears it.
//
// Threat model. The HttpOnly cookie keeps the long-lived refresh token out
// of reach of script injected into the page (XSS can still act while the
// page is open, but cannot carry the session away). In exchange, the browser
// attaches and stores the cookie by itself, so every request that may use,
// set or clear it (login, OTP verify, the reset and unlock confirmations,
// refresh, logout) must prove it comes from the app, whether or not a cookie
// came with it: it needs an Origin header naming an origin of
// CORS.AllowedOrigins or the API's own host, and the CSRFHeader request
// header, which another site can only send after a preflight this handler
// refuses. Otherwise it answers 403 csrf before doing anything. Checking
// only the requests that read the cookie would leave login CSRF open: a
// form on another site posting the attacker's password (or refresh token)
// would have its answer store the attacker's cookie in the victim's browser
// (a top-level POST may set even a SameSite=Strict cookie). In cookie mode
// JSON bodies must also be sent as Content-Type: application/json (415
// otherwise), so no simple request reaches any route. SameSite=Strict is a
// second wall: the cookie is not sent on requests that another site starts.
// The cookie therefore only works for apps on the same site as the API
// (app.example.in calling auth.example.in); native apps and other sites use
// a Handler without cookie mode, with the refresh token in the body.
type Cookies struct {
	// Enabled turns cookie mode on.
	Enabled bool
	// Name is the cookie's name; it must start with "__Host-".
	// "" → DefaultRefreshCookie.
	Name string
}

// cookieMode is Cookies checked, in New.
type cookieMode struct {
	name string
}

func newCookieMode(c Cookies, cors CORS) (*cookieMode, error) {
	if !c.Enabled {
		if c.Name != "" {
			return nil, errors.New("bharatauth/http: Cookies.Name is set but cookie mode is not Enabled")
		}
		return nil, nil
	}
	name := c.Name
	if name == "" {
		name = DefaultRefreshCookie
	}
	if !strings.HasPrefix(name, "__Host-") || (&http.Cookie{Name: name, Value: "x"}).Valid() != nil {
		return nil, fmt.Errorf("bharatauth/http: Cookies.Name %q must be a cookie name starting with __Host-", name)
	}
	if len(cors.AllowedOrigins) > 0 && !cors.AllowCredentials {
		return nil, errors.New("bharatauth/http: cookie mode with CORS origins needs CORS.AllowCredentials, " +
			"or browsers never send the cookie from those origins")
	}
	return &cookieMode{name: name}, nil
}

// set puts t's refresh token in the cookie, for the session's lifetime.
func (m *cookieMode) set(w http.ResponseWriter, t core.Tokens) {
	c := m.cookie(t.RefreshToken)
	if !t.IsPublicDevice {
		c.Expires = t.SessionExpiresAt
	}
	http.SetCookie(w, c)
}

// clear tells the browser to drop the cookie.
func (m *cookieMode) clear(w http.ResponseWriter) {
	c := m.cookie("")
	c.MaxAge = -1
	http.SetCookie(w, c)
}

func (m *cookieMode) cookie(value string) *http.Cookie {
	return &http.Cookie{Name: m.name, Value: value, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode}
}

// errCSRF answers a request of cookie mode that did not prove it comes from
// the app.
func errCSRF(detail string) error {
	return &core.Error{Kind: core.KindForbidden, Code: "csrf", Message: detail}
}

// errNoRefreshToken answers POST /refresh in cookie mode without a token in
// the body or the cookie: the browser has no session.
var errNoRefreshToken = &core.Error{Kind: core.KindUnauthorized, Code: "missing_token",
	Message: "no refresh token: send refresh_token in the body, or sign in to get the cookie"}

// refreshBody is the body of POST /refresh and POST /logout. The token is
// required unless cookie mode may supply it.
type refreshBody struct {
	RefreshToken string `json:"refresh_token"`
}

// refreshToken reads the refresh token of a /refresh or /logout request:
// from the body, or in cookie mode from the cookie (the route proved its
// origin first: see provesOrigin). fromCookie reports which; "" with no
// error means cookie mode found none.
func (h *Handler) refreshToken(w http.ResponseWriter, r *http.Request) (token string, fromCookie bool, err error) {
	var in refreshBody
	if h.cookies == nil || r.ContentLength != 0 {
		if err := h.decode(w, r, &in); err != nil {
			return "", false, err
		}
	}
	if strings.TrimSpace(in.RefreshToken) != "" {
		return in.RefreshToken, false, nil
	}
	if h.cookies == nil {
		return "", false, fieldError("refresh_token", "is required")
	}
	c, err := r.Cookie(h.cookies.name)
	if err != nil || c.Value == "" {
		return "", false, nil
	}
	return c.Value, true, nil
}

// provesOrigin guards a route that may set or clear the refresh cookie
// (sign-ins, refresh, logout): in cookie mode it serves only a request that
// proves it comes from the app (checkCSRF), before anything else happens.
// Guarding only the routes that read the cookie is not enough: a form on
// another site could sign the victim's browser into the attacker's account
// (login CSRF: a top-level POST's answer may set a SameSite=Strict cookie),
// or sign it out.
func provesOrigin(serve serveFunc) serveFunc {
	return func(h *Handler, w http.ResponseWriter, r *http.Request) error {
		if h.cookies != nil {
			if err := h.checkCSRF(r); err != nil {
				return err
			}
		}
		return serve(h, w, r)
	}
}

// checkCSRF lets a request that may use, set or clear the cookie through
// only with an allowed or same Origin and the CSRFHeader.
func (h *Handler) checkCSRF(r *http.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return errCSRF("a request that uses or sets the refresh cookie must carry an Origin header")
	}
	if !h.cors.allows(origin) && !sameOrigin(origin, r) {
		return errCSRF("requests from this origin may not use or set the refresh cookie")
	}
	if r.Header.Get(CSRFHeader) == "" {
		return errCSRF("a request that uses or sets the refresh cookie must carry the " + CSRFHeader + " header")
	}
	return nil
}

// sameOrigin reports whether origin names the host r was sent to. The
// scheme is not compared: behind a TLS-terminating proxy the handler cannot
// see it, and browsers send the Secure cookie only to secure origins (HTTPS,
// or the loopback address during development).
func sameOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}
