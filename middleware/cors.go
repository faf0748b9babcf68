package middleware

// This file implements Cross-Origin Resource Sharing as the Fetch standard
// defines it (https://fetch.spec.whatwg.org/#http-cors-protocol). A browser
// lets a page read a cross-origin response only when the response names
// the page's origin in Access-Control-Allow-Origin; before a request that a
// plain HTML form could not send (a PUT, a JSON body, an Authorization
// field), it first asks with a preflight: an OPTIONS request carrying
// Origin and Access-Control-Request-Method, and Access-Control-Request-
// Headers when the request will carry fields beyond the CORS-safelisted
// ones. The middleware answers preflights itself and adds the response
// fields to every other request from an allowed origin.
//
// CORS is enforced by browsers, not by the server: the fields only grant
// or withhold a page's read access. A request from a disallowed origin
// still reaches the handler (the browser already sent it, and curl never
// asks); it just gets no Access-Control-* field, so the page cannot read
// the answer.

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/internal/ascii"
)

// CORSOptions configures CORS. The zero value admits every origin with
// "Access-Control-Allow-Origin: *", lets preflights ask for GET, HEAD and
// POST and for no request field beyond the CORS-safelisted ones, exposes
// no response field, does not allow credentials and sends no
// Access-Control-Max-Age (browsers then cache a preflight for 5 seconds).
type CORSOptions struct {
	// AllowedOrigins lists the origins whose pages may read responses, as
	// browsers serialize them: "https://app.example.com" or
	// "http://localhost:3000", scheme://host[:port] with no path or
	// trailing slash; compared without regard to case. "null" admits the
	// opaque origin of sandboxed frames and file: pages, and only when
	// listed explicitly. "*" admits every origin. AllowedOrigins empty and
	// AllowOriginFunc nil also admit every origin.
	AllowedOrigins []string

	// AllowOriginFunc admits the origins it reports true for, in addition
	// to AllowedOrigins: use it for patterns ("https://*.example.com") or
	// lists that change at run time. It is called with the request's
	// Origin field, which is valid only until ServeHTTP returns, and must
	// be safe for concurrent use.
	AllowOriginFunc func(origin string) bool

	// AllowedMethods lists the methods a preflight may ask for, compared
	// case-sensitively (RFC 9110 §9.1). nil means GET, HEAD and POST. "*"
	// admits any method; the preflight answer then names the method asked
	// for, which also works with credentials, where a literal "*" does not.
	AllowedMethods []string

	// AllowedHeaders lists the request fields a preflight may ask for,
	// compared without regard to case. nil admits none: add
	// "Content-Type" to accept JSON bodies and "Authorization" for tokens.
	// "*" admits any field; the answer then repeats the fields asked for.
	AllowedHeaders []string

	// ExposedHeaders lists the response fields, beyond the CORS-safelisted
	// ones (Cache-Control, Content-Language, Content-Length, Content-Type,
	// Expires, Last-Modified, Pragma), that a page may read. A "*" entry
	// exposes all of them to requests without credentials only (Fetch).
	ExposedHeaders []string

	// AllowCredentials lets pages send cookies and HTTP authentication and
	// read the answer: Access-Control-Allow-Credentials: true. The Fetch
	// standard refuses "Access-Control-Allow-Origin: *" on such requests,
	// so an admitted origin is then always echoed back, even under "*",
	// with Vary: Origin. Beware that "*" with credentials lets every site
	// read what the user's cookies unlock; the "null" origin is therefore
	// never admitted by "*" when credentials are allowed.
	AllowCredentials bool

	// MaxAge is how long a browser may cache a preflight answer, sent in
	// whole seconds. Zero sends no Access-Control-Max-Age field (browsers
	// then use 5 seconds); a negative value sends 0, asking them not to
	// cache. Browsers cap it: Chromium at 2 hours, Firefox at 24.
	MaxAge time.Duration
}

// Field values the middleware sends, precomputed.
const (
	corsVaryPreflight = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
)

// CORS returns middleware that implements the CORS protocol with the
// given options.
//
// A preflight (OPTIONS with Origin and Access-Control-Request-Method) is
// answered by the middleware and never reaches the next handler: 204 No
// Content with Access-Control-Allow-Origin, -Allow-Methods, -Allow-Headers,
// -Max-Age (and -Allow-Credentials) when the origin, the method and every
// field asked for are allowed; 403 Forbidden without any Access-Control-*
// field otherwise, which the browser reports as a CORS failure. Both carry
// "Vary: Origin, Access-Control-Request-Method,
// Access-Control-Request-Headers".
//
// Any other request goes to the next handler, with
// Access-Control-Allow-Origin (and -Allow-Credentials, -Expose-Headers)
// set first when its Origin is allowed, and nothing set when it is not or
// has no Origin. "Vary: Origin" is added to every such response unless the
// answer is the same for all origins ("*" without credentials), so that a
// cache never serves one origin's answer to another (Fetch §3.2.5).
//
// CORS panics if an AllowedOrigins entry is not an origin or a method or
// field name is not a token (RFC 9110 §5.6.2): those are setup mistakes.
// Passing a request on allocates nothing, and neither does a preflight.
func CORS(opts CORSOptions) func(strand.Handler) strand.Handler {
	p := newCORSPolicy(opts)
	return func(next strand.Handler) strand.Handler {
		return &corsHandler{policy: p, next: next}
	}
}

// corsPolicy is the compiled form of CORSOptions. Immutable after
// newCORSPolicy; shared by every handler one CORS call wraps.
type corsPolicy struct {
	anyOrigin   bool                // "*" listed, or no origin rule at all
	origins     map[string]struct{} // allowed origins, lower case
	originFunc  func(string) bool   // may be nil
	credentials bool
	varyOrigin  bool // Access-Control-Allow-Origin depends on Origin

	anyMethod bool
	methods   []string // exact
	anyHeader bool
	headers   []string // compared with ascii.EqualFold

	allowMethods  string // joined AllowedMethods, "" with anyMethod
	allowHeaders  string // joined AllowedHeaders, "" with anyHeader or none
	exposeHeaders string // joined ExposedHeaders, or ""
	maxAge        string // seconds, or "" to send no field
}

func newCORSPolicy(o CORSOptions) *corsPolicy {
	p := &corsPolicy{
		origins:     make(map[string]struct{}, len(o.AllowedOrigins)),
		originFunc:  o.AllowOriginFunc,
		credentials: o.AllowCredentials,
	}
	p.anyOrigin = len(o.AllowedOrigins) == 0 && o.AllowOriginFunc == nil
	for _, origin := range o.AllowedOrigins {
		if origin == "*" {
			p.anyOrigin = true
			continue
		}
		if err := checkOrigin(origin); err != "" {
			panic("middleware: CORS origin " + strconv.Quote(origin) + " " + err)
		}
		p.origins[strings.ToLower(origin)] = struct{}{}
	}
	p.varyOrigin = !p.anyOrigin || p.credentials

	methods := o.AllowedMethods
	if methods == nil {
		methods = []string{"GET", "HEAD", "POST"}
	}
	p.methods, p.anyMethod = corsTokens("method", methods, false)
	if !p.anyMethod {
		p.allowMethods = strings.Join(p.methods, ", ")
	}
	p.headers, p.anyHeader = corsTokens("header", o.AllowedHeaders, true)
	if !p.anyHeader {
		p.allowHeaders = strings.Join(p.headers, ", ")
	}
	exposed, anyExposed := corsTokens("exposed header", o.ExposedHeaders, true)
	if anyExposed {
		exposed = append([]string{"*"}, exposed...)
	}
	p.exposeHeaders = strings.Join(exposed, ", ")
	switch {
	case o.MaxAge < 0:
		p.maxAge = "0"
	case o.MaxAge > 0:
		p.maxAge = strconv.FormatInt(int64(o.MaxAge/time.Second), 10)
	}
	return p
}

// checkOrigin reports what makes s not a serialized origin
// (scheme "://" host [":" port]), or "".
func checkOrigin(s string) string {
	if s == "null" {
		return ""
	}
	if strings.Contains(s, "*") {
		return "has a wildcard; use \"*\" alone or AllowOriginFunc for patterns"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return "is not scheme://host[:port]"
	}
	if u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil {
		return "has more than scheme://host[:port]; browsers send no path, not even \"/\""
	}
	return ""
}

// corsTokens validates a list of methods or field names, returning it
// without "*" entries (canonical when canon is set) and whether "*" was
// among them.
func corsTokens(what string, list []string, canon bool) (tokens []string, star bool) {
	for _, s := range list {
		switch {
		case s == "*":
			star = true
		case !ascii.IsToken(s):
			panic("middleware: CORS " + what + " " + strconv.Quote(s) + " is not a token (RFC 9110 §5.6.2)")
		case canon:
			tokens = append(tokens, strand.CanonicalHeaderKey(s))
		default:
			tokens = append(tokens, s)
		}
	}
	return tokens, star
}

// allowOrigin reports whether pages from origin may read responses.
func (p *corsPolicy) allowOrigin(origin string) bool {
	if origin == "" {
		return false
	}
	if p.anyOrigin && (!p.credentials || origin != "null") {
		return true
	}
	if _, ok := p.origins[origin]; ok {
		return true
	}
	if hasUpper(origin) {
		// Browsers serialize origins in lower case; others may not.
		if _, ok := p.origins[strings.ToLower(origin)]; ok {
			return true
		}
	}
	return p.originFunc != nil && p.originFunc(origin)
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// allowMethod reports whether a preflight may ask for method.
func (p *corsPolicy) allowMethod(method string) bool {
	if !ascii.IsToken(method) {
		return false
	}
	if p.anyMethod {
		return true
	}
	for _, m := range p.methods {
		if m == method {
			return true
		}
	}
	return false
}

// allowHeaderList reports whether every field name in list, an
// Access-Control-Request-Headers value, is allowed. Browsers send one
// field line, the names lower-cased, sorted and comma-separated; empty
// elements are skipped (RFC 9110 §5.6.1).
func (p *corsPolicy) allowHeaderList(list string) bool {
	for list != "" {
		var name string
		name, list, _ = strings.Cut(list, ",")
		name = ascii.TrimOWS(name)
		if name == "" {
			continue
		}
		if !ascii.IsToken(name) || !p.allowHeader(name) {
			return false
		}
	}
	return true
}

func (p *corsPolicy) allowHeader(name string) bool {
	if p.anyHeader {
		return true
	}
	for _, h := range p.headers {
		if ascii.EqualFold(h, name) {
			return true
		}
	}
	return false
}

// setAllowOrigin sets the fields that grant origin read access.
func (p *corsPolicy) setAllowOrigin(h *strand.Header, origin string) {
	if p.credentials {
		// Never "*" with credentials (Fetch §3.2.3, "CORS check").
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		return
	}
	if p.anyOrigin {
		h.Set("Access-Control-Allow-Origin", "*")
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
}

// corsHandler applies a corsPolicy in front of next. Immutable.
type corsHandler struct {
	policy *corsPolicy
	next   strand.Handler
}

func (c *corsHandler) ServeHTTP(w strand.ResponseWriter, r *strand.Request) {
	p := c.policy
	origin, hasOrigin := r.Header.Lookup("Origin")
	if hasOrigin && r.Method == "OPTIONS" {
		if method, ok := r.Header.Lookup("Access-Control-Request-Method"); ok {
			p.preflight(w, r, origin, method)
			return
		}
	}
	h := w.Header()
	if p.varyOrigin {
		addVaryToken(h, "Origin")
	}
	if hasOrigin && p.allowOrigin(origin) {
		p.setAllowOrigin(h, origin)
		if p.exposeHeaders != "" {
			h.Set("Access-Control-Expose-Headers", p.exposeHeaders)
		}
	}
	c.next.ServeHTTP(w, r)
}

// preflight answers a CORS-preflight request (Fetch §3.2.2).
func (p *corsPolicy) preflight(w strand.ResponseWriter, r *strand.Request, origin, method string) {
	h := w.Header()
	h.Add("Vary", corsVaryPreflight)
	requested := r.Header.Get("Access-Control-Request-Headers")
	if !p.allowOrigin(origin) || !p.allowMethod(method) || !p.allowHeaderList(requested) {
		w.WriteHeader(strand.StatusForbidden)
		return
	}
	p.setAllowOrigin(h, origin)
	if p.anyMethod {
		h.Set("Access-Control-Allow-Methods", method)
	} else {
		h.Set("Access-Control-Allow-Methods", p.allowMethods)
	}
	switch {
	case p.anyHeader && requested != "":
		h.Set("Access-Control-Allow-Headers", requested)
	case p.allowHeaders != "":
		h.Set("Access-Control-Allow-Headers", p.allowHeaders)
	}
	if p.maxAge != "" {
		h.Set("Access-Control-Max-Age", p.maxAge)
	}
	w.WriteHeader(strand.StatusNoContent)
}

// addVaryToken adds name to the response's Vary field unless a Vary field
// already lists it or "*" (RFC 9110 §12.5.5).
func addVaryToken(h *strand.Header, name string) {
	for k, v := range h.All() {
		if k == "Vary" && (ascii.HasTokenFold(v, name) || ascii.HasTokenFold(v, "*")) {
			return
		}
	}
	h.Add("Vary", name)
}
