package http

import (
	_ "embed"
	"net/http"
	"strconv"
)

// openAPIDocument is the OpenAPI 3.1 description of every route, served at
// GET /openapi.json. Tests check it covers the routing table and that real
// responses validate against it.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns a copy of the OpenAPI 3.1 document of the API, with its
// server at /auth; GET /openapi.json serves it at the handler's base path.
func OpenAPI() []byte { return append([]byte(nil), openAPIDocument...) }

// openAPI serves the document with its server at the handler's base path,
// so a handler mounted at /api/v1/identity documents itself there.
func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request) error {
	doc, err := openAPIServedAt(h.basePathOf(r))
	if err != nil {
		return err
	}
	writeDocument(w, "application/json", 3600, doc)
	return nil
}

// writeDocument answers 200 with a public document that caches may keep for
// maxAge seconds.
func writeDocument(w http.ResponseWriter, contentType string, maxAge int, doc []byte) {
	hd := w.Header()
	hd.Set("Content-Type", contentType)
	hd.Set("Cache-Control", "public, max-age="+strconv.Itoa(maxAge))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc)
}
