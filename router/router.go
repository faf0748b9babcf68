package router

import (
	"net/url"
	"path"
	"strings"

	"github.com/strandhttp/strand"
)

// Router dispatches requests to handlers by method and path pattern. Build
// it at startup, then serve: registering routes while serving is not safe.
//
// The zero value is not usable; call New.
type Router struct {
	t *tree // shared by the router and its groups

	prefix string              // pattern prefix of this group
	mws    []strand.Middleware // this group's middleware, outermost first
	routes bool                // a route was registered through this group
	root   bool
}

// tree is the state shared by a router and every group made from it.
type tree struct {
	root    node
	owners  map[*node]string
	handler strand.Handler // root middleware around dispatch
	mws     []strand.Middleware

	notFound         strand.Handler
	methodNotAllowed strand.Handler

	// RedirectTrailingSlash and RedirectCleanPath; see Router's setters.
	redirectSlash bool
	redirectClean bool
}

// methodHandler is one method's handler for a route, middleware applied.
type methodHandler struct {
	method  string
	handler strand.Handler
}

// New returns an empty router. Unmatched paths get 404, known paths with an
// unregistered method 405 with an Allow field; GET routes also answer HEAD,
// every route answers OPTIONS; a path that matches only with or without a
// trailing slash, or once cleaned of "//", "/./" and "/../", is redirected
// to the form that matches (301 for GET and HEAD, 308 otherwise).
func New() *Router {
	t := &tree{owners: map[*node]string{}, redirectSlash: true, redirectClean: true}
	r := &Router{t: t, root: true}
	t.root.kind = static
	t.handler = strand.HandlerFunc(r.dispatch)
	return r
}

// RedirectTrailingSlash turns the trailing-slash redirect on or off.
func (r *Router) RedirectTrailingSlash(on bool) { r.t.redirectSlash = on }

// RedirectCleanPath turns the cleaned-path redirect on or off.
func (r *Router) RedirectCleanPath(on bool) { r.t.redirectClean = on }

// NotFound sets the handler for unmatched paths.
func (r *Router) NotFound(h strand.Handler) { r.t.notFound = h }

// MethodNotAllowed sets the handler for a matched path whose route lacks
// the method. The Allow field is already set when it runs.
func (r *Router) MethodNotAllowed(h strand.Handler) { r.t.methodNotAllowed = h }

// Use appends middleware. On the root router it wraps every request,
// including 404 and 405 answers; on a group, the routes registered through
// the group afterwards. Use after a route of the same router or group
// panics: the order would be ambiguous.
func (r *Router) Use(mws ...strand.Middleware) {
	if r.routes {
		panic("router: Use called after routes were registered on this router; add middleware first")
	}
	if r.root {
		r.t.mws = append(r.t.mws, mws...)
		r.t.handler = strand.Chain(r.t.mws...)(strand.HandlerFunc(r.dispatch))
		return
	}
	r.mws = append(r.mws, mws...)
}

// With returns a group that adds mws to the routes registered through it,
// for per-route middleware: r.With(auth).Get("/admin", h).
func (r *Router) With(mws ...strand.Middleware) *Router {
	g := r.group(r.prefix)
	g.mws = append(g.mws, mws...)
	return g
}

// Route registers the routes fn adds under prefix, with middleware of
// their own: r.Route("/api", func(api *router.Router) { api.Get("/users", h) }).
func (r *Router) Route(prefix string, fn func(*Router)) {
	fn(r.group(r.join(prefix)))
}

// Group is Route without a prefix: a scope for middleware.
func (r *Router) Group(fn func(*Router)) { fn(r.group(r.prefix)) }

func (r *Router) group(prefix string) *Router {
	return &Router{t: r.t, prefix: prefix, mws: append([]strand.Middleware(nil), r.mws...)}
}

func (r *Router) join(p string) string {
	if p == "" || p == "/" {
		if r.prefix == "" {
			return "/"
		}
		return r.prefix
	}
	return strings.TrimSuffix(r.prefix, "/") + p
}

// Mount serves every path under prefix with h, a router or any handler. h
// sees Path with the prefix removed (RawPath too), "/" at the least.
func (r *Router) Mount(prefix string, h strand.Handler) {
	full := strings.TrimSuffix(r.join(prefix), "/")
	strip := len(full)
	m := strand.HandlerFunc(func(w strand.ResponseWriter, req *strand.Request) {
		p, raw := req.Path, req.RawPath
		req.Path = stripPrefix(p, strip)
		if strings.HasPrefix(raw, p[:strip]) {
			req.RawPath = stripPrefix(raw, strip)
		}
		h.ServeHTTP(w, req)
		req.Path, req.RawPath = p, raw
	})
	for _, pat := range []string{full, full + "/*mounted"} {
		for _, method := range mountMethods {
			r.handle(method, pat, m, true)
		}
	}
}

var mountMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}

func stripPrefix(p string, n int) string {
	if len(p) <= n {
		return "/"
	}
	return p[n:]
}

// Handle registers h for method and pattern. Patterns are paths with
// ":name" segments (one segment) and a final "*name" (the rest, possibly
// empty). Registering a method and pattern twice, or two parameter names
// at one position, panics naming both patterns.
func (r *Router) Handle(method, pattern string, h strand.Handler) {
	r.handle(method, r.join(pattern), h, false)
}

func (r *Router) handle(method, pattern string, h strand.Handler, mount bool) {
	if method == "" || h == nil {
		panic("router: Handle needs a method and a handler, for pattern " + quote(pattern))
	}
	r.routes = true
	if len(r.mws) > 0 {
		h = strand.Chain(r.mws...)(h)
	}
	end := r.t.root.insert(pattern, parsePattern(pattern), r.t.owners)
	rt := end.route
	if rt == nil {
		rt = &route{pattern: pattern, explicit: map[string]bool{}}
		end.route = rt
	} else if rt.explicit[method] && !mount {
		panic("router: " + method + " " + quote(pattern) + " conflicts with " + method + " " + quote(rt.pattern))
	}
	if rt.explicit[method] {
		return // a mount does not override explicit routes
	}
	rt.explicit[method] = true
	rt.methods = append(rt.methods, methodHandler{method, h})
	rt.hasGet = rt.hasGet || method == "GET"
	rt.allow = allowList(rt)
}

// allowList computes the Allow field value (RFC 9110 §10.2.1) of a route:
// its methods, HEAD for GET, and OPTIONS.
func allowList(rt *route) string {
	var ms []string
	has := func(m string) bool {
		for _, x := range ms {
			if x == m {
				return true
			}
		}
		return false
	}
	for _, mh := range rt.methods {
		ms = append(ms, mh.method)
	}
	if rt.hasGet && !has("HEAD") {
		ms = append(ms, "HEAD")
	}
	if !has("OPTIONS") {
		ms = append(ms, "OPTIONS")
	}
	return strings.Join(ms, ", ")
}

// HandleFunc registers a handler function.
func (r *Router) HandleFunc(method, pattern string, f strand.HandlerFunc) {
	r.Handle(method, pattern, f)
}

// Get, Head, Post, Put, Patch, Delete and Options register a handler
// function for their method.
func (r *Router) Get(pattern string, f strand.HandlerFunc)     { r.Handle("GET", pattern, f) }
func (r *Router) Head(pattern string, f strand.HandlerFunc)    { r.Handle("HEAD", pattern, f) }
func (r *Router) Post(pattern string, f strand.HandlerFunc)    { r.Handle("POST", pattern, f) }
func (r *Router) Put(pattern string, f strand.HandlerFunc)     { r.Handle("PUT", pattern, f) }
func (r *Router) Patch(pattern string, f strand.HandlerFunc)   { r.Handle("PATCH", pattern, f) }
func (r *Router) Delete(pattern string, f strand.HandlerFunc)  { r.Handle("DELETE", pattern, f) }
func (r *Router) Options(pattern string, f strand.HandlerFunc) { r.Handle("OPTIONS", pattern, f) }

// ServeHTTP routes the request through the root middleware to its handler.
func (r *Router) ServeHTTP(w strand.ResponseWriter, req *strand.Request) {
	r.t.handler.ServeHTTP(w, req)
}

// dispatch finds the route and calls the method's handler.
func (r *Router) dispatch(w strand.ResponseWriter, req *strand.Request) {
	t := r.t
	var l lookup
	rt := l.match(&t.root, req.Path)
	if rt == nil {
		t.miss(w, req)
		return
	}
	req.SetPattern(rt.pattern)
	for i := 0; i < l.n; i++ {
		req.SetPathValue(l.ps[i].name, l.ps[i].value)
	}
	if h := rt.find(req.Method); h != nil {
		h.ServeHTTP(w, req)
		return
	}
	w.Header().Set("Allow", rt.allow)
	if req.Method == "OPTIONS" {
		w.WriteHeader(strand.StatusNoContent)
		return
	}
	if t.methodNotAllowed != nil {
		t.methodNotAllowed.ServeHTTP(w, req)
		return
	}
	strand.Error(w, "405 method not allowed", strand.StatusMethodNotAllowed)
}

// find returns the handler for method, HEAD falling back to GET.
func (rt *route) find(method string) strand.Handler {
	for i := range rt.methods {
		if rt.methods[i].method == method {
			return rt.methods[i].handler
		}
	}
	if method == "HEAD" {
		return rt.find("GET")
	}
	return nil
}

// miss answers a path without a route: a redirect to a form that has one,
// or 404.
func (t *tree) miss(w strand.ResponseWriter, req *strand.Request) {
	if req.Method != "CONNECT" && req.Path != "*" {
		if target, ok := t.redirectTarget(req.Path); ok {
			redirect(w, req, target)
			return
		}
	}
	if t.notFound != nil {
		t.notFound.ServeHTTP(w, req)
		return
	}
	strand.NotFound(w, req)
}

// redirectTarget finds a path that would match: p cleaned, or p with its
// trailing slash added or removed.
func (t *tree) redirectTarget(p string) (string, bool) {
	var l lookup
	if t.redirectClean {
		if c := cleanPath(p); c != p {
			if l.match(&t.root, c) != nil {
				return c, true
			}
			p = c
		}
	}
	if t.redirectSlash && p != "/" {
		alt := p + "/"
		if strings.HasSuffix(p, "/") {
			alt = p[:len(p)-1]
		}
		l.n = 0
		if l.match(&t.root, alt) != nil {
			return alt, true
		}
	}
	return "", false
}

// cleanPath is path.Clean keeping a trailing slash.
func cleanPath(p string) string {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// redirect answers 301 for GET and HEAD, 308 (which keeps the method and
// body, RFC 9110 §15.4.9) otherwise, keeping the query.
func redirect(w strand.ResponseWriter, req *strand.Request, target string) {
	code := strand.StatusPermanentRedirect
	if req.Method == "GET" || req.Method == "HEAD" {
		code = strand.StatusMovedPermanently
	}
	loc := (&url.URL{Path: target}).EscapedPath()
	if strings.HasPrefix(loc, "//") {
		loc = "/" + strings.TrimLeft(loc, "/") // never a scheme-relative URL
	}
	if req.RawQuery != "" {
		loc += "?" + req.RawQuery
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(code)
}
