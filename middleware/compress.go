package middleware

// The life of a compressed write.
//
// The middleware negotiates a coding from Accept-Encoding before the
// handler runs (internal/negotiate, RFC 9110 §12.5.3) and hands the
// handler a compressWriter, which decides at the final status whether the
// response is one to compress at all: a status with content other than 206, a
// Content-Type on the allow list, no Content-Encoding or Content-Range
// from the handler, no "Cache-Control: no-transform". Such a response
// always gets "Vary: Accept-Encoding", whatever this client accepts, since
// another client would get a different body (RFC 9110 §12.5.5). The
// writer is then in one of three states:
//
//   - passing: every call goes straight to the writer beneath. That is
//     the fate of responses that are not compressible, of HEAD, of clients
//     that accept no coding we offer, and of bodies the handler declared
//     (Content-Length) to be under MinSize.
//   - buffering: the status is held back and body bytes collect in
//     compressWriter.buf, up to MinSize. If the handler returns first, the
//     response is sent as is, status then buffered bytes, and the server
//     still computes its Content-Length. Reaching MinSize, or a Flush,
//     starts compressing.
//   - compressing: the head goes out with Content-Encoding, without
//     Content-Length, Accept-Ranges, or a strong ETag (weakened: W/"x"),
//     and a pooled encoder writes its output to the writer beneath; the
//     buffered bytes are its first input. The encoder keeps its own
//     window of input; the server's writer adds its buffers (see the life
//     of a write in the strand package) and chooses chunked framing, or
//     an exact Content-Length when the whole compressed body fits its
//     buffer. Flush flushes the encoder (a sync flush: everything written
//     so far becomes decodable), then the writer beneath, so server-sent
//     events arrive one by one. When the handler returns, the encoder is
//     closed, writing the end of the stream, and goes back to its pool.

import (
	"bufio"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/strandhttp/strand"
	"github.com/strandhttp/strand/internal/ascii"
	"github.com/strandhttp/strand/internal/negotiate"
)

// DefaultCompressMinSize is the body size below which responses are sent
// uncompressed when CompressOptions.MinSize is zero: under about a kilobyte,
// a compressed body saves less than a packet and costs an encoder.
const DefaultCompressMinSize = 1024

// CompressOptions configures Compress. The zero value offers zstd, br,
// gzip and deflate at CompressDefault, for bodies of at least
// DefaultCompressMinSize bytes whose Content-Type is on the default list.
type CompressOptions struct {
	// Encodings lists the content codings to offer, most preferred first:
	// "zstd", "br", "gzip", "deflate". The order breaks ties between codings
	// the client weighs equally, which browsers always do. nil means zstd,
	// br, gzip, deflate. At CompressDefault, on a 16 KiB JSON body
	// (BenchmarkCompress), zstd costs about the CPU gzip does for a body
	// some 15% smaller, and br one about 35% smaller for three to four
	// times the CPU: zstd first suits responses built per request, and br
	// still serves the browsers without zstd. deflate comes last because
	// some old clients expect it without its zlib wrapper (RFC 9110
	// §8.4.1.2).
	Encodings []string

	// Level trades speed for size; see CompressLevel.
	Level CompressLevel

	// MinSize is the smallest body, in bytes, worth compressing; zero
	// means DefaultCompressMinSize. Smaller bodies are sent as they are,
	// with their Content-Length. A response flushed before it reaches
	// MinSize is compressed anyway: its size is not known yet.
	MinSize int

	// ContentTypes is the allow list of media types to compress, each
	// "type/subtype", "type/*" or "*/*+suffix", compared without regard to
	// case and to parameters. nil means text/*, */*+json, */*+xml,
	// application/json, application/x-ndjson, application/javascript,
	// application/x-javascript, application/ecmascript, application/xml,
	// application/yaml, application/wasm, application/vnd.ms-fontobject,
	// font/ttf, font/otf, image/bmp, image/x-icon and
	// image/vnd.microsoft.icon. A response without Content-Type is never
	// compressed: set it before writing.
	ContentTypes []string
}

// Compress returns middleware that compresses response bodies with the
// content coding the client prefers among zstd, br (Brotli), gzip and
// deflate (RFC 9110 §8.4.1, §12.5.3).
//
// A response is compressed only when all of these hold: the request is
// not HEAD; the status allows content and is not 206 Partial Content; the
// handler set a Content-Type on the allow list and no Content-Encoding,
// Content-Range or "Cache-Control: no-transform" (RFC 9111 §5.2.2.6); the
// client accepts a coding on offer; the body reaches MinSize or is flushed
// before. Compressing removes Content-Length and Accept-Ranges (ranges
// would address the uncompressed body, which this response is not) and
// turns a strong ETag into a weak one: W/"x". The compressed body is a
// different representation, so its strong validator would have to differ
// (RFC 9110 §8.8.3); a weak one keeps If-None-Match working against the
// handler's own ETag, since weak comparison ignores the W/ (§8.8.3.2).
// Every compressible response carries "Vary: Accept-Encoding".
//
// The handler must set its header fields before WriteHeader or the first
// Write, as always; strand.Flush and strand.Hijack work through the
// wrapper. Encoders and wrappers are pooled per Compress call.
//
// Compress panics on an unknown coding name, a malformed content type or
// a negative MinSize: those are setup mistakes.
func Compress(opts CompressOptions) func(strand.Handler) strand.Handler {
	c := newCompressor(opts)
	return func(next strand.Handler) strand.Handler {
		return &compressHandler{c: c, next: next}
	}
}

// compressor is one Compress middleware: its settings, immutable after
// newCompressor, and its pools.
type compressor struct {
	prefs   []negotiate.Coding // offered codings, most preferred first
	types   []mediaPattern
	minSize int

	writers  sync.Pool // idle *compressWriter
	encoders encoderPools
}

func newCompressor(o CompressOptions) *compressor {
	c := &compressor{minSize: o.MinSize}
	switch {
	case o.MinSize < 0:
		panic("middleware: CompressOptions.MinSize " + strconv.Itoa(o.MinSize) + " is negative")
	case o.MinSize == 0:
		c.minSize = DefaultCompressMinSize
	}
	if o.Level < CompressDefault || o.Level > CompressBest {
		panic("middleware: CompressOptions.Level " + strconv.Itoa(int(o.Level)) + " is not a CompressLevel")
	}
	c.encoders.level = o.Level
	names := o.Encodings
	if names == nil {
		names = []string{"zstd", "br", "gzip", "deflate"}
	}
	for _, name := range names {
		coding, ok := negotiate.ParseCoding(name)
		if !ok || coding == negotiate.Identity {
			panic("middleware: Compress encoding " + strconv.Quote(name) + ` is not "zstd", "br", "gzip" or "deflate"`)
		}
		for _, p := range c.prefs {
			if p == coding {
				panic("middleware: Compress encoding " + strconv.Quote(name) + " is listed twice")
			}
		}
		c.prefs = append(c.prefs, coding)
	}
	types := o.ContentTypes
	if types == nil {
		types = defaultCompressTypes[:]
	}
	c.types = compileMediaPatterns(types)
	return c
}

// compressHandler applies a compressor in front of next. Immutable.
type compressHandler struct {
	c    *compressor
	next strand.Handler
}

func (h *compressHandler) ServeHTTP(w strand.ResponseWriter, r *strand.Request) {
	c := h.c
	var ae negotiate.AcceptEncoding
	asked := false
	for k, v := range r.Header.All() {
		if k == "Accept-Encoding" { // names are canonical
			ae.Add(v)
			asked = true
		}
	}
	coding := negotiate.Identity
	if asked {
		// Without the field, RFC 9110 §12.5.3 lets any coding through, but
		// a client that did not ask may not decode: identity it is.
		coding = ae.Negotiate(c.prefs)
	}
	cw, _ := c.writers.Get().(*compressWriter)
	if cw == nil {
		cw = &compressWriter{c: c}
	}
	cw.reset(w, coding, r.Method == "HEAD")
	h.next.ServeHTTP(cw, r)
	// Not deferred: after a panic the server discards what is held back
	// (or cuts the response short), and the writer is simply not reused.
	cw.finish()
	cw.reset(nil, negotiate.Identity, false)
	c.writers.Put(cw)
}

// compressible reports whether a response with this final status and
// header may be compressed, whatever the client accepts.
func (c *compressor) compressible(code int, h *strand.Header) bool {
	switch {
	case code < 200 || code == strand.StatusNoContent || code == strand.StatusPartialContent ||
		code == strand.StatusNotModified:
		return false // no content, or a part of one (RFC 9110 §14.4)
	case h.Has("Content-Encoding") || h.Has("Content-Range"):
		return false
	}
	ct, ok := h.Lookup("Content-Type")
	if !ok || !matchMediaType(c.types, ct) {
		return false
	}
	for k, v := range h.All() {
		if k == "Cache-Control" && ascii.HasTokenFold(v, "no-transform") {
			return false
		}
	}
	return true
}

// compressState is where a compressWriter is in the life of a compressed
// write (top of this file).
type compressState uint8

const (
	cwIdle        compressState = iota // no final status yet
	cwBuffering                        // compressible; status and body held back
	cwPassing                          // not compressing: calls go to the writer beneath
	cwCompressing                      // enc compresses into the writer beneath
)

// compressWriter is the ResponseWriter a handler under Compress writes
// to. It is owned by the handler's goroutine, pooled by its compressor,
// and reset between requests.
type compressWriter struct {
	WrapWriter // the writer beneath; records the status (its byte count: uncompressed passes only)

	c        *compressor      // immutable
	coding   negotiate.Coding // negotiated; negotiate.Identity when none
	head     bool             // HEAD request: never compress
	state    compressState
	code     int             // final status, held back while buffering
	buf      []byte          // body held back while buffering; cap c.minSize once used
	enc      compressEncoder // non-nil while compressing; writes to sink
	sink     compressSink    // the encoder's way to the writer beneath
	declared int64           // Content-Length set by the handler, or -1
	written  int64           // body bytes held back or compressed (not passed)
	hijacked bool            // the handler took the connection
}

func (cw *compressWriter) reset(w strand.ResponseWriter, coding negotiate.Coding, head bool) {
	cw.WrapWriter.Reset(w)
	cw.coding, cw.head = coding, head
	cw.state, cw.code, cw.buf = cwIdle, 0, cw.buf[:0]
	cw.enc, cw.declared, cw.written, cw.hijacked = nil, -1, 0, false
	cw.sink.w = nil
}

// compressSink passes an encoder's output to the writer beneath. Idle
// pooled encoders still point at the sink of their last response, which
// is emptied then, so that they do not keep a finished response's
// connection and buffers reachable.
type compressSink struct{ w strand.ResponseWriter }

func (s *compressSink) Write(p []byte) (int, error) { return s.w.Write(p) }

// WriteHeader sends 1xx interim responses at once and holds the final
// status until it is known whether the body will be compressed.
func (cw *compressWriter) WriteHeader(code int) {
	if cw.state != cwIdle || cw.hijacked {
		return // the final status is already fixed
	}
	if code < 200 && code != strand.StatusSwitchingProtocols || code > 999 {
		cw.WrapWriter.WriteHeader(code) // interim, or invalid: the server's to handle
		return
	}
	cw.code = code
	h := cw.Header()
	if !cw.c.compressible(code, h) {
		cw.pass()
		return
	}
	addVaryToken(h, "Accept-Encoding")
	if cw.coding == negotiate.Identity || cw.head {
		cw.pass()
		return
	}
	if v, ok := h.Lookup("Content-Length"); ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			if n < int64(cw.c.minSize) {
				cw.pass()
				return
			}
			cw.declared = n
		}
	}
	cw.state = cwBuffering
}

// pass sends the held status and lets every later call through.
func (cw *compressWriter) pass() {
	cw.state = cwPassing
	cw.WrapWriter.WriteHeader(cw.code)
}

// start sends the head of a compressed response and compresses what was
// held back.
func (cw *compressWriter) start() error {
	h := cw.Header()
	h.Set("Content-Encoding", cw.coding.String())
	h.Del("Content-Length")
	h.Del("Accept-Ranges")
	if etag, ok := h.Lookup("ETag"); ok && strings.HasPrefix(etag, `"`) {
		h.Set("ETag", "W/"+etag)
	}
	cw.state = cwCompressing
	cw.WrapWriter.WriteHeader(cw.code)
	cw.sink.w = cw.ResponseWriter
	cw.enc = cw.c.encoders.get(cw.coding, &cw.sink)
	if len(cw.buf) == 0 {
		return nil
	}
	_, err := cw.enc.Write(cw.buf)
	cw.buf = cw.buf[:0]
	return err
}

// Write compresses p, holds it back, or passes it on, as the state says.
func (cw *compressWriter) Write(p []byte) (int, error) {
	if cw.state == cwIdle {
		cw.WriteHeader(strand.StatusOK)
	}
	switch cw.state {
	case cwPassing:
		return cw.WrapWriter.Write(p)
	case cwIdle:
		return 0, strand.ErrHijacked // WriteHeader refused: only after Hijack
	}
	if cw.declared >= 0 && cw.written+int64(len(p)) > cw.declared {
		return 0, strand.ErrContentLength // the server cannot check it for us
	}
	if cw.state == cwBuffering {
		if len(cw.buf)+len(p) < cw.c.minSize {
			if cw.buf == nil {
				cw.buf = make([]byte, 0, cw.c.minSize)
			}
			cw.buf = append(cw.buf, p...)
			cw.written += int64(len(p))
			return len(p), nil
		}
		if err := cw.start(); err != nil {
			return 0, err
		}
	}
	n, err := cw.enc.Write(p)
	cw.written += int64(n)
	return n, err
}

// ReadFrom lets a body that is passed through uncompressed reach the
// writer beneath whole (sendfile for files); a body that may be compressed
// goes through Write.
func (cw *compressWriter) ReadFrom(src io.Reader) (int64, error) {
	if cw.state == cwIdle {
		cw.WriteHeader(strand.StatusOK)
	}
	if cw.state == cwPassing {
		return cw.WrapWriter.ReadFrom(src)
	}
	return io.Copy(writerOnly{cw}, src)
}

// WriteString is Write without copying s.
func (cw *compressWriter) WriteString(s string) (int, error) {
	// The encoders, like every io.Writer, neither keep nor modify p.
	return cw.Write(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// Flush sends everything written so far: it starts compressing if bytes
// were held back (the body's size is unknown, and a stream is what
// compression helps most), flushes the encoder, then the writers beneath.
func (cw *compressWriter) Flush() error {
	if cw.hijacked {
		return strand.ErrHijacked
	}
	if cw.state == cwIdle {
		cw.WriteHeader(strand.StatusOK)
	}
	if cw.state == cwBuffering {
		if err := cw.start(); err != nil {
			return err
		}
	}
	if cw.state == cwCompressing {
		if err := cw.enc.Flush(); err != nil {
			return err
		}
	}
	return strand.Flush(cw.ResponseWriter)
}

// Hijack hands the connection over through the writers beneath. It fails
// with strand.ErrNotHijackable once body bytes have been written, which
// the server beneath may not know yet.
func (cw *compressWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if cw.state == cwCompressing || len(cw.buf) > 0 {
		return nil, nil, strand.ErrNotHijackable
	}
	if cw.state == cwBuffering {
		cw.pass() // a status set before Hijack is sent first, as without us
	}
	conn, rw, err := strand.Hijack(cw.ResponseWriter)
	if err == nil {
		cw.hijacked = true
	}
	return conn, rw, err
}

// Unwrap returns the writer beneath.
func (cw *compressWriter) Unwrap() strand.ResponseWriter { return cw.ResponseWriter }

// finish completes the response after the handler returned: it sends a
// body still held back as it is, or ends the compressed stream.
func (cw *compressWriter) finish() {
	if cw.hijacked {
		return
	}
	switch cw.state {
	case cwBuffering:
		cw.pass()
		if len(cw.buf) > 0 {
			_, _ = cw.WrapWriter.Write(cw.buf)
		}
	case cwCompressing:
		// An error here is the client's connection failing; the server
		// sees it too, and closes. The encoder is reset before reuse.
		_ = cw.enc.Close()
		cw.c.encoders.put(cw.coding, cw.enc)
	}
}

var (
	_ strand.ResponseWriter = (*compressWriter)(nil)
	_ strand.Flusher        = (*compressWriter)(nil)
	_ strand.Hijacker       = (*compressWriter)(nil)
	_ strand.Unwrapper      = (*compressWriter)(nil)
)
