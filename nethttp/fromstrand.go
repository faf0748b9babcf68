package nethttp

// This file runs a strand.Handler under net/http: the reverse of Handler.

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/strandhttp/strand"
)

// FromStrand returns an http.Handler that serves requests with h, a
// strand.Handler, so that Strand handlers and middleware can run under
// net/http's server (or an httptest.Server, or any http.Handler stack).
//
// The *strand.Request h receives has Method, Target (the RequestURI), Path
// and RawPath (from the URL, escaped as the client sent it), RawQuery, the
// protocol version, Host, Header (with the Host field first, then the
// rest in no particular order, since net/http keeps none), Body,
// ContentLength, Close, RemoteAddr, TLS, the Pattern net/http's ServeMux
// matched, and the http.Request's context. Trailer is filled when Body has
// returned io.EOF. The strings are net/http's, so unlike a Strand server's
// they stay valid after ServeHTTP returns.
//
// The strand.ResponseWriter h receives keeps Strand's rules: header
// changes after WriteHeader are ignored but for announced trailers, and no
// Content-Type is sniffed from the body. It implements strand.Flusher and
// strand.Hijacker through http.ResponseController, and reports net/http's
// errors as their Strand equivalents. A panic with strand.ErrAbortHandler
// becomes one with http.ErrAbortHandler.
//
// FromStrand(Handler(x)) returns x itself.
func FromStrand(h strand.Handler) http.Handler {
	if a, ok := h.(handler); ok {
		return a.h
	}
	return fromStrand{h}
}

// fromStrand is the http.Handler FromStrand returns.
type fromStrand struct{ h strand.Handler }

// strandExchange holds what one request needs, in one allocation.
type strandExchange struct {
	sw   strandWriter
	body strandBody
}

// ServeHTTP builds the Strand view of req and w and runs the handler.
func (f fromStrand) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	ex := &strandExchange{sw: strandWriter{w: w}}
	r := strand.Request{
		Method:        req.Method,
		Target:        req.RequestURI,
		Path:          req.URL.Path,
		RawPath:       req.URL.EscapedPath(),
		RawQuery:      req.URL.RawQuery,
		Proto:         req.Proto,
		ProtoMajor:    req.ProtoMajor,
		ProtoMinor:    req.ProtoMinor,
		Host:          req.Host,
		Body:          req.Body,
		ContentLength: req.ContentLength,
		Close:         req.Close,
		RemoteAddr:    req.RemoteAddr,
		TLS:           req.TLS,
	}
	if r.Target == "" { // a request made in-process, not read by a server
		r.Target = req.URL.RequestURI()
	}
	if r.Host == "" {
		r.Host = req.URL.Host
	}
	if r.Body == nil {
		r.Body = http.NoBody
	}
	if r.Host != "" {
		r.Header.Add("Host", r.Host) // first, where RFC 9110 §7.2 asks clients to put it
	}
	for name, values := range req.Header {
		for _, v := range values {
			r.Header.Add(name, v)
		}
	}
	if len(req.TransferEncoding) > 0 {
		r.Header.Add("Transfer-Encoding", strings.Join(req.TransferEncoding, ", "))
	}
	r.SetPattern(req.Pattern)
	sr := r.WithContext(req.Context())
	if r.ContentLength < 0 {
		ex.body = strandBody{ReadCloser: r.Body, from: req, to: sr}
		sr.Body = &ex.body
	}
	defer abortAsHTTP()
	f.h.ServeHTTP(&ex.sw, sr)
	ex.sw.finish()
}

// abortAsHTTP turns a panic with strand.ErrAbortHandler into one with
// http.ErrAbortHandler; see abortAsStrand.
func abortAsHTTP() {
	if p := recover(); p != nil {
		if p == strand.ErrAbortHandler { // a sentinel panic value, compared as net/http does
			p = http.ErrAbortHandler
		}
		panic(p)
	}
}

// strandBody is the Body of a chunked request: when it reaches its end,
// it copies net/http's trailer into the strand.Request's Trailer.
type strandBody struct {
	io.ReadCloser
	from *http.Request
	to   *strand.Request
}

// Read reads the body, and on io.EOF copies the trailer fields.
func (b *strandBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && b.from != nil {
		for name, values := range b.from.Trailer {
			for _, v := range values {
				b.to.Trailer.Add(name, v)
			}
		}
		b.from = nil
	}
	return n, err
}

// strandWriter is the strand.ResponseWriter given to the handler.
type strandWriter struct {
	w      http.ResponseWriter
	header strand.Header
	loaded bool // header holds the fields set on w before the handler ran
	status int  // the final status, 0 until WriteHeader or Write
	hijack bool // the connection was hijacked
}

var (
	_ strand.ResponseWriter = (*strandWriter)(nil)
	_ strand.Flusher        = (*strandWriter)(nil)
	_ strand.Hijacker       = (*strandWriter)(nil)
)

// Header returns the response header. It starts with the fields set on the
// http.ResponseWriter before the handler ran (by net/http middleware).
func (sw *strandWriter) Header() *strand.Header {
	if !sw.loaded {
		sw.loaded = true
		for name, values := range sw.w.Header() {
			for _, v := range values {
				sw.header.Add(name, v)
			}
		}
	}
	return &sw.header
}

// WriteHeader sends an interim 1xx response at once, or the final status
// with the header, as Strand's does.
func (sw *strandWriter) WriteHeader(code int) {
	if sw.hijack || sw.status != 0 {
		return
	}
	if code < 100 || code > 999 {
		panic("nethttp: invalid WriteHeader code " + strconv.Itoa(code))
	}
	sw.syncHeader()
	if code >= 200 || code == strand.StatusSwitchingProtocols {
		sw.status = code
	}
	sw.w.WriteHeader(code)
}

// syncHeader replaces the http.Header's fields with the strand.Header's.
// Transfer-Encoding is the server's to decide, as in Strand; announced
// trailers wait for finish. An absent Content-Type is set to nil, which tells
// net/http not to sniff one (Strand never does).
func (sw *strandWriter) syncHeader() {
	if !sw.loaded {
		sw.Header()
	}
	hh := sw.w.Header()
	clear(hh)
	trailers := sw.header.Get("Trailer")
	for name, value := range sw.header.All() {
		if name == "Transfer-Encoding" || trailers != "" && announced(trailers, name) {
			continue
		}
		hh[name] = append(hh[name], value)
	}
	if _, ok := hh["Content-Type"]; !ok {
		hh["Content-Type"] = nil
	}
}

// announced reports whether name is listed in the Trailer field value v.
func announced(v, name string) bool {
	for n := range strings.SplitSeq(v, ",") {
		if strings.EqualFold(strings.TrimSpace(n), name) {
			return true
		}
	}
	return false
}

// Write sends body bytes, sending status 200 first if none was given.
func (sw *strandWriter) Write(p []byte) (int, error) {
	if sw.hijack {
		return 0, strand.ErrHijacked
	}
	if sw.status == 0 {
		sw.WriteHeader(strand.StatusOK)
	}
	n, err := sw.w.Write(p)
	return n, strandError(err)
}

// WriteString is Write for a string.
func (sw *strandWriter) WriteString(s string) (int, error) {
	if sw.hijack {
		return 0, strand.ErrHijacked
	}
	if sw.status == 0 {
		sw.WriteHeader(strand.StatusOK)
	}
	n, err := io.WriteString(sw.w, s)
	return n, strandError(err)
}

// Flush sends what has been written so far; it implements strand.Flusher.
func (sw *strandWriter) Flush() error {
	if sw.hijack {
		return strand.ErrHijacked
	}
	if sw.status == 0 {
		sw.WriteHeader(strand.StatusOK)
	}
	return strandError(http.NewResponseController(sw.w).Flush())
}

// Hijack takes over the connection; it implements strand.Hijacker.
func (sw *strandWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if sw.hijack {
		return nil, nil, strand.ErrHijacked
	}
	conn, brw, err := http.NewResponseController(sw.w).Hijack()
	if err != nil {
		return nil, nil, strandError(err)
	}
	sw.hijack = true
	return conn, brw, nil
}

// finish completes the response once the handler has returned: the head,
// if nothing sent it, and the values of the announced trailers, which
// net/http reads from the header map after the handler (RFC 9110 §6.5).
func (sw *strandWriter) finish() {
	if sw.hijack {
		return
	}
	if sw.status == 0 {
		sw.WriteHeader(strand.StatusOK)
	}
	trailers := sw.header.Get("Trailer")
	if trailers == "" {
		return
	}
	hh := sw.w.Header()
	for name := range strings.SplitSeq(trailers, ",") {
		name = strand.CanonicalHeaderKey(strings.TrimSpace(name))
		if vs := sw.header.Values(name); len(vs) > 0 {
			hh[name] = vs
		}
	}
}

// strandError returns the Strand error that stands for a net/http one, so
// that Strand code recognises it with errors.Is.
func strandError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, http.ErrHijacked):
		return strand.ErrHijacked
	case errors.Is(err, http.ErrBodyNotAllowed):
		return strand.ErrBodyNotAllowed
	case errors.Is(err, http.ErrContentLength):
		return strand.ErrContentLength
	case errors.Is(err, http.ErrNotSupported):
		return strand.ErrNotSupported
	}
	return err
}
