package main

import (
	"embed"
	"io/fs"
	"net/http"
)

// webFiles is the demo web app: plain HTML, CSS and JavaScript, no build step.
//
//go:embed web
var webFiles embed.FS

// linkPages are the demo's pages that the emailed links open; each is the
// app's one page, which reads the token from the address.
var linkPages = map[string]bool{"/verify-email": true, "/reset-password": true, "/reset-pin": true, "/unlock": true}

// demo serves the web app at /. Its pages forbid everything they do not use
// (scripts and styles from elsewhere, framing) and send no Referer: the
// emailed links carry a token in the address.
func demo() http.Handler {
	files, err := fs.Sub(webFiles, "web")
	if err != nil {
		panic(err) // the directory is embedded at build time: it is there
	}
	static := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "+
			"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		if linkPages[r.URL.Path] {
			r = r.Clone(r.Context())
			r.URL.Path = "/"
		}
		static.ServeHTTP(w, r)
	})
}
