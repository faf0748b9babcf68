package router

import (
	"testing"

	"github.com/strandhttp/strand"
)

func newMethodRouter() *Router {
	r := New()
	r.Get("/r", text("GET /r"))
	r.Post("/r", text("POST /r"))
	r.Get("/only-get", text("GET /only-get"))
	r.Put("/only-put", text("PUT /only-put"))
	r.Get("/h", text("GET /h"))
	r.Head("/h", text("HEAD /h"))
	r.Options("/o", text("OPTIONS /o"))
	r.Delete("/users/:id", text("DELETE /users/:id"))
	r.Patch("/users/:id", text("PATCH /users/:id"))
	r.Get("/users/:id", text("GET /users/:id"))
	r.HandleFunc("PURGE", "/cache", text("PURGE /cache"))
	return r
}

// TestMethodDispatch covers 405 with an exact Allow field (RFC 9110
// §15.5.6: a 405 response must carry Allow), 501 for methods the router
// does not recognize, automatic HEAD for GET routes and automatic OPTIONS
// (§9.3.7).
func TestMethodDispatch(t *testing.T) {
	r := newMethodRouter()
	tests := []struct {
		method, path string
		code         int
		allow        string // the Allow field; "" when it must be absent
		body         string
	}{
		{"GET", "/r", 200, "", "GET /r"},
		{"POST", "/r", 200, "", "POST /r"},
		{"PUT", "/r", 405, "GET, HEAD, OPTIONS, POST", "405 method not allowed\n"},
		{"DELETE", "/r", 405, "GET, HEAD, OPTIONS, POST", "405 method not allowed\n"},
		{"POST", "/only-get", 405, "GET, HEAD, OPTIONS", "405 method not allowed\n"},
		{"GET", "/only-put", 405, "OPTIONS, PUT", "405 method not allowed\n"},
		{"HEAD", "/only-put", 405, "OPTIONS, PUT", "405 method not allowed\n"},
		{"PUT", "/users/7", 405, "DELETE, GET, HEAD, OPTIONS, PATCH", "405 method not allowed\n"},
		{"GET", "/cache", 405, "OPTIONS, PURGE", "405 method not allowed\n"},
		{"PURGE", "/cache", 200, "", "PURGE /cache"},
		// PURGE is recognized, being served on another route: 405.
		{"PURGE", "/r", 405, "GET, HEAD, OPTIONS, POST", "405 method not allowed\n"},

		// A method neither registered (RFC 9110 §16.1.1, PATCH) nor served
		// by a route: 501 on any path (§15.6.2), Allow kept on a known one.
		{"FOO", "/r", 501, "GET, HEAD, OPTIONS, POST", "501 method not implemented\n"},
		{"get", "/r", 501, "GET, HEAD, OPTIONS, POST", "501 method not implemented\n"}, // methods are case-sensitive (§9.1)
		{"FOO", "/nope", 501, "", "501 method not implemented\n"},
		{"FOO", "/r/", 501, "", "501 method not implemented\n"}, // not redirected first
		{"TRACE", "/r", 405, "GET, HEAD, OPTIONS, POST", "405 method not allowed\n"},

		// Automatic HEAD runs the GET handler; the server drops the body.
		{"HEAD", "/r", 200, "", "GET /r"},
		{"HEAD", "/users/7", 200, "", "GET /users/:id"},
		// An explicit HEAD handler wins.
		{"HEAD", "/h", 200, "", "HEAD /h"},

		// Automatic OPTIONS: 204 with Allow and no body.
		{"OPTIONS", "/r", 204, "GET, HEAD, OPTIONS, POST", ""},
		{"OPTIONS", "/only-put", 204, "OPTIONS, PUT", ""},
		{"OPTIONS", "/h", 204, "GET, HEAD, OPTIONS", ""},
		{"OPTIONS", "/users/7", 204, "DELETE, GET, HEAD, OPTIONS, PATCH", ""},
		// An explicit OPTIONS handler wins.
		{"OPTIONS", "/o", 200, "", "OPTIONS /o"},
		{"GET", "/o", 405, "OPTIONS", "405 method not allowed\n"},

		// Unknown paths are 404 whatever the method, without Allow.
		{"OPTIONS", "/nope", 404, "", "404 page not found\n"},
		{"DELETE", "/nope", 404, "", "404 page not found\n"},
	}
	for _, tt := range tests {
		w, _ := serve(t, r, tt.method, tt.path)
		allow, hasAllow := w.header.Lookup("Allow")
		if w.status() != tt.code || allow != tt.allow || hasAllow != (tt.allow != "") || w.body.String() != tt.body {
			t.Errorf("%s %s: %d, Allow %q (present %v), body %q; want %d, Allow %q, body %q",
				tt.method, tt.path, w.status(), allow, hasAllow, w.body.String(), tt.code, tt.allow, tt.body)
		}
		if tt.code >= 405 && w.header.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("%s %s: Content-Type %q; want text/plain", tt.method, tt.path, w.header.Get("Content-Type"))
		}
	}
}

// TestAllowDoesNotDependOnOrder registers the same methods in two orders.
func TestAllowDoesNotDependOnOrder(t *testing.T) {
	a, b := New(), New()
	for _, m := range []string{"POST", "GET", "DELETE"} {
		a.Handle(m, "/x", text(m))
	}
	for _, m := range []string{"DELETE", "GET", "POST"} {
		b.Handle(m, "/x", text(m))
	}
	wa, _ := serve(t, a, "PUT", "/x")
	wb, _ := serve(t, b, "PUT", "/x")
	if ga, gb := wa.header.Get("Allow"), wb.header.Get("Allow"); ga != gb || ga != "DELETE, GET, HEAD, OPTIONS, POST" {
		t.Errorf("Allow = %q and %q; want both %q", ga, gb, "DELETE, GET, HEAD, OPTIONS, POST")
	}
}

// TestCustomNotFoundAndMethodNotAllowed checks that the custom handlers
// run, and that the 405 handler sees Allow and the matched pattern.
func TestCustomNotFoundAndMethodNotAllowed(t *testing.T) {
	r := New()
	r.Get("/users/:id", text("user"))
	r.NotFound(strand.HandlerFunc(func(w strand.ResponseWriter, req *strand.Request) {
		w.WriteHeader(strand.StatusNotFound)
		_, _ = w.WriteString("custom 404 " + req.Path)
	}))
	r.MethodNotAllowed(strand.HandlerFunc(func(w strand.ResponseWriter, req *strand.Request) {
		w.WriteHeader(strand.StatusMethodNotAllowed)
		_, _ = w.WriteString("custom 405 allow=" + w.Header().Get("Allow") + " pattern=" + req.Pattern() + " id=" + req.PathValue("id"))
	}))
	tests := []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/nope", 404, "custom 404 /nope"},
		{"POST", "/nope", 404, "custom 404 /nope"},
		{"POST", "/users/7", 405, "custom 405 allow=GET, HEAD, OPTIONS pattern=/users/:id id=7"},
		{"GET", "/users/7", 200, "user"},
		{"OPTIONS", "/users/7", 204, ""}, // OPTIONS stays automatic
	}
	for _, tt := range tests {
		w, _ := serve(t, r, tt.method, tt.path)
		if w.status() != tt.code || w.body.String() != tt.body {
			t.Errorf("%s %s: %d %q; want %d %q", tt.method, tt.path, w.status(), w.body.String(), tt.code, tt.body)
		}
	}
}
