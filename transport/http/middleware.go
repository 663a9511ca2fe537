package http

import (
	"context"
	"net/http"
	"strings"

	"github.com/bharatauth/bharatauth-go/core"
)

// principalKey is the context key of the authenticated principal.
type principalKey struct{}

// PrincipalFrom returns the principal RequireAuth put in ctx.
func PrincipalFrom(ctx context.Context) (core.Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(core.Principal)
	return p, ok
}

// errMissingToken answers a request without a bearer token.
func errMissingToken() error {
	return &core.Error{Kind: core.KindUnauthorized, Code: "missing_token", Op: "RequireAuth",
		Message: "an access token is required (Authorization: Bearer <token>)"}
}

// bearerToken extracts the token of an "Authorization: Bearer <token>" header
// (the scheme is case-insensitive, RFC 7235 §2.1).
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// authenticate resolves the request's principal with core.Auth.Authenticate,
// which also checks that the token's session is still active.
func (h *Handler) authenticate(r *http.Request) (core.Principal, error) {
	token, ok := bearerToken(r)
	if !ok {
		return core.Principal{}, errMissingToken()
	}
	return h.auth.Authenticate(r.Context(), token)
}

// RequireAuth lets a request through only with a valid access token, and puts
// its core.Principal in the request context (see PrincipalFrom). Otherwise it
// answers 401 with a WWW-Authenticate: Bearer challenge. A token of a session
// that was logged out, revoked or ended by a password reset fails at once.
func (h *Handler) RequireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := h.authenticate(r)
		if err != nil {
			h.writeProblem(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// RequireStepUp guards a sensitive app route with core's trust matrix
// (core.Auth.RequireStepUp): a known device passes, a new device must have
// stepped up once, and a public device must step up before every use (the
// step-up is used up by this request). Otherwise it answers 403 with code
// step_up_required; the client then verifies its PIN (POST /pin/verify) or an
// emailed code and retries. Without RequireAuth in front, it authenticates
// the request itself.
func (h *Handler) RequireStepUp(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, p, err := h.withPrincipal(r)
		if err != nil {
			h.writeProblem(w, r, err)
			return
		}
		if err := h.auth.RequireStepUp(r.Context(), p); err != nil {
			h.writeProblem(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RequireConsent guards an app route that processes data for a DPDP consent
// category: it lets a request through only when the caller's latest decision
// grants category under its current notice (core.Auth.RequireConsent), and
// otherwise answers 403 with code consent_withdrawn, so a withdrawal stops the
// processing at once, or reconsent_required for a grant under a superseded
// notice.
// Without RequireAuth in front, it authenticates the request itself.
func (h *Handler) RequireConsent(category string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r, p, err := h.withPrincipal(r)
			if err != nil {
				h.writeProblem(w, r, err)
				return
			}
			if err := h.auth.RequireConsent(r.Context(), p.UserID, category); err != nil {
				h.writeProblem(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// withPrincipal returns r with its principal: the one RequireAuth put in its
// context, or one authenticated now (then put in the returned request's).
func (h *Handler) withPrincipal(r *http.Request) (*http.Request, core.Principal, error) {
	if p, ok := PrincipalFrom(r.Context()); ok {
		return r, p, nil
	}
	p, err := h.authenticate(r)
	if err != nil {
		return r, core.Principal{}, err
	}
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, p)), p, nil
}

// principal returns the principal of a bearer route (RequireAuth ran first).
func principal(r *http.Request) core.Principal {
	p, _ := PrincipalFrom(r.Context())
	return p
}
