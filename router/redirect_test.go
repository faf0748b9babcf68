package router

import (
	"strings"
	"testing"

	"github.com/strandhttp/strand"
)

func newRedirectRouter(slash, clean bool) *Router {
	r := New()
	r.RedirectTrailingSlash(slash)
	r.RedirectCleanPath(clean)
	r.Get("/users", text("users"))
	r.Post("/users", text("post users"))
	r.Get("/docs/", text("docs"))
	r.Get("/a/b", text("a/b"))
	r.Get("/items/:id", text("item"))
	r.Get("/dir/:name/", text("dir"))
	// Paths whose trailing-slash twin starts with "//" or "/\": a naive
	// Location would send the client to another host.
	r.Get("//evil.example/", text("double slash"))
	r.Get(`/\evil.example/`, text("backslash"))
	return r
}

// TestRedirects covers the trailing-slash and cleaned-path redirects: 301
// for GET and HEAD, 308 otherwise (RFC 9110 §15.4.2, §15.4.9: 308 keeps
// the method and body), the query kept, and each switch on its own.
func TestRedirects(t *testing.T) {
	tests := []struct {
		name         string
		slash, clean bool
		method       string
		target       string
		code         int
		location     string // "" when none
	}{
		{"slash removed", true, true, "GET", "/users/", 301, "/users"},
		{"slash added", true, true, "GET", "/docs", 301, "/docs/"},
		{"slash added after a param", true, true, "GET", "/dir/x", 301, "/dir/x/"},
		{"slash removed after a param", true, true, "GET", "/items/7/", 301, "/items/7"},
		{"HEAD is 301", true, true, "HEAD", "/users/", 301, "/users"},
		{"POST is 308", true, true, "POST", "/users/", 308, "/users"},
		{"DELETE is 308", true, true, "DELETE", "/users/", 308, "/users"},
		{"query kept", true, true, "GET", "/users/?q=1&x=a%20b", 301, "/users?q=1&x=a%20b"},
		{"dot-dot", true, true, "GET", "/x/../users", 301, "/users"},
		{"dot", true, true, "GET", "/./a/./b", 301, "/a/b"},
		{"double slash", true, true, "GET", "//users", 301, "/users"},
		{"clean then slash", true, true, "GET", "/a//b/", 301, "/a/b"},
		{"clean keeps the slash", true, true, "GET", "/docs/./", 301, "/docs/"},
		{"clean, query kept", true, true, "POST", "/x/../users?y=2", 308, "/users?y=2"},
		{"escaped in Location", true, true, "GET", "/items/a%20b/", 301, "/items/a%20b"},
		{"no match at all", true, true, "GET", "/nope/", 404, ""},
		{"root is not redirected", true, true, "GET", "/", 404, ""},
		{"exact match wins", true, true, "GET", "/users", 200, ""},

		{"slash off", false, true, "GET", "/users/", 404, ""},
		{"slash off, clean on", false, true, "GET", "/x/../users", 301, "/users"},
		{"slash off, clean needs slash", false, true, "GET", "/a//b/", 404, ""},
		{"clean off", true, false, "GET", "/x/../users", 404, ""},
		{"clean off, slash on", true, false, "GET", "/users/", 301, "/users"},
		{"both off", false, false, "GET", "/docs", 404, ""},

		// Never a scheme-relative Location: its first two bytes would
		// name a host. The second slash is escaped, so that the target
		// still decodes to the path that matched.
		{"double slash kept out", true, false, "GET", "//evil.example", 301, "/%2Fevil.example/"},
		{"backslash escaped", true, false, "GET", `/\evil.example`, 301, "/%5Cevil.example/"},
		{"cleaned double slash", true, true, "GET", "//evil.example", 404, ""},
	}
	for _, tt := range tests {
		r := newRedirectRouter(tt.slash, tt.clean)
		w, _ := serve(t, r, tt.method, tt.target)
		loc, hasLoc := w.header.Lookup("Location")
		if w.status() != tt.code || loc != tt.location || hasLoc != (tt.location != "") {
			t.Errorf("%s: %s %s: %d, Location %q; want %d, Location %q", tt.name, tt.method, tt.target, w.status(), loc, tt.code, tt.location)
			continue
		}
		if tt.location == "" {
			continue
		}
		if strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, `/\`) {
			t.Errorf("%s: Location %q is scheme-relative", tt.name, loc)
		}
		// Following the redirect reaches a route (every route has GET).
		w2, _ := serve(t, r, "GET", loc)
		if w2.status() != strand.StatusOK {
			t.Errorf("%s: following Location %q: %d; want 200", tt.name, loc, w2.status())
		}
	}
}

// TestAuthorityAndAsteriskForms: neither form has a path to route or to
// redirect to (RFC 9112 §3.2.3, §3.2.4); "OPTIONS *" is about the server
// as a whole and gets 204 (RFC 9110 §9.3.7).
func TestAuthorityAndAsteriskForms(t *testing.T) {
	r := newRedirectRouter(true, true)
	r.Get("/*all", text("all"))
	tests := []struct {
		req  *strand.Request
		code int
	}{
		{&strand.Request{Method: "CONNECT", Target: "example.com:443", Path: ""}, 404},
		{&strand.Request{Method: "GET", Target: "*", Path: "*", RawPath: "*"}, 404},
		{&strand.Request{Method: "OPTIONS", Target: "*", Path: "*", RawPath: "*"}, 204},
	}
	for _, tt := range tests {
		w := new(recorder)
		r.ServeHTTP(w, tt.req)
		if w.status() != tt.code || w.header.Has("Location") || w.header.Has("Allow") {
			t.Errorf("%s %s: %d, Location %q, Allow %q; want %d without either",
				tt.req.Method, tt.req.Target, w.status(), w.header.Get("Location"), w.header.Get("Allow"), tt.code)
		}
	}
}
