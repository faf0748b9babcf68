package router

import (
	"slices"
	"strings"
	"testing"

	"github.com/strandhttp/strand"
)

// tracer records the order in which middleware runs.
type tracer struct{ calls []string }

func (tr *tracer) mw(name string) strand.Middleware {
	return func(next strand.Handler) strand.Handler {
		return strand.HandlerFunc(func(w strand.ResponseWriter, req *strand.Request) {
			tr.calls = append(tr.calls, name)
			next.ServeHTTP(w, req)
		})
	}
}

// TestGroupsAndMiddlewareOrder covers Route prefixes, Group, With and Use:
// root middleware outermost, then each group's in nesting order, then the
// route's own; and none of it leaks into sibling groups or the parent.
func TestGroupsAndMiddlewareOrder(t *testing.T) {
	var tr tracer
	r := New()
	r.Use(tr.mw("root1"), tr.mw("root2"))
	r.Route("/api", func(api *Router) {
		api.Use(tr.mw("api"))
		api.Get("/", echo())
		api.Get("/users", echo())
		api.Route("/v2", func(v2 *Router) {
			v2.Use(tr.mw("v2"))
			v2.With(tr.mw("route1"), tr.mw("route2")).Get("/items/:id", echo("id"))
			v2.Get("/plain", echo())
		})
		api.Group(func(g *Router) {
			g.Use(tr.mw("group"))
			g.Get("/grouped", echo())
		})
		api.Get("/after", echo())
	})
	r.Route("/slash/", func(s *Router) {
		s.Get("/x", echo())
		s.Get("/", echo())
	})
	r.Get("/plain", echo())
	r.With(tr.mw("with")).Post("/plain", echo())

	tests := []struct {
		method, path string
		code         int
		body         string
		calls        []string
	}{
		{"GET", "/api", 200, "/api", []string{"root1", "root2", "api"}},
		{"GET", "/api/users", 200, "/api/users", []string{"root1", "root2", "api"}},
		{"GET", "/api/v2/items/9", 200, "/api/v2/items/:id id=9", []string{"root1", "root2", "api", "v2", "route1", "route2"}},
		{"GET", "/api/v2/plain", 200, "/api/v2/plain", []string{"root1", "root2", "api", "v2"}},
		{"GET", "/api/grouped", 200, "/api/grouped", []string{"root1", "root2", "api", "group"}},
		{"GET", "/api/after", 200, "/api/after", []string{"root1", "root2", "api"}},
		{"GET", "/slash/x", 200, "/slash/x", []string{"root1", "root2"}},
		{"GET", "/slash/", 200, "/slash/", []string{"root1", "root2"}},
		{"GET", "/plain", 200, "/plain", []string{"root1", "root2"}},
		{"POST", "/plain", 200, "/plain", []string{"root1", "root2", "with"}},
		// Root middleware wraps what no route answers: 404, 405, OPTIONS
		// and redirects.
		{"GET", "/nope", 404, "404 page not found\n", []string{"root1", "root2"}},
		{"PUT", "/plain", 405, "405 method not allowed\n", []string{"root1", "root2"}},
		{"OPTIONS", "/plain", 204, "", []string{"root1", "root2"}},
		{"GET", "/plain/", 301, "", []string{"root1", "root2"}},
	}
	for _, tt := range tests {
		tr.calls = nil
		w, _ := serve(t, r, tt.method, tt.path)
		if w.status() != tt.code || w.body.String() != tt.body || !slices.Equal(tr.calls, tt.calls) {
			t.Errorf("%s %s: %d %q, middleware %v; want %d %q, %v",
				tt.method, tt.path, w.status(), w.body.String(), tr.calls, tt.code, tt.body, tt.calls)
		}
	}
}

// TestUseAfterRoutesPanics: Use after a route would leave it unclear which
// routes the middleware covers, so it is a setup error.
func TestUseAfterRoutesPanics(t *testing.T) {
	m := func(h strand.Handler) strand.Handler { return h }
	tests := []struct {
		name  string
		setup func()
	}{
		{"root", func() {
			r := New()
			r.Get("/a", echo())
			r.Use(m)
		}},
		{"group", func() {
			New().Route("/g", func(g *Router) {
				g.Get("/a", echo())
				g.Use(m)
			})
		}},
		{"root after a group's route", func() {
			r := New()
			r.Route("/g", func(g *Router) { g.Get("/a", echo()) })
			r.Use(m)
		}},
		{"root after With", func() {
			r := New()
			r.With(m).Get("/a", echo())
			r.Use(m)
		}},
		{"group after a subgroup's route", func() {
			New().Route("/g", func(g *Router) {
				g.Group(func(sub *Router) { sub.Get("/a", echo()) })
				g.Use(m)
			})
		}},
		{"root after Mount", func() {
			r := New()
			r.Mount("/m", New())
			r.Use(m)
		}},
	}
	for _, tt := range tests {
		msg := mustPanic(t, tt.name, tt.setup)
		if msg != "" && !strings.Contains(msg, "Use called after routes") {
			t.Errorf("%s: panic %q; want it to say Use came after routes", tt.name, msg)
		}
	}

	// Middleware on a fresh group is fine after the parent has routes.
	r := New()
	r.Get("/a", echo())
	r.Group(func(g *Router) {
		g.Use(m)
		g.Get("/b", echo())
	})
}

// TestMount covers Mount: the prefix stripped from Path and RawPath, "/"
// at the least, a mounted router working on its own (404, 405, params),
// prefixes with parameters, and Path restored for outer middleware.
func TestMount(t *testing.T) {
	inner := New()
	inner.Get("/", echo())
	inner.Get("/users/:id", func(w strand.ResponseWriter, req *strand.Request) {
		_, _ = w.WriteString(req.Pattern() + " id=" + req.PathValue("id") + " path=" + req.Path + " org=" + req.PathValue("org"))
	})
	paths := strand.HandlerFunc(func(w strand.ResponseWriter, req *strand.Request) {
		_, _ = w.WriteString("path=" + req.Path + " raw=" + req.RawPath + " pattern=" + req.Pattern())
	})

	r := New()
	r.Mount("/admin", inner)
	r.Mount("/raw/", paths)
	r.Route("/orgs/:org", func(o *Router) { o.Mount("/admin", inner) })
	r.Get("/admin/special", echo()) // a static route below a mount wins
	r.Get("/raw", echo())           // as does an explicit route on the prefix

	tests := []struct {
		method, target string
		code           int
		body           string
	}{
		{"GET", "/admin", 200, "/"},
		{"GET", "/admin/", 200, "/"},
		{"GET", "/admin/users/7", 200, "/users/:id id=7 path=/users/7 org="},
		{"HEAD", "/admin/users/7", 200, "/users/:id id=7 path=/users/7 org="},
		{"POST", "/admin/users/7", 405, "405 method not allowed\n"},
		{"GET", "/admin/nope", 404, "404 page not found\n"},
		{"GET", "/admin/special", 200, "/admin/special"},
		{"GET", "/administrator", 404, "404 page not found\n"},
		{"GET", "/orgs/acme/admin/users/7", 200, "/users/:id id=7 path=/users/7 org=acme"},
		{"GET", "/orgs/acme/admin", 200, "/"},
		{"GET", "/raw", 200, "/raw"},
		{"POST", "/raw", 200, "path=/ raw=/ pattern=/raw"},
		{"GET", "/raw/", 200, "path=/ raw=/ pattern=/raw/*mounted"},
		{"GET", "/raw/a%20b/c", 200, "path=/a b/c raw=/a%20b/c pattern=/raw/*mounted"},
		{"GET", "/r%61w/x%2Fy", 200, "path=/x/y raw=/x%2Fy pattern=/raw/*mounted"},
		{"DELETE", "/raw/x", 200, "path=/x raw=/x pattern=/raw/*mounted"},
	}
	for _, tt := range tests {
		w, req := serve(t, r, tt.method, tt.target)
		if w.status() != tt.code || w.body.String() != tt.body {
			t.Errorf("%s %s: %d %q; want %d %q", tt.method, tt.target, w.status(), w.body.String(), tt.code, tt.body)
		}
		if want := newRequest(t, tt.method, tt.target); req.Path != want.Path || req.RawPath != want.RawPath {
			t.Errorf("%s %s: after the mount, Path, RawPath = %q, %q; want them restored to %q, %q",
				tt.method, tt.target, req.Path, req.RawPath, want.Path, want.RawPath)
		}
	}
	if w, _ := serve(t, r, "OPTIONS", "/admin/users/7"); w.status() != 204 || w.header.Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Errorf("OPTIONS through a mount: %d, Allow %q; want the mounted router's 204, Allow %q",
			w.status(), w.header.Get("Allow"), "GET, HEAD, OPTIONS")
	}
}

// TestMountRoot mounts at "/", which must neither panic nor strip.
func TestMountRoot(t *testing.T) {
	inner := New()
	inner.Get("/", echo())
	inner.Get("/x/:y", echo("y"))
	for _, prefix := range []string{"/", ""} {
		r := New()
		r.Mount(prefix, inner)
		for _, tt := range []struct{ path, body string }{
			{"/", "/"},
			{"/x/1", "/x/:y y=1"},
		} {
			if w, _ := serve(t, r, "GET", tt.path); w.body.String() != tt.body {
				t.Errorf("Mount(%q): GET %s: %q; want %q", prefix, tt.path, w.body.String(), tt.body)
			}
		}
	}
}

// TestExplicitRouteBesideMount: a route on the mount's own paths keeps its
// method whether it is registered before or after Mount.
func TestExplicitRouteBesideMount(t *testing.T) {
	before, after := New(), New()
	before.Get("/admin", text("explicit"))
	before.Mount("/admin", text("mounted"))
	after.Mount("/admin", text("mounted"))
	after.Get("/admin", text("explicit"))
	for name, r := range map[string]*Router{"before": before, "after": after} {
		for _, tt := range []struct{ method, path, body string }{
			{"GET", "/admin", "explicit"},
			{"POST", "/admin", "mounted"},
			{"GET", "/admin/x", "mounted"},
		} {
			if w, _ := serve(t, r, tt.method, tt.path); w.body.String() != tt.body {
				t.Errorf("route %s Mount: %s %s: %q; want %q", name, tt.method, tt.path, w.body.String(), tt.body)
			}
		}
	}
	msg := mustPanic(t, "Get twice beside a Mount", func() { after.Get("/admin", text("again")) })
	if strings.Count(msg, `"/admin"`) != 2 {
		t.Errorf("panic %q; want it to name the pattern twice", msg)
	}
}

// TestMountTwicePanics: two handlers for one prefix is a conflict.
func TestMountTwicePanics(t *testing.T) {
	r := New()
	r.Mount("/admin", New())
	msg := mustPanic(t, "Mount twice", func() { r.Mount("/admin/", New()) })
	if strings.Count(msg, `"/admin"`) != 2 {
		t.Errorf("panic %q; want it to name both mounts", msg)
	}
}
