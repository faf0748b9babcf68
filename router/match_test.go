package router

import (
	"testing"
	"unsafe"

	"github.com/strandhttp/strand"
)

// matchRoutes is the tree most matching tests share: every kind of
// segment, and neighbours that force backtracking.
var matchRoutes = []struct {
	pattern string
	names   []string
}{
	{"/", nil},
	{"/users", nil},
	{"/users/new", nil},
	{"/users/:id", []string{"id"}},
	{"/users/:id/edit", []string{"id"}},
	{"/users/:id/posts/:post", []string{"id", "post"}},
	{"/files/*path", []string{"path"}},
	{"/files/special", nil},
	{"/a/:x/c", []string{"x"}},
	{"/a/b/d", nil},
	{"/p/new", nil},
	{"/p/:id", []string{"id"}},
	{"/p/*rest", []string{"rest"}},
	{"/doc/", nil},
	{"/doc/:page/", []string{"page"}},
	{"/search", nil},
	{"/searches", nil},
	{"/:lang/about", []string{"lang"}},
	{"/static/a-long-edge-with-more-than-sixteen-bytes", nil},
}

func newMatchRouter() *Router {
	r := New()
	r.RedirectTrailingSlash(false)
	r.RedirectCleanPath(false)
	for _, rt := range matchRoutes {
		r.Get(rt.pattern, echo(rt.names...))
	}
	return r
}

// TestMatch covers static, parameter and catch-all segments, and the
// priority static > parameter > catch-all with backtracking.
func TestMatch(t *testing.T) {
	r := newMatchRouter()
	tests := []struct {
		path string
		want string // the echo of the matched route, or "" for 404
	}{
		// Static.
		{"/", "/"},
		{"/users", "/users"},
		{"/users/new", "/users/new"},
		{"/search", "/search"},
		{"/searches", "/searches"},
		{"/doc/", "/doc/"},
		{"/searc", ""},
		{"/searchesx", ""},
		{"/static/a-long-edge-with-more-than-sixteen-bytes", "/static/a-long-edge-with-more-than-sixteen-bytes"},
		{"/static/a-long-edge-with-more-than-sixteen-bytez", ""},
		{"/static/a-long-edge", ""},
		{"/USERS", ""},
		{"/nope", ""},

		// Parameters: one non-empty segment, decoded.
		{"/users/42", "/users/:id id=42"},
		{"/users/a%20b", "/users/:id id=a b"},
		{"/users/42/edit", "/users/:id/edit id=42"},
		{"/users/42/posts/7", "/users/:id/posts/:post id=42 post=7"},
		{"/users//edit", ""},
		{"/users/42/edit/", ""},
		{"/users/42/posts/", ""},
		{"/doc/intro/", "/doc/:page/ page=intro"},
		{"/doc/intro", ""},
		{"/en/about", "/:lang/about lang=en"},

		// Catch-all: the rest, possibly empty.
		{"/files/", "/files/*path path="},
		{"/files/a", "/files/*path path=a"},
		{"/files/a/b/c", "/files/*path path=a/b/c"},
		{"/files//x/", "/files/*path path=/x/"},
		{"/files", ""},

		// Priority and backtracking.
		{"/files/special", "/files/special"},
		{"/files/special/x", "/files/*path path=special/x"},
		{"/files/specialist", "/files/*path path=specialist"},
		{"/users/new/edit", "/users/:id/edit id=new"},
		{"/users/new/posts/1", "/users/:id/posts/:post id=new post=1"},
		{"/users/newer", "/users/:id id=newer"},
		{"/a/b/d", "/a/b/d"},
		{"/a/b/c", "/a/:x/c x=b"},
		{"/a/bb/c", "/a/:x/c x=bb"},
		{"/p/new", "/p/new"},
		{"/p/x", "/p/:id id=x"},
		{"/p/x/y", "/p/*rest rest=x/y"},
		{"/p/new/y", "/p/*rest rest=new/y"},
		{"/p/", "/p/*rest rest="},
		{"/users/about", "/users/:id id=about"},
		{"/search/about", "/:lang/about lang=search"},
	}
	for _, tt := range tests {
		w, req := serve(t, r, "GET", tt.path)
		if tt.want == "" {
			if w.status() != strand.StatusNotFound {
				t.Errorf("GET %s: %d %q; want 404", tt.path, w.status(), w.body.String())
			}
			if req.Pattern() != "" {
				t.Errorf("GET %s: Pattern() = %q after a 404; want \"\"", tt.path, req.Pattern())
			}
			continue
		}
		if got := w.body.String(); w.status() != strand.StatusOK || got != tt.want {
			t.Errorf("GET %s: %d %q; want 200 %q", tt.path, w.status(), got, tt.want)
		}
	}
}

// TestPatternAndPathValueSet checks what a handler sees on the request: the
// pattern, the values by name, "" for names the pattern does not have.
func TestPatternAndPathValueSet(t *testing.T) {
	r := New()
	var pattern, id, post, missing string
	r.Get("/users/:id/posts/:post", func(_ strand.ResponseWriter, req *strand.Request) {
		pattern, id, post, missing = req.Pattern(), req.PathValue("id"), req.PathValue("post"), req.PathValue("path")
	})
	_, req := serve(t, r, "GET", "/users/42/posts/7")
	if pattern != "/users/:id/posts/:post" || id != "42" || post != "7" || missing != "" {
		t.Errorf("in the handler: Pattern, id, post, path = %q, %q, %q, %q; want %q, %q, %q, %q",
			pattern, id, post, missing, "/users/:id/posts/:post", "42", "7", "")
	}
	if req.Pattern() != pattern || req.PathValue("id") != "42" {
		t.Errorf("after the handler: Pattern, id = %q, %q; want them kept", req.Pattern(), req.PathValue("id"))
	}
}

// TestParamValuesAliasThePath guards the zero-allocation promise of the
// match: values are slices of Request.Path, not copies.
func TestParamValuesAliasThePath(t *testing.T) {
	r := newMatchRouter()
	var l lookup
	path := "/users/42/posts/7"
	if l.match(&r.t.root, path) == nil || l.n != 2 {
		t.Fatalf("match(%q): %d values; want a match with 2", path, l.n)
	}
	base := uintptr(unsafe.Pointer(unsafe.StringData(path)))
	for _, v := range l.values[:l.n] {
		p := uintptr(unsafe.Pointer(unsafe.StringData(v)))
		if p < base || p+uintptr(len(v)) > base+uintptr(len(path)) {
			t.Errorf("value %q is a copy; want a slice of %q", v, path)
		}
	}
}
