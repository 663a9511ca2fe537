package http

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/bharatauth/bharatauth-go/core"
)

// The handler says where it is served in two documents: the OpenAPI
// document's servers (a path: Options.BasePath, or the mount found from the
// request) and the jwks_uri of the discovery document (an absolute URL:
// Options.PublicURL only). An absolute URL is never built from the request:
// its Host header is the client's to choose, and a shared cache would hand
// the answer to everyone.

// checkBasePath accepts "" (found from each request) or a clean absolute
// path without a trailing slash ("/" for the root).
func checkBasePath(p string) error {
	if p == "" || p == "/" {
		return nil
	}
	if !strings.HasPrefix(p, "/") || path.Clean(p) != p || strings.ContainsAny(p, "?#%\\") || !quotable(p) {
		return fmt.Errorf("bharatauth/http: BasePath %q must be a clean absolute path like /auth, without a trailing slash", p)
	}
	return nil
}

// quotable reports whether s can go in a quoted-string as it is: printable
// ASCII without quotes or backslashes.
func quotable(s string) bool {
	for i := range len(s) {
		if b := s[i]; b < 0x20 || b > 0x7e || b == '"' || b == '\\' {
			return false
		}
	}
	return true
}

// basePathOf is the path the handler is served under for r, without a
// trailing slash ("" for the root). Without Options.BasePath it is what
// http.StripPrefix removed: the request's original path minus the routed
// one.
func (h *Handler) basePathOf(r *http.Request) string {
	if h.basePath != "" {
		return strings.TrimSuffix(h.basePath, "/")
	}
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil || !strings.HasSuffix(u.Path, r.URL.Path) {
		return ""
	}
	return strings.TrimSuffix(u.Path, r.URL.Path)
}

// checkPublicURL accepts "" (no discovery document) or an absolute http(s)
// URL without query, fragment, user or trailing slash, whose path (the
// handler's base path) agrees with basePath when that is set. It returns the
// base path the URL implies.
func checkPublicURL(publicURL, basePath string) (string, error) {
	if publicURL == "" {
		return basePath, nil
	}
	u, err := url.Parse(publicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(publicURL, "/") || !quotable(publicURL) {
		return "", fmt.Errorf("bharatauth/http: PublicURL %q must be an absolute URL like https://auth.example.in/auth, "+
			"without query, fragment or trailing slash", publicURL)
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if err := checkBasePath(p); err != nil {
		return "", fmt.Errorf("bharatauth/http: PublicURL %q: its path must be clean", publicURL)
	}
	if basePath != "" && strings.TrimSuffix(basePath, "/") != strings.TrimSuffix(p, "/") {
		return "", fmt.Errorf("bharatauth/http: BasePath %q and the path of PublicURL %q differ", basePath, publicURL)
	}
	return p, nil
}

// metadataView is the RFC 8414 authorization server metadata a resource
// server needs to verify access tokens: who issues them and where their
// keys are.
type metadataView struct {
	Issuer  string `json:"issuer"`
	JWKSURI string `json:"jwks_uri"`
}

// metadata serves GET /.well-known/oauth-authorization-server when access
// tokens are signed with asymmetric keys (there is nothing to publish for
// HS256) and Options.PublicURL says where the keys are.
func (h *Handler) metadata(w http.ResponseWriter, _ *http.Request) error {
	if _, ok := h.auth.JWKS(); !ok {
		return &core.Error{Kind: core.KindNotFound, Code: "jwks_not_configured",
			Message: "access tokens are signed with HS256; there are no public keys to discover"}
	}
	if h.publicURL == "" {
		return &core.Error{Kind: core.KindNotFound, Code: "metadata_not_configured",
			Message: "the server's public URL is not configured, so it cannot say where its keys are"}
	}
	body, err := json.Marshal(metadataView{Issuer: h.auth.Config().Issuer,
		JWKSURI: strings.TrimSuffix(h.publicURL, "/") + "/.well-known/jwks.json"})
	if err != nil {
		return err
	}
	writeDocument(w, "application/json", 300, body)
	return nil
}

// openAPIServedAt returns the OpenAPI document with its one server at base.
func openAPIServedAt(base string) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		return nil, err
	}
	if base == "" {
		base = "/"
	}
	servers, err := json.Marshal([]map[string]string{{"url": base}})
	if err != nil {
		return nil, err
	}
	doc["servers"] = servers
	return json.Marshal(doc)
}
