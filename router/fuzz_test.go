package router

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/strandhttp/strand"
)

// fuzzPatterns mixes every kind of segment, with neighbours that make the
// lookup backtrack and edges that split inside segments.
var fuzzPatterns = []string{
	"/",
	"/users",
	"/users/",
	"/users/new",
	"/users/:id",
	"/users/:id/edit",
	"/users/:id/posts/:post",
	"/users/:id/posts/new",
	"/files/*path",
	"/files/special",
	"/files/special/:x",
	"/a/:x/c",
	"/a/b/d",
	"/search",
	"/searches/:q",
	"/:lang/about",
	"/:lang/docs/*page",
	"/s/:x/:y/:z/end",
	"//double",
	"/dot.json",
}

// FuzzRouterMatch fuzzes the path given to the lookup. For any path: no
// panic; a match's values are slices of the path, and putting them back
// into the pattern gives the path exactly; a path equal to a static
// pattern matches that pattern; a redirect target matches; dispatch
// answers without panicking and never with a scheme-relative Location.
func FuzzRouterMatch(f *testing.F) {
	for _, s := range []string{
		"/", "", "*", "/users/new/edit", "/users/42/posts/new", "/files/", "/files/special/x/y",
		"/a/b/c", "/en/docs/", "//evil.example", "/x/../users", "/users/", "/users//edit",
		"/s/1/2/3/end", "/s/1/2/3/end/", `/\x`, "/%2F", "/searches/", "/./././",
	} {
		f.Add(s)
	}
	r := New()
	statics := map[string]bool{}
	for _, p := range fuzzPatterns {
		r.Get(p, text(p))
		if !strings.ContainsAny(p, ":*") {
			statics[p] = true
		}
	}
	f.Fuzz(func(t *testing.T, path string) {
		var l lookup
		if rt := l.match(&r.t.root, path); rt != nil {
			checkMatch(t, path, rt, &l)
			if statics[path] && rt.pattern != path {
				t.Errorf("match(%q) = %q; want the static pattern itself", path, rt.pattern)
			}
		} else if statics[path] {
			t.Errorf("match(%q) = nil; want its static pattern", path)
		}

		if target, ok := r.t.redirectTarget(path); ok {
			var l2 lookup
			if l2.match(&r.t.root, target) == nil {
				t.Errorf("redirectTarget(%q) = %q, which matches nothing", path, target)
			}
		}

		w := new(recorder)
		r.ServeHTTP(w, &strand.Request{Method: "GET", Path: path, RawPath: path, RawQuery: "q=1"})
		if loc := w.header.Get("Location"); strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, `/\`) ||
			loc != "" && !strings.HasPrefix(loc, "/") {
			t.Errorf("GET %q: Location %q; want a path-absolute reference", path, loc)
		}
	})
}

// checkMatch verifies a lookup's result against its route's pattern.
func checkMatch(t *testing.T, path string, rt *route, l *lookup) {
	t.Helper()
	base := uintptr(unsafe.Pointer(unsafe.StringData(path)))
	var rebuilt strings.Builder
	i := 0
	for _, s := range parsePattern(rt.pattern) {
		if s.kind == static {
			rebuilt.WriteString(s.text)
			continue
		}
		if i >= l.n {
			t.Fatalf("match(%q) = %q with %d values; the pattern has more parameters", path, rt.pattern, l.n)
		}
		v := l.values[i]
		if rt.names[i] != s.text {
			t.Errorf("match(%q) = %q: value %d named %q; want %q", path, rt.pattern, i, rt.names[i], s.text)
		}
		i++
		if v != "" {
			off := uintptr(unsafe.Pointer(unsafe.StringData(v))) - base
			if off > uintptr(len(path)) || off+uintptr(len(v)) > uintptr(len(path)) {
				t.Errorf("match(%q): value %q of %s is not a slice of the path", path, v, s.text)
			}
		}
		if s.kind == param && (v == "" || strings.Contains(v, "/")) {
			t.Errorf("match(%q) = %q: parameter %s = %q; want one non-empty segment", path, rt.pattern, s.text, v)
		}
		rebuilt.WriteString(v)
	}
	if i != l.n {
		t.Errorf("match(%q) = %q with %d values; want %d", path, rt.pattern, l.n, i)
	}
	if rebuilt.String() != path {
		t.Errorf("match(%q) = %q: pattern with its values gives %q; want the path", path, rt.pattern, rebuilt.String())
	}
}
