package cli

import (
	"github.com/strandhttp/strand"
)

// defaultSite serves the built-in welcome page at "/" and liveness at
// "/health"; anything else is 404.
func defaultSite() strand.Handler {
	page, err := site.ReadFile("site/index.html")
	if err != nil {
		panic("strand: built-in site missing: " + err.Error()) // a build defect
	}
	return strand.HandlerFunc(func(w strand.ResponseWriter, r *strand.Request) {
		switch r.Path {
		case "/", "/index.html":
			if !getOrHead(w, r) {
				return
			}
			h := w.Header()
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Cache-Control", "no-cache")
			_, _ = w.Write(page)
		case "/health":
			if !getOrHead(w, r) {
				return
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			_, _ = w.WriteString("ok\n")
		default:
			strand.NotFound(w, r)
		}
	})
}

// getOrHead answers 405 with Allow (RFC 9110 §15.5.6) unless the method is
// GET or HEAD.
func getOrHead(w strand.ResponseWriter, r *strand.Request) bool {
	if r.Method == "GET" || r.Method == "HEAD" {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	strand.Error(w, "405 method not allowed", strand.StatusMethodNotAllowed)
	return false
}
