package strand

// The life of a write.
//
// A handler's bytes pass through at most two buffers on their way to the
// socket, and usually through one:
//
//  1. response.body collects what the handler writes before the response is
//     committed, up to bodyBufferLimit bytes. Most responses end here: when
//     the handler returns, the server knows the whole body, so it writes
//     the head with an exact Content-Length, then the body.
//  2. conn.wbuf collects heads and bodies on their way to the socket. It is
//     flushed when it grows past writeBufferLimit, when the handler calls
//     Flush, and after a response when no further request is already
//     waiting in the read buffer: pipelined requests get their responses in
//     one write.
//
// When the body outgrows response.body, or the handler calls Flush, the
// response is committed early: with the Content-Length the handler
// declared if it set one, else with chunked transfer coding for an HTTP/1.1
// client, else (HTTP/1.0) delimited by closing the connection (RFC 9112
// §6.3). From then on every Write goes to wbuf, framed as a chunk when
// chunked; a write larger than wbuf's limit goes to the socket directly.
//
// No body is ever sent for HEAD, 1xx, 204 and 304 (RFC 9110 §6.4.1); a HEAD
// response still carries the Content-Length a GET would have, when it is
// known.

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strconv"
	"unsafe"

	"github.com/strandhttp/strand/internal/ascii"
	"github.com/strandhttp/strand/internal/http1"
)

const (
	bodyBufferLimit  = 8 << 10  // body bytes held back to compute Content-Length
	writeBufferLimit = 16 << 10 // output bytes held back before a write
)

// A ResponseWriter is how a handler answers a request.
//
// Header fields must be set before WriteHeader or the first Write. The
// head is written when the response is committed (at Flush, when the body
// outgrows the server's buffer, or when the handler returns), so a change
// made after WriteHeader may still be sent if it comes before that moment;
// do not rely on it either way. Trailers announced in the Trailer field are
// the exception: set their values after the body.
// The ResponseWriter is recycled after ServeHTTP returns and must not be
// used after that.
//
// The ResponseWriter given by the server also implements Flusher and
// Hijacker.
type ResponseWriter interface {
	// Header returns the response header to fill in.
	Header() *Header

	// WriteHeader sends the status code. 1xx codes other than 101 send an
	// interim response at once and may be repeated; any other code fixes
	// the final status. Without a call, the first Write sends 200.
	WriteHeader(statusCode int)

	// Write appends to the response body.
	Write(p []byte) (int, error)

	// WriteString appends to the response body without converting s.
	WriteString(s string) (int, error)
}

// Flusher is implemented by ResponseWriters that can send what has been
// written so far to the client, as server-sent events need.
type Flusher interface {
	Flush() error
}

// Hijacker is implemented by ResponseWriters that let a handler take over
// the connection, for protocol upgrades. After Hijack the server does
// nothing more with the connection; the caller must close it. Bytes the
// client already sent beyond the request head are in the returned reader.
type Hijacker interface {
	Hijack() (net.Conn, *bufio.ReadWriter, error)
}

type response struct {
	c      *conn
	req    *Request
	header Header

	status      int   // final status; 0 until WriteHeader
	committed   bool  // the head is in conn.wbuf or on the wire
	chunked     bool  // body sent with chunked transfer coding
	noBody      bool  // HEAD, 1xx, 204 or 304: body bytes are dropped
	declared    int64 // Content-Length set by the handler, or -1
	written     int64 // body bytes written by the handler
	body        []byte
	trailerKeys []string // field names announced in Trailer
	err         error    // sticky write error
}

func (w *response) reset(req *Request) {
	w.header.Reset()
	clear(w.trailerKeys)
	*w = response{
		c:           w.c,
		req:         req,
		header:      w.header,
		declared:    -1,
		body:        w.body[:0],
		trailerKeys: w.trailerKeys[:0],
	}
}

func (w *response) Header() *Header { return &w.header }

func (w *response) WriteHeader(code int) {
	if w.c.hijacked || w.status != 0 {
		return // the final status is already fixed
	}
	if code < 100 || code > 999 {
		panic("strand: invalid WriteHeader code " + strconv.Itoa(code))
	}
	if code < 200 && code != StatusSwitchingProtocols {
		w.writeInterim(code)
		return
	}
	w.status = code
	if v, ok := w.header.Lookup("Content-Length"); ok {
		if n, ok := parseContentLength(v); ok {
			w.declared = n
		} else {
			w.header.Del("Content-Length")
		}
	}
	w.noBody = w.req.Method == "HEAD" || !bodyAllowed(code)
}

// bodyAllowed reports whether a status may carry content (RFC 9110 §15).
func bodyAllowed(code int) bool {
	return code >= 200 && code != StatusNoContent && code != StatusNotModified
}

// writeInterim sends a 1xx response (RFC 9110 §15.2) with the current
// header fields, right away. HTTP/1.0 clients do not get them (§15.2).
func (w *response) writeInterim(code int) {
	if w.req.ProtoMinor == 0 {
		return
	}
	c := w.c
	if code == StatusContinue {
		c.x.continueSent = true
	}
	c.x.wbuf = appendStatusLine(c.x.wbuf, code)
	for _, f := range w.header.fields {
		if f.name == "Content-Length" || f.name == "Transfer-Encoding" {
			continue // a 1xx has no content (RFC 9110 §8.6, §15.2)
		}
		c.x.wbuf = appendField(c.x.wbuf, f.name, f.value)
	}
	c.x.wbuf = append(c.x.wbuf, '\r', '\n')
	w.err = c.flush()
}

func (w *response) Write(p []byte) (int, error) { return w.write(p) }

func (w *response) WriteString(s string) (int, error) {
	return w.write(unsafe.Slice(unsafe.StringData(s), len(s)))
}

func (w *response) write(p []byte) (int, error) {
	if w.c.hijacked {
		return 0, ErrHijacked
	}
	if w.status == 0 {
		w.WriteHeader(StatusOK)
	}
	if w.err != nil {
		return 0, w.err
	}
	if !bodyAllowed(w.status) {
		return 0, ErrBodyNotAllowed
	}
	if w.declared >= 0 && w.written+int64(len(p)) > w.declared {
		return 0, ErrContentLength
	}
	w.written += int64(len(p))
	if !w.committed {
		if len(w.body)+len(p) <= bodyBufferLimit {
			if !w.noBody {
				w.body = append(w.body, p...)
			}
			return len(p), nil
		}
		w.commit(false)
	}
	w.writeBody(p)
	if w.err != nil {
		return 0, w.err
	}
	return len(p), nil
}

// writeBody sends p as body bytes of a committed response.
func (w *response) writeBody(p []byte) {
	if w.noBody || len(p) == 0 || w.err != nil {
		return
	}
	c := w.c
	if w.chunked {
		c.x.wbuf = http1.AppendChunkHeader(c.x.wbuf, len(p))
	}
	if len(p) >= writeBufferLimit {
		w.err = c.writeDirect(p)
	} else {
		c.x.wbuf = append(c.x.wbuf, p...)
	}
	if w.chunked {
		c.x.wbuf = append(c.x.wbuf, '\r', '\n')
	}
	if len(c.x.wbuf) >= writeBufferLimit && w.err == nil {
		w.err = c.flushKept() // blocking while the handler runs
	}
}

// commit writes the head to conn.wbuf, choosing the body's framing, and
// then the body bytes held back so far. final says the handler has
// returned, so the whole body is known.
func (w *response) commit(final bool) {
	if w.committed {
		return
	}
	w.committed = true
	if w.status == 0 {
		w.status = StatusOK
	}
	c := w.c
	w.collectTrailerKeys()
	contentLength := int64(-1)
	switch {
	case !bodyAllowed(w.status):
		if w.status == StatusNotModified {
			contentLength = w.declared // allowed, describes the selected representation
		}
	case w.declared >= 0:
		contentLength = w.declared
	case final && len(w.trailerKeys) == 0 || final && w.req.ProtoMinor == 0:
		contentLength = w.written
	case w.req.Method == "HEAD":
		// Unknown length and nothing to frame: send neither field.
	case w.req.ProtoMinor == 1:
		w.chunked = true
	default:
		c.closeAfter = true // HTTP/1.0: the body ends when the connection does
	}
	if w.status == StatusSwitchingProtocols || w.req.Method == "CONNECT" && w.status/100 == 2 {
		// The connection becomes a tunnel or another protocol: no framing
		// fields may be sent (RFC 9110 §9.3.6, §15.2.2). Unless the handler
		// hijacks it, the connection ends with what the handler wrote.
		contentLength, w.chunked = -1, false
		c.closeAfter = true
	}
	c.x.wbuf = w.appendHead(c.x.wbuf, contentLength)
	body := w.body
	w.body = w.body[:0]
	w.writeBody(body)
}

// collectTrailerKeys reads the names announced in the Trailer field
// (RFC 9110 §6.6.2); those fields are sent after the body, not in the head.
func (w *response) collectTrailerKeys() {
	v := w.header.Get("Trailer")
	for v != "" {
		name := v
		if i := indexByteString(v, ','); i >= 0 {
			name, v = v[:i], v[i+1:]
		} else {
			v = ""
		}
		if name = ascii.TrimOWS(name); ascii.IsToken(name) {
			w.trailerKeys = append(w.trailerKeys, canonical(name))
		}
	}
}

// appendHead writes the status line and header section.
func (w *response) appendHead(b []byte, contentLength int64) []byte {
	c := w.c
	b = appendStatusLine(b, w.status)
	hasDate, hasClose := false, false
	for _, f := range w.header.fields {
		switch f.name {
		case "Content-Length", "Transfer-Encoding":
			continue // framing is the server's to decide
		case "Date":
			hasDate = true
		case "Connection":
			if ascii.HasTokenFold(f.value, "close") {
				c.closeAfter = true
				hasClose = true // sent below with the handler's field
			}
		}
		if w.isTrailer(f.name) || f.name == "Trailer" && !w.chunked {
			continue // trailers travel only with chunked framing
		}
		b = appendField(b, f.name, f.value)
	}
	if !hasDate {
		b = append(b, "Date: "...)
		b = c.server.clock.Append(b)
		b = append(b, '\r', '\n')
	}
	if contentLength >= 0 {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, contentLength, 10)
		b = append(b, '\r', '\n')
	}
	if w.chunked {
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	}
	if c.server.shuttingDown() {
		// The connection closes after this response (Shutdown lets requests
		// in flight finish, no more); say so, so that the client sends its
		// next request elsewhere instead of racing the close (RFC 9112 §9.6).
		c.closeAfter = true
	}
	switch {
	case hasClose:
	case c.closeAfter && w.status != StatusSwitchingProtocols:
		b = append(b, "Connection: close\r\n"...)
	case w.req.ProtoMinor == 0:
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	return append(b, '\r', '\n')
}

func (w *response) isTrailer(name string) bool {
	for _, k := range w.trailerKeys {
		if k == name {
			return true
		}
	}
	return false
}

// appendStatusLine writes "HTTP/1.1 code reason\r\n". Strand answers with
// its own version, 1.1, to 1.0 clients too (RFC 9110 §6.2).
func appendStatusLine(b []byte, code int) []byte {
	if line, ok := statusLine(code); ok {
		return append(b, line...)
	}
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ' ')
	b = append(b, StatusText(code)...)
	return append(b, '\r', '\n')
}

// appendField writes one field line. A name that is not a token is
// dropped, and CR, LF and NUL in a value become spaces, so a handler that
// copies client input into a header cannot split the response.
func appendField(b []byte, name, value string) []byte {
	if !ascii.IsToken(name) {
		return b
	}
	b = append(b, name...)
	b = append(b, ':', ' ')
	start := len(b)
	b = append(b, value...)
	for i := start; i < len(b); i++ {
		// One comparison for the usual byte, above CR, three for the rest.
		if c := b[i]; c <= '\r' && (c == '\r' || c == '\n' || c == 0) {
			b[i] = ' '
		}
	}
	return append(b, '\r', '\n')
}

// finish completes the response after the handler returned.
func (w *response) finish() {
	c := w.c
	if w.status == 0 {
		if code, msg := bodyErrorStatus(c.x.bodyErr); code != 0 {
			// The handler gave up on a body that failed without answering:
			// answer for it with what went wrong.
			w.header.Reset()
			c.closeAfter = true
			w.sendError(code, msg)
			return
		}
		w.WriteHeader(StatusOK)
	}
	if !w.committed {
		w.commit(true)
	}
	// Not "else": commit(true) itself chooses chunked when trailers were
	// announced, and that body needs its last chunk too (RFC 9112 §7.1).
	if w.chunked && w.err == nil {
		c.x.wbuf = append(c.x.wbuf, '0', '\r', '\n')
		for _, k := range w.trailerKeys {
			if v, ok := w.header.Lookup(k); ok {
				c.x.wbuf = appendField(c.x.wbuf, k, v)
			}
		}
		c.x.wbuf = append(c.x.wbuf, '\r', '\n')
	}
	if w.declared >= 0 && w.written < w.declared && !w.noBody || w.err != nil {
		c.closeAfter = true // the body is short of its framing
	}
}

// bodyErrorStatus maps the failure of a request body to the answer the
// server gives when the handler wrote none: 413 over the size limit, the
// codec's status for a malformed chunked body, 408 for a body that stopped
// arriving. A client that went away gets nothing (code 0).
func bodyErrorStatus(err error) (int, string) {
	var pe *http1.Error
	switch {
	case err == nil:
		return 0, ""
	case err == ErrBodyTooLarge:
		return StatusRequestEntityTooLarge, "request body too large"
	case errors.As(err, &pe):
		return pe.Status, pe.Reason
	case isTimeout(err):
		return StatusRequestTimeout, "timed out reading the request body"
	}
	return 0, ""
}

// sendError writes a complete short plain-text response.
func (w *response) sendError(code int, msg string) {
	w.header.Set("Content-Type", "text/plain; charset=utf-8")
	w.header.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, msg)
	_, _ = io.WriteString(w, "\n")
	w.commit(true)
}

// Flush commits the response and sends everything written so far.
func (w *response) Flush() error {
	if w.c.hijacked {
		return ErrHijacked
	}
	if w.status == 0 {
		w.WriteHeader(StatusOK)
	}
	w.commit(false)
	if w.err != nil {
		return w.err
	}
	w.err = w.c.flush()
	return w.err
}

// Hijack hands the connection to the caller. A status written before it
// (101 Switching Protocols, typically) is sent first, without a body.
func (w *response) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c := w.c
	if c.hijacked {
		return nil, nil, ErrHijacked
	}
	if w.committed && w.status != StatusSwitchingProtocols || w.written > 0 {
		return nil, nil, ErrNotHijackable
	}
	if w.status != 0 {
		w.commit(false)
	}
	if err := c.flush(); err != nil {
		return nil, nil, err
	}
	return c.hijack()
}

var (
	_ ResponseWriter = (*response)(nil)
	_ Flusher        = (*response)(nil)
	_ Hijacker       = (*response)(nil)
)

// parseContentLength parses a handler-set Content-Length.
func parseContentLength(v string) (int64, bool) {
	if v == "" || len(v) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
		n = n*10 + int64(v[i]-'0')
	}
	return n, true
}

func indexByteString(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
