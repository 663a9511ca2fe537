// Package http is BharatAuth's HTTP transport: one net/http Handler serving
// every route of the BharatAuth HTTP API (documented in openapi.json, served
// at /openapi.json), plus middleware that guards an app's own routes with an
// access token (RequireAuth), a step-up (RequireStepUp) and a DPDP consent
// (RequireConsent).
//
// The package decides nothing about security: package core does, and this
// package only says core's answer in HTTP. Every error leaves through one
// function (statusOf) that maps core's error kinds to status codes with
// errors.As, and is written as an RFC 9457 application/problem+json body with
// type, title, status, detail and code (plus field, locked_until,
// requires_email_verify and a Retry-After header where they apply). Bad input
// never reaches a 500: malformed, oversized, wrongly typed or non-UTF-8 bodies
// answer 400; well-formed bodies with bad values answer 422.
//
// Files: handler.go builds the Handler from Options; routes.go lists every
// route and its handler, with the wrappers that decode a body (withBody) and
// write an answer (answer, succeed, acknowledge); account.go holds the handlers of the signed-in
// routes; decode.go reads request bodies within their limits; views.go shapes
// the JSON answers; problem.go maps errors to statuses and problem bodies;
// middleware.go is RequireAuth, RequireStepUp and RequireConsent; clientip.go
// reads the client IP behind trusted proxies; cors.go answers CORS and
// preflights; cookies.go is cookie mode (the refresh cookie and the origin
// check of every route that may use, set or clear it); discovery.go serves
// the RFC 8414 metadata from Options.PublicURL and finds the base path that
// openapi.go (which serves openapi.json, and writeDocument, for it, the JWKS
// and the metadata) reports.
//
// The package is named http after go-kit's transport/http; import it under an
// alias:
//
//	import bahttp "github.com/bharatauth/bharatauth-go/transport/http"
//
//	h, err := bahttp.New(auth, bahttp.Options{})
//	mux.Handle("/auth/", http.StripPrefix("/auth", h))
package http
