package router

import (
	"strings"
	"testing"

	"github.com/strandhttp/strand"
)

// TestConflictsPanicNamingBothPatterns: a conflict found at setup names
// the pattern being registered and the one already there, so the
// programmer can find both.
func TestConflictsPanicNamingBothPatterns(t *testing.T) {
	tests := []struct {
		name        string
		first, then func(r *Router)
		want        []string // substrings of the panic message
	}{
		{
			"same method and pattern",
			func(r *Router) { r.Get("/users/:id", echo()) },
			func(r *Router) { r.Get("/users/:id", echo()) },
			[]string{`GET "/users/:id" conflicts with GET "/users/:id"`},
		},
		{
			"same method and pattern through a group",
			func(r *Router) { r.Post("/api/items", echo()) },
			func(r *Router) { r.Route("/api", func(g *Router) { g.Post("/items", echo()) }) },
			[]string{`POST "/api/items" conflicts with POST "/api/items"`},
		},
		{
			"two parameter names at one position",
			func(r *Router) { r.Get("/users/:id", echo()) },
			func(r *Router) { r.Get("/users/:name/posts", echo()) },
			[]string{`"/users/:name/posts"`, `"/users/:id"`, ":name", ":id"},
		},
		{
			"two parameter names, other methods",
			func(r *Router) { r.Get("/a/:x/b", echo()) },
			func(r *Router) { r.Delete("/a/:y", echo()) },
			[]string{`"/a/:y"`, `"/a/:x/b"`},
		},
		{
			"two catch-all names",
			func(r *Router) { r.Get("/files/*a", echo()) },
			func(r *Router) { r.Get("/files/*b", echo()) },
			[]string{`"/files/*b"`, `"/files/*a"`, "*b", "*a"},
		},
	}
	for _, tt := range tests {
		r := New()
		tt.first(r)
		msg := mustPanic(t, tt.name, func() { tt.then(r) })
		for _, w := range tt.want {
			if msg != "" && !strings.Contains(msg, w) {
				t.Errorf("%s: panic %q; want it to contain %q", tt.name, msg, w)
			}
		}
	}
}

// TestNoConflict lists registrations that look close but must coexist.
func TestNoConflict(t *testing.T) {
	r := New()
	r.Get("/users/:id", echo())
	r.Post("/users/:id", echo())
	r.Get("/users/:id/", echo())
	r.Get("/users/new", echo())
	r.Get("/users/*rest", echo())
	r.Get("/users", echo())
	r.Get("/files/*path", echo())
	r.Get("/files/", echo())
	r.Get("/:lang/about", echo())
}

// TestMalformedPatternsPanic: patterns are written by programmers, so a
// malformed one fails at setup with a message saying what is wrong.
func TestMalformedPatternsPanic(t *testing.T) {
	many := strings.Repeat("/:p", maxParams) + "/:last"
	for i := range maxParams {
		many = strings.Replace(many, ":p/", ":p"+string(rune('a'+i))+"/", 1)
	}
	tests := []struct {
		pattern string
		want    string
	}{
		{"", "must begin with '/'"},
		{"users", "must begin with '/'"},
		{":id", "must begin with '/'"},
		{"/a:b", "must start a segment"},
		{"/users/x:id", "must start a segment"},
		{"/files/a*path", "must start a segment"},
		{"/files/*path/more", "catch-all must be the last segment"},
		{"/files/*path/", "catch-all must be the last segment"},
		{"/users/:", "needs a plain name"},
		{"/users/:/x", "needs a plain name"},
		{"/files/*", "needs a plain name"},
		{"/a/:b:c", "needs a plain name"},
		{"/a/:b*c", "needs a plain name"},
		{many, "more than 16 parameters"},
		{"/a/:id/b/:id", `names parameter "id" twice`},
		{"/a/:id/*id", `names parameter "id" twice`},
	}
	for _, tt := range tests {
		name := "Get(" + quote(tt.pattern) + ")"
		msg := mustPanic(t, name, func() { New().Get(tt.pattern, echo()) })
		if msg != "" && !strings.Contains(msg, tt.want) {
			t.Errorf("%s: panic %q; want it to contain %q", name, msg, tt.want)
		}
	}

	// The tree's own parser checks the leading '/' too.
	mustPanic(t, `parsePattern("x")`, func() { parsePattern("x") })

	// Within a group the pattern must still begin with '/': "/api" +
	// "users" must not become "/apiusers".
	msg := mustPanic(t, "group pattern without '/'", func() {
		New().Route("/api", func(g *Router) { g.Get("users", echo()) })
	})
	if msg != "" && !strings.Contains(msg, "must begin with '/'") {
		t.Errorf("group pattern without '/': panic %q", msg)
	}
}

// TestHandleNeedsMethodAndHandler guards against registrations that would
// fail only when a request arrives.
func TestHandleNeedsMethodAndHandler(t *testing.T) {
	mustPanic(t, "empty method", func() { New().Handle("", "/a", echo()) })
	mustPanic(t, "nil handler", func() { New().Handle("GET", "/a", nil) })
	mustPanic(t, "nil handler func", func() { New().Get("/a", nil) })
	var h strand.Handler
	mustPanic(t, "nil interface", func() { New().Handle("GET", "/a", h) })
	mustPanic(t, "Mount of nil", func() { New().Mount("/a", nil) })
}
