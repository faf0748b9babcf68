package strand

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"iter"
	"net/url"
	"strings"
	"unsafe"

	"github.com/strandhttp/strand/internal/ascii"
	"github.com/strandhttp/strand/internal/http1"
	"github.com/strandhttp/strand/internal/method"
)

// A Request is an HTTP request received by a server.
//
// Requests are recycled: the server reuses one Request (and the memory its
// strings point into) for each request on a connection. Everything in it is
// valid until the handler's ServeHTTP returns; use Clone to keep a request,
// or strings.Clone to keep one of its strings. Build with the strand_debug
// tag to have recycled requests poisoned, so that a handler that keeps one
// fails loudly in tests.
type Request struct {
	// Method is the request method, case-sensitive (RFC 9110 §9.1).
	Method string

	// Target is the request-target exactly as received: "/a%20b?x=1",
	// "http://example.com/", "example.com:443" or "*" (RFC 9112 §3.2).
	Target string

	// Path is the percent-decoded path of the target ("/a b"); "*" for an
	// asterisk-form target and "" for an authority-form one.
	Path string

	// RawPath is the path as received, still percent-encoded ("/a%20b").
	RawPath string

	// RawQuery is the query without its "?", still encoded ("x=1").
	RawQuery string

	// Proto is "HTTP/1.1" or "HTTP/1.0"; ProtoMajor and ProtoMinor its parts.
	Proto      string
	ProtoMajor int
	ProtoMinor int

	// Host is the authority the request is for: the Host field, or the
	// authority of an absolute-form target, which takes precedence
	// (RFC 9112 §3.2.2).
	Host string

	// Header holds the request's fields, names canonical.
	Header Header

	// Trailer holds the trailer fields of a chunked body; it is filled
	// once Body has returned io.EOF.
	Trailer Header

	// Body is the request body. It is never nil; a request without a body
	// has one that returns io.EOF at once. The server closes it.
	Body io.ReadCloser

	// ContentLength is the body's length, or -1 when it is chunked and so
	// unknown in advance. Zero means no body.
	ContentLength int64

	// Close reports whether the connection closes after this request.
	Close bool

	// RemoteAddr is the client's network address, "IP:port".
	RemoteAddr string

	// TLS describes the TLS connection the request arrived on, or is nil.
	TLS *tls.ConnectionState

	ctx     context.Context
	cancel  context.CancelFunc
	conn    *conn
	origin  *Request // for a WithContext copy, the request it copies; nil otherwise
	query   url.Values
	parsed  bool // query parsed into query
	pattern string
	params  []pathParam

	head    http1.Head
	raw     []byte // a copy of the head; strings above alias it
	pathBuf []byte // decoded path storage when it differs from RawPath
}

type pathParam struct{ name, value string }

// Context returns the request's context. It is cancelled when the client's
// connection closes, when ServeHTTP returns, or when the server is forced to
// close (Close, or Shutdown's deadline). It is built on first use, so a
// handler that never asks for it pays nothing.
func (r *Request) Context() context.Context {
	if r.ctx == nil {
		base := context.Background()
		if r.conn != nil {
			base = r.conn.server.baseContext()
		}
		r.ctx, r.cancel = context.WithCancel(base)
		if r.conn != nil {
			r.conn.watchClient(r)
		}
	}
	return r.ctx
}

// WithContext returns a shallow copy of r with its context changed to ctx.
// The copy shares r's recycled memory and follows r's lifetime rules.
func (r *Request) WithContext(ctx context.Context) *Request {
	if ctx == nil {
		panic("strand: nil context")
	}
	r2 := new(Request)
	*r2 = *r
	r2.ctx, r2.cancel = ctx, nil
	r2.origin = r.owner()
	return r2
}

// owner is the request that holds the route match: the server's request
// for every WithContext copy of it, so that a pattern or path value set by
// a router on a copy is seen by middleware holding the original (a
// metrics or logging middleware outside one that adds context values).
func (r *Request) owner() *Request {
	if r.origin != nil {
		return r.origin
	}
	return r
}

// Query returns the parsed query parameters. It parses RawQuery on first use
// and caches the result; malformed pairs are skipped.
func (r *Request) Query() url.Values {
	if !r.parsed {
		r.query, _ = url.ParseQuery(r.RawQuery)
		r.parsed = true
	}
	return r.query
}

// PathValue returns the value of the named path parameter set by a router
// for the matched pattern, or "".
func (r *Request) PathValue(name string) string {
	for _, p := range r.owner().params {
		if p.name == name {
			return p.value
		}
	}
	return ""
}

// SetPathValue sets a path parameter, as a router does on a match.
func (r *Request) SetPathValue(name, value string) {
	r = r.owner()
	for i := range r.params {
		if r.params[i].name == name {
			r.params[i].value = value
			return
		}
	}
	r.params = append(r.params, pathParam{name, value})
}

// Pattern returns the route pattern that matched the request, as set by a
// router with SetPattern ("/users/:id"), or "".
func (r *Request) Pattern() string { return r.owner().pattern }

// SetPattern records the matched route pattern.
func (r *Request) SetPattern(p string) { r.owner().pattern = p }

// PathValues iterates over the path parameters set by a router, in the
// order they were set.
func (r *Request) PathValues() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, p := range r.owner().params {
			if !yield(p.name, p.value) {
				return
			}
		}
	}
}

// Clone returns a deep copy of r whose strings and headers are its own, safe
// to keep after the handler returns. The body is not copied: the clone's
// Body returns io.EOF.
func (r *Request) Clone() *Request {
	c := &Request{
		Method:        strings.Clone(r.Method),
		Target:        strings.Clone(r.Target),
		Path:          strings.Clone(r.Path),
		RawPath:       strings.Clone(r.RawPath),
		RawQuery:      strings.Clone(r.RawQuery),
		Proto:         r.Proto,
		ProtoMajor:    r.ProtoMajor,
		ProtoMinor:    r.ProtoMinor,
		Host:          strings.Clone(r.Host),
		Header:        r.Header.Clone(),
		Trailer:       r.Trailer.Clone(),
		Body:          noBody{},
		ContentLength: r.ContentLength,
		Close:         r.Close,
		RemoteAddr:    r.RemoteAddr,
		TLS:           r.TLS,
		ctx:           r.ctx,
		pattern:       strings.Clone(r.Pattern()),
	}
	for _, p := range r.owner().params {
		c.params = append(c.params, pathParam{strings.Clone(p.name), strings.Clone(p.value)})
	}
	return c
}

// ProtoAtLeast reports whether the request's protocol is at least
// HTTP/major.minor.
func (r *Request) ProtoAtLeast(major, minor int) bool {
	return r.ProtoMajor > major || r.ProtoMajor == major && r.ProtoMinor >= minor
}

// reset clears r for the next request on its connection, keeping storage.
func (r *Request) reset() {
	if r.cancel != nil {
		r.cancel()
	}
	hdr, tr, params := r.Header, r.Trailer, r.params
	hdr.Reset()
	tr.Reset()
	clear(params)
	*r = Request{
		Header:     hdr,
		Trailer:    tr,
		params:     params[:0],
		conn:       r.conn,
		RemoteAddr: r.RemoteAddr,
		TLS:        r.TLS,
		head:       r.head,
		raw:        r.raw,
		pathBuf:    r.pathBuf,
	}
}

// str returns a string aliasing b, which must not change while the string
// is in use: the request's raw head copy, fixed until the handler returns.
func str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// methodString returns a constant string for the registered methods, so
// that r.Method stays valid even if a handler keeps it, and an aliasing one
// for the rest.
func methodString(m []byte) string {
	if s, ok := method.Registered(str(m)); ok {
		return s
	}
	return str(m)
}

// fill sets r's fields from a head parsed out of r.raw.
func (r *Request) fill(h *http1.Head) {
	r.Method = methodString(h.Method)
	r.Target = str(h.Target)
	r.ProtoMajor, r.ProtoMinor = 1, h.Minor
	r.Proto = "HTTP/1.1"
	if h.Minor == 0 {
		r.Proto = "HTTP/1.0"
	}
	r.Close = h.Close
	r.ContentLength = h.ContentLength
	if h.Chunked {
		r.ContentLength = -1
	} else if r.ContentLength < 0 {
		r.ContentLength = 0
	}
	for i := range h.Fields {
		f := &h.Fields[i]
		ascii.CanonicalInPlace(f.Name)
		// Filled in place, as in http1.ParseHead: cheaper than copying in
		// a field built aside.
		r.Header.fields = append(r.Header.fields, field{})
		hf := &r.Header.fields[len(r.Header.fields)-1]
		hf.name, hf.value = str(f.Name), str(f.Value)
	}
	r.Host = str(h.Host)
	path := h.Target
	switch h.Form {
	case http1.FormAsterisk:
		r.Path, r.RawPath = "*", "*"
		return
	case http1.FormAuthority:
		r.Host = r.Target
		return
	case http1.FormAbsolute:
		rest := path[indexString(path, "://")+3:]
		end := indexAny(rest, "/?")
		if end < 0 {
			end = len(rest)
		}
		r.Host = str(rest[:end])
		path = rest[end:]
	}
	if q := bytes.IndexByte(path, '?'); q >= 0 {
		r.RawQuery = str(path[q+1:])
		path = path[:q]
	}
	if len(path) == 0 {
		r.RawPath, r.Path = "/", "/"
		return
	}
	r.RawPath = str(path)
	r.Path = r.decodePath(path)
}

// decodePath percent-decodes p (the parser has checked every escape), into
// r.pathBuf when it has any escape.
func (r *Request) decodePath(p []byte) string {
	if bytes.IndexByte(p, '%') < 0 {
		return str(p)
	}
	b := r.pathBuf[:0]
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) {
			b = append(b, unhex(p[i+1])<<4|unhex(p[i+2]))
			i += 2
			continue
		}
		b = append(b, p[i])
	}
	r.pathBuf = b
	return str(b)
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func indexString(b []byte, s string) int { return strings.Index(str(b), s) }
func indexAny(b []byte, s string) int    { return strings.IndexAny(str(b), s) }
