package middleware

import (
	"io"

	"github.com/strandhttp/strand"
)

// WrapWriter records what a handler sends: the status code and the number
// of body bytes. Middleware that transforms a response embeds it and
// overrides Write. Unwrap returns the writer beneath, so strand.Flush and
// strand.Hijack reach the server's writer through any stack of wrappers.
type WrapWriter struct {
	strand.ResponseWriter
	status int   // the final status written, 0 before WriteHeader or Write
	bytes  int64 // body bytes accepted by Write
}

// NewWrapWriter wraps w.
func NewWrapWriter(w strand.ResponseWriter) *WrapWriter {
	return &WrapWriter{ResponseWriter: w}
}

// Reset points ww at a new writer, for pooled wrappers.
func (ww *WrapWriter) Reset(w strand.ResponseWriter) {
	*ww = WrapWriter{ResponseWriter: w}
}

// WriteHeader records the final status and passes the call on.
func (ww *WrapWriter) WriteHeader(code int) {
	if ww.status == 0 && (code >= 200 || code == strand.StatusSwitchingProtocols) {
		ww.status = code
	}
	ww.ResponseWriter.WriteHeader(code)
}

// Write records the bytes and passes them on.
func (ww *WrapWriter) Write(p []byte) (int, error) {
	if ww.status == 0 {
		ww.status = strand.StatusOK
	}
	n, err := ww.ResponseWriter.Write(p)
	ww.bytes += int64(n)
	return n, err
}

// WriteString records the bytes and passes them on.
func (ww *WrapWriter) WriteString(s string) (int, error) {
	if ww.status == 0 {
		ww.status = strand.StatusOK
	}
	n, err := ww.ResponseWriter.WriteString(s)
	ww.bytes += int64(n)
	return n, err
}

// Status returns the status sent, or 200 if the handler wrote nothing (the
// server then answers 200), or 0 if it has not returned yet.
func (ww *WrapWriter) Status() int {
	if ww.status == 0 {
		return strand.StatusOK
	}
	return ww.status
}

// Written reports whether a final status or body bytes have been sent.
func (ww *WrapWriter) Written() bool { return ww.status != 0 }

// BytesWritten returns the body bytes the handler wrote.
func (ww *WrapWriter) BytesWritten() int64 { return ww.bytes }

// Flush records the status a flush commits (200 when none was written)
// and flushes the writer beneath through strand.Flush. Without it, a
// handler that flushes its head before writing a body (server-sent events)
// would commit a response that Written does not report.
func (ww *WrapWriter) Flush() error {
	if ww.status == 0 {
		ww.status = strand.StatusOK
	}
	return strand.Flush(ww.ResponseWriter)
}

// ReadFrom passes src to the writer beneath when it can take it whole (the
// server's writer hands files to sendfile), counting the bytes; otherwise
// it copies through Write. A wrapper that transforms the body must
// override it, or src would bypass the transformation.
func (ww *WrapWriter) ReadFrom(src io.Reader) (int64, error) {
	if ww.status == 0 {
		ww.status = strand.StatusOK
	}
	rf, ok := ww.ResponseWriter.(io.ReaderFrom)
	if !ok {
		return io.Copy(writerOnly{ww}, src)
	}
	n, err := rf.ReadFrom(src)
	ww.bytes += n
	return n, err
}

// writerOnly hides a writer's ReadFrom from io.Copy.
type writerOnly struct{ io.Writer }

// Unwrap returns the writer beneath.
func (ww *WrapWriter) Unwrap() strand.ResponseWriter { return ww.ResponseWriter }

var (
	_ strand.Unwrapper = (*WrapWriter)(nil)
	_ strand.Flusher   = (*WrapWriter)(nil)
	_ io.ReaderFrom    = (*WrapWriter)(nil)
)
