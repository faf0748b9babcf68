package nethttp

// This file runs an http.Handler on Strand. Per request it builds an
// *http.Request from the *strand.Request and hands the handler a
// responseWriter that keeps net/http's rules (a header map snapshotted at
// WriteHeader, Content-Type sniffing, trailers declared or prefixed) on top
// of the strand.ResponseWriter beneath.
//
// The life of a response header. The handler fills an http.Header map.
// Nothing reaches Strand until the final status is fixed: WriteHeader
// (or the first Write) copies the map into the strand.Header, which fixes
// the head as net/http does. The strand WriteHeader itself waits for the
// first body bytes, a Flush, a Hijack or the handler's return, so that a
// missing Content-Type can be sniffed from the body first, as net/http
// does. When the handler returns, the values of the declared trailers are
// copied over, and Strand sends them after the last chunk.

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/strandhttp/strand"
)

// Handler returns a strand.Handler that serves requests with h, an
// http.Handler: net/http/pprof, promhttp, a chi or http.ServeMux router.
//
// The *http.Request h receives is built from the strand.Request: Method,
// URL (from Path, RawPath and RawQuery, which a strand router's Mount may
// have stripped, with the scheme and host of an absolute-form target),
// RequestURI (the target as received), the protocol version, Host, Header
// (without Host and Transfer-Encoding, as net/http has it), Body,
// ContentLength, TransferEncoding, Close, RemoteAddr, TLS, Trailer, Pattern
// and the context of the strand.Request. Its strings are copies, made in
// one allocation: code written for net/http assumes a request's strings are
// its own forever, and Strand's are only valid until ServeHTTP returns.
//
// The http.ResponseWriter h receives also implements http.Flusher,
// http.Hijacker and io.StringWriter, and works with
// http.NewResponseController (whose SetReadDeadline, SetWriteDeadline and
// EnableFullDuplex report http.ErrNotSupported). Strand errors come back as
// their net/http equivalents (http.ErrHijacked, http.ErrBodyNotAllowed,
// http.ErrContentLength, http.ErrNotSupported), and a panic with
// http.ErrAbortHandler aborts the response as strand.ErrAbortHandler does.
//
// Handler(FromStrand(x)) returns x itself.
func Handler(h http.Handler) strand.Handler {
	if f, ok := h.(fromStrand); ok {
		return f.h
	}
	return handler{h}
}

// handler is the strand.Handler Handler returns.
type handler struct{ h http.Handler }

// exchange holds what one request needs beyond the http.Request and its
// header, in one allocation. It lives as long as the http.Request does.
type exchange struct {
	rw   responseWriter
	url  url.URL
	body trailerBody
}

// ServeHTTP builds the net/http view of r and w and runs the handler.
func (a handler) ServeHTTP(w strand.ResponseWriter, r *strand.Request) {
	ex := &exchange{rw: responseWriter{w: w}}
	req := newRequest(r, ex)
	defer abortAsStrand()
	a.h.ServeHTTP(&ex.rw, req)
	ex.rw.finish()
}

// abortAsStrand turns a panic with http.ErrAbortHandler into one with
// strand.ErrAbortHandler, which the server treats the same way: the
// response is cut short without a stack trace in the log. Any other panic
// goes on unchanged; the frames that raised it are still on the stack.
func abortAsStrand() {
	if p := recover(); p != nil {
		if p == http.ErrAbortHandler { // a sentinel panic value, compared as net/http does
			p = strand.ErrAbortHandler
		}
		panic(p)
	}
}

// newRequest builds the *http.Request for r. Its strings are copied into
// one block (see copier); ex provides the URL and, for chunked bodies, the
// Body that copies the trailer when the body ends.
func newRequest(r *strand.Request, ex *exchange) *http.Request {
	var c copier
	c.grow(r)
	target := c.copy(r.Target)
	path := c.copy(r.Path)
	rawPath := path
	if r.RawPath != r.Path {
		rawPath = c.copy(r.RawPath)
	}
	req := http.Request{
		Method:        c.copy(r.Method),
		URL:           &ex.url,
		Proto:         r.Proto,
		ProtoMajor:    r.ProtoMajor,
		ProtoMinor:    r.ProtoMinor,
		Header:        c.header(&r.Header),
		Body:          r.Body,
		ContentLength: r.ContentLength,
		Close:         r.Close,
		Host:          c.copy(r.Host),
		RemoteAddr:    c.copy(r.RemoteAddr),
		RequestURI:    target,
		TLS:           r.TLS,
		Pattern:       c.copy(r.Pattern()),
	}
	setURL(&ex.url, &req, target, path, rawPath, c.copy(r.RawQuery))
	switch {
	case r.ContentLength == 0:
		req.Body = http.NoBody
	case r.ContentLength < 0:
		// A chunked body (RFC 9112 §7.1): net/http announces the
		// trailer fields by name before the body is read, and fills
		// them in when it ends (§7.1.2).
		req.TransferEncoding = []string{"chunked"}
		req.Trailer = declaredTrailer(req.Header)
		ex.body = trailerBody{ReadCloser: r.Body, from: r, to: req.Trailer}
		req.Body = &ex.body
	}
	return req.WithContext(r.Context())
}

// setURL fills u as net/http's server parses a request-target (RFC 9112
// §3.2), except that the path comes from the Request's Path and RawPath,
// which a router's Mount may have shortened.
func setURL(u *url.URL, req *http.Request, target, path, rawPath, rawQuery string) {
	switch {
	case target == "*":
		u.Path = "*" // asterisk-form
		return
	case req.Method == "CONNECT" && !strings.HasPrefix(target, "/"):
		u.Host = target // authority-form
		return
	case !strings.HasPrefix(target, "/"):
		// absolute-form, as a proxy receives: scheme, host and any
		// user information come from the target itself.
		if p, err := url.ParseRequestURI(target); err == nil {
			*u = *p
		}
	}
	u.Path, u.RawPath, u.RawQuery = path, "", rawQuery
	if rawPath != path && (&url.URL{Path: path}).EscapedPath() != rawPath {
		// Keep the client's encoding where it is not the default one
		// ("/a%2Fb" for the path "/a/b"), as url.URL.RawPath documents.
		u.RawPath = rawPath
	}
}

// declaredTrailer returns the trailer map of a chunked request: the names
// listed in its Trailer fields, with no values yet (RFC 9110 §6.6.2).
func declaredTrailer(h http.Header) http.Header {
	t := make(http.Header)
	for _, v := range h["Trailer"] {
		for name := range strings.SplitSeq(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				t[http.CanonicalHeaderKey(name)] = nil
			}
		}
	}
	return t
}

// trailerBody is the Body of a chunked request: when the body reaches its
// end, it copies the trailer Strand has read into the http.Request's
// Trailer map, where net/http handlers look for it.
type trailerBody struct {
	io.ReadCloser
	from *strand.Request
	to   http.Header
}

// Read reads the body, and on io.EOF copies the trailer fields.
func (b *trailerBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && b.from != nil {
		for name := range b.from.Trailer.All() {
			delete(b.to, name) // the placeholder, or values of a repeated field
		}
		for name, value := range b.from.Trailer.All() {
			b.to[strings.Clone(name)] = append(b.to[name], strings.Clone(value))
		}
		b.from = nil
	}
	return n, err
}

// copier copies the strings of one request into a single block, so that
// they belong to the http.Request and outlive the strand.Request's
// recycled memory, for the price of one allocation. The block only ever
// grows: a string handed out is never written again, even if a miscounted
// size makes the builder move on to a new block.
type copier struct {
	b strings.Builder
}

// grow allocates a block large enough for every string of r.
func (c *copier) grow(r *strand.Request) {
	n := len(r.Method) + len(r.Target) + len(r.Path) + len(r.RawPath) + len(r.RawQuery) +
		len(r.Host) + len(r.RemoteAddr) + len(r.Pattern())
	for name, value := range r.Header.All() {
		n += len(name) + len(value)
	}
	c.b.Grow(n)
}

// copy returns a copy of s in the block.
func (c *copier) copy(s string) string {
	if s == "" {
		return ""
	}
	c.b.WriteString(s)
	all := c.b.String()
	return all[len(all)-len(s):]
}

// header builds the http.Header of h, names and values copied. All the
// values share one backing array, each field's slice capped so that an
// Add by the handler reallocates instead of overwriting its neighbour.
// Host and Transfer-Encoding are left out, as net/http leaves them out of
// Request.Header (they are in Request.Host and Request.TransferEncoding).
func (c *copier) header(h *strand.Header) http.Header {
	m := make(http.Header, h.Len())
	vals := make([]string, 0, h.Len())
	for name, value := range h.All() {
		name, value = c.copy(name), c.copy(value)
		if name == "Host" || name == "Transfer-Encoding" {
			continue
		}
		if vs, ok := m[name]; ok {
			m[name] = append(vs, value) // a repeated field: rare
			continue
		}
		vals = append(vals, value)
		m[name] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	return m
}

// responseWriter is the http.ResponseWriter given to the handler.
type responseWriter struct {
	w      strand.ResponseWriter
	header http.Header // nil until the handler asks for it
	status int         // the final status, 0 until WriteHeader or Write
	sent   bool        // w.WriteHeader(status) has been called
	hijack bool        // the connection was hijacked
}

var (
	_ http.ResponseWriter = (*responseWriter)(nil)
	_ http.Flusher        = (*responseWriter)(nil)
	_ http.Hijacker       = (*responseWriter)(nil)
	_ io.StringWriter     = (*responseWriter)(nil)
)

// Header returns the response header map. It starts with the fields set
// on the strand.ResponseWriter before the handler ran (by middleware).
func (rw *responseWriter) Header() http.Header {
	if rw.header == nil {
		sh := rw.w.Header()
		rw.header = make(http.Header, sh.Len())
		for name, value := range sh.All() {
			rw.header[name] = append(rw.header[name], value)
		}
	}
	return rw.header
}

// WriteHeader sends an interim 1xx response at once, or fixes the final
// status and the header, like net/http's. An invalid code panics, as it
// does in net/http; a second final status is ignored.
func (rw *responseWriter) WriteHeader(code int) {
	if rw.hijack || rw.status != 0 {
		return
	}
	if code < 100 || code > 999 {
		panic("nethttp: invalid WriteHeader code " + strconv.Itoa(code))
	}
	rw.syncHeader()
	if code < 200 && code != http.StatusSwitchingProtocols {
		rw.w.WriteHeader(code) // RFC 9110 §15.2: sent now, with the fields so far
		return
	}
	rw.status = code
}

// syncHeader copies the header map into the strand.Header, replacing what
// was there (the map started as a copy of it). Fields named "Trailer:..."
// are trailers net/http sends without announcing them; they wait for
// finish.
func (rw *responseWriter) syncHeader() {
	if rw.header == nil {
		return
	}
	sh := rw.w.Header()
	sh.Reset()
	for name, values := range rw.header {
		if strings.HasPrefix(name, http.TrailerPrefix) {
			continue
		}
		for _, v := range values {
			sh.Add(name, v)
		}
	}
}

// sendHead calls the strand WriteHeader with the final status (200 if
// none was given), first sniffing a Content-Type from p where net/http
// would: no Content-Type field (not even an empty one, which turns
// sniffing off), no Content-Encoding, no Transfer-Encoding, a status that
// allows content, and body bytes to look at.
func (rw *responseWriter) sendHead(p []byte) {
	if rw.status == 0 {
		rw.status = http.StatusOK
		rw.syncHeader()
	}
	rw.sent = true
	if len(p) > 0 && rw.shouldSniff() {
		rw.w.Header().Set("Content-Type", http.DetectContentType(p))
	}
	rw.w.WriteHeader(rw.status)
}

func (rw *responseWriter) shouldSniff() bool {
	if s := rw.status; s < 200 || s == http.StatusNoContent || s == http.StatusNotModified {
		return false
	}
	if rw.header != nil {
		_, typed := rw.header["Content-Type"]
		_, te := rw.header["Transfer-Encoding"]
		return !typed && !te && rw.header.Get("Content-Encoding") == ""
	}
	sh := rw.w.Header()
	return !sh.Has("Content-Type") && !sh.Has("Transfer-Encoding") && sh.Get("Content-Encoding") == ""
}

// Write sends body bytes, fixing the status at 200 if none was given.
func (rw *responseWriter) Write(p []byte) (int, error) {
	if rw.hijack {
		return 0, http.ErrHijacked
	}
	if !rw.sent {
		rw.sendHead(p)
	}
	n, err := rw.w.Write(p)
	return n, httpError(err)
}

// WriteString is Write for a string, without converting it.
func (rw *responseWriter) WriteString(s string) (int, error) {
	if rw.hijack {
		return 0, http.ErrHijacked
	}
	if !rw.sent {
		var p []byte
		if rw.shouldSniff() { // convert only what sniffing needs, and only then
			p = []byte(s[:min(len(s), sniffLen)])
		}
		rw.sendHead(p)
	}
	n, err := rw.w.WriteString(s)
	return n, httpError(err)
}

// sniffLen is how many bytes http.DetectContentType looks at.
const sniffLen = 512

// Flush sends what has been written so far; it implements http.Flusher.
func (rw *responseWriter) Flush() { _ = rw.FlushError() }

// FlushError is Flush reporting its error. http.ResponseController.Flush
// calls it.
func (rw *responseWriter) FlushError() error {
	if rw.hijack {
		return http.ErrHijacked
	}
	if !rw.sent {
		rw.sendHead(nil)
	}
	return httpError(strand.Flush(rw.w))
}

// Hijack takes over the connection; it implements http.Hijacker. A status
// given to WriteHeader before (101 Switching Protocols, typically) is sent
// first, as net/http does.
func (rw *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if rw.hijack {
		return nil, nil, http.ErrHijacked
	}
	if rw.status != 0 && !rw.sent {
		rw.sendHead(nil)
	}
	conn, brw, err := strand.Hijack(rw.w)
	if err != nil {
		return nil, nil, httpError(err)
	}
	rw.hijack = true
	return conn, brw, nil
}

// finish completes the response once the handler has returned: it sends
// the head if nothing did, then hands the trailer values to Strand.
func (rw *responseWriter) finish() {
	if rw.hijack {
		return
	}
	if !rw.sent {
		rw.sendHead(nil)
	}
	if rw.header != nil {
		rw.setTrailers()
	}
}

// setTrailers copies the trailer fields (RFC 9110 §6.5) from the map into
// the strand.Header, where Strand looks for them after the body: those
// announced in the Trailer field before the head was sent, and those named
// with http.TrailerPrefix. The latter are announced now, which reaches the
// client only when Strand has not committed the head yet (a body under
// 8 KiB, never flushed): a trailer cannot be announced after the head.
// Strand sends one line per trailer field, so several values are joined
// with commas (RFC 9110 §5.3).
func (rw *responseWriter) setTrailers() {
	sh := rw.w.Header()
	for _, v := range rw.header["Trailer"] {
		for name := range strings.SplitSeq(v, ",") {
			name = http.CanonicalHeaderKey(strings.TrimSpace(name))
			if vs := rw.header[name]; len(vs) > 0 {
				sh.Set(name, strings.Join(vs, ", "))
			}
		}
	}
	for key, vs := range rw.header {
		name, ok := strings.CutPrefix(key, http.TrailerPrefix)
		if !ok || len(vs) == 0 {
			continue
		}
		name = http.CanonicalHeaderKey(name)
		sh.Add("Trailer", name)
		sh.Set(name, strings.Join(vs, ", "))
	}
}

// httpError returns the net/http error that stands for a Strand one, so
// that code written for net/http recognises it with errors.Is.
func httpError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, strand.ErrHijacked):
		return http.ErrHijacked
	case errors.Is(err, strand.ErrBodyNotAllowed):
		return http.ErrBodyNotAllowed
	case errors.Is(err, strand.ErrContentLength):
		return http.ErrContentLength
	case errors.Is(err, strand.ErrNotSupported):
		return http.ErrNotSupported
	}
	return err
}
