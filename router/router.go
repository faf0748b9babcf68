package router

import (
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/internal/method"
)

// Router dispatches requests to handlers by method and path pattern. Build
// it at startup, then serve: ServeHTTP is safe for concurrent use, but
// registering routes while serving is not.
//
// A group made by Route, Group or With is a Router too, sharing the
// routes of the router it was made from and adding a prefix or middleware
// to the routes registered through it.
//
// The zero value is not usable; call New.
type Router struct {
	t      *tree   // shared by the router and its groups; never nil
	parent *Router // the router or group this group was made from; nil at the root

	prefix string              // pattern prefix of this group
	mws    []strand.Middleware // this group's middleware, outermost first
	routes bool                // a route was registered through this group or one made from it
}

// tree is the state shared by a router and every group made from it.
type tree struct {
	root    node
	owners  map[*node]string
	handler strand.Handler // root middleware around dispatch; nil without root middleware
	mws     []strand.Middleware

	notFound         strand.Handler
	methodNotAllowed strand.Handler

	// RedirectTrailingSlash and RedirectCleanPath; see Router's setters.
	redirectSlash bool
	redirectClean bool

	// The methods some route serves that RFC 9110 does not register
	// (PROPFIND, say): with the registered ones, the methods the router
	// recognizes. Any other gets 501, not 404 or 405.
	extraMethods []string
}

// methodHandler is one method's handler for a route, middleware applied.
type methodHandler struct {
	method  string
	handler strand.Handler
	mount   bool // registered by Mount: an explicit route replaces it
}

// New returns an empty router. Unmatched paths get 404, known paths with an
// unregistered method 405 with an Allow field, and a method the router does
// not recognize (neither one of RFC 9110's and PATCH, nor one some route
// serves: "FOO") 501 on any path (RFC 9110 §15.6.2); GET routes also answer HEAD,
// every route answers OPTIONS; a path that matches only with or without a
// trailing slash, or once cleaned of "//", "/./" and "/../", is redirected
// to the form that matches (301 for GET and HEAD, 308 otherwise).
func New() *Router {
	t := &tree{owners: map[*node]string{}, redirectSlash: true, redirectClean: true}
	t.root.kind = static
	return &Router{t: t}
}

// RedirectTrailingSlash turns the trailing-slash redirect on or off. Like
// RedirectCleanPath, NotFound and MethodNotAllowed, it applies to the whole
// router, also when called on a group.
func (r *Router) RedirectTrailingSlash(on bool) { r.t.redirectSlash = on }

// RedirectCleanPath turns the cleaned-path redirect on or off.
func (r *Router) RedirectCleanPath(on bool) { r.t.redirectClean = on }

// NotFound sets the handler for unmatched paths.
func (r *Router) NotFound(h strand.Handler) { r.t.notFound = h }

// MethodNotAllowed sets the handler for a matched path whose route lacks
// the method. The Allow field is already set when it runs.
func (r *Router) MethodNotAllowed(h strand.Handler) { r.t.methodNotAllowed = h }

// Use appends middleware. On the root router it wraps every request,
// including 404 and 405 answers and redirects; on a group, the routes
// registered through the group afterwards. Use after a route was
// registered through the same router or group, or through a group made
// from it, panics: which routes it covers would be ambiguous.
func (r *Router) Use(mws ...strand.Middleware) {
	if r.routes {
		panic("router: Use called after routes were registered on this router; add middleware first")
	}
	if r.parent == nil {
		r.t.mws = append(r.t.mws, mws...)
		r.t.handler = strand.Chain(r.t.mws...)(strand.HandlerFunc(r.t.dispatch))
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
	return &Router{t: r.t, parent: r, prefix: prefix, mws: slices.Clone(r.mws)}
}

// join returns the full pattern of p registered through r. p must begin
// with '/', so that a group's prefix and p cannot run together
// ("/api" + "users").
func (r *Router) join(p string) string {
	if p != "" && p[0] != '/' {
		panic("router: pattern " + quote(p) + " must begin with '/'")
	}
	if p == "" || p == "/" {
		if r.prefix == "" {
			return "/"
		}
		return r.prefix
	}
	return strings.TrimSuffix(r.prefix, "/") + p
}

// Mount serves prefix and every path below it with h, a router or any
// handler, for every method. h sees Path and RawPath with the prefix
// removed, "/" at the least, and the parameters of the prefix as path
// values. The prefix may hold parameters ("/orgs/:org"), not a catch-all.
// Routes registered for the prefix itself, before or after Mount, keep
// their methods; mounting twice at one prefix panics.
//
// Request.Pattern is the mount's own ("/admin" or "/admin/*mounted")
// until h changes it: a mounted Router sets its pattern, relative to the
// prefix ("/users/:id").
func (r *Router) Mount(prefix string, h strand.Handler) {
	if h == nil {
		panic("router: Mount needs a handler, for prefix " + quote(prefix))
	}
	full := strings.TrimSuffix(r.join(prefix), "/")
	// Static text matches itself and a parameter exactly one segment, so
	// the prefix of a matched path spans as many segments as full does.
	segs := strings.Count(full, "/")
	m := strand.HandlerFunc(func(w strand.ResponseWriter, req *strand.Request) {
		p, raw := req.Path, req.RawPath
		n := segmentsEnd(p, segs)
		req.Path = rest(p, n)
		if raw == p {
			req.RawPath = req.Path
		} else {
			req.RawPath = rest(raw, rawOffset(raw, n))
		}
		h.ServeHTTP(w, req)
		req.Path, req.RawPath = p, raw
	})
	pats := []string{full, full + "/*mounted"}
	if full == "" {
		pats = pats[1:] // "/*mounted" matches "/" too
	}
	for _, pat := range pats {
		for _, method := range mountMethods {
			r.handle(method, pat, m, true)
		}
	}
}

var mountMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}

// segmentsEnd returns the offset in p of the end of its first n segments:
// the slash that starts segment n+1, or len(p).
func segmentsEnd(p string, n int) int {
	i := 0
	for ; n > 0; n-- {
		j := strings.IndexByte(p[i+1:], '/')
		if j < 0 {
			return len(p)
		}
		i += 1 + j
	}
	return i
}

// rawOffset maps an offset in a decoded path to the offset in raw, the
// path it was percent-decoded from, where the same byte begins.
func rawOffset(raw string, n int) int {
	i := 0
	for ; n > 0 && i < len(raw); n-- {
		if raw[i] == '%' && i+2 < len(raw) {
			i += 3
		} else {
			i++
		}
	}
	return i
}

// rest returns p from offset n, "/" when nothing is left.
func rest(p string, n int) string {
	if n >= len(p) {
		return "/"
	}
	return p[n:]
}

// Handle registers h for method and pattern. Patterns are paths with
// ":name" segments (one segment) and a final "*name" (the rest, possibly
// empty). On a group the pattern follows the group's prefix, and "/" is
// the prefix itself. Registering a method and pattern twice, or two
// parameter names at one position, panics naming both patterns; so does a
// malformed pattern, or a nil handler.
func (r *Router) Handle(method, pattern string, h strand.Handler) {
	if pattern == "" {
		panic("router: pattern \"\" must begin with '/'; use \"/\" for the group's own path")
	}
	r.handle(method, r.join(pattern), h, false)
}

func (r *Router) handle(method, pattern string, h strand.Handler, mount bool) {
	if f, ok := h.(strand.HandlerFunc); method == "" || h == nil || ok && f == nil {
		panic("router: Handle needs a method and a handler, for pattern " + quote(pattern))
	}
	for g := r; g != nil; g = g.parent {
		g.routes = true
	}
	if len(r.mws) > 0 {
		h = strand.Chain(r.mws...)(h)
	}
	r.t.recognize(method)
	segs := parsePattern(pattern)
	end := r.t.root.insert(pattern, segs, r.t.owners)
	rt := end.route
	if rt == nil {
		rt = &route{pattern: pattern}
		for _, s := range segs {
			if s.kind != static {
				rt.names = append(rt.names, s.text)
			}
		}
		end.route = rt
	}
	if i := rt.index(method); i >= 0 {
		switch old := &rt.methods[i]; {
		case mount && !old.mount:
			return // an explicit route beside a mount keeps its method
		case !mount && old.mount:
			*old = methodHandler{method: method, handler: h}
			rt.update()
			return
		case mount:
			panic("router: Mount at " + quote(strings.TrimSuffix(pattern, "/*mounted")) +
				" conflicts with an earlier Mount at " + quote(strings.TrimSuffix(rt.pattern, "/*mounted")))
		}
		panic("router: " + method + " " + quote(pattern) + " conflicts with " + method + " " + quote(rt.pattern))
	}
	rt.methods = append(rt.methods, methodHandler{method: method, handler: h, mount: mount})
	rt.update()
}

// update recomputes what dispatch reads from rt.methods: the handlers of
// the common methods by index, and the Allow field value.
func (rt *route) update() {
	rt.byMethod = [numMethods]strand.Handler{}
	for _, mh := range rt.methods {
		if i := methodIndex(mh.method); i >= 0 {
			rt.byMethod[i] = mh.handler
		}
	}
	rt.allow = allowList(rt)
}

// index returns the position of method in rt.methods, or -1.
func (rt *route) index(method string) int {
	for i := range rt.methods {
		if rt.methods[i].method == method {
			return i
		}
	}
	return -1
}

// allowList computes the Allow field value (RFC 9110 §10.2.1) of a route:
// its methods, HEAD for GET, and OPTIONS, sorted as net/http's ServeMux
// sorts them, so that the value does not depend on registration order.
func allowList(rt *route) string {
	var ms []string
	for _, mh := range rt.methods {
		ms = append(ms, mh.method)
	}
	if rt.byMethod[methodGET] != nil {
		ms = append(ms, "HEAD")
	}
	ms = append(ms, "OPTIONS")
	slices.Sort(ms)
	return strings.Join(slices.Compact(ms), ", ")
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
	if h := r.t.handler; h != nil {
		h.ServeHTTP(w, req)
		return
	}
	r.t.dispatch(w, req)
}

// dispatch finds the route and calls the method's handler.
func (t *tree) dispatch(w strand.ResponseWriter, req *strand.Request) {
	var l lookup
	rt := l.match(&t.root, req.Path)
	if rt == nil {
		t.miss(w, req)
		return
	}
	req.SetPattern(rt.pattern)
	for i, v := range l.values[:l.n] {
		req.SetPathValue(rt.names[i], v)
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
	if !t.recognizes(req.Method) {
		notImplemented(w)
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
	if i := methodIndex(method); i >= 0 {
		if h := rt.byMethod[i]; h != nil || i != methodHEAD {
			return h
		}
		return rt.byMethod[methodGET]
	}
	for i := range rt.methods {
		if rt.methods[i].method == method {
			return rt.methods[i].handler
		}
	}
	return nil
}

// The methods of RFC 9110 §9 and PATCH (RFC 5789) have a slot in
// route.byMethod, so that dispatch finds their handler without comparing
// strings; others are looked up in route.methods.
const (
	methodGET = iota
	methodHEAD
	methodPOST
	methodPUT
	methodPATCH
	methodDELETE
	methodOPTIONS
	methodCONNECT
	methodTRACE
	numMethods
)

// methodIndex returns the slot of method in route.byMethod, or -1.
func methodIndex(method string) int {
	switch method {
	case "GET":
		return methodGET
	case "HEAD":
		return methodHEAD
	case "POST":
		return methodPOST
	case "PUT":
		return methodPUT
	case "PATCH":
		return methodPATCH
	case "DELETE":
		return methodDELETE
	case "OPTIONS":
		return methodOPTIONS
	case "CONNECT":
		return methodCONNECT
	case "TRACE":
		return methodTRACE
	}
	return -1
}

// miss answers a path without a route: a redirect to a form that has one,
// or 404. "OPTIONS *" asks about the server in general (RFC 9110 §9.3.7),
// which is there: 204.
func (t *tree) miss(w strand.ResponseWriter, req *strand.Request) {
	if req.Path == "*" && req.Method == "OPTIONS" {
		w.WriteHeader(strand.StatusNoContent)
		return
	}
	if !t.recognizes(req.Method) {
		notImplemented(w)
		return
	}
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

// recognize adds m to the methods the router recognizes.
func (t *tree) recognize(m string) {
	if _, ok := method.Registered(m); !ok && !slices.Contains(t.extraMethods, m) {
		t.extraMethods = append(t.extraMethods, m)
	}
}

// recognizes reports whether some route could serve m: it is registered
// (RFC 9110 §16.1.1, with PATCH) or a route was made for it. Asked only on
// the way to a 404 or 405.
func (t *tree) recognizes(m string) bool {
	_, ok := method.Registered(m)
	return ok || slices.Contains(t.extraMethods, m)
}

// notImplemented answers a method the router does not recognize: "the
// appropriate response when the server does not recognize the request
// method and is not capable of supporting it for any resource" (RFC 9110
// §15.6.2).
func notImplemented(w strand.ResponseWriter) {
	strand.Error(w, "501 method not implemented", strand.StatusNotImplemented)
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
		// A Location starting with "//" names another host (RFC 3986
		// §4.2). Escaping the second slash keeps the path the same once
		// decoded, so the target still matches. A backslash, which
		// browsers read as a slash, is already escaped.
		loc = "/%2F" + loc[2:]
	}
	if req.RawQuery != "" {
		loc += "?" + req.RawQuery
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(code)
}
